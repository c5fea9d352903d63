# Source: reference/004 "For Engineers & Researchers", section "Type Safety".
# The document's listing uses `mlsysim` imported in its earlier listings; the context line imports it.
# The last line MUST raise pint's DimensionalityError (tests/test_docs.py checks that and the values).
# --- context (not in the document) ---
import mlsysim_core
# --- block ---
hw = mlsysim_core.Hardware.Cloud.A100
hw.compute.peak_flops.to("TFLOPs/s")   # → 312.0 TFLOPs/s
hw.memory.bandwidth.to("TB/s")          # → 2.0 TB/s
hw.memory.bandwidth.to("FLOP/s")        # → DimensionalityError ✓
