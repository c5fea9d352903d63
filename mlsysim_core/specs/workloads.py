"""Layer A: workloads (demand), lowered to a hardware-agnostic ComputationGraph.

Conventions (stated once, used everywhere): ``inference_flop`` is per generated token for
decoder language models (2 x active parameters), per sequence for encoders, per input for
vision and tiny models; one multiply-accumulate counts as 2 FLOPs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..checks import MAX_COUNT, integer
from ..errors import SpecError
from ..units import BYTES_PER_ELEMENT, PRECISIONS, q


def _bpe(precision, name: str = "precision") -> float:
    """Bytes per element; a str is type-checked first (a list or dict is unhashable)."""
    if type(precision) is str:
        bpe = BYTES_PER_ELEMENT.get(precision) or BYTES_PER_ELEMENT.get(precision.lower())
        if bpe is not None:
            return bpe
    raise SpecError(name, precision, f"one of {', '.join(PRECISIONS)}")


def _count(name: str, value, minimum: int = 1) -> int:
    """An integer count (fast path: a plain int in range); at most MAX_COUNT, so products stay finite."""
    if type(value) is int and minimum <= value <= MAX_COUNT:
        return value
    return integer(name, value, minimum=minimum)


@dataclass(frozen=True, slots=True)
class ComputationGraph:
    """What one inference of a workload asks of any machine, at one precision."""

    name: str
    total_flop: float          # FLOP per inference unit (token, sequence or input)
    parameter_count: float
    weight_bytes: float
    layers: int | None = None

    @property
    def total_ops(self):
        return q(self.total_flop, "flop")

    @property
    def weights(self):
        return q(self.weight_bytes, "byte").to("GB")

    @property
    def arithmetic_intensity(self):
        """FLOP per byte of weights read: the workload's position on the roofline at batch 1."""
        from ..formulas import calc_arithmetic_intensity
        return calc_arithmetic_intensity(self.total_ops, self.weights)


@dataclass(frozen=True, slots=True, eq=False)
class Workload:
    """Any model: parameters and FLOPs per inference, with the citation for each number."""

    name: str
    key: str
    family: str
    parameters_count: float
    inference_flop: float
    layers: int | None = None
    activation_bytes_per_sample: float | None = None   # None: 10 % of weight bytes (see engine)
    model_size_bytes: float | None = None               # for embedding-dominated models (DLRM)
    sources: dict = field(default_factory=dict, repr=False)

    architecture = "workload"

    @property
    def parameters(self):
        return q(self.parameters_count, "count")

    @property
    def inference_flops(self):
        return q(self.inference_flop, "flop")

    @property
    def active_parameters_count(self) -> float:
        return self.parameters_count

    def weight_bytes(self, precision: str = "fp16") -> float:
        if self.model_size_bytes is not None and not self.parameters_count:
            return self.model_size_bytes
        return self.parameters_count * _bpe(precision)

    def size_in_bytes(self, precision: str = "fp16"):
        return q(self.weight_bytes(precision), "byte").to("GB")

    @classmethod
    def dense_layer(cls, d_in: int, d_out: int) -> "Workload":
        """One d_in x d_out fully connected layer as a workload (no activation traffic), e.g. the
        equations page's 2048 -> 512 example: its intensity at batch B is about B FLOP/byte at fp16."""
        from ..checks import positive_int
        from ..formulas import calc_dense_layer_flops
        d_in, d_out = positive_int("d_in", d_in), positive_int("d_out", d_out)
        return cls(name=f"Dense layer {d_in}→{d_out}", key=f"dense_{d_in}x{d_out}", family="Layer",
                   parameters_count=float(d_in * d_out), inference_flop=calc_dense_layer_flops.raw(d_in, d_out),
                   layers=1, activation_bytes_per_sample=0.0)

    def lower(self, precision: str = "fp16") -> ComputationGraph:
        return ComputationGraph(self.name, self.inference_flop, self.parameters_count,
                                self.weight_bytes(precision), self.layers)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True, eq=False)
class CNNWorkload(Workload):
    architecture = "cnn"


@dataclass(frozen=True, slots=True, eq=False)
class TransformerWorkload(Workload):
    hidden_dim: int = 4096
    heads: int = 32
    kv_heads: int | None = None        # None: multi-head attention (kv_heads == heads)
    training_tokens: float | None = None
    head_size: int | None = None       # None: hidden_dim // heads (Gemma, Qwen3 give their own)
    # Multi-head latent attention (DeepSeek-V2/V3): the cache holds the compressed latent and the
    # decoupled rope key per layer, (kv_lora_rank + qk_rope_head_dim) elements; 0 = no MLA.
    kv_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    # Sliding-window attention (Mistral, Gemma-2/3, GPT-OSS): `sliding_window_layers` of the
    # layers attend to (and cache) at most `sliding_window` tokens; 0 = every layer is global.
    sliding_window: int = 0
    sliding_window_layers: int = 0

    architecture = "transformer"

    @property
    def head_dim(self) -> int:
        return self.head_size or self.hidden_dim // self.heads

    @property
    def n_kv_heads(self) -> int:
        return self.kv_heads or self.heads

    @property
    def is_mla(self) -> bool:
        return self.kv_lora_rank > 0

    def kv_elements_per_token_layer(self, tp_size: int = 1) -> float:
        """Elements one token caches in one layer, per accelerator of a ``tp_size`` split.

        MLA: the latent and rope key (d_c + d_rope), the same on every rank (tensor parallelism
        cannot split one latent vector, so each rank keeps it whole); otherwise K and V of the
        rank's KV heads, 2 x ceil(H_kv / TP) x d_head (a KV head is never split).
        """
        tp_size = _count("tp_size", tp_size)
        if self.kv_lora_rank:
            return float(self.kv_lora_rank + self.qk_rope_head_dim)
        return 2.0 * -(-self.n_kv_heads // tp_size) * self.head_dim

    def cached_token_layers(self, seq_len: int) -> float:
        """Token-layers the cache holds at context ``seq_len`` (sliding-window layers cap at the window)."""
        seq_len = _count("seq_len", seq_len, 0)
        if not self.sliding_window or not self.sliding_window_layers:
            return float(self.layers * seq_len)
        from ..formulas import calc_sliding_window_cached_tokens
        return float(calc_sliding_window_cached_tokens.raw(self.layers, self.sliding_window_layers,
                                                           self.sliding_window, seq_len))

    def kv_cache_bytes(self, seq_len: int, batch_size: int = 1, precision: str = "fp16", tp_size: int = 1) -> float:
        """KV cache bytes (per accelerator of a ``tp_size`` split).

        Standard / GQA: 2 x L x H_kv x d_head x S x B x bytes (calc_kv_cache_bytes);
        MLA: L x (d_c + d_rope) x S x B x bytes (calc_mla_kv_cache_bytes);
        sliding-window layers hold at most ``sliding_window`` tokens (calc_sliding_window_cached_tokens).
        """
        from ..formulas import calc_kv_cache_bytes, calc_mla_kv_cache_bytes
        seq_len, batch_size = _count("seq_len", seq_len, 0), _count("batch_size", batch_size)
        tp_size = _count("tp_size", tp_size)
        bpe = _bpe(precision)
        if self.sliding_window and self.sliding_window_layers:
            return self.kv_elements_per_token_layer(tp_size) * self.cached_token_layers(seq_len) * batch_size * bpe
        if self.kv_lora_rank:
            return calc_mla_kv_cache_bytes.raw(self.layers, self.kv_lora_rank, self.qk_rope_head_dim, seq_len,
                                               batch_size, bpe)
        return calc_kv_cache_bytes.raw(self.layers, -(-self.n_kv_heads // tp_size), self.head_dim, seq_len,
                                       batch_size, bpe)

    def decode_weight_params(self, tokens: float = 1) -> float:
        """Parameters read from memory by one forward step over ``tokens`` tokens: all of them (dense)."""
        return self.parameters_count

    def get_kv_cache_size(self, seq_len: int, batch_size: int = 1, precision: str = "fp16"):
        return q(self.kv_cache_bytes(seq_len, batch_size, precision), "byte").to("GB")


@dataclass(frozen=True, slots=True, eq=False)
class MoEWorkload(TransformerWorkload):
    """Mixture of experts: memory follows total parameters, compute follows active ones."""

    active_parameters: float = 0.0
    experts: int = 1
    experts_per_token: int = 1

    architecture = "moe"

    @property
    def active_parameters_count(self) -> float:
        return self.active_parameters

    @property
    def expert_parameters(self) -> float:
        """Parameters of one routed expert summed over its layers: (P_total - P_active) / (E - k).

        From P_total = N + E e and P_active = N + k e. Shared experts, attention, embeddings and
        dense (non-MoE) layers are all in the non-expert part N: they are read at every step.
        """
        k = min(self.experts_per_token, self.experts)
        if self.experts <= k:
            return 0.0
        return max(0.0, (self.parameters_count - self.active_parameters) / (self.experts - k))

    @property
    def non_expert_parameters(self) -> float:
        """N = P_total - E x e: weights every token uses (attention, shared experts, dense layers)."""
        return max(0.0, self.parameters_count - self.experts * self.expert_parameters)

    def experts_touched(self, tokens: float) -> float:
        """Distinct routed experts per layer a step over ``tokens`` tokens reads (uniform routing)."""
        from ..formulas import calc_moe_experts_touched
        return calc_moe_experts_touched.raw(self.experts, self.experts_per_token, tokens)

    def decode_weight_params(self, tokens: float = 1) -> float:
        """N + E (1 - (1 - k/E)^B) x e: the non-expert weights plus the experts the step touches.

        One token reads the active parameters; a large batch reads every expert (all parameters).
        """
        return self.non_expert_parameters + self.experts_touched(tokens) * self.expert_parameters
