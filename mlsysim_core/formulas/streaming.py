"""Weight streaming (Wall 6): wafer-scale execution with weights streamed from external memory."""
from __future__ import annotations

from .._formula import formula


@formula("s", layer_weight_bytes="byte", injection_bandwidth="byte/s>0", layer_flops="flop",
         peak_flops="flop/s>0", efficiency="(0,1]")
def calc_streaming_layer_time(layer_weight_bytes, injection_bandwidth, layer_flops, peak_flops, efficiency=1.0):
    """T_layer = max(|W_layer| / BW_inject, FLOPs_layer / (Peak x eta)): the layer's weights arrive
    over the injection link while the activations stay on chip, so the slower of the two sets the pace.

    Source: Cerebras Systems (2021), 'Cerebras Architecture Deep Dive: weight streaming', Hot Chips 33
    (weights stream from MemoryX through SwarmX, one layer at a time; activations stay on the wafer);
    mlsysim cheat sheet Wall 6.
    """
    return max(layer_weight_bytes / injection_bandwidth, layer_flops / (peak_flops * efficiency))


@formula(None, bytes_per_param=">0", injection_bandwidth="byte/s>0", peak_flops="flop/s", efficiency="(0,1]")
def calc_streaming_crossover_batch(bytes_per_param, injection_bandwidth, peak_flops, efficiency=1.0):
    """Tokens per step at which a streamed layer turns compute-bound: B* = b Peak eta / (2 BW_inject).

    From |W|/BW = 2 |W| B / (b Peak eta) with |W| in parameters x b bytes (one multiply-add per
    weight per token). Source: derived from calc_streaming_layer_time (mlsysim cheat sheet Wall 6).
    """
    return bytes_per_param * peak_flops * efficiency / (2.0 * injection_bandwidth)
