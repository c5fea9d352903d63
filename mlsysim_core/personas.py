"""Personas: one deployment archetype each, scaling a scenario into a SystemLedger.

Scale factors, roles and constraints follow the reference's ``sim/personas.py`` (devices or
clusters deployed: CloudTitan runs 1 cluster, EdgeGuardian 10,000 vehicles, MobileNomad
100 million phones, TinyPioneer 10 million doorbells). The paper's section 4.2 table prints
different, relative factors (100M x, 1,000 x, 10 x, 1 x); the code's absolute counts are used.
"""
from __future__ import annotations

from dataclasses import dataclass

from .checks import positive
from .errors import SpecError, UnknownEntryError
from .ledger import (EconomicMetrics, PerformanceMetrics, ReliabilityMetrics, SustainabilityMetrics,
                     SystemLedger)
from .units import magnitude

# name: (role, description, scale factor, unit of scale, primary constraint, scenario, duty cycle)
# duty cycle: the fraction of the time each unit runs the model (a constants.toml key, or 1.0:
# training clusters and always-on doorbells run all the time); energy is counted for that time.
_PERSONAS = {
    "CloudTitan": ("LLM Infrastructure Lead", "Plans frontier training runs on thousand-GPU clusters.",
                   1, "cluster", "TCO & Grid Stability", "FrontierTraining", None),
    "EdgeGuardian": ("Autonomous Systems Lead", "Ships perception stacks to a fleet of vehicles.",
                     10_000, "vehicles", "Latency Determinism & Safety", "AutonomousVehicle",
                     "duty_cycle_vehicle"),
    "MobileNomad": ("Smartphone App Architect", "Runs models on the phones of a global user base.",
                    100_000_000, "phones", "Battery Life & UX Responsiveness", "MobileHealth",
                    "duty_cycle_phone_ml"),
    "TinyPioneer": ("Smart Doorbell Product Lead", "Puts vision on microcontrollers in millions of homes.",
                    10_000_000, "doorbells", "Embodied Carbon & SRAM Limits", "SmartDoorbell", None),
}
_KEYS = {"cloud": "CloudTitan", "edge": "EdgeGuardian", "mobile": "MobileNomad", "tiny": "TinyPioneer"}


@dataclass(frozen=True, slots=True)
class Persona:
    name: str
    role: str
    description: str
    scale_factor: float
    unit_of_scale: str
    primary_constraint: str
    scenario_name: str
    duty_cycle_key: str | None = None

    @property
    def duty_cycle(self) -> float:
        """Fraction of the time one unit runs the model (from the zoo's constants, else 1)."""
        from .zoo import constants
        return 1.0 if self.duty_cycle_key is None else getattr(constants(), self.duty_cycle_key)

    @property
    def scenario(self):
        from .scenarios import Scenarios
        return Scenarios.get(self.scenario_name)

    def evaluate(self, batch_size=None, precision="fp16", efficiency=0.5, region=None, duration_days=None,
                 scale=None, duty_cycle=None, **kwargs) -> SystemLedger:
        """Run the persona's scenario, then scale it to ``scale`` (default: the persona's) units,
        each running the model ``duty_cycle`` of the time (default: the persona's)."""
        from .checks import efficiency as check_efficiency
        from .solvers.economics import EconomicsModel
        from .scenarios import on_device
        from .solvers.reliability import ReliabilityModel
        sc = self.scenario
        ev = sc.evaluate(batch_size=batch_size, precision=precision, efficiency=efficiency,
                         duration_days=duration_days, region=region, **kwargs)
        n = self.scale_factor if scale is None else positive("scale", scale, maximum=1e12,
                                                              what="a positive number of units, at most 1e12")
        duty = self.duty_cycle if duty_cycle is None else check_efficiency("duty_cycle", duty_cycle)
        d = ev.details
        days = d["duration_days"]
        seconds = days * 86400.0
        notes = []
        if "distributed" in d:                      # a fleet: the scale counts whole fleets
            dist, econ, rel = d["distributed"], d["economics"], d["reliability"]
            perf = PerformanceMetrics(dist.raw("step_latency_total") * 1e3, dist.raw("effective_throughput") * n,
                                      dist.raw("mfu"), "Communication" if dist.raw("scaling_efficiency") < 0.5
                                      else dist.raw("compute_bottleneck"), dist.raw("feasible"))
            tco, capex = econ.raw("tco_usd") * n, econ.raw("capex_usd") * n
            energy, kg, water = (econ.raw(k) * n for k in ("total_energy_kwh", "carbon_footprint_kg", "water_usage_liters"))
            relm = ReliabilityMetrics(rel.raw("fleet_mtbf") / 3600.0 / n, rel.raw("expected_failures") * n,
                                      1.0 - (1.0 - rel.raw("failure_probability")) ** n, rel.raw("goodput_ratio"),
                                      rel.raw("recovery_time"))
            work = dist.raw("effective_throughput") * n * seconds
            p = dist.raw("parallelism")
            choice = (f"TP={p['tp']} PP={p['pp']} EP={p['ep']} DP={p['dp']} "
                      f"M={dist.raw('microbatch_count')}, batch {dist.raw('batch_size')}, {dist.raw('precision')}")
        else:                                       # devices: scale copies of one device
            prof = d["profile"]
            hw = sc.system
            econ = EconomicsModel().solve(hw, days, datacenter=region, n_accelerators=n,
                                          power_per_accelerator=hw.tdp_w * duty, **on_device(hw))
            rel_n = ReliabilityModel().solve(hw, days * 24.0, n_accelerators=n)
            rel_1 = ReliabilityModel().solve(hw, days * 24.0)
            perf = PerformanceMetrics(prof.raw("latency") * 1e3, prof.raw("throughput") * n, min(1.0, prof.raw("mfu")),
                                      prof.raw("bottleneck"), prof.raw("feasible"))
            tco, capex = econ.raw("tco_usd"), econ.raw("capex_usd")
            energy, kg, water = (econ.raw(k) for k in ("total_energy_kwh", "carbon_footprint_kg", "water_usage_liters"))
            relm = ReliabilityMetrics(rel_n.raw("fleet_mtbf") / 3600.0, rel_n.raw("expected_failures"),
                                      rel_1.raw("failure_probability"), 1.0 - min(1.0, rel_1.raw("recovery_waste_fraction")),
                                      rel_1.raw("recovery_time"))
            work = prof.raw("throughput") * n * seconds * duty
            choice = f"batch {prof.raw('batch_size')}, {prof.raw('precision')}, duty cycle {duty:.3g}"
            notes.append(f"power at full TDP while running ({duty:.3g} of the time): an upper bound; "
                         "failure_probability is per device")
        if not econ.raw("unit_cost_known"):
            notes.append("device price not in the zoo: CapEx counted as $0")
        ledger = SystemLedger(
            mission_name=sc.name, persona_name=self.name, choice_summary=choice, scale=n,
            unit_of_scale=self.unit_of_scale, duration_days=days, performance=perf,
            sustainability=SustainabilityMetrics(energy, kg, water, econ.raw("pue"), econ.raw("region_name")),
            economics=EconomicMetrics(capex, tco - capex, tco, tco / work * 1e6 if work else float("inf"),
                                      econ.raw("unit_cost_known")),
            reliability=relm, notes=tuple(notes))
        return ledger.validate()


class _Personas:
    """``Personas.CloudTitan``; ``Personas.get("cloud")``; iterable."""

    def __init__(self):
        self._items = {k: Persona(k, *v) for k, v in _PERSONAS.items()}

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
            raise UnknownEntryError("Personas", name, e.allowed) from None

    def get(self, name="cloud") -> Persona:
        key = _KEYS.get(name, name) if isinstance(name, str) else None
        if key not in self._items:
            raise SpecError("name", name, "one of the Personas: " + ", ".join(list(self._items) + list(_KEYS)))
        return self._items[key]

    def __iter__(self):
        return iter(self._items.values())

    def __len__(self):
        return len(self._items)

    def names(self) -> list[str]:
        return list(self._items)

    def __dir__(self):
        return sorted(self._items)

    def __repr__(self):
        return f"<Personas: {', '.join(self._items)}>"


Personas = _Personas()
