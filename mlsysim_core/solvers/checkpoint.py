"""Wall 19 Checkpoint: the size of a training checkpoint, the I/O burst that writes it, and the MFU it costs.

    S = P x (b_weights + b_optimizer)                     (14 B/param for bf16 + Adam; ZeRO sec. 3.1)
    BW = min(n_writers x BW_node, BW_filesystem)          (clients' NICs or the storage servers)
    T_write = S / BW;   T_snap = (S / N) / BW_PCIe         (CheckFreq two-phase checkpoint)
    delta = T_write (sync)  or  T_snap + max(0, T_write - tau) (async)
    MFU loss = delta / (tau + delta);   tau* minimises delta/tau + tau/(2 M) (Young 1974)

ReliabilityModel's ``checkpoint_time_s`` is this model's ``checkpoint_time`` (delta).
"""
from __future__ import annotations

import math

from ..checks import HUGE, TINY, choice, parse_quantity_str, positive
from ..errors import SpecError
from ..fmt import pct, si
from ..formulas import (calc_checkpoint_mfu_loss, calc_checkpoint_size, calc_checkpoint_snapshot_time,
                        calc_checkpoint_stall, calc_checkpoint_waste, calc_checkpoint_write_bandwidth,
                        calc_checkpoint_write_overhead, calc_checkpoint_write_time, calc_mtbf_cluster)
from ..results import Result
from ..zoo import constants
from ._common import check_batch, check_fleet, check_model, check_precision

OPTIMIZERS = ("adam", "adamw", "sgd", "none")
_S = ("s", 1.0)


class CheckpointResult(Result):
    """One checkpoint of a training job: bytes, write path, stall and its share of the run."""

    __slots__ = ()
    UNITS = {"checkpoint_size": ("GB", 1e-9), "weights_bytes": ("GB", 1e-9), "optimizer_bytes": ("GB", 1e-9),
             "write_bandwidth": ("GB/s", 1e-9), "node_bandwidth": ("GB/s", 1e-9),
             "filesystem_bandwidth": ("GB/s", 1e-9), "per_node_burst": ("GB/s", 1e-9),
             "write_time": _S, "snapshot_time": _S, "checkpoint_time": _S,
             "interval": ("minute", 1 / 60.0), "fleet_mtbf": ("hour", 1 / 3600.0)}


def _opt_bytes(optimizer: str, c) -> float:
    if optimizer == "adam" or optimizer == "adamw":
        return c.adam_state_bytes_per_param
    return c.sgd_state_bytes_per_param if optimizer == "sgd" else 0.0


def _positive(name, value, unit):
    """A positive quantity from TINY to HUGE (checks.positive): beyond, a bandwidth or MTBF turns the
    write time or interval into inf or 0/0."""
    if type(value) is float and TINY <= value <= HUGE:   # the fast path: what the full check returns
        return value
    value = parse_quantity_str(name, value, f"a number (in {unit}), a Quantity or a string such as '200 GB/s'")
    return positive(name, value, unit=unit)


def _best_interval(write, snap, mtbf, asynchronous):
    """tau minimising delta(tau)/tau + tau/(2M); closed form per branch of delta(tau) (bounded: <= 3 candidates)."""
    if not asynchronous:
        return math.sqrt(2.0 * write * mtbf)
    cands = [write]
    t_a = math.sqrt(2.0 * snap * mtbf)          # branch tau >= T_write: delta = T_snap
    if t_a >= write:
        cands.append(t_a)
    t_b = math.sqrt(2.0 * (snap + write) * mtbf)  # branch tau < T_write: delta = T_snap + T_write - tau
    if t_b <= write:
        cands.append(t_b)
    cands = [t for t in cands if t > 0] or [max(write, snap, 1e-9)]
    return min(cands, key=lambda t: calc_checkpoint_waste.raw(
        t, calc_checkpoint_stall.raw(write, snap, t, True), mtbf))


class CheckpointModel:
    """Checkpoint size, write time, fabric burst, sync vs async stall and the MFU it costs.

        from mlsysim_core import CheckpointModel, Models, Systems
        r = CheckpointModel().solve(Models.Llama3_70B, Systems.Clusters.H100_256,
                                    filesystem_bandwidth="200 GB/s")   # or a Quantity
        r.checkpoint_size, r.write_time, r.mfu_loss, r.explain()
        CheckpointModel().solve(Models.Llama3_70B, Systems.Clusters.H100_256, asynchronous=True)

    ``interval_s`` None: the Young-Daly interval for this stall and the fleet's MTBF (zoo per-GPU
    all-cause MTBF / N). Bandwidths default to the zoo: a 2 TB/s filesystem (Llama 3's Tectonic),
    100 GB/s of storage links per node, PCIe 5.0 x16 for the async snapshot. Bandwidths, MTBF and
    interval are accepted from 1e-30 to 1e30 (checks.TINY..HUGE); ``waste_fraction`` is capped at 1
    (no progress) where Young's first-order model would exceed it. Cost: O(1).
    """

    def solve(self, model, fleet, optimizer="adam", precision="bf16", interval_s=None,
              asynchronous=False, filesystem_bandwidth=None, node_bandwidth=None,
              snapshot_bandwidth=None, n_writers=None, mtbf_hours=None) -> CheckpointResult:
        model, fleet = check_model(model), check_fleet(fleet)
        if type(optimizer) is not str or optimizer not in OPTIMIZERS:   # (the fast path: a str in a tuple)
            choice("optimizer", optimizer, OPTIMIZERS)
        precision, bpe = check_precision(precision)
        if asynchronous is not True and asynchronous is not False:
            raise SpecError("asynchronous", asynchronous, "True or False")
        c = constants()
        fs = c.storage_fs_bandwidth if filesystem_bandwidth is None else _positive(
            "filesystem_bandwidth", filesystem_bandwidth, "byte/s")
        node_bw = c.storage_node_bandwidth if node_bandwidth is None else _positive(
            "node_bandwidth", node_bandwidth, "byte/s")
        snap_bw = c.data_pcie_bandwidth if snapshot_bandwidth is None else _positive(
            "snapshot_bandwidth", snapshot_bandwidth, "byte/s")
        writers = fleet.count if n_writers is None else check_batch(n_writers, "n_writers")
        n = fleet.total_accelerators
        mtbf_h = calc_mtbf_cluster.raw(c.gpu_mtbf, n) if mtbf_hours is None else _positive(
            "mtbf_hours", mtbf_hours, "hour")
        mtbf = mtbf_h * 3600.0

        p = model.parameters_count
        ob = _opt_bytes(optimizer, c)
        size = calc_checkpoint_size.raw(p, bpe + ob)
        bw = calc_checkpoint_write_bandwidth.raw(writers, node_bw, fs)
        write = calc_checkpoint_write_time.raw(size, bw)
        snap = calc_checkpoint_snapshot_time.raw(size, n, snap_bw)
        if interval_s is None:
            tau, optimal = _best_interval(write, snap, mtbf, asynchronous), True
        else:
            tau, optimal = _positive("interval_s", interval_s, "s"), False
        stall = calc_checkpoint_stall.raw(write, snap, tau, asynchronous)
        r = {"model": model.name, "fleet": fleet.name, "optimizer": optimizer, "precision": precision,
             "asynchronous": asynchronous, "n_accelerators": n, "n_writers": writers,
             "checkpoint_size": size, "weights_bytes": p * bpe, "optimizer_bytes": p * ob,
             "node_bandwidth": node_bw, "filesystem_bandwidth": fs, "write_bandwidth": bw,
             "bottleneck": "filesystem" if writers * node_bw >= fs else "node links",
             "per_node_burst": bw / writers, "filesystem_utilization": bw / fs,
             "write_time": write, "snapshot_time": snap, "checkpoint_time": stall,
             "interval": tau, "interval_is_optimal": optimal, "fleet_mtbf": mtbf,
             "write_overhead": calc_checkpoint_write_overhead.raw(tau, stall),
             "mfu_loss": calc_checkpoint_mfu_loss.raw(stall, tau),
             # Young's first-order waste exceeds 1 when tau or delta is comparable to the MTBF:
             # then no useful work is done at all, so it is capped at 1.
             "waste_fraction": min(1.0, calc_checkpoint_waste.raw(tau, stall, mtbf))}
        return CheckpointResult(r, lambda: _work(r, p, bpe, ob))


def _work(r, p, bpe, ob):
    mode = "async" if r["asynchronous"] else "sync"
    stall_line = (f"T_snap {si(r['snapshot_time'], 's')} + max(0, T_write − τ) = **{si(r['checkpoint_time'], 's')}**"
                  if r["asynchronous"] else f"T_write = **{si(r['checkpoint_time'], 's')}**")
    return [
        ("Checkpoint size", "S = P\\,(b_{w} + b_{opt})",
         f"{p:,.4g} × ({bpe:g} + {ob:g}) B = **{si(r['checkpoint_size'], 'B')}**"),
        ("Write bandwidth", "BW = \\min(n\\,BW_{node}, BW_{fs})",
         f"min({r['n_writers']:,} × {si(r['node_bandwidth'], 'B/s')}, {si(r['filesystem_bandwidth'], 'B/s')}) = "
         f"**{si(r['write_bandwidth'], 'B/s')}** ({r['bottleneck']} bound; filesystem at "
         f"{pct(r['filesystem_utilization'])})"),
        ("Write time", "T_{write} = S / BW",
         f"{si(r['checkpoint_size'], 'B')} / {si(r['write_bandwidth'], 'B/s')} = **{si(r['write_time'], 's')}**"),
        (f"Stall per checkpoint ({mode})",
         "\\delta = T_{snap} + \\max(0, T_{write} - \\tau)" if r["asynchronous"] else "\\delta = T_{write}",
         stall_line),
        ("MFU cost", "\\delta / (\\tau + \\delta)",
         f"τ = {r['interval'] / 60:,.1f} min{' (Young-Daly)' if r['interval_is_optimal'] else ''}: "
         f"**{pct(r['mfu_loss'], 2)}** of the run; with lost work after failures "
         f"(MTBF {r['fleet_mtbf'] / 3600:,.3g} h) the waste is {pct(r['waste_fraction'], 2)}"),
    ]
