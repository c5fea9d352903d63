"""Checkpoints as an I/O burst (Wall 19): write time, fabric burst, sync vs async stalls, MFU cost.

The checkpoint size is ``calc_checkpoint_size`` (training.py) and the write overhead delta/tau is
``calc_checkpoint_write_overhead`` (reliability.py); this module adds the storage side.
"""
from __future__ import annotations

from .._formula import formula


@formula("byte/s", node_bandwidth="byte/s", filesystem_bandwidth="byte/s")
def calc_checkpoint_write_bandwidth(n_writers, node_bandwidth, filesystem_bandwidth):
    """BW_write = min(n_writers x BW_node, BW_filesystem): the clients' NICs or the storage servers,
    whichever saturates first (sharded checkpoints are written by every node in parallel).

    Source: Llama 3 paper, arXiv:2407.21783, section 3.3.1 (checkpoint bursts saturate a 2 TB/s
    store); Mohan et al. (2021), 'CheckFreq', USENIX FAST, section 3 (write bandwidth sets the cost).
    """
    return min(n_writers * node_bandwidth, filesystem_bandwidth)


@formula("s", checkpoint_bytes="byte", write_bandwidth="byte/s")
def calc_checkpoint_write_time(checkpoint_bytes, write_bandwidth):
    """T_write = checkpoint bytes / write bandwidth (the storage wall)."""
    return checkpoint_bytes / write_bandwidth


@formula("s", checkpoint_bytes="byte", snapshot_bandwidth="byte/s")
def calc_checkpoint_snapshot_time(checkpoint_bytes, n_devices, snapshot_bandwidth):
    """T_snapshot = (bytes / N) / BW_device->host: every accelerator copies its shard to host memory
    in parallel (over PCIe), the only part of an asynchronous checkpoint that stops training.

    Source: Mohan et al. (2021), 'CheckFreq: Frequent, Fine-Grained DNN Checkpointing', USENIX
    FAST, section 4.2 (two-phase snapshot() then persist()).
    """
    return checkpoint_bytes / n_devices / snapshot_bandwidth


@formula("s", write_time="s", snapshot_time="s", interval="s")
def calc_checkpoint_stall(write_time, snapshot_time, interval, asynchronous=False):
    """Training time lost per checkpoint.

    Synchronous: the whole write, delta = T_write. Asynchronous: the snapshot, plus any part of the
    persist that has not finished when the next checkpoint is due, delta = T_snap +
    max(0, T_write - tau) (only one checkpoint in flight). Source: CheckFreq (Mohan et al. 2021),
    sections 4.2-4.3.
    """
    if not asynchronous:
        return write_time
    return snapshot_time + max(0.0, write_time - interval)


@formula(None, stall="s", interval="s")
def calc_checkpoint_mfu_loss(stall, interval):
    """Fraction of wall-clock time (so of MFU) lost: delta / (tau + delta), in [0, 1).

    tau is the compute time between checkpoints; the iron law's goodput factor is 1 minus this.
    (delta / tau, ``calc_checkpoint_write_overhead``, is the same loss relative to compute time.)
    """
    return stall / (interval + stall) if interval + stall > 0 else 0.0
