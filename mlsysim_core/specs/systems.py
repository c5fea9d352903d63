"""Layer D: nodes, fabrics and fleets built from accelerators."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..units import q
from .hardware import HardwareNode
from .infra import Datacenter, GridProfile


@dataclass(frozen=True, slots=True, eq=False)
class NetworkFabric:
    name: str
    key: str
    bandwidth_bytes_s: float       # per-port, per-direction line rate
    latency_s: float               # alpha: per-message start-up latency
    oversubscription: float = 1.0
    topology: str = "fat-tree"
    sources: dict = field(default_factory=dict, repr=False)
    # alpha of one NCCL ring step over this fabric (None: ``latency_s``), and whether its
    # switches reduce in-network (InfiniBand SHARP); fields after ``sources`` keep old calls valid
    nccl_latency_s: float | None = None
    sharp: bool = False

    @property
    def collective_latency_s(self) -> float:
        """Per-step alpha of a collective over this fabric: the NCCL figure, else ``latency_s``."""
        return self.latency_s if self.nccl_latency_s is None else self.nccl_latency_s

    @property
    def bandwidth(self):
        return q(self.bandwidth_bytes_s, "byte/s").to("GB/s")

    @property
    def latency(self):
        return q(self.latency_s, "s").to("us")

    @property
    def effective_bandwidth_bytes_s(self) -> float:
        return self.bandwidth_bytes_s / self.oversubscription

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    name: str
    key: str
    accelerator: HardwareNode
    accelerators_per_node: int
    intra_node_bandwidth_bytes_s: float   # per direction, per accelerator (NVLink)
    intra_node_latency_s: float
    nics_per_node: int = 1
    psus_per_node: int = 2
    sources: dict = field(default_factory=dict, repr=False)
    nvls: bool = False                    # NVSwitch reduces in-network (NVLink SHARP, NVSwitch gen 3+)

    @property
    def intra_node_bw(self):
        return q(self.intra_node_bandwidth_bytes_s, "byte/s").to("GB/s")

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True, eq=False)
class Fleet:
    name: str
    key: str
    node: Node
    count: int
    fabric: NetworkFabric
    region: GridProfile | Datacenter | None = None
    sources: dict = field(default_factory=dict, repr=False)

    @property
    def accelerator(self) -> HardwareNode:
        return self.node.accelerator

    @property
    def total_accelerators(self) -> int:
        return self.count * self.node.accelerators_per_node

    def __str__(self) -> str:
        return self.name
