# Source: reference/004 "For Engineers & Researchers", section "Writing Custom Solvers".
# Verbatim from the document except the import name `mlsysim` -> `mlsysim_core`.
# The block only defines a class; tests/test_docs.py calls it on an H100.
# --- block ---
from mlsysim_core.hardware.types import HardwareNode

class PowerEfficiencyModel:
    def solve(self, hardware: HardwareNode) -> dict:
        flops_per_watt = hardware.compute.peak_flops / hardware.tdp
        return {
            "device": hardware.name,
            "flops_per_watt": flops_per_watt.to("TFLOPs/s/kW"),
        }
