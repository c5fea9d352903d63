"""SystemLedger: one deployment's performance, sustainability, economics and reliability.

Frozen dataclasses of plain floats (units in the field names), so a ledger is cheap to build,
compare and tabulate (``to_dict()`` is one flat row for a chart or a table).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, slots=True)
class PerformanceMetrics:
    latency_ms: float            # per inference (or per training step)
    throughput_per_s: float      # samples (inferences) per second, per device or per fleet
    mfu: float
    bottleneck: str
    feasible: bool


@dataclass(frozen=True, slots=True)
class SustainabilityMetrics:
    energy_kwh: float
    carbon_kg: float
    water_liters: float
    pue: float
    region: str


@dataclass(frozen=True, slots=True)
class EconomicMetrics:
    capex_usd: float
    opex_usd: float
    tco_usd: float
    cost_per_million: float      # USD per million inferences (or training samples)
    unit_cost_known: bool = True


@dataclass(frozen=True, slots=True)
class ReliabilityMetrics:
    fleet_mtbf_hours: float
    expected_failures: float
    failure_probability: float   # of at least one failure somewhere in the fleet over the period
    goodput: float               # useful fraction of time after checkpoints, lost work, restarts
    recovery_time_s: float


@dataclass(frozen=True, slots=True)
class SystemLedger:
    mission_name: str
    persona_name: str
    choice_summary: str
    scale: float                 # devices (or clusters) deployed
    unit_of_scale: str
    duration_days: float
    performance: PerformanceMetrics
    sustainability: SustainabilityMetrics
    economics: EconomicMetrics
    reliability: ReliabilityMetrics
    notes: tuple = field(default=())

    def validate(self) -> "SystemLedger":
        """Sanity of the numbers: fractions in [0, 1], nothing negative."""
        p, s, e, r = self.performance, self.sustainability, self.economics, self.reliability
        checks = [(0.0 <= p.mfu <= 1.0, f"mfu={p.mfu}"), (p.latency_ms >= 0, f"latency_ms={p.latency_ms}"),
                  (s.carbon_kg >= 0, f"carbon_kg={s.carbon_kg}"), (e.tco_usd >= 0, f"tco_usd={e.tco_usd}"),
                  (0.0 <= r.goodput <= 1.0, f"goodput={r.goodput}"),
                  (0.0 <= r.failure_probability <= 1.0, f"failure_probability={r.failure_probability}")]
        bad = [msg for ok, msg in checks if not ok]
        if bad:
            from .errors import MLSysError
            raise MLSysError("SystemLedger out of range: " + ", ".join(bad))
        return self

    def to_dict(self) -> dict:
        """One flat row: mission, persona, choice, then every metric with its section prefix."""
        row = {"mission": self.mission_name, "persona": self.persona_name, "choice": self.choice_summary,
               "scale": self.scale, "unit_of_scale": self.unit_of_scale, "duration_days": self.duration_days}
        for section in ("performance", "sustainability", "economics", "reliability"):
            for k, v in asdict(getattr(self, section)).items():
                row[f"{section}.{k}"] = v
        return row

    def summary(self) -> str:
        p, s, e, r = self.performance, self.sustainability, self.economics, self.reliability
        return "\n".join([
            f"{self.persona_name} · {self.mission_name} ({self.scale:,.0f} {self.unit_of_scale}, {self.duration_days:,.0f} days)",
            f"  Performance     {p.latency_ms:,.3g} ms, {p.throughput_per_s:,.4g}/s, MFU {p.mfu:.1%}, {p.bottleneck}"
            + ("" if p.feasible else " (does not fit)"),
            f"  Sustainability  {s.energy_kwh:,.0f} kWh, {s.carbon_kg / 1000:,.1f} t CO2e, {s.water_liters:,.0f} L ({s.region})",
            f"  Economics       TCO ${e.tco_usd:,.0f} (CapEx ${e.capex_usd:,.0f}, OpEx ${e.opex_usd:,.0f}), "
            f"${e.cost_per_million:,.3g} per million" + ("" if e.unit_cost_known else " [device price unknown: CapEx $0]"),
            f"  Reliability     fleet MTBF {r.fleet_mtbf_hours:,.3g} h, {r.expected_failures:,.3g} failures, goodput {r.goodput:.1%}",
        ])
