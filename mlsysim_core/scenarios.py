"""Lighthouse scenarios, their three-level evaluation, and personas that scale them into ledgers.

    Scenarios.FrontierTraining.evaluate(batch_size=2048, precision="fp16").scorecard()

L1 Feasibility: does it fit in memory?  L2 Performance: does it meet the SLA?  L3 Macro: what
does it cost and emit (PASS unless a budget is given)? A scenario bundles a workload, a system
(one accelerator or a fleet) and an SLA; names are resolved in the zoo when first used.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from .checks import non_negative, positive, positive_int
from .errors import SpecError, UnknownEntryError
from .fmt import pct, si, usd
from .ledger import SystemLedger
from .specs import Fleet
from .units import magnitude
from .zoo import Hardware, Models, Systems

# name, title, model key, system ("Hardware.<key>" or "Systems.<key>"), SLA (ms), mode, default batch,
# what the SLA bounds. Source: MLSYSIM paper (Reddi et al.), section 6.3 "Scenario-Based Assessment"
# (the four lighthouses); MobileHealth from the reference's newest scenario list (engine/scenarios.py).
_TABLE = {
    "SmartDoorbell": ("Smart doorbell", "WakeVision", "Hardware.ESP32_S3", 200.0, "inference", 1,
                      "person detection per frame on a microcontroller"),
    "AutonomousVehicle": ("Autonomous vehicle", "ResNet50", "Hardware.JetsonOrinNX", 10.0, "inference", 1,
                          "perception latency per camera frame"),
    "LocalFineTuning": ("Local fine-tuning", "Llama3_8B", "Hardware.MacBookM3Max", 100.0, "fine-tuning", 1,
                        "per-token latency of the fine-tuned model on the laptop; L1 checks the training state fits"),
    "FrontierTraining": ("Frontier training", "Llama3_70B", "Systems.Frontier_8192", 500.0, "training", 2048,
                         "time per training step"),
    "MobileHealth": ("Mobile health", "MobileNetV2", "Hardware.iPhone15Pro", 30.0, "inference", 1,
                     "on-device image classification per frame"),
}
LIGHTHOUSE = ("SmartDoorbell", "AutonomousVehicle", "LocalFineTuning", "FrontierTraining")


@dataclass(frozen=True, slots=True)
class EvaluationLevel:
    level: int
    name: str
    status: str          # "PASS" or "FAIL"
    summary: str
    metrics: dict = field(default_factory=dict)

    def __post_init__(self):   # frozen all the way down: the metrics are read-only
        object.__setattr__(self, "metrics", MappingProxyType(dict(self.metrics)))

    @property
    def passed(self) -> bool:
        return self.status == "PASS"


@dataclass(frozen=True, slots=True)
class SystemEvaluation:
    scenario_name: str
    title: str
    workload: str
    system: str
    sla_ms: float
    levels: tuple
    details: dict = field(default_factory=dict, repr=False)   # the solver results behind the levels

    def __post_init__(self):
        object.__setattr__(self, "levels", tuple(self.levels))
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    @property
    def feasibility(self) -> EvaluationLevel:
        return self.levels[0]

    @property
    def performance(self) -> EvaluationLevel:
        return self.levels[1]

    @property
    def macro(self) -> EvaluationLevel:
        return self.levels[2]

    @property
    def passed(self) -> bool:
        return all(lv.passed for lv in self.levels)

    def scorecard(self) -> str:
        lines = [f"{self.scenario_name}: {self.workload} on {self.system} (SLA {self.sla_ms:g} ms)"]
        for lv in self.levels:
            lines.append(f"  L{lv.level} {lv.name:<12} {lv.status}  {lv.summary}")
        lines.append(f"  {'Overall':<15} {'PASS' if self.passed else 'FAIL'}")
        return "\n".join(lines)

    def explain(self) -> str:
        """The work behind every level: each solver's explanation, under its name."""
        parts = []
        for name, result in self.details.items():
            text = result.explain() if hasattr(result, "explain") else ""
            if text:
                parts.append(f"### {name.replace('_', ' ').capitalize()}\n\n{text}")
        return "\n\n".join(parts)

    def to_dict(self) -> dict:
        return {"scenario": self.scenario_name, "workload": self.workload, "system": self.system,
                "sla_ms": self.sla_ms, "passed": self.passed,
                "levels": [{"level": lv.level, "name": lv.name, "status": lv.status, "summary": lv.summary,
                            "metrics": dict(lv.metrics)} for lv in self.levels]}

    def __str__(self) -> str:
        return self.scorecard()


class Scenario:
    """A workload on a system under an SLA; ``evaluate()`` runs the solvers level by level."""

    def __init__(self, name, title, model_key, system_key, sla_ms, mode, default_batch, sla_meaning):
        d = self.__dict__     # cached and shared by every caller: set once, read-only after
        d.update(name=name, title=title, mode=mode, _model_key=model_key, _system_key=system_key,
                 sla_ms=sla_ms, default_batch=default_batch, sla_meaning=sla_meaning)

    def __setattr__(self, name, value):
        raise AttributeError(f"Scenario {self.name} is read-only; cannot set {name!r}")

    @property
    def workload(self):
        return Models.get(self._model_key)

    @property
    def system(self):
        kind, key = self._system_key.split(".", 1)
        return Hardware.get(key) if kind == "Hardware" else Systems.Clusters.get(key)

    @property
    def sla_latency(self):
        from .units import q
        return q(self.sla_ms, "ms")

    @property
    def is_distributed(self) -> bool:
        return isinstance(self.system, Fleet)

    def __repr__(self) -> str:
        return f"Scenario({self.name}: {self._model_key} on {self._system_key}, SLA {self.sla_ms:g} ms)"

    def evaluate(self, batch_size=None, precision="fp16", efficiency=0.5, duration_days=None, region=None,
                 seq_len=2048, budget_usd=None, carbon_budget_kg=None, **plan) -> SystemEvaluation:
        """``plan``: DistributedModel arguments (tp_size, pp_size, ...) for a fleet; without them the
        ParallelismOptimizer picks the fastest plan that fits."""
        batch = self.default_batch if batch_size is None else positive_int("batch_size", batch_size, maximum=10 ** 9)
        if region is not None:
            from .solvers.sustainability import resolve_site
            region = resolve_site(region, name="region")
        if budget_usd is not None:
            budget_usd = non_negative("budget_usd", budget_usd, unit="USD", what="a budget >= 0 (USD when a bare number)")
        if carbon_budget_kg is not None:
            carbon_budget_kg = non_negative("carbon_budget_kg", carbon_budget_kg, unit="kg",
                                            what="a carbon budget >= 0 (kg CO2e when a bare number)")
        model, system = self.workload, self.system
        if isinstance(system, Fleet):
            l1, l2, details, days = self._fleet_levels(model, system, batch, precision, efficiency, seq_len, plan)
        else:
            if plan:
                k = next(iter(plan))
                raise SpecError(k, plan[k], "no parallelism arguments for a single-device scenario")
            l1, l2, details, days = self._device_levels(model, system, batch, precision, efficiency, seq_len)
        if duration_days is not None:
            days = positive("duration_days", duration_days, unit="day", maximum=1e6,
                            what="a positive duration (days when a bare number), at most 1e6 days")
        l3 = self._macro(system, days, region, details, budget_usd, carbon_budget_kg)
        return SystemEvaluation(self.name, self.title, model.name, system.name, self.sla_ms, (l1, l2, l3), details)

    def _device_levels(self, model, hw, batch, precision, efficiency, seq_len):
        from .solvers.engine import Engine
        prof = Engine.solve(model, hw, batch_size=batch, precision=precision, efficiency=efficiency)
        details = {"profile": prof, "mode": self.mode}
        if self.mode == "fine-tuning":
            tr = Engine.solve(model, hw, batch_size=batch, precision=precision, efficiency=efficiency,
                              is_training=True, seq_len=seq_len)
            details["training_profile"] = tr
            need, cap, fits = tr.raw("memory_footprint"), tr.raw("memory_capacity"), tr.raw("feasible")
            what = f"fine-tuning state + activations {si(need, 'B')} vs {si(cap, 'B')}"
        else:
            need, cap, fits = prof.raw("memory_footprint"), prof.raw("memory_capacity"), prof.raw("feasible")
            what = f"{si(need, 'B')} of {si(cap, 'B')} memory"
        l1 = EvaluationLevel(1, "Feasibility", "PASS" if fits else "FAIL",
                             what + ("" if fits else f" (short by {si(need - cap, 'B')})"),
                             {"memory_required_gb": need / 1e9, "memory_capacity_gb": cap / 1e9})
        lat_ms = prof.raw("latency") * 1e3
        ok = lat_ms <= self.sla_ms and prof.raw("feasible")
        l2 = EvaluationLevel(2, "Performance", "PASS" if ok else "FAIL",
                             f"{lat_ms:,.3g} ms vs SLA {self.sla_ms:g} ms ({prof.raw('bottleneck')}"
                             + ("" if prof.raw("feasible") else "; the model does not fit") + ")",
                             {"latency_ms": lat_ms, "sla_ms": self.sla_ms,
                              "bottleneck": prof.raw("bottleneck"), "throughput_per_s": prof.raw("throughput")})
        return l1, l2, details, 365.0

    def _fleet_levels(self, model, fleet, batch, precision, efficiency, seq_len, plan):
        from .solvers.distributed import DistributedModel
        from .solvers.optimizer import ParallelismOptimizer
        common = dict(precision=precision, efficiency=efficiency, seq_len=seq_len)
        if not plan:
            best = ParallelismOptimizer().solve(model, fleet, batch, zero_stage=(0, 1),
                                                activation_recomputation=(False, True), v_stages=(1, 2), **common)
            c = best.best_config
            plan = {"tp_size": c["tp"], "pp_size": c["pp"], "ep_size": c["ep"],
                    "microbatch_count": c["microbatch_count"], "v_stages": c["v_stages"],
                    "zero_stage": c["zero_stage"], "activation_recomputation": c["activation_recomputation"],
                    "overlap_comm": True}
        dist = DistributedModel().solve(model, fleet, batch, **common, **plan)
        p = dist.raw("parallelism")
        label = f"TP={p['tp']} PP={p['pp']} EP={p['ep']} DP={p['dp']} M={dist.raw('microbatch_count')}"
        label += (f" V={dist.raw('v_stages')}" if dist.raw("v_stages") > 1 else "") + (
            f" ZeRO-{dist.raw('zero_stage')}" if dist.raw("zero_stage") else "") + (
            " +recompute" if dist.raw("activation_recomputation") else "")
        need, cap = dist.raw("memory_per_accelerator"), dist.raw("memory_capacity")
        l1 = EvaluationLevel(1, "Feasibility", "PASS" if dist.raw("feasible") else "FAIL",
                             f"{si(need, 'B')} of {si(cap, 'B')} per accelerator ({label})"
                             + ("" if dist.raw("feasible") else f", short by {si(need - cap, 'B')}"),
                             {"memory_required_gb": need / 1e9, "memory_capacity_gb": cap / 1e9, "plan": dict(p)})
        step_ms = dist.raw("step_latency_total") * 1e3
        ok = step_ms <= self.sla_ms and dist.raw("feasible")
        l2 = EvaluationLevel(2, "Performance", "PASS" if ok else "FAIL",
                             f"step {step_ms:,.4g} ms vs SLA {self.sla_ms:g} ms (MFU {pct(dist.raw('mfu'))}, "
                             f"scaling {pct(dist.raw('scaling_efficiency'))}, bubble {pct(dist.raw('bubble_fraction'))})",
                             {"latency_ms": step_ms, "sla_ms": self.sla_ms, "mfu": dist.raw("mfu"),
                              "scaling_efficiency": dist.raw("scaling_efficiency"),
                              "throughput_per_s": dist.raw("effective_throughput")})
        tokens = getattr(model, "training_tokens", None)
        days = tokens / dist.raw("tokens_per_second") / 86400.0 if tokens else 365.0
        return l1, l2, {"distributed": dist, "mode": self.mode, "run": "training tokens" if tokens else "one year"}, days

    def _macro(self, system, days, region, details, budget_usd, carbon_budget_kg):
        from .solvers.economics import EconomicsModel
        from .solvers.reliability import ReliabilityModel
        dist = details.get("distributed")
        mfu = dist.raw("mfu") if dist is not None else None
        rel = ReliabilityModel().solve(system, job_duration_hours=days * 24.0)
        span = f"{days:,.0f} days"
        if dist is not None and details.get("run") == "training tokens":
            # failures stretch the run: wall-clock = compute days / goodput
            wall = days / max(rel.raw("goodput_ratio"), 1e-9)
            rel = ReliabilityModel().solve(system, job_duration_hours=wall * 24.0)
            span = f"{days:,.1f} days of compute, {wall:,.1f} with failures"
            days = wall
        econ = EconomicsModel().solve(system, days, datacenter=region, mfu=mfu, **on_device(system))
        details.update(economics=econ, reliability=rel, duration_days=days)
        tco, kg = econ.raw("tco_usd"), econ.raw("carbon_footprint_kg")
        ok = (budget_usd is None or tco <= budget_usd) and (carbon_budget_kg is None or kg <= carbon_budget_kg)
        summary = (f"TCO {usd(tco)}, {kg / 1000:,.3g} t CO2e, {econ.raw('total_energy_kwh'):,.0f} kWh over {span} "
                   f"({econ.raw('region_name')})")
        if dist is not None:
            summary += f"; {rel.raw('expected_failures'):,.3g} failures expected, goodput {pct(rel.raw('goodput_ratio'))}"
        if budget_usd is not None or carbon_budget_kg is not None:
            summary += " — within budget" if ok else " — over budget"
        if not econ.raw("unit_cost_known"):
            summary += " [device price not in the zoo: CapEx $0]"
        return EvaluationLevel(3, "Macro", "PASS" if ok else "FAIL", summary,
                               {"tco_usd": tco, "carbon_kg": kg, "duration_days": days,
                                "energy_kwh": econ.raw("total_energy_kwh"), "goodput": rel.raw("goodput_ratio")})


def on_device(system) -> dict:
    """Phones, vehicles and microcontrollers sit in no datacenter: no PUE overhead, no cooling water."""
    if isinstance(system, Fleet) or getattr(system, "tier", "Cloud") == "Cloud":
        return {}
    return {"pue": 1.0, "wue": 0.0}


class _Registry:
    """``Scenarios.FrontierTraining``; iterating gives the four lighthouse scenarios."""

    def __init__(self, title, table, order):
        self._title, self._items = title, {k: v for k, v in table.items()}
        self._order, self._cache = order, {}

    def __setattr__(self, name, value):
        if not name.startswith("_"):     # shared registry: no rebinding of its entries
            raise AttributeError(f"{type(self).__name__.strip('_')} is read-only; cannot set {name!r}")
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.get(name)
        except SpecError as e:
            raise UnknownEntryError(self._title, name, e.allowed) from None

    def get(self, name):
        if not isinstance(name, str) or name not in self._items:
            raise SpecError("name", name, f"one of the {self._title}: " + ", ".join(self._items))
        if name not in self._cache:
            self._cache[name] = self._make(name, self._items[name])
        return self._cache[name]

    def __iter__(self):
        return iter([self.get(k) for k in self._order])

    def __len__(self):
        return len(self._order)

    def names(self) -> list[str]:
        return list(self._order)

    def all(self) -> list:
        return [self.get(k) for k in self._items]

    def options(self) -> dict:
        return {self.get(k).title: self.get(k) for k in self._order}

    def __dir__(self):
        return sorted(self._items)

    def __repr__(self):
        return f"<{self._title}: {', '.join(self._order)}>"


class _ScenarioRegistry(_Registry):
    def _make(self, name, row):
        return Scenario(name, *row)


Scenarios = _ScenarioRegistry("Scenarios", _TABLE, LIGHTHOUSE)

from .personas import Persona, Personas  # noqa: E402  (personas scale these scenarios)

__all__ = ["Scenario", "Scenarios", "SystemEvaluation", "EvaluationLevel", "Persona", "Personas",
           "SystemLedger"]
