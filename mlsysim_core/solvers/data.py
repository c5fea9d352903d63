"""Wall 8 Ingestion: can storage, the network and PCIe deliver the bytes the accelerators consume?

    BW_demand = N x samples/s x bytes/sample                       (per accelerator rate x N)
    paths: storage (shared filesystem, after a cache hit rate h: (1-h) of the demand),
           network (storage links per node x nodes), PCIe (host-to-device per accelerator x N)
    rho_path = demand_path / supply_path;  stalled if any rho > 1;  utilisation = min(1, 1/max rho)

Sources: Mohan et al. (2021), 'Analyzing and Mitigating Data Stalls in DNN Training', VLDB 14(5)
(fetch stalls); formulas/dataflow.py. The reference compares one demand with the slowest
described path; this model names each path, its utilisation and the stall it causes.
"""
from __future__ import annotations

from ..checks import HUGE, TINY, fraction, parse_quantity_str, positive
from ..errors import SpecError
from ..fmt import pct, si
from ..formulas import calc_ingestion_demand, calc_stall_fraction
from ..results import Result
from ..specs import CNNWorkload, Fleet
from ..zoo import constants
from ._common import check_batch

PATHS = ("storage", "network", "pcie")


class DataResult(Result):
    """Ingestion demand against each supply path: utilisation, bottleneck, stall."""

    __slots__ = ()
    _BW = ("GB/s", 1e-9)
    UNITS = {"demand_bw": _BW, "supply_bw": _BW, "storage_bw": _BW, "network_bw": _BW, "pcie_bw": _BW,
             "bytes_per_sample": ("KB", 1e-3), "samples_per_second": ("1/s", 1.0),
             "achieved_samples_per_second": ("1/s", 1.0)}
    # Offered loads rho = demand / supply, documented to exceed 1 when the path cannot keep up
    # (is_stalled; v2_04 reads "demand is 3.2 x what the filesystem delivers"); always finite.
    # (The fuzz test exempts MAY_BE_INF fields from the [0, 1] ratio check.)
    MAY_BE_INF = frozenset({"storage_utilization", "network_utilization", "pcie_utilization", "utilization"})


def quantity(name, value, unit, allow_zero=False):
    """A positive number (or Quantity, or '2 TB/s' string) in ``unit``, from checks.TINY to
    checks.HUGE (rates and sizes are divided by); SpecError naming ``name``."""
    if type(value) is float and TINY <= value <= HUGE:      # the fast path: what the full check returns
        return value
    if type(value) is int and 1 <= value <= HUGE:
        return float(value)
    value = parse_quantity_str(name, value, f"a number (in {unit}), a Quantity or a string such as '2 GB/s'")
    return positive(name, value, unit=unit, allow_zero=allow_zero)


def demand_rate(samples_per_second, model, hardware, batch_size, precision, efficiency) -> float:
    """Samples/s one accelerator consumes: given, or its training throughput from the roofline.

    The roofline counts a training step's FLOPs (3 x forward) at ``efficiency`` x peak; with
    ``efficiency=None`` the achievable training MFU is used: for a CNN the one measured on
    ResNet-50 (constants ``data_cnn_training_mfu``, ~0.19: an H100 then trains ~7,800 img/s, not
    the ~20,000 a GEMM-like 0.5 would give), else the calibrated training-step figure
    (``calibration.get().training_compute``, measured on transformers)."""
    if samples_per_second is not None:
        return quantity("samples_per_second", samples_per_second, "1/s")
    if model is None or hardware is None:
        raise SpecError("samples_per_second", samples_per_second,
                        "a rate per accelerator (or give model and hardware to derive it)")
    if efficiency is None:
        if isinstance(model, CNNWorkload):
            efficiency = constants().data_cnn_training_mfu
        else:
            from .. import calibration
            efficiency = calibration.get().training_compute
    from .engine import Engine
    return Engine.solve(model, hardware, batch_size, precision, efficiency, is_training=True).raw("throughput")


class DataModel:
    """Storage, network and PCIe supply against the accelerators' appetite for bytes.

        from mlsysim_core import DataModel, Models, Hardware, Systems
        r = DataModel().solve(model=Models.ResNet50, hardware=Hardware.H100, batch_size=256,
                              fleet=Systems.Clusters.H100_256)     # ImageNet JPEGs by default
        r.demand_bw, r.bottleneck, r.is_stalled, r.accelerator_utilization, r.explain()
        DataModel().solve(samples_per_second=3000, bytes_per_sample="115 KB", n_accelerators=8)

    ``samples_per_second`` per accelerator (or derived from ``model`` on ``hardware`` in training,
    3 x forward FLOPs at ``efficiency`` x peak; None: the measured achievable training MFU, ~0.19
    for a CNN such as ResNet-50, see ``demand_rate``);
    ``bytes_per_sample`` defaults to an ImageNet JPEG; ``fleet`` (or ``n_accelerators`` and
    ``accelerators_per_node``) sizes the job; supplies default to the zoo (2 TB/s filesystem,
    100 GB/s of storage links per node, PCIe 5.0 x16 per accelerator). ``cache_hit_rate``: the
    fraction of reads served from local cache/page cache (skips storage and network). Cost: O(1).
    """

    def solve(self, samples_per_second=None, bytes_per_sample=None, model=None, hardware=None,
              fleet=None, n_accelerators=None, accelerators_per_node=None, batch_size=32,
              precision="bf16", efficiency=None, storage_bandwidth=None, network_bandwidth=None,
              pcie_bandwidth=None, cache_hit_rate=0.0, device_bytes_per_sample=None) -> DataResult:
        c = constants()
        if fleet is not None and not isinstance(fleet, Fleet):
            raise SpecError("fleet", fleet, "a fleet from Systems.Clusters (or None)")
        if hardware is None and fleet is not None:
            hardware = fleet.accelerator
        rate = demand_rate(samples_per_second, model, hardware, batch_size, precision, efficiency)
        size = c.data_imagenet_sample_bytes if bytes_per_sample is None else quantity(
            "bytes_per_sample", bytes_per_sample, "byte")
        dev_size = size if device_bytes_per_sample is None else quantity(
            "device_bytes_per_sample", device_bytes_per_sample, "byte")
        n = (fleet.total_accelerators if fleet else 1) if n_accelerators is None else check_batch(
            n_accelerators, "n_accelerators")
        per_node = (fleet.node.accelerators_per_node if fleet else n) if accelerators_per_node is None else \
            check_batch(accelerators_per_node, "accelerators_per_node")
        nodes = -(-n // per_node)
        h = cache_hit_rate if type(cache_hit_rate) is float and 0.0 <= cache_hit_rate <= 1.0 else \
            fraction("cache_hit_rate", cache_hit_rate, lo_open=False)
        storage = c.storage_fs_bandwidth if storage_bandwidth is None else quantity(
            "storage_bandwidth", storage_bandwidth, "byte/s")
        net = (c.storage_node_bandwidth if network_bandwidth is None else quantity(
            "network_bandwidth", network_bandwidth, "byte/s")) * nodes
        pcie = (c.data_pcie_bandwidth if pcie_bandwidth is None else quantity(
            "pcie_bandwidth", pcie_bandwidth, "byte/s")) * n

        demand = calc_ingestion_demand.raw(rate * n, size)
        remote = demand * (1.0 - h)
        to_device = calc_ingestion_demand.raw(rate * n, dev_size)
        u_s, u_n, u_p = remote / storage, remote / net, to_device / pcie
        # the first of PATHS with the largest utilisation (what max(PATHS, key=...) picks)
        if u_s >= u_n and u_s >= u_p:
            bottleneck, worst, supply_bw = "storage", u_s, storage
        elif u_n >= u_p:
            bottleneck, worst, supply_bw = "network", u_n, net
        else:
            bottleneck, worst, supply_bw = "pcie", u_p, pcie
        acc_util = 1.0 if worst <= 1.0 else 1.0 / worst
        r = {"samples_per_second": rate, "bytes_per_sample": size, "n_accelerators": n, "nodes": nodes,
             "demand_bw": demand, "storage_bw": storage, "network_bw": net, "pcie_bw": pcie,
             "storage_utilization": u_s, "network_utilization": u_n,
             "pcie_utilization": u_p, "utilization": worst, "bottleneck": bottleneck,
             "supply_bw": supply_bw, "is_stalled": worst > 1.0, "margin": 1.0 - worst,
             "stall_fraction": calc_stall_fraction.raw(worst, 1.0), "accelerator_utilization": acc_util,
             "achieved_samples_per_second": rate * acc_util, "cache_hit_rate": h}
        return DataResult(r, lambda: _work(r))


def _work(r):
    return [
        ("Demand", "BW_{demand} = N \\times \\text{samples/s} \\times \\text{bytes/sample}",
         f"{r['n_accelerators']:,} × {r['samples_per_second']:,.4g}/s × {si(r['bytes_per_sample'], 'B')} = "
         f"**{si(r['demand_bw'], 'B/s')}**"),
        ("Utilisation of each path", "\\rho = BW_{demand} / BW_{supply}",
         f"storage {pct(r['storage_utilization'])} of {si(r['storage_bw'], 'B/s')}, network "
         f"{pct(r['network_utilization'])} of {si(r['network_bw'], 'B/s')}, PCIe {pct(r['pcie_utilization'])} "
         f"of {si(r['pcie_bw'], 'B/s')} (cache hits {pct(r['cache_hit_rate'], 0)})"),
        ("Verdict", "U_{accel} = \\min(1, 1/\\rho_{max})",
         f"slowest path **{r['bottleneck']}**; "
         + (f"**stalled**: accelerators busy {pct(r['accelerator_utilization'])}" if r["is_stalled"]
            else f"**not stalled** ({pct(r['margin'])} headroom)")),
    ]
