"""The formula library: every equation of the engine, written once, each citing its source.

Every ``calc_*`` takes pint Quantities or bare numbers in canonical units and returns a
Quantity (a float for ratios); ``calc_*.raw`` is the same equation on floats, used by solvers.
"""
from .communication import (calc_all_to_all_time, calc_hierarchical_allreduce_time,
                            calc_microbatches_for_bubble, calc_p2p_time, calc_pipeline_bubble,
                            calc_ring_allreduce_time, calc_ring_tree_crossover_size,
                            calc_scaling_efficiency, calc_tree_allreduce_time)
from .operations import (calc_amortized_capex, calc_breakeven_utilization, calc_carbon,
                         calc_device_power, calc_energy, calc_tco, calc_water)
from .reliability import (calc_availability_stacked, calc_checkpoint_waste,
                          calc_checkpoint_write_overhead, calc_lost_work_fraction, calc_expected_failures,
                          calc_failure_probability, calc_mtbf_cluster, calc_mtbf_node,
                          calc_young_daly_interval)
from .roofline import (calc_amdahls_speedup, calc_arithmetic_intensity, calc_bottleneck,
                       calc_dense_layer_flops,
                       calc_effective_flops, calc_mfu, calc_ridge_point, calc_roofline_time)
from .deployment import *  # noqa: F401,F403  (network RTT, energy, battery, thermal, offload, federated)
from .serving import (calc_itl, calc_kv_cache_bytes, calc_prefill_flops, calc_total_cost_with_serving,
                      calc_ttft, calc_mla_kv_cache_bytes, calc_sliding_window_cached_tokens,
                      calc_moe_experts_touched, calc_speculative_expected_tokens, calc_prefill_flops_cached,
                      calc_tp_allreduce_time)
from .batching import (calc_static_batch_requests, calc_paged_batch_requests, calc_kv_fragmentation,
                       calc_continuous_step_time)
from .streaming import calc_streaming_layer_time, calc_streaming_crossover_batch
from .training import (calc_activation_memory, calc_checkpoint_size, calc_chinchilla_params,
                       calc_chinchilla_tokens, calc_training_state_breakdown,
                       calc_training_state_bytes, calc_training_time,
                       calc_transformer_training_flops)
from .queueing import (calc_erlang_b, calc_erlang_c, calc_mmc_mean_wait, calc_mmc_response_quantile,
                       calc_mmc_wait_quantile, calc_queue_utilization)
from .checkpoint import (calc_checkpoint_mfu_loss, calc_checkpoint_snapshot_time, calc_checkpoint_stall,
                         calc_checkpoint_write_bandwidth, calc_checkpoint_write_time)
from .topology import (calc_average_hops, calc_bisection_bandwidth, calc_cross_domain_fraction,
                       calc_oversubscribed_bandwidth)
from .orchestration import (calc_allen_cunneen_wait, calc_gang_fragmentation, calc_gang_slots,
                            calc_kingman_wait, calc_priority_waits)
from .dataflow import (calc_cores_needed, calc_ingestion_demand, calc_pipelined_step_time,
                       calc_stall_fraction, calc_transform_throughput)
from .software import (calc_attention_io_flash, calc_attention_io_standard, calc_fusion_bytes_saved,
                       calc_launch_bound_time, calc_tile_efficiency)
from .responsible import (calc_accuracy_at_epsilon, calc_dpsgd_extra_traffic, calc_dpsgd_flop_multiplier,
                          calc_fairness_samples, calc_per_sample_grad_bytes, calc_pgd_multiplier)
from .parallel import (calc_attention_training_flops, calc_cp_activation_memory, calc_cp_exposed_time,
                       calc_cp_kv_exchange_bytes, calc_hierarchical_allreduce_bound, calc_in_network_allreduce_time,
                       calc_multirail_allreduce_time)
from .fleet_health import (calc_any_affected_probability, calc_jitter_stretch, calc_optimal_scan_interval,
                           calc_redundant_compute, calc_rolling_upgrade_duration, calc_scan_overhead,
                           calc_straggler_stretch)
from .drift import (calc_accuracy_under_drift, calc_bad_release_cost, calc_drift_cost_rate,
                    calc_optimal_retraining_interval)
from .lifecycle import calc_experiment_gpu_hours, calc_people_cost, calc_serving_gpu_hours
from .layers import *  # noqa: F401,F403  (conv2d, LSTM, attention, MoE FLOPs; backward; activations)
from .data_scaling import calc_chinchilla_loss, calc_effective_data, calc_repeated_token_value
from .benchmarking import *  # noqa: F401,F403  (lognormal percentiles, run count, warm-up bias, HFU)
from .safeguards import (calc_intersectional_subgroups, calc_nmr_detected, calc_nmr_failure,  # noqa: F401
                         calc_secagg_client_bytes, calc_secagg_expansion, calc_secagg_server_prg, calc_tee_slowdown)

calc_kv_cache_size = calc_kv_cache_bytes  # the name used by the reference implementation

__all__ = sorted(n for n in dir() if n.startswith("calc_"))
