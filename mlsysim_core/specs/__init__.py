"""Frozen specifications of the four layers: workloads, hardware, infrastructure, systems."""
from .hardware import ComputeCore, HardwareNode, Interconnect, MemoryHierarchy
from .infra import Datacenter, GridProfile
from .systems import Fleet, NetworkFabric, Node
from .workloads import CNNWorkload, ComputationGraph, MoEWorkload, TransformerWorkload, Workload

__all__ = [
    "ComputeCore", "HardwareNode", "Interconnect", "MemoryHierarchy", "Datacenter", "GridProfile",
    "Fleet", "NetworkFabric", "Node", "CNNWorkload", "ComputationGraph", "MoEWorkload",
    "TransformerWorkload", "Workload",
]
