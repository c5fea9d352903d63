# Source: reference/003 paper, section 6.2 "Dimensional Safety as Pedagogy".
# The document's listing uses a `gpu` defined elsewhere; the context line binds it to an H100.
# Running this block MUST raise pint's DimensionalityError (tests/test_docs.py checks that).
# --- context (not in the document) ---
from mlsysim_core import Hardware
gpu = Hardware.Cloud.H100
# --- block ---
# This raises DimensionalityError -- you can't add FLOP/s to GB/s
result = gpu.compute.peak_flops + gpu.memory.bandwidth
