"""Layer C: where the electricity comes from and what the building adds."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..units import q


@dataclass(frozen=True, slots=True, eq=False)
class GridProfile:
    name: str
    key: str
    carbon_intensity_g_kwh: float
    pue: float          # typical facility PUE in this region
    wue_l_kwh: float    # on-site water per facility kWh
    primary_source: str = ""
    renewable_pct: float | None = None
    sources: dict = field(default_factory=dict, repr=False)

    @property
    def carbon_intensity(self):
        return q(self.carbon_intensity_g_kwh, "g/kWh")

    @property
    def grid(self) -> "GridProfile":
        return self

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True, eq=False)
class Datacenter:
    """A facility on a grid; its PUE/WUE override the grid's typical values when given."""

    name: str
    key: str
    grid: GridProfile
    pue_override: float | None = None
    wue_override: float | None = None
    sources: dict = field(default_factory=dict, repr=False)

    @property
    def pue(self) -> float:
        return self.pue_override if self.pue_override is not None else self.grid.pue

    @property
    def wue_l_kwh(self) -> float:
        return self.wue_override if self.wue_override is not None else self.grid.wue_l_kwh

    @property
    def carbon_intensity_g_kwh(self) -> float:
        return self.grid.carbon_intensity_g_kwh

    @property
    def carbon_intensity(self):
        return self.grid.carbon_intensity

    def __str__(self) -> str:
        return self.name
