"""Feeding the accelerators (Wall 8 Ingestion, Wall 9 Transformation).

Demand = samples/s x bytes/sample must be met by every path the bytes take (storage, network,
PCIe); CPU preprocessing must produce samples as fast as the accelerators consume them.
Sources: Mohan et al. (2021), 'Analyzing and Mitigating Data Stalls in DNN Training', VLDB 14(5),
sections 3-4 (fetch and prep stalls); Murray et al. (2021), 'tf.data: A Machine Learning Data
Processing Framework', VLDB 14(12), section 2 (pipelined, parallel input processing).
"""
from __future__ import annotations

import math

from .._formula import formula


@formula("byte/s", samples_per_second="1/s", bytes_per_sample="byte")
def calc_ingestion_demand(samples_per_second, bytes_per_sample):
    """BW_demand = samples/s x bytes per sample."""
    return samples_per_second * bytes_per_sample


@formula(None, demand="byte/s", supply="byte/s")
def calc_stall_fraction(demand, supply):
    """Fraction of time the consumer waits on a path: max(0, 1 - supply/demand) (Mohan et al. 2021)."""
    if demand <= 0.0:
        return 0.0
    return max(0.0, 1.0 - supply / demand)


@formula("1/s", per_core_rate="1/s")
def calc_transform_throughput(cpu_cores, per_core_rate):
    """Samples/s from c preprocessing workers: c x per-core rate (samples are independent, so
    the work parallelises across cores; Murray et al. 2021, section 2)."""
    return cpu_cores * per_core_rate


@formula(None, demand_rate="1/s", per_core_rate="1/s")
def calc_cores_needed(demand_rate, per_core_rate):
    """Cores to keep the accelerators fed: ceil(demand / per-core rate)."""
    return float(math.ceil(demand_rate / per_core_rate - 1e-12))


@formula("s", compute_time="s", data_time="s")
def calc_pipelined_step_time(compute_time, data_time, overlapped=True):
    """Step time with input prefetching (max of the two stages) or without it (their sum)."""
    return max(compute_time, data_time) if overlapped else compute_time + data_time
