# Source: reference/003 paper, section 6.1 "Progressive Complexity", "Level 3 - Systems Design (Scenarios)".
# Needs the fleet-scale Scenarios. The import is context, not part of the document's block.
# --- context (not in the document) ---
from mlsysim_core import Scenarios
# --- block ---
scenario = Scenarios.FrontierTraining # Llama-70B on 8192 GPUs
evaluation = scenario.evaluate(batch_size=2048, precision="fp16")
print(evaluation.scorecard())
