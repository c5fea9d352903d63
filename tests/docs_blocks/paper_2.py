# Source: reference/003 paper, section 6.1 "Progressive Complexity", "Level 1 - Guided Exploration".
# The listing relies on the imports of the paper's first listing (section 3.1); that context
# line is added below the header and is not part of the document's block.
# --- context (not in the document) ---
from mlsysim_core import Engine, Hardware, Models
# --- block ---
profile = Engine.solve(model=Models.ResNet50, hardware=Hardware.Cloud.A100)
print(profile.bottleneck) # "Memory Bound"
