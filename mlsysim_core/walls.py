"""The 22 walls of ML systems (the cheat sheet's table), each with its governing equation, sources,
the solver that models it and a worked example.

    from mlsysim_core import walls
    print(walls.table())
    w = walls.WALLS[9]                  # wall 10, Locality (the list is 0-based, numbers 1-based)
    w.solver                            # TopologyModel (imported on first access)
    print(w.example().explain())        # the solver on a canonical case, equations with numbers
    walls.for_solver(walls.WALLS[18].solver)   # (Wall 19 Checkpoint,)

Importing this module imports no solver: ``solver`` and ``example()`` resolve on use.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

DOMAINS = ("Node", "Data", "Algorithm", "Fleet", "Operations", "Analysis")


@dataclass(frozen=True)
class Wall:
    number: int
    name: str
    domain: str
    one_liner: str
    equation: str                       # LaTeX
    sources: tuple[str, ...]
    solver_name: str
    module: str                         # mlsysim_core.<module> defines solver_name
    _example: Callable = field(repr=False, compare=False)
    also: tuple[str, ...] = ()          # other entry points to the same physics (Engine for walls 1, 2)

    @property
    def solver(self):
        """The solver class (imported now; exported from ``mlsysim_core`` under ``solver_name``)."""
        return getattr(importlib.import_module(f"mlsysim_core.{self.module}"), self.solver_name)

    def example(self):
        """Run the solver on this wall's canonical case and return its result (``.explain()`` it)."""
        return self._example(self.solver)

    def __str__(self) -> str:
        return f"Wall {self.number} {self.name}"


def _m():
    import mlsysim_core as m
    return m


def _hw(*keys):
    """The first accelerator of the zoo among ``keys`` (wafer-scale names differ between versions)."""
    hw = _m().Hardware
    for k in keys:
        try:
            return getattr(hw, k)
        except (AttributeError, KeyError):
            continue
    raise LookupError(f"none of {keys} in Hardware")


def _ex(fn):
    """fn(m, solver_class) -> result, with m the package."""
    return lambda cls: fn(_m(), cls)


_W = [
    (1, "Compute", "Node", "Peak FLOPS ceiling of a single accelerator",
     r"T = \frac{\text{FLOPs}}{\text{Peak} \times \eta}",
     ("Williams, Waterman & Patterson (2009), 'Roofline', CACM 52(4)",), "SingleNodeModel", "solvers.engine",
     lambda m, S: S().solve(m.Models.ResNet50, m.Hardware.A100, batch_size=64), ("Engine",)),
    (2, "Memory", "Node", "HBM capacity and bandwidth ceilings",
     r"T = \frac{|W|}{BW_{HBM}},\quad |W| + |KV| \le M_{HBM}",
     ("Williams et al. (2009), CACM 52(4)", "Pope et al. (2023), 'Efficiently Scaling Transformer Inference', MLSys"),
     "SingleNodeModel", "solvers.engine",
     lambda m, S: S().solve(m.Models.Llama3_8B, m.Hardware.H100, batch_size=1), ("Engine",)),
    (3, "Software", "Node", "Gap between peak and achieved FLOPS (MFU)",
     r"\text{MFU} = \frac{\text{FLOPs}/\text{Peak}}{\max(T_{GEMM}/\eta_{tile} + T_{attn}^{IO} + T_{elem},\ K t_{launch})}",
     ("Dao et al. (2022), 'FlashAttention', NeurIPS", "NVIDIA, 'Matrix Multiplication Background User's Guide' (2023)",
      "NVIDIA CUDA C++ Best Practices Guide (2024), kernel launch overhead"), "EfficiencyModel", "solvers.efficiency",
     lambda m, S: S().solve(m.Models.Llama3_8B, m.Hardware.H100, batch_size=1, seq_len=1, mode="eager")),
    (4, "Serving", "Node", "LLM inference: compute-bound prefill vs. memory-bound decode",
     r"TTFT = \frac{2 P S}{\text{Peak}\,\eta},\quad ITL = \frac{|W| + |KV|}{BW}",
     ("Pope et al. (2023), MLSys", "Kwon et al. (2023), 'PagedAttention', SOSP"), "ServingModel", "solvers.serving",
     lambda m, S: S().solve(m.Models.Llama3_8B, m.Hardware.H100, seq_len=4096, batch_size=1)),
    (5, "Batching", "Node", "Static batching wastes memory through KV-cache fragmentation",
     r"N_{static} = \lfloor M_{KV} / (k S_{max}) \rfloor,\ N_{paged} = \lfloor M_{KV} / (k\,p\,E[\lceil S/p \rceil]) \rfloor",
     ("Kwon et al. (2023), 'Efficient Memory Management for LLM Serving with PagedAttention', SOSP",
      "Yu et al. (2022), 'Orca', OSDI"), "ContinuousBatchingModel", "solvers.batching",
     lambda m, S: S().solve(m.Models.Llama3_8B, m.Hardware.H100, seq_len=4096)),
    (6, "Streaming", "Node", "Wafer-scale shifts bottleneck from HBM to injection interconnect",
     r"T_{layer} = \max\left(\frac{|W_l|}{BW_{inject}}, \frac{2 |W_l| B}{\text{Peak}\,\eta}\right)",
     ("Lie (2023), 'Cerebras Architecture Deep Dive', IEEE Micro 43(3) (weight streaming)",),
     "WeightStreamingModel", "solvers.streaming",
     lambda m, S: S().solve(m.Models.Llama3_70B, _hw("CS3", "CS_3", "Cerebras_CS3", "WSE3", "WSE_3"),
                            seq_len=2048, batch_size=64)),
    (7, "Tail Latency", "Node", "P99 latency grows non-linearly as utilization approaches 1.0",
     r"P(W > t) = C(c, a)\, e^{-(c\mu - \lambda)t}",
     ("Kleinrock (1975), Queueing Systems Vol. 1, section 3.5", "Dean & Barroso (2013), 'The Tail at Scale', CACM 56(2)"),
     "ServingFleetModel", "solvers.capacity",
     lambda m, S: S().solve(m.Models.Llama3_8B, m.Hardware.H100, qps=2.0, slo_p99_ms=30_000, output_tokens=256)),
    (8, "Ingestion", "Data", "Storage I/O must supply data at the rate the accelerator consumes it",
     r"\rho = \frac{N \cdot \text{samples/s} \cdot \text{bytes/sample}}{\min(BW_{storage}, BW_{net}, BW_{PCIe})}",
     ("Mohan et al. (2021), 'Analyzing and Mitigating Data Stalls in DNN Training', VLDB 14(5)",),
     "DataModel", "solvers.data",
     lambda m, S: S().solve(samples_per_second=3000, n_accelerators=8, storage_bandwidth="2 GB/s")),
    (9, "Transformation", "Data", "CPU preprocessing cannot keep pace with accelerator throughput",
     r"U = \frac{T_{compute}}{\max(T_{compute}, g B / (c\, r_{core}))}",
     ("Mohan et al. (2021), VLDB 14(5)", "Murray et al. (2021), 'tf.data', VLDB 14(12)"),
     "TransformationModel", "solvers.transformation",
     lambda m, S: S().solve(cpu_cores=32, samples_per_second=1200, accelerators_per_node=8)),
    (10, "Locality", "Data", "Network topology limits bisection bandwidth between nodes",
     r"b_{eff} = \frac{b}{\max(1, s f)},\quad B_{bisect} = \frac{N}{2}\frac{b}{s}",
     ("Dally & Towles (2004), Principles and Practices of Interconnection Networks, ch. 3, 9",
      "Al-Fares et al. (2008), SIGCOMM", "Kim et al. (2008), 'Dragonfly', ISCA"), "TopologyModel", "solvers.topology",
     lambda m, S: S().solve(m.Systems.Clusters.Production_2K, oversubscription=2, placement="scattered",
                            message_bytes=140e9)),
    (11, "Complexity", "Algorithm", "Chinchilla scaling laws govern compute-optimal training",
     r"C = 6PD,\quad P^* = \sqrt{C/120}",
     ("Hoffmann et al. (2022), arXiv:2203.15556", "Kaplan et al. (2020), arXiv:2001.08361"),
     "ScalingModel", "solvers.training", lambda m, S: S().solve(3.15e23)),
    (12, "Reasoning", "Algorithm", "Inference-time compute scales with reasoning chain length",
     r"T = TTFT + K \cdot T_{step} \cdot ITL",
     ("Snell et al. (2024), 'Scaling LLM Test-Time Compute Optimally', arXiv:2408.03314",
      "Wang et al. (2023), 'Self-Consistency', ICLR"), "InferenceScalingModel", "solvers.reasoning",
     lambda m, S: S().solve(m.Models.Llama3_8B, m.Hardware.H100, reasoning_steps=8, context_length=2048)),
    (13, "Fidelity", "Algorithm", "Compression trades model fidelity for efficiency",
     r"r = b_{base}/b,\quad r = 1/(1-s)",
     ("Frantar et al. (2023), 'GPTQ', ICLR", "Frantar & Alistarh (2023), 'SparseGPT', ICML"),
     "CompressionModel", "solvers.compression",
     lambda m, S: S().solve(m.Models.Llama3_8B, m.Hardware.H100, target_bitwidth=4)),
    (14, "Communication", "Fleet", "Distributed training requires synchronization across N nodes",
     r"T_{AR} = 2\frac{N-1}{N}\frac{M}{\beta} + 2(N-1)\alpha",
     ("Patarasuk & Yuan (2009), JPDC 69(2)", "Narayanan et al. (2021), 'Megatron-LM at scale', SC"),
     "DistributedModel", "solvers.distributed",
     lambda m, S: S().solve(m.Models.Llama3_70B, m.Systems.Clusters.Research_256, batch_size=1024, tp_size=8,
                            pp_size=4, microbatch_count=16)),
    (15, "Fragility", "Fleet", "Component failures are inevitable at scale (MTBF/N)",
     r"\text{MTBF}_{fleet} = \frac{\text{MTBF}}{N},\quad \tau^* = \sqrt{2 \delta\, \text{MTBF}}",
     ("Young (1974), CACM 17(9)", "Daly (2006), FGCS 22(3)", "Llama 3 paper, arXiv:2407.21783, section 3.3.4"),
     "ReliabilityModel", "solvers.reliability",
     lambda m, S: S().solve(m.Systems.Clusters.Frontier_8192, job_duration_hours=24 * 30)),
    (16, "Multi-tenant", "Fleet", "Shared clusters introduce queueing delays",
     r"W_q \approx \frac{C(c, a)}{c\mu - \lambda}\cdot\frac{c_a^2 + c_s^2}{2}",
     ("Kingman (1961), Proc. Cambridge Phil. Soc. 57(4)", "Allen (1990), Probability, Statistics and Queueing Theory",
      "Bondi & Buzen (1984), SIGMETRICS"), "OrchestrationModel", "solvers.orchestration",
     lambda m, S: S().solve(m.Systems.Clusters.Frontier_8192, job_gpus=512, job_hours=24, utilization=0.85)),
    (17, "Capital", "Operations", "Total cost of ownership bounds what is economically feasible",
     r"TCO = CapEx + OpEx",
     ("Barroso, Clidaras & Hoelzle (2018), The Datacenter as a Computer, ch. 6",), "EconomicsModel",
     "solvers.economics", lambda m, S: S().solve(m.Systems.Clusters.Research_256, duration_days=365)),
    (18, "Sustainability", "Operations", "Energy consumption converts to carbon and water footprint",
     r"CO_2 = E \times PUE \times CI",
     ("Patterson et al. (2021), 'Carbon Emissions and Large Neural Network Training', arXiv:2104.10350",),
     "SustainabilityModel", "solvers.sustainability",
     lambda m, S: S().solve(m.Systems.Clusters.Research_256, duration_days=30)),
    (19, "Checkpoint", "Operations", "Periodic state saves impose I/O burst penalties on training MFU",
     r"\delta = \frac{P(b_w + b_{opt})}{\min(n\,BW_{node}, BW_{fs})},\quad \text{MFU loss} = \frac{\delta}{\tau + \delta}",
     ("Mohan et al. (2021), 'CheckFreq', USENIX FAST", "Llama 3 paper, arXiv:2407.21783, section 3.3.1",
      "Rajbhandari et al. (2020), 'ZeRO', SC"), "CheckpointModel", "solvers.checkpoint",
     lambda m, S: S().solve(m.Models.Llama3_70B, m.Systems.Clusters.H100_256)),
    (20, "Safety", "Operations", "Privacy and fairness guarantees impose computational overhead",
     r"M_{DP} = B P b,\quad n = \frac{z^2 p(1-p)}{w^2},\quad m_{PGD} = K + 1",
     ("Abadi et al. (2016), 'Deep Learning with Differential Privacy', CCS", "Madry et al. (2018), ICLR",
      "Yousefpour et al. (2021), 'Opacus', arXiv:2109.12298"), "ResponsibleEngineeringModel", "solvers.responsible",
     lambda m, S: S().solve(m.Models.ResNet50, m.Hardware.H100, batch_size=256, epsilon=1.0, base_gpu_hours=1000,
                            subgroups=10)),
    (21, "Sensitivity", "Analysis", "Identifies the binding constraint via numerical partial derivatives",
     r"S_i = \frac{\partial T / T}{\partial x_i / x_i}",
     ("Saltelli et al. (2008), Global Sensitivity Analysis: The Primer, Wiley",), "SensitivitySolver",
     "solvers.analysis", lambda m, S: S().solve(m.Models.Llama3_8B, m.Hardware.H100)),
    (22, "Synthesis", "Analysis", "Inverse Roofline: derive hardware specs from an SLA target",
     r"BW_{req} = \frac{|W|}{T_{target}},\quad \text{Peak}_{req} = \frac{\text{FLOPs}}{T_{target}\,\eta}",
     ("Williams et al. (2009), CACM 52(4) (the roofline, inverted)",), "SynthesisSolver", "solvers.analysis",
     lambda m, S: S().solve(m.Models.Llama3_8B, m.Q_(20, "ms"))),
]

WALLS: tuple[Wall, ...] = tuple(
    Wall(n, name, dom, one, eq, src, sol, mod, _ex(fn), *rest)
    for n, name, dom, one, eq, src, sol, mod, fn, *rest in _W)


def wall(number_or_name) -> Wall:
    """A wall by number (1-22) or name (case-insensitive)."""
    for w in WALLS:
        if w.number == number_or_name or (isinstance(number_or_name, str) and w.name.lower() == number_or_name.lower()):
            return w
    from .errors import SpecError
    raise SpecError("number_or_name", number_or_name, "a wall number 1-22 or a name such as 'Locality'")


def for_solver(cls) -> tuple[Wall, ...]:
    """The walls a solver class (or its name) models, e.g. ``for_solver(CheckpointModel)``."""
    name = cls if isinstance(cls, str) else getattr(cls, "__name__", None)
    return tuple(w for w in WALLS if name == w.solver_name or name in w.also)


def in_domain(domain: str) -> tuple[Wall, ...]:
    return tuple(w for w in WALLS if w.domain.lower() == str(domain).lower())


def table() -> str:
    """The 22 walls as a Markdown table: number, wall, domain, solver, one-liner."""
    rows = ["| # | Wall | Domain | Solver | One-liner |", "|---|---|---|---|---|"]
    rows += [f"| {w.number} | {w.name} | {w.domain} | `{w.solver_name}` | {w.one_liner} |" for w in WALLS]
    return "\n".join(rows)


__all__ = ["WALLS", "Wall", "DOMAINS", "wall", "for_solver", "in_domain", "table"]
