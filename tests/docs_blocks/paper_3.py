# Source: reference/003 paper, section 6.1 "Progressive Complexity", "Level 2 - Comparative Analysis".
# The listing relies on the imports of the paper's first listing (section 3.1); that context
# line is added below the header and is not part of the document's block.
# --- context (not in the document) ---
from mlsysim_core import Engine, Hardware, Models
# --- block ---
for hw in [Hardware.Cloud.A100, Hardware.Cloud.H100, Hardware.Cloud.B200]:
    p = Engine.solve(model=Models.Language.Llama3_8B, hardware=hw)
    print(f"{hw.name}: {p.latency.to('ms'):~.2f}, {p.bottleneck}")
