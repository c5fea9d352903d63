"""Each row of published-measurements.json as an engine call: two predictions per row.

``calibrated``: the engine with the per-regime efficiencies of ``mlsysim_core.calibration``
(each from ONE measurement row; those rows are marked ``role="calibration"`` and kept out of
the scores). ``bound``: the ideal bound (datasheet peaks, efficiencies 1, no dispatch, and
communication hidden where a system could overlap it). It is the optimistic side of every
measurement: a time, cost, energy or carbon bound is <= the measured value, a throughput or
capacity bound is >= it (``Outcome.bound_ok``).

Workloads and fleets that are a run's *configuration* (Megatron's GPT 1.7B / 18.4B, the
zero-bubble paper's GPT 1.5B, a 3,072-chip TPU v4 pod slice, clusters of a given size) are built
here from the row's config; named models and devices come from the zoo.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from mlsysim_core import calibration
from mlsysim_core.formulas import calc_ring_allreduce_time
from mlsysim_core.solvers.distributed import DistributedModel
from mlsysim_core.solvers.economics import EconomicsModel
from mlsysim_core.solvers.engine import Engine
from mlsysim_core.solvers.reliability import ReliabilityModel
from mlsysim_core.solvers.capacity import ServingFleetModel
from mlsysim_core.solvers.serving import ServingModel
from mlsysim_core.solvers.sustainability import SustainabilityModel
from mlsysim_core.solvers.training import TrainingTimeModel
from mlsysim_core.specs import Fleet, GridProfile, Node, TransformerWorkload, Workload
from mlsysim_core.zoo import Hardware, Infra, Models, Systems, constants

HERE = Path(__file__).resolve().parent
DATA = HERE / "published-measurements.json"          # vendored copy of shared/validation/...

# What the bound must satisfy against the measurement, per kind of quantity.
LOWER_IS_BETTER = {"latency", "time", "energy", "carbon", "cost"}     # bound <= measured
HIGHER_IS_BETTER = {"throughput", "capacity"}                          # bound >= measured
BOUND_KINDS = LOWER_IS_BETTER | HIGHER_IS_BETTER


class Gap(Exception):
    """The engine cannot express this row (or part of it); the message says what is missing."""


@dataclass
class Tolerance:
    value: float
    absolute: bool          # True: |pred - meas| <= value (same unit); False: relative
    text: str

    def ok(self, pred: float, meas: float) -> bool:
        if self.absolute:
            return abs(pred - meas) <= self.value * (1 + 1e-9)
        return abs(pred - meas) <= self.value * abs(meas) * (1 + 1e-9)


def tolerance(hint: str) -> Tolerance:
    """'+-5%' -> 5 % relative; '+-4 pp' -> 0.04 absolute; '+-0.05' -> 0.05 absolute; 'exact' -> 0.5 %."""
    m = re.search(r"\+-\s*([\d.]+)\s*(%|pp)?", hint)
    if m is None:
        if "exact" in hint:
            return Tolerance(0.005, False, "exact(0.5%)")
        raise ValueError(f"unreadable tolerance hint {hint!r}")
    v, unit = float(m.group(1)), m.group(2)
    if unit == "%":
        return Tolerance(v / 100.0, False, f"+-{v:g}%")
    if unit == "pp":
        return Tolerance(v / 100.0, True, f"+-{v:g} pp")
    return Tolerance(v, True, f"+-{v:g}")


@dataclass
class Outcome:
    id: str
    domain: str
    what: str
    unit: str
    measured: float
    calibrated: float
    bound: float | None
    tol: Tolerance
    kind: str               # latency, time, energy, carbon, cost, throughput, capacity, ratio, spec, count, price
    role: str = "evaluation"
    note: str = ""
    basis: str = "prediction"   # prediction | lookup (a zoo figure) | arithmetic (formula on the row's measured inputs)

    @property
    def error_pct(self) -> float:
        return (self.calibrated - self.measured) / self.measured * 100.0

    @property
    def inside(self) -> bool:
        return self.tol.ok(self.calibrated, self.measured)

    @property
    def bound_ok(self) -> bool | None:
        if self.bound is None or self.kind not in BOUND_KINDS:
            return None
        if self.kind in LOWER_IS_BETTER:
            return self.bound <= self.measured * (1 + 1e-9)
        return self.bound >= self.measured * (1 - 1e-9)


@dataclass
class RowGap:
    id: str
    domain: str
    reason: str


@dataclass
class Report:
    outcomes: list = field(default_factory=list)
    gaps: list = field(default_factory=list)


def load_rows(path: str | os.PathLike | None = None) -> list[dict]:
    p = Path(path or os.environ.get("MLSYSIM_VALIDATION_JSON") or DATA)
    return json.loads(p.read_text(encoding="utf-8"))


# --- helpers ------------------------------------------------------------------------------

CAL = calibration.get()
_SERVE, _DIST = ServingModel(), DistributedModel()


def out(row, calibrated, bound, kind, what, unit, measured=None, tol=None, sub=None, note="", domain=None,
        basis="prediction"):
    rid = row["id"] if sub is None else f"{row['id']}.{sub}"
    role = "calibration" if rid in calibration.calibration_rows() else "evaluation"
    return Outcome(rid, domain or row["topic"], what, unit,
                   row["measured"] if measured is None else measured, calibrated, bound,
                   tol or tolerance(row["tolerance_hint"]), kind, role, note, basis)


def gemm_tflops(hw, m, n, k, precision):
    """A (M x K) @ (K x N) GEMM through Engine.solve: weights K x N, one 'sample' per row of M.

    MAMF times back-to-back kernels (launch latency overlaps execution), so the dispatch tax is
    left out of the achieved rate.
    """
    wl = Workload(f"GEMM {m}x{n}x{k}", "gemm", "Microbenchmark", float(k * n), 2.0 * k * n,
                  activation_bytes_per_sample=2.0 * (k + n))      # zoo convention: bytes at 16-bit
    p = Engine.solve(wl, hw, batch_size=m, precision=precision)
    f = p.raw("flops")
    return f / (p.raw("latency_calibrated") - p.raw("latency_overhead")) / 1e12, f / p.raw("latency_bound") / 1e12


def stream_tbs(hw, elements=2**28):
    """STREAM Triad a = b + s c on 2^28 doubles per array (24 B and 2 FLOP per element)."""
    wl = Workload("STREAM Triad", "stream", "Microbenchmark", 0.0, 2.0, activation_bytes_per_sample=24.0)
    p = Engine.solve(wl, hw, batch_size=elements, precision="fp16")    # 24 B at the 16-bit convention
    b = p.raw("bytes_moved")
    return b / (p.raw("latency_calibrated") - p.raw("latency_overhead")) / 1e12, b / p.raw("latency_bound") / 1e12


def busbw(message, n, bw, lat):
    """NCCL bus bandwidth of a ring all-reduce: 2(n-1)/n x M / T (nccl-tests PERFORMANCE.md)."""
    t = calc_ring_allreduce_time.raw(message, n, bw, lat)
    return 2.0 * (n - 1) / n * message / t


def fleet(name, node, nodes, fabric, region=None):
    return Fleet(name, name.replace(" ", "_"), node, nodes, fabric, region)


def gpt(name, layers, hidden, heads, vocab, seq, params=None):
    """A GPT configuration (Megatron-style, no GQA): P = 12 L h^2 + V h + s h unless given."""
    p = params if params is not None else 12.0 * layers * hidden**2 + vocab * hidden + seq * hidden
    return TransformerWorkload(name, name.replace(" ", "_"), "Language", p, 2.0 * p, layers,
                               hidden_dim=hidden, heads=heads)


def train(model, flt, batch, seq, precision="bf16", tp=1, pp=1, m=1, v=1, zero=0, recompute=False,
          overlap=False):
    """(calibrated, bound) DistributedModel results for one training step.

    Calibrated: compute at the training_compute figure (TR-14), links at the all-reduce figures
    (CO-04 NVLink, CO-06 network). Bound: efficiency 1 on datasheet links with DP overlap on.
    """
    kw = dict(batch_size=batch, precision=precision, tp_size=tp, pp_size=pp, microbatch_count=m,
              v_stages=v, zero_stage=zero, activation_recomputation=recompute, seq_len=seq)
    cal = _DIST.solve(model, calibration.fleet(flt), efficiency=CAL.training_compute,
                      overlap_comm=overlap, **kw)
    bound = _DIST.solve(model, flt, efficiency=1.0, overlap_comm=True, **kw)
    return cal, bound


def fits(res) -> str:
    if res.raw("feasible"):
        return ""
    return (f"; engine memory check: {res.raw('memory_per_accelerator') / 1e9:.0f} GB per accelerator "
            f"> {res.raw('memory_capacity') / 1e9:.0f} GB (the run did fit)")


def megatron_flops(batch, seq, layers, hidden, vocab):
    """Megatron-LM's FLOPs per iteration, counting recomputation (Narayanan et al. 2021, eq. 3)."""
    return 96.0 * batch * seq * layers * hidden**2 * (1 + seq / (6.0 * hidden) + vocab / (16.0 * layers * hidden))


def attention_flops_per_token(layers, hidden, seq):
    """12 L d s: attention FLOPs per token of training that MFU tables with attention add to 6P."""
    return 12.0 * layers * hidden * seq


# --- rows ---------------------------------------------------------------------------------

def hardware_spec(row):
    """HW-*: the zoo's datasheet figure against the published one."""
    c = row["config"]
    if row["id"] == "HW-05":
        subs = [("V100 fp16 peak", Hardware.V100.compute.peak_flop_s("fp16") / 1e12, c["V100_peak_tflops"], "TFLOP/s", None),
                ("V100 TDP", Hardware.V100.tdp_w, c["V100_tdp_w"], "W", "V100_tdp"),
                ("TPU v3 bf16 peak", Hardware.TPUv3.compute.peak_flop_s("bf16") / 1e12, c["TPUv3_peak_tflops"], "TFLOP/s", "TPUv3"),
                ("TPU v3 TDP", Hardware.TPUv3.tdp_w, c["TPUv3_tdp_w"], "W", "TPUv3_tdp"),
                ("TPU v4 bf16 peak", Hardware.TPUv4.compute.peak_flop_s("bf16") / 1e12, c["TPUv4_peak_tflops"], "TFLOP/s", "TPUv4")]
        res = [out(row, z, z, "spec", what, unit, measured=meas, sub=sub, basis="lookup")
               for what, z, meas, unit, sub in subs]
        res.append(RowGap("HW-05.TPUv2", row["topic"], "no TPU v2 in the zoo (46 TFLOP/s, 280 W per Patterson "
                          "table 4); no other row uses it"))
        return res
    key, getter, what, unit = {
        "HW-01": ("A100", lambda h: h.compute.peak_flop_s("bf16") / 1e12, "A100 bf16 dense peak", "TFLOP/s"),
        "HW-02": ("H100", lambda h: h.compute.peak_flop_s("bf16") / 1e12, "H100 bf16 dense peak", "TFLOP/s"),
        "HW-03": ("H200", lambda h: h.memory.bandwidth_bytes_s / 1e12, "H200 HBM3e bandwidth", "TB/s"),
        "HW-04": ("B200", lambda h: h.compute.peak_flop_s("bf16") / 1e12, "B200 bf16 dense peak", "TFLOP/s"),
    }[row["id"]]
    z = getter(getattr(Hardware, key))
    return out(row, z, z, "spec", what, unit, basis="lookup")


def microbenchmark(row):
    rid, c = row["id"], row["config"]
    if rid in ("MB-01", "MB-02", "MB-03", "MB-04"):
        hw = {"MB-01": Hardware.H100, "MB-02": Hardware.A100, "MB-03": Hardware.B200, "MB-04": Hardware.H100}[rid]
        m, n, k = (int(x) for x in c["best_shape_MxNxK"].split("x"))
        prec = "fp8" if c["dtype"].startswith("fp8") else "bf16"
        cal, bound = gemm_tflops(hw, m, n, k, prec)
        return out(row, cal, bound, "throughput", f"{hw.key} {prec} GEMM {c['best_shape_MxNxK']}", "TFLOP/s")
    hw = {"MB-05": Hardware.H100, "MB-06": Hardware.H200, "MB-07": Hardware.A100, "MB-08": Hardware.GB200}[rid]
    cal, bound = stream_tbs(hw)
    note = "zoo A100 HBM is the 80GB SXM's 2.039 TB/s (row: 2.0)" if rid == "MB-07" else ""
    return out(row, cal, bound, "throughput", f"{hw.key} STREAM Triad bandwidth", "TB/s", note=note)


def communication(row):
    rid, c = row["id"], row["config"]
    if rid in ("CO-01", "CO-04"):
        node = Systems.Nodes.DGX_H100 if rid == "CO-01" else Systems.Nodes.DGX_A100
        msg, n = c["message_bytes"], c["n_gpus"]
        bw, lat = node.intra_node_bandwidth_bytes_s, node.intra_node_latency_s
        cal = busbw(msg, n, bw * CAL.allreduce_nvlink, lat) / 1e9
        # bound: in-network reduction (NVLS / SHARP) sends and receives M once: T = M / beta,
        # the least any all-reduce algorithm can move, so busbw <= 2(n-1)/n x beta
        bound = 2.0 * (n - 1) / n * bw / 1e9
        note = ("engine all-reduce is a ring over NVLink; NCCL used NVLS (in-switch reduction), "
                "not modelled (gap in the collective formulas)") if rid == "CO-01" else ""
        return out(row, cal, bound, "throughput", f"{n}x {node.accelerator.key} all-reduce busbw, 8 GB",
                   "GB/s", note=note)
    fab = Systems.Fabrics.InfiniBand_NDR
    msg = 8e9   # large-message regime (the thread quotes the plateau)
    cal = busbw(msg, 2, fab.bandwidth_bytes_s * CAL.allreduce_network, fab.latency_s) / 1e9
    bound = fab.bandwidth_bytes_s / 1e9
    return out(row, cal, bound, "throughput", "2-node ring all-reduce busbw per NDR NIC", "GB/s",
               note="8 GB message assumed (row gives the plateau)")


def llm_serving(row):
    rid, c = row["id"], row["config"]
    if rid == "SV-02":
        r = _SERVE.solve(Models.Llama2_7B, Hardware.H100, seq_len=c["input_len"], batch_size=1, precision="fp8")
        return out(row, r.raw("ttft_calibrated") * 1e3, r.raw("ttft_bound") * 1e3, "latency",
                   "LLaMA-7B TTFT, 2048 tokens, H100 fp8", "ms",
                   note="zoo Llama2_7B (same architecture as LLaMA-7B; 7.0e9 parameters vs 6.74e9 actual)")
    if rid == "SV-04":
        return _ttft_tp(row)
    if rid == "SV-05":
        b, isl, osl = c["batch"], c["input_len"], c["output_len"]
        model, hw = Models.Llama2_7B, Hardware.H100
        pre = _SERVE.solve(model, hw, seq_len=isl, batch_size=b, precision="fp8")
        dec = _SERVE.solve(model, hw, seq_len=isl + osl // 2, batch_size=b, precision="fp8")
        end = _SERVE.solve(model, hw, seq_len=isl + osl, batch_size=b, precision="fp8")
        if not end.feasible:
            raise Gap(f"weights + KV at batch {b} x {isl + osl} tokens do not fit")
        cal = b * osl / (pre.raw("ttft_calibrated") + osl * dec.raw("itl_calibrated"))
        bound = b * osl / (pre.raw("ttft_bound") + osl * dec.raw("itl_bound"))
        return out(row, cal, bound, "throughput", "LLaMA-7B static batch 768, 128/128, H100 fp8",
                   "tokens/s", note="time = TTFT(ISL) + OSL x ITL(ISL + OSL/2); KV fits "
                   f"({end.raw('total_memory_required') / 1e9:.0f} of {end.raw('memory_capacity') / 1e9:.0f} GB)")
    if rid == "SV-08":
        return _inflight(row)
    if rid == "SV-17":
        r = _SERVE.solve(Models.Llama2_7B, Hardware.A100, seq_len=c["prompt_len"], batch_size=1, precision="bf16")
        return out(row, 1.0 / r.raw("itl_calibrated"), 1.0 / r.raw("itl_bound"), "throughput",
                   "Llama-2-7B batch-1 decode, A100 bf16", "tokens/s",
                   note="zoo Llama2_7B has 7.0e9 parameters (14.0 GB) vs 6.74e9 (13.5 GB)")
    if rid == "SV-19":
        return _kv_capacity(row)
    if rid in ("SV-21", "SV-22", "SV-23"):
        return _moe_decode(row)
    if rid in ("SV-30", "SV-31", "SV-32", "SV-33"):
        return _mlperf_server_ratio(row)
    raise Gap(f"no handler for {rid}")


_FLEET = ServingFleetModel()
# MLPerf Llama 2 70B's mean prompt is not in the cited sources: the engine runs use this estimate
# (the mean reply length) and the note shows the answer over 128 .. 1,024 prompt tokens.
_MLPERF_PROMPT_ESTIMATE = 294


def _mlperf_server_ratio(row):
    """MLPerf server / offline throughput of one system with ServingFleetModel (continuous batching).

    Offline: every replica at the active batch memory allows (paged KV), queue always full.
    Server: the largest batch whose step time meets the p99 TPOT limit, then the highest Poisson
    query rate whose p99 TTFT (own prefill + half a step + the M/M/c wait) stays under the TTFT
    limit. Both bisections are bounded (batch: log2 N steps; rate: 40 steps).
    """
    c = row["config"]
    hw = {"fp4": Hardware.B200}.get(c["precision"]) or (Hardware.H200 if "H200" in c["hardware"] else Hardware.H100)
    osl, R, tp = round(c["output_len_mean"]), c["replicas_assumed"], c["tp_assumed"]
    ttft_lim, tpot_lim = c["ttft_p99_s"], c["tpot_p99_s"]

    def ratio(isl, sfx):
        kw = dict(seq_len=isl, output_tokens=osl, precision=c["precision"], tp_size=tp, replicas=R,
                  slo_metric="ttft", slo_p99_ms=ttft_lim * 1e3)
        full = _FLEET.solve(Models.Llama2_70B, hw, qps=1e9, batch_size=None, **kw).raw()
        n_max = full["batch_size"]
        offline = R * n_max / full["service_time" + sfx]           # requests/s, queue never empty
        lo, hi = 1, n_max
        while lo < hi:                                             # largest batch meeting the TPOT limit
            mid = (lo + hi + 1) // 2
            at = _FLEET.solve(Models.Llama2_70B, hw, qps=1e9, batch_size=mid, **kw).raw()
            lo, hi = (mid, hi) if at["itl" + sfx] <= tpot_lim else (lo, mid - 1)
        b_srv = lo
        q_lo, q_hi = 0.0, offline
        for _ in range(40):                                        # highest rate meeting the TTFT limit
            q = 0.5 * (q_lo + q_hi)
            v = _FLEET.solve(Models.Llama2_70B, hw, qps=q, batch_size=b_srv, **kw).raw()
            ok = v["utilization" + sfx] < 1.0 and v["ttft_p99" + sfx] <= ttft_lim and v["itl" + sfx] <= tpot_lim
            q_lo, q_hi = (q, q_hi) if ok else (q_lo, q)
        return q_lo / offline, offline * osl, n_max, b_srv

    cal, off_tok, n_max, b_srv = ratio(_MLPERF_PROMPT_ESTIMATE, "_calibrated")
    bound = ratio(_MLPERF_PROMPT_ESTIMATE, "_bound")[0]
    spread = [ratio(isl, "_calibrated")[0] for isl in (128, 1024)]
    return out(row, cal, bound, "ratio", f"MLPerf v4.1 Llama 2 70B server/offline, {c['hardware']} {c['precision']}",
               "ratio", note=f"ServingFleetModel, {R} replica(s) x TP{tp}, continuous batching: offline {n_max} "
               f"requests in flight per replica ({off_tok:,.0f} tokens/s calibrated, measured {c['offline_tokens_s']:,}); "
               f"server batch {b_srv} meets p99 TPOT {tpot_lim * 1e3:.0f} ms; prompt {_MLPERF_PROMPT_ESTIMATE} "
               f"tokens (estimate, not in the source; ratio {min(spread):.3f}-{max(spread):.3f} over 128-1,024)")


def _moe_decode(row):
    """Mixtral batch-1 decode: only the 2 routed experts per layer are read (ServingModel MoE path)."""
    c = row["config"]
    prec = "int8" if c["precision"].startswith("int8") else "bf16"
    r = _SERVE.solve(Models.Mixtral_8x7B, Hardware.A100, seq_len=c["prompt_len"], batch_size=1, precision=prec,
                     tp_size=c["tp"])
    return out(row, 1.0 / r.raw("itl_calibrated"), 1.0 / r.raw("itl_bound"), "throughput",
               f"Mixtral-8x7B batch-1 decode, {c['tp']}x A100 {prec}", "tokens/s",
               note=f"{r.raw('weights_read_per_step') / 1e9:.1f} GB of {r.raw('model_weights_size') * c['tp'] / 1e9:.1f} GB "
               f"weights read per token ({r.raw('experts_touched'):.0f} of 8 experts); "
               + (f"TP all-reduces {r.raw('tp_communication_decode') * 1e3:.2f} ms/token" if c["tp"] > 1 else
                  "weight-only int8 at the 16-bit compute path"))


def _ttft_tp(row):
    """TTFT with tensor parallelism: ServingModel(tp_size=TP) on the node's accelerator."""
    c = row["config"]
    r = _SERVE.solve(Models.Llama2_70B, Systems.Nodes.DGX_A100.accelerator, seq_len=c["input_len"],
                     batch_size=1, precision="fp16", tp_size=c["tp"])
    return out(row, r.raw("ttft_calibrated") * 1e3, r.raw("ttft_bound") * 1e3, "latency",
               "Llama-2-70B TTFT, 2048 tokens, 4x A100 TP", "ms",
               note=f"ServingModel tp_size={c['tp']}: {r.raw('tp_communication_prefill') * 1e3:.0f} ms "
               "of NVLink all-reduces (2 per layer)")


def _inflight(row):
    """In-flight batching: as many requests as the KV cache holds at the mean context."""
    c = row["config"]
    model, hw = Models.Llama3_8B, Hardware.H100
    isl, osl, nreq = c["input_len"], c["output_len"], c["num_requests"]
    mean_ctx = isl + osl // 2
    probe = _SERVE.solve(model, hw, seq_len=mean_ctx, batch_size=1, precision="fp8")
    free = probe.raw("memory_capacity") - probe.raw("model_weights_size")
    per_req = probe.raw("kv_cache_per_token") * mean_ctx

    def run(frac, which):
        conc = max(1, min(nreq, int(frac * free // per_req)))
        dec = _SERVE.solve(model, hw, seq_len=mean_ctx, batch_size=conc, precision="fp8")
        pre = _SERVE.solve(model, hw, seq_len=isl, batch_size=1, precision="fp8")
        total = nreq * pre.raw(f"ttft_{which}") + nreq * osl / conc * dec.raw(f"itl_{which}")
        return nreq * osl / total, conc

    cal, conc = run(0.90, "calibrated")       # kv_cache_free_gpu_mem_fraction 0.90 (low end)
    bound, _ = run(1.0, "bound")              # every free byte for KV
    return out(row, cal, bound, "throughput", "Llama-3.1-8B fp8 in-flight, 128/2048, H100", "tokens/s",
               note=f"{conc} concurrent requests fill 90 % of free HBM at the mean context {mean_ctx}")


def _kv_capacity(row):
    c = row["config"]
    model, hw = Models.Llama3_70B, Hardware.H100
    r = _SERVE.solve(model, hw, seq_len=c["max_model_len"], batch_size=1, precision="int8", kv_precision="bf16")
    free = c["gpu_memory_utilization"] * r.raw("memory_capacity") - r.raw("model_weights_size")
    tokens = free / r.raw("kv_cache_per_token")
    bound = (r.raw("memory_capacity") - r.raw("model_weights_size")) / r.raw("kv_cache_per_token")
    return out(row, tokens, bound, "capacity", "Llama-3.1-70B w8a8 KV tokens on an 80 GB GPU", "tokens",
               note=f"engine weights {r.raw('model_weights_size') / 2**30:.1f} GiB vs logged 67.7 GiB; "
               "no activation/CUDA-graph reserve modelled; GPU type assumed H100 80GB (row: unstated)")


def training_throughput(row):
    rid, c = row["id"], row["config"]
    if rid in ("TR-01", "TR-02"):
        L, h, V, s = c["layers"], c["hidden"], c["vocab"], c["seq_len"]
        model = gpt(f"Megatron GPT {c['params_b']}B", L, h, c["heads"], V, s)
        n = c["n_gpus"]
        flt = fleet(f"Selene {n} A100", Systems.Nodes.DGX_A100, n // 8, Systems.Fabrics.InfiniBand_HDR)
        B = c["global_batch_seqs"]
        cal, bound = train(model, flt, B, s, "fp16", tp=c["tp"], pp=c["pp"], recompute=True)
        F = megatron_flops(B, s, L, h, V)
        return out(row, F / cal.raw("step_latency_total") / n / 1e12,
                   F / bound.raw("step_latency_total") / n / 1e12, "throughput",
                   f"Megatron GPT {c['params_b']}B, {n} A100, TP{c['tp']}", "TFLOP/s/GPU",
                   note=f"Megatron FLOP count (with recompute); config-built model P={model.parameters_count:.3g}"
                   + fits(cal))
    if rid == "TR-06":
        model, n, B, s = Models.GPT3, c["n_gpus"], c["global_batch_seqs"], c["seq_len"]
        tp, pp = 8, c["model_parallel_size"] // 8
        dp = n // (tp * pp)
        flt = fleet(f"Selene {n} A100", Systems.Nodes.DGX_A100, n // 8, Systems.Fabrics.InfiniBand_HDR)
        cal, bound = train(model, flt, B, s, "fp16", tp=tp, pp=pp, m=B // dp // c["microbatch"], recompute=True)
        F = megatron_flops(B, s, c["layers"], c["hidden"], 51200)
        return out(row, F / cal.raw("step_latency_total") / n / 1e12,
                   F / bound.raw("step_latency_total") / n / 1e12, "throughput",
                   f"GPT-3 175B PTD-P, {n} A100, TP{tp} PP{pp} DP{dp}", "TFLOP/s/GPU",
                   note=f"V=1 schedule (row gives none); bubble {cal.raw('bubble_fraction'):.1%}" + fits(cal))
    if rid == "TR-07":
        model, n, s = Models.Llama3_405B, c["n_gpus"], c["seq_len"]
        B = c["dp"] * c["seqs_per_dp"]
        flt = fleet(f"Llama 3 {n} H100", Systems.Nodes.DGX_H100, n // 8, Systems.Fabrics.RoCE_400G)
        cal, bound = train(model, flt, B, s, "bf16", tp=c["tp"], pp=c["pp"], m=c["seqs_per_dp"], zero=2,
                           overlap=True)
        return out(row, cal.raw("mfu"), bound.raw("mfu"), "throughput", "Llama 3 405B BF16 MFU, 8,192 H100",
                   "MFU", note=f"6PD MFU; V=1 1F1B (row gives no interleaving), bubble "
                   f"{cal.raw('bubble_fraction'):.1%}; FSDP as ZeRO-2" + fits(cal))
    if rid == "TR-10":
        model, s = Models.PaLM_540B, c["seq_len"]
        pod = Node("TPU v4 pod slice (3,072 chips, ICI)", "tpuv4_pod", Hardware.TPUv4, 3072, 1.1e15 / 4096, 1e-6)
        flt = fleet("PaLM 2 TPU v4 pods", pod, 2, Systems.Fabrics.Ethernet_100G)
        cal, bound = train(model, flt, c["global_batch_seqs"], s, "bf16", tp=12, zero=3, recompute=True,
                           overlap=True)
        att = 1 + attention_flops_per_token(model.layers, 48 * 256, s) / (6 * model.parameters_count)
        return out(row, cal.raw("mfu") * att, bound.raw("mfu") * att, "throughput",
                   "PaLM 540B MFU (with attention), 6,144 TPU v4", "MFU",
                   note="TP=12 inside a 3,072-chip ICI pod (all-reduce 1.1 PB/s per 4,096-chip pod, "
                   "Cloud TPU v4 docs), 256-way FSDP as ZeRO-3, DP across 2 pods over a 100 GbE "
                   "proxy for the DCN; full recomputation (engine) vs PaLM's partial (HFU/MFU 1.25)" + fits(cal))
    if rid == "TR-14":
        model, s, B = Models.MPT_7B, c["seq_len"], c["global_batch_seqs"]
        cal, bound = train(model, Systems.Clusters.H100_8, B, s, "bf16", zero=3, overlap=True)
        att = 1 + attention_flops_per_token(model.layers, model.hidden_dim, s) / (6 * model.parameters_count)
        return out(row, cal.raw("mfu") * att, bound.raw("mfu") * att, "throughput",
                   "MPT-7B MFU (with attention), 8 H100 FSDP", "MFU",
                   note="llm-foundry MFU counts attention: engine 6PD MFU x (1 + 12 L d s / 6P)" + fits(cal))
    raise Gap(f"no handler for {rid}")


def scaling_efficiency(row):
    c = row["config"]
    model, B, s = Models.GPT3, c["global_batch_seqs"], c["seq_len"]
    tp, pp = c["tp"], c["pp"]
    steps = {}
    for n in (c["gpus_from"], c["gpus_to"]):
        flt = fleet(f"A100 {n}", Systems.Nodes.DGX_A100, n // 8, Systems.Fabrics.InfiniBand_HDR)
        dp = n // (tp * pp)
        steps[n] = train(model, flt, B, s, "bf16", tp=tp, pp=pp, m=B // dp)
    k = c["gpus_to"] / c["gpus_from"]
    eff = [steps[c["gpus_from"]][i].raw("step_latency_total") / steps[c["gpus_to"]][i].raw("step_latency_total") / k
           for i in (0, 1)]
    return out(row, eff[0], eff[1], "ratio", "strong scaling 3,072 -> 12,288 A100, GPT-3 175B", "efficiency",
               note="microbatch 1 (m = 128 -> 32), V=1; 200 Gb/s per GPU assumed (HDR)")


def pipeline_bubble(row):
    c = row["config"]
    s, mb, pp = c["seq_len"], c["microbatch"], c["pp"]
    model = gpt("GPT-like 1.5B", 22, 2304, 24, 0, s, params=1.5e9)
    flt = fleet("A100 x8", Systems.Nodes.DGX_A100, 1, Systems.Fabrics.RoCE_100G)
    rate = {}
    for m in c["microbatches"]:
        cal, bound = train(model, flt, m * mb, s, "bf16", pp=pp, m=m)
        rate[m] = (m * mb / cal.raw("step_latency_total") / 8, m * mb / bound.raw("step_latency_total") / 8)
    lo, hi = c["microbatches"][0], c["microbatches"][-1]
    ratio = out(row, rate[lo][0] / rate[hi][0], rate[lo][1] / rate[hi][1], "ratio",
                f"throughput ratio m={lo} / m={hi}, 1F1B PP{pp}", "ratio", measured=11.8 / 13.6,
                note="measured 11.8 / 13.6 samples/GPU/s")
    absolute = out(row, rate[lo][0], rate[lo][1], "throughput", f"samples/GPU/s at m={lo}", "samples/GPU/s",
                   sub=f"m{lo}", note="GPT-like 1.5B built from the row's config (P = 1.5e9)")
    return [ratio, absolute]


def training_time(row):
    rid, c = row["id"], row["config"]
    tt = TrainingTimeModel()
    if rid == "TT-01":
        model, n = Models.Llama3_405B, c["max_gpus"]
        flt = fleet("Llama 3 16K H100", Systems.Nodes.DGX_H100, n // 8, Systems.Fabrics.RoCE_400G)
        good = ReliabilityModel().solve(flt, 54 * 24).raw("goodput_ratio")
        cal = tt.solve(model, hardware=Hardware.H100, n_accelerators=n, mfu=CAL.training_compute, precision="bf16",
                       goodput_ratio=good).raw("gpu_hours")
        bound = tt.solve(model, hardware=Hardware.H100, n_accelerators=n, mfu=1.0, precision="bf16").raw("gpu_hours")
        return out(row, cal, bound, "time", "Llama 3.1 405B GPU-hours", "GPU-h",
                   note=f"MFU = training_compute (TR-14), goodput {good:.3f} from ReliabilityModel "
                   "(2,048 DGX H100 nodes, 60 s checkpoints); no parallel plan (scaling efficiency 1)")
    if rid == "TT-02":
        model = Models.Llama2_70B
        cal = tt.solve(model, hardware=Hardware.A100, n_accelerators=1, mfu=CAL.training_compute,
                       precision="bf16").raw("gpu_hours")
        bound = tt.solve(model, hardware=Hardware.A100, n_accelerators=1, mfu=1.0, precision="bf16").raw("gpu_hours")
        return out(row, cal, bound, "time", "Llama 2 70B GPU-hours", "GPU-h",
                   note="fleet size not given: no goodput or scaling loss applied")
    if rid == "TT-06":
        n = 10000
        good = ReliabilityModel().solve(Hardware.V100, 14.8 * 24, n_accelerators=n).raw("goodput_ratio")
        kw = dict(n_params=c["params"], n_tokens=c["tokens"], hardware=Hardware.V100, n_accelerators=n,
                  precision="fp16")
        cal = tt.solve(mfu=CAL.training_compute, goodput_ratio=good, **kw).raw("training_days")
        bound = tt.solve(mfu=1.0, **kw).raw("training_days")
        return out(row, cal, bound, "time", "GPT-3 175B days on 10,000 V100", "days",
                   note=f"6PD; MFU = training_compute (TR-14, an H100 figure), goodput {good:.3f}; "
                   "measured implies 19.7 % MFU")
    raise Gap(f"no handler for {rid}")


# Patterson et al. (2021) arXiv:2104.10350 table 4: T5 (11B) total training compute 4.05e22 FLOPs.
# The zoo has no T5 entry: its encoder-decoder shape (d_model 1,024, 128 heads x d_kv 128) does not
# fit the zoo's d_head = d_model / heads convention.
T5_11B_TRAINING_FLOPS = 4.05e22


def energy_carbon(row):
    rid, c = row["id"], row["config"]
    sus = SustainabilityModel()
    if rid in ("EN-01", "EN-02"):
        hw = Hardware.V100 if rid == "EN-01" else Hardware.TPUv3
        n, days = c["n_chips"], c["days"]
        grid = GridProfile(c["datacenter"], "row_grid", c["kgco2e_per_kwh_gross"] * 1000.0, c["pue"], 0.0)
        r = sus.solve(hw, days, datacenter=grid, pue=c["pue"], power_per_accelerator=c["avg_system_power_w_per_chip"],
                      n_accelerators=n)
        flops = 6.0 * Models.GPT3.parameters_count * Models.GPT3.training_tokens if rid == "EN-01" else T5_11B_TRAINING_FLOPS
        ideal_days = flops / (n * hw.compute.peak_flop_s("bf16")) / 86400.0
        b = sus.solve(hw, ideal_days, datacenter=grid, pue=1.0, mfu=1.0, n_accelerators=n)
        tdp_model = sus.solve(hw, days, datacenter=grid, pue=c["pue"], mfu=0.5, n_accelerators=n)
        model_name = "GPT-3 175B" if rid == "EN-01" else "T5 11B"
        e = out(row, r.raw("total_energy_kwh") / 1e3, b.raw("total_energy_kwh") / 1e3, "energy",
                f"{model_name} training energy", "MWh", basis="arithmetic",
                note=f"row's chips x days x measured system power x PUE; the engine's own power model "
                f"(TDP x (0.3 + 0.7 x 0.5)) would give {tdp_model.raw('power_per_accelerator'):.0f} W/chip "
                f"vs {c['avg_system_power_w_per_chip']} W measured")
        meas_t = float(re.search(r"gross tCO2e ([\d.]+)", row["unit"]).group(1))
        co2 = out(row, r.raw("carbon_footprint_kg") / 1e3, b.raw("carbon_footprint_kg") / 1e3, "carbon",
                  f"{model_name} training CO2e", "tCO2e", measured=meas_t, sub="co2", basis="arithmetic")
        return [e, co2]
    if rid == "EN-06":
        hw, n = Hardware.TPUv4, 6144
        hours = c["chip_hours"] / n
        grid = GridProfile(c["datacenter"], "row_grid", c["tco2e_per_mwh"] * 1000.0, c["pue"], 0.0)
        r = sus.solve(hw, hours / 24.0, datacenter=grid, pue=c["pue"],
                      power_per_accelerator=c["measured_system_power_w_per_chip"], n_accelerators=n)
        m = Models.PaLM_540B
        ideal_days = 6.0 * m.parameters_count * m.training_tokens / (n * hw.compute.peak_flop_s("bf16")) / 86400.0
        b = sus.solve(hw, ideal_days, datacenter=grid, pue=1.0, mfu=1.0, n_accelerators=n)
        return out(row, r.raw("carbon_footprint_kg") / 1e3, b.raw("carbon_footprint_kg") / 1e3, "carbon",
                   "PaLM 540B training CO2e", "tCO2e", basis="arithmetic",
                   note="row's chip-hours x measured system power x PUE x intensity; 6,144 chips")
    raise Gap(f"no handler for {rid}")


def grid_intensity(row):
    key = {"GC-01": "France", "GC-03": "Poland", "GC-04": "Norway", "GC-05": "US_Average", "GC-06": "Quebec"}[row["id"]]
    g = Infra.Grids.get(key)
    z = g.carbon_intensity_g_kwh
    return out(row, z, None, "intensity", f"{g.name} carbon intensity", "g/kWh", basis="lookup",
               note="zoo value: " + g.sources.get("carbon_intensity", "")[:90])


def datacenter(row):
    key = {"DC-01": "Google_Hyperscale", "DC-02": "Iowa_Hyperscale"}[row["id"]]
    d = Infra.Datacenters.get(key)
    return out(row, d.pue, None, "spec", f"{d.name} PUE", "PUE", basis="lookup")


def reliability(row):
    c = row["config"]
    flt = fleet("Llama 3 16K H100", Systems.Nodes.DGX_H100, 16384 // 8, Systems.Fabrics.RoCE_400G)
    r = ReliabilityModel().solve(flt, c["window_days"] * 24)
    return out(row, r.raw("expected_failures"), None, "count", "unexpected interruptions, 54 days, 16,384 H100",
               "failures", measured=float(c["unexpected"]),
               note=f"compared with the 419 unexpected interruptions (row total 466 adds 47 planned); fleet MTBF "
               f"{r.raw('fleet_mtbf') / 3600:.2f} h vs measured 3.1 h")


def tco(row):
    rid, c = row["id"], row["config"]
    if rid == "CT-01":
        model, n, price = Models.DeepSeek_V3, 2048, c["price_per_gpu_hour_usd"]
        tt = TrainingTimeModel()
        ideal = tt.solve(model, hardware=Hardware.H800, n_accelerators=n, mfu=1.0, precision="fp8").raw("gpu_hours")
        # EconomicsModel prices owning a fleet; renting is GPU-hours x price (no solver path: a gap)
        arith = out(row, c["gpu_hours"] * price, ideal * price, "cost",
                    "DeepSeek-V3 cost = GPU-hours x rental price", "USD", basis="arithmetic",
                    note="arithmetic on the row's inputs: EconomicsModel has no rental (GPU-h x price) path; "
                    "bound = 6 x 37B active x 14.8T tokens at the H800 fp8 peak x price")
        good = ReliabilityModel().solve(Hardware.H800, 60 * 24, n_accelerators=n).raw("goodput_ratio")
        gh = tt.solve(model, hardware=Hardware.H800, n_accelerators=n, mfu=CAL.training_compute, precision="bf16",
                      goodput_ratio=good).raw("gpu_hours")
        pred = out(row, gh * price, ideal * price, "cost", "DeepSeek-V3 cost from predicted GPU-hours", "USD",
                   tol=tolerance("+-15%"), sub="pred",
                   note=f"6 x 37B active x 14.8T tokens at training_compute on the bf16 peak (run used fp8), "
                   f"goodput {good:.3f} on 2,048 H800; bound at the fp8 peak")
        return [arith, pred]
    if rid == "CT-03":
        r = EconomicsModel().compare_cloud(Systems.Clusters.H100_8, utilization=1.0)
        return out(row, r.raw("cloud_annual_cost_per_node") / 12.0, None, "price", "DGX H100 node rental per month",
                   "USD/month", note=f"engine default cloud price ${constants().cloud_gpu_hour_price:.2f}/GPU-h "
                   f"x 8 x 730 h; on-prem TCO rate would be ${r.raw('onprem_cost_per_gpu_hour'):.2f}/GPU-h")
    raise Gap(f"no handler for {rid}")


HANDLERS = {
    "hardware_spec": hardware_spec, "microbenchmark": microbenchmark, "communication": communication,
    "llm_serving": llm_serving, "training_throughput": training_throughput,
    "scaling_efficiency": scaling_efficiency, "pipeline_bubble": pipeline_bubble,
    "training_time": training_time, "energy_carbon": energy_carbon,
    "grid_carbon_intensity": grid_intensity, "datacenter": datacenter, "reliability": reliability,
    "tco": tco,
}


def evaluate(rows: list[dict] | None = None) -> Report:
    """Run every row; each becomes Outcomes (one or more) or a RowGap with the reason."""
    rep = Report()
    for row in rows if rows is not None else load_rows():
        handler = HANDLERS.get(row["topic"])
        try:
            if handler is None:
                raise Gap(f"no engine path for topic {row['topic']!r}")
            res = handler(row)
        except Gap as g:
            rep.gaps.append(RowGap(row["id"], row["topic"], str(g)))
            continue
        for r in res if isinstance(res, list) else [res]:
            (rep.gaps if isinstance(r, RowGap) else rep.outcomes).append(r)
    return rep


def median(xs):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = len(xs) // 2
    return xs[k] if len(xs) % 2 else 0.5 * (xs[k - 1] + xs[k])


def domain_summary(rep: Report) -> dict[str, dict]:
    """Per domain: median |error| % of the calibrated estimate over evaluation rows, and counts."""
    out_: dict[str, dict] = {}
    for o in rep.outcomes:
        d = out_.setdefault(o.domain, {"eval": [], "calibration": 0, "inside": 0, "n": 0})
        if o.role == "calibration":
            d["calibration"] += 1
            continue
        d["eval"].append(abs(o.error_pct))
        d["n"] += 1
        d["inside"] += o.inside
    for d in out_.values():
        d["median_abs_error_pct"] = median(d["eval"])
    return out_


def overall(rep: Report, basis: str | None = None) -> dict:
    """Totals over evaluation rows (optionally one basis: prediction, lookup or arithmetic)."""
    ev = [o for o in rep.outcomes if o.role != "calibration" and (basis is None or o.basis == basis)]
    cal = [o for o in rep.outcomes if o.role == "calibration" and (basis is None or o.basis == basis)]
    bounds = [o for o in rep.outcomes if o.bound_ok is not None]
    return {"median_abs_error_pct": median([abs(o.error_pct) for o in ev]), "n_eval": len(ev),
            "inside": sum(o.inside for o in ev), "n_calibration": len(cal),
            "bound_rows": len(bounds), "bound_held": sum(bool(o.bound_ok) for o in bounds)}


__all__ = ["Outcome", "RowGap", "Report", "Gap", "Tolerance", "tolerance", "load_rows", "evaluate",
           "domain_summary", "overall", "median", "BOUND_KINDS", "DATA"]
