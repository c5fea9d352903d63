"""The hardware spec types, at the module path the reference documents import from."""
from ..specs.hardware import ComputeCore, HardwareNode, Interconnect, MemoryHierarchy

__all__ = ["ComputeCore", "HardwareNode", "Interconnect", "MemoryHierarchy"]
