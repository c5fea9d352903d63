"""Safeguards priced in GPU-hours, bytes and dollars (Wall 20 Safety, Wall 15 Fragility).

    PrivacyCostModel        DP-SGD (ResponsibleEngineeringModel) x trusted execution 1/(1 - o),
                            GPU-hours and money at a GPU-hour price
    SecureAggregationModel  Bonawitz et al. (2017): client bytes m (b + log2 n) + n k, expansion,
                            server PRG work m (n_s + n_d n_s) under dropouts
    RobustnessBudgetModel   PGD training (K + 1) x, N-modular redundancy with majority vote:
                            failure sum_{k > N/2} C(N,k) p^k (1-p)^(N-k), compute 1 + (N - 1) f
    FairnessAuditModel      intersectional subgroups prod(levels), n = z^2 p(1-p)/w^2 each, over
                            deployments x audits: evaluation GPU-hours, labels, mitigation retrains

Sources: formulas/safeguards.py, formulas/responsible.py, formulas/fleet_health.py. Every solve is
O(1) except the vote sum, O(N) with N <= 101 replicas.
"""
from __future__ import annotations

from ..checks import EFFICIENCY_MIN, choice, flag, fraction, integer, number, positive, probability, sequence
from ..errors import SpecError
from ..fmt import pct, si
from ..formulas.fleet_health import calc_redundant_compute
from ..formulas.responsible import calc_pgd_multiplier
from ..formulas.safeguards import (calc_intersectional_subgroups, calc_nmr_detected, calc_nmr_failure,
                                   calc_secagg_client_bytes, calc_secagg_expansion, calc_secagg_server_prg,
                                   calc_tee_slowdown)
from ..results import Result
from ..zoo import constants
from ._common import check_model
from .responsible import ResponsibleEngineeringModel

TEE_WORKLOADS = ("training", "inference")
MAX_REPLICAS = 101
_RESP = ResponsibleEngineeringModel()


def _price(gpu_hour_price):
    return constants().cloud_gpu_hour_price if gpu_hour_price is None else positive(
        "gpu_hour_price", gpu_hour_price, allow_zero=True, unit="USD/hour")


def _h(x):
    """Hours or counts for the work rows: grouped digits, never e-notation."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _usd(x):
    """Dollars: grouped digits, cents below $100."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}"


def _gpu_hours(name, value):
    return positive(name, value, allow_zero=True, unit="hour")


# ---------------------------------------------------------------- privacy
class PrivacyCostResult(Result):
    __slots__ = ()
    UNITS = {"per_sample_grad_memory": ("GB", 1e-9), "memory_footprint": ("GB", 1e-9),
             "memory_capacity": ("GB", 1e-9), "step_time": ("ms", 1e3), "dp_step_time": ("ms", 1e3)}


class PrivacyCostModel:
    """What a privacy guarantee costs one training run: DP-SGD at ``epsilon`` (None: none) and,
    with ``tee``, confidential computing, in GPU-hours and dollars.

        PrivacyCostModel().solve(Models.ResNet50, Hardware.H100, epsilon=1.0, base_gpu_hours=1000)

    ``base_gpu_hours``: the non-private run. ``tee_overhead`` None: the published share of
    throughput lost for ``tee_workload`` ("training" or "inference"). DP fields as in
    ResponsibleEngineeringModel (its accuracy is the published benchmark's, not this model's).
    """

    def solve(self, model, hardware, epsilon=1.0, batch_size=256, precision="bf16", efficiency=0.5,
              dp_method="per_sample", dp_benchmark="cifar10", base_gpu_hours=1000.0, gpu_hour_price=None,
              tee=False, tee_workload="training", tee_overhead=None) -> PrivacyCostResult:
        c = constants()
        base = _gpu_hours("base_gpu_hours", base_gpu_hours)
        price = _price(gpu_hour_price)
        choice("tee_workload", tee_workload, TEE_WORKLOADS)
        tee = flag("tee", tee)
        o_default = c.sg_tee_training_overhead if tee_workload == "training" else c.sg_tee_inference_overhead
        o = o_default if tee_overhead is None else fraction("tee_overhead", tee_overhead, lo_open=False, hi=0.95)
        dp = _RESP.solve(model, hardware, batch_size=batch_size, precision=precision, efficiency=efficiency,
                         epsilon=epsilon, dp_method=dp_method, dp_benchmark=dp_benchmark, base_gpu_hours=base)
        m_tee = calc_tee_slowdown.raw(o) if tee else 1.0
        m = dp.training_multiplier * m_tee
        r = dict(dp._v)
        r.update(tee=tee, tee_workload=tee_workload, tee_overhead=o if tee else 0.0, tee_multiplier=m_tee,
                 privacy_multiplier=m, gpu_hour_price=price, gpu_hours=base * m, extra_gpu_hours=base * (m - 1.0),
                 base_cost=base * price, cost=base * m * price, extra_cost=base * (m - 1.0) * price)
        return PrivacyCostResult(r, lambda: dp._work() + _privacy_work(r))


def _privacy_work(r):
    rows = []
    if r["tee"]:
        rows.append(("Trusted execution", "m_{TEE} = 1/(1 - o)",
                     f"1 / (1 − {r['tee_overhead']:g}) = **×{r['tee_multiplier']:.3g}** ({r['tee_workload']})"))
    rows.append(("Price of privacy", "\\$ = H_0\\, m_{DP}\\, m_{TEE} \\times p_{GPU\\text{-}h}",
                 f"{_h(r['base_gpu_hours'])} GPU-h × {r['training_multiplier']:.3g} × {r['tee_multiplier']:.3g} = "
                 f"{_h(r['gpu_hours'])} GPU-h × ${r['gpu_hour_price']:g}/h = **${r['cost']:,.0f}** "
                 f"(+${r['extra_cost']:,.0f})"))
    return rows


# ---------------------------------------------------------------- secure aggregation
class SecureAggregationResult(Result):
    __slots__ = ()
    UNITS = {"client_bytes": ("MB", 1e-6), "plain_bytes": ("MB", 1e-6), "upload_time": ("s", 1.0)}


class SecureAggregationModel:
    """One round of Bonawitz et al. (2017) secure aggregation over ``n_clients`` clients.

        SecureAggregationModel().solve(1024, vector_length=2**20)
        SecureAggregationModel().solve(500, model=Models.MobileNetV2, dropout=0.1)

    ``model`` sets the vector length to its parameter count. ``uplink_bandwidth`` (bytes/s, or a
    Quantity) gives the upload time of one client.
    """

    def solve(self, n_clients, model=None, vector_length=None, input_bits=None, dropout=0.0,
              bits_per_peer=None, uplink_bandwidth=None) -> SecureAggregationResult:
        c = constants()
        n = integer("n_clients", n_clients, minimum=2, maximum=10_000_000)
        if model is not None:
            m = int(check_model(model).parameters_count)
        elif vector_length is not None:
            m = integer("vector_length", vector_length, minimum=1)
        else:
            raise SpecError("vector_length", None, "a vector length >= 1 (or pass model=)")
        b = int(c.sg_secagg_input_bits) if input_bits is None else integer("input_bits", input_bits,
                                                                              minimum=1, maximum=64)
        k = c.sg_secagg_bits_per_peer if bits_per_peer is None else positive("bits_per_peer", bits_per_peer,
                                                                            allow_zero=True)
        d = probability("dropout", dropout, hi_open=True)
        up = None if uplink_bandwidth is None else positive("uplink_bandwidth", uplink_bandwidth, unit="byte/s")
        client = calc_secagg_client_bytes.raw(n, m, b, k)
        dropped = round(d * n)
        r = {"n_clients": n, "vector_length": m, "input_bits": b, "bits_per_peer": k, "dropout": d,
             "dropped_clients": dropped, "client_bytes": client, "entry_bits": (8.0 * client - n * k) / m, "plain_bytes": m * b / 8.0,
             "expansion": calc_secagg_expansion.raw(n, m, b, k),
             "key_share_fraction": n * k / (8.0 * client),
             "server_prg_entries": calc_secagg_server_prg.raw(n, m, d),
             "server_prg_per_entry": calc_secagg_server_prg.raw(n, m, d) / m,
             "upload_time": None if up is None else client / up}
        return SecureAggregationResult(r, lambda: _secagg_work(r))


def _secagg_work(r):
    n, m, b = r["n_clients"], r["vector_length"], r["input_bits"]
    return [
        ("Masked vector + key shares", "\\text{bits} = m\\,(b + \\lceil\\log_2 n\\rceil) + n\\,k",
         f"{m:,} × {r['entry_bits']:.0f} bits + "
         f"{n:,} × {r['bits_per_peer']:,.0f} = **{si(r['client_bytes'], 'B')}** per client"),
        ("Expansion over the clear", "\\frac{\\text{bits}}{m\\,b}",
         f"{si(r['client_bytes'], 'B')} / {si(r['plain_bytes'], 'B')} = **×{r['expansion']:.3g}** "
         f"(key agreement and shares: {pct(r['key_share_fraction'])} of it)"),
        ("Server unmasking", "m\\,(n_s + n_d\\,n_s)",
         f"{r['dropped_clients']:,} of {n:,} dropped: **{r['server_prg_per_entry']:,.0f} PRG expansions per entry**, "
         f"{si(r['server_prg_entries'], '')} in all"),
    ]


# ---------------------------------------------------------------- robustness
class RobustnessBudgetResult(Result):
    __slots__ = ()
    UNITS = {}


class RobustnessBudgetModel:
    """What robustness costs: adversarial training and redundant execution with voting.

        RobustnessBudgetModel().solve(base_gpu_hours=1000, pgd_steps=7, serving_gpu_hours=5000,
                                      replicas=3, fault_probability=1e-4)

    Training: K-step PGD multiplies the run by K + 1 (Madry et al. 2018). Serving: each protected
    request (share ``protected_fraction``) runs on ``replicas`` N independent copies and a perfect
    voter takes the majority; a copy is wrong with ``fault_probability`` p (independent faults); a
    tie (even N) is detected and the request re-run once (first order: compute x (1 + P_tie)).
    """

    def solve(self, base_gpu_hours=1000.0, pgd_steps=0, serving_gpu_hours=0.0, replicas=1,
              fault_probability=1e-4, protected_fraction=1.0, gpu_hour_price=None) -> RobustnessBudgetResult:
        base = _gpu_hours("base_gpu_hours", base_gpu_hours)
        serve = _gpu_hours("serving_gpu_hours", serving_gpu_hours)
        k_pgd = integer("pgd_steps", pgd_steps, minimum=0, maximum=1000)
        n = integer("replicas", replicas, minimum=1, maximum=MAX_REPLICAS)
        p = probability("fault_probability", fault_probability)
        f = fraction("protected_fraction", protected_fraction, lo_open=False)
        price = _price(gpu_hour_price)
        m_pgd = calc_pgd_multiplier.raw(k_pgd)
        p_wrong = calc_nmr_failure.raw(n, p)
        p_tie = calc_nmr_detected.raw(n, p)
        m_red = calc_redundant_compute.raw(n, f) * (1.0 + f * p_tie)
        train_h, serve_h = base * m_pgd, serve * m_red
        r = {"base_gpu_hours": base, "pgd_steps": k_pgd, "pgd_multiplier": m_pgd, "training_gpu_hours": train_h,
             "replicas": n, "fault_probability": p, "protected_fraction": f,
             "p_wrong_single": p, "p_wrong": f * p_wrong + (1.0 - f) * p, "p_wrong_protected": p_wrong,
             "p_detected": f * p_tie, "improvement": (p / p_wrong) if p_wrong > 0 else None,
             "redundancy_multiplier": m_red, "serving_gpu_hours_base": serve, "serving_gpu_hours": serve_h,
             "gpu_hour_price": price, "base_cost": (base + serve) * price,
             "training_cost": train_h * price, "serving_cost": serve_h * price,
             "cost": (train_h + serve_h) * price,
             # summed per term (each multiplier >= 1), so rounding never takes it below 0
             "extra_cost": (base * (m_pgd - 1.0) + serve * (m_red - 1.0)) * price,
             "total_multiplier": (train_h + serve_h) / (base + serve) if base + serve > 0 else 1.0}
        return RobustnessBudgetResult(r, lambda: _robust_work(r))


def _robust_work(r):
    n, p = r["replicas"], r["fault_probability"]
    rows = [("Adversarial training", "m_{PGD} = K + 1",
             f"K = {r['pgd_steps']}: {_h(r['base_gpu_hours'])} GPU-h × {r['pgd_multiplier']:g} = "
             f"**{_h(r['training_gpu_hours'])} GPU-h**"),
            ("Majority vote of N copies", "P_{wrong} = \\sum_{k > N/2} \\binom{N}{k} p^k (1-p)^{N-k}",
             f"N = {n}, p = {p:g}: **{r['p_wrong_protected']:.3g}** per protected request"
             + ("" if r["improvement"] is None else f" ({_h(r['improvement'])}× fewer wrong answers)")
             + ("" if not r["p_detected"] else f"; ties detected and re-run: {r['p_detected']:.3g}")),
            ("Redundant serving", "m = \\bigl(1 + (N-1) f\\bigr)(1 + f P_{tie})",
             f"f = {r['protected_fraction']:g}: **×{r['redundancy_multiplier']:.4g}**, "
             f"{_h(r['serving_gpu_hours_base'])} → {_h(r['serving_gpu_hours'])} GPU-h"),
            ("Robustness budget", "\\$ = (H_{train} m_{PGD} + H_{serve} m_{red})\\, p_{GPU\\text{-}h}",
             f"({_h(r['training_gpu_hours'])} + {_h(r['serving_gpu_hours'])}) GPU-h × ${r['gpu_hour_price']:g}/h = "
             f"**${r['cost']:,.0f}** (+${r['extra_cost']:,.0f}, ×{r['total_multiplier']:.3g})")]
    return rows


# ---------------------------------------------------------------- fairness audits
class FairnessAuditResult(Result):
    __slots__ = ()
    UNITS = {}


class FairnessAuditModel:
    """A year of intersectional fairness audits of ``model`` served on ``hardware``.

        FairnessAuditModel().solve(Models.ResNet50, Hardware.H100, attribute_levels=(2, 6, 4),
                                   deployments=10, audits_per_year=4)

    Subgroups = product of ``attribute_levels``; each needs n = z^2 p(1-p)/w^2 fresh labelled
    samples per audit (a deployment's traffic drifts, so labels are not reused); every audit runs
    inference on all of them. ``rarest_prevalence`` (None: 1/subgroups) sizes the traffic pool that
    holds n samples of the rarest subgroup. A share ``mitigation_rate`` of audits finds a gap that
    costs a retrain of ``mitigation_gpu_hours``.
    """

    def solve(self, model, hardware, attribute_levels=(2, 2), ci_half_width=0.02, confidence=0.95,
              subgroup_accuracy=0.5, deployments=1, audits_per_year=4, rarest_prevalence=None,
              label_cost=None, gpu_hour_price=None, mitigation_rate=0.0, mitigation_gpu_hours=0.0,
              batch_size=32, precision="bf16", efficiency=0.5) -> FairnessAuditResult:
        c = constants()
        levels = sequence("attribute_levels", attribute_levels, max_len=16,
                          item=lambda nm, v: integer(nm, v, minimum=1, maximum=10_000))
        k = int(calc_intersectional_subgroups.raw(levels))
        if k > 10_000_000:
            raise SpecError("attribute_levels", attribute_levels, "at most 10,000,000 intersectional subgroups")
        dep = integer("deployments", deployments, minimum=1, maximum=1_000_000)
        audits = integer("audits_per_year", audits_per_year, minimum=1, maximum=366)
        # bounded below by EFFICIENCY_MIN (1e-6): samples grow as 1/w^2 and the traffic pool as
        # 1/prevalence, and both must stay finite (ResponsibleEngineeringModel divides by them)
        number("ci_half_width", ci_half_width, lo=EFFICIENCY_MIN, hi=1.0, hi_open=True,
               allowed=f"a half-width in [{EFFICIENCY_MIN:g}, 1) (samples grow as 1/w^2)")
        prev = 1.0 / k if rarest_prevalence is None else number(
            "rarest_prevalence", rarest_prevalence, lo=EFFICIENCY_MIN, hi=1.0,
            allowed=f"a share of traffic in [{EFFICIENCY_MIN:g}, 1] (the pool grows as 1/prevalence)")
        label = c.sg_label_cost if label_cost is None else positive("label_cost", label_cost, allow_zero=True,
                                                                    unit="USD")
        price = _price(gpu_hour_price)
        mit = probability("mitigation_rate", mitigation_rate)
        mit_h = _gpu_hours("mitigation_gpu_hours", mitigation_gpu_hours)
        ev = _RESP.solve(model, hardware, batch_size=batch_size, precision=precision, efficiency=efficiency,
                         subgroups=k, ci_half_width=ci_half_width, confidence=confidence,
                         subgroup_accuracy=subgroup_accuracy, min_subgroup_prevalence=prev)
        n_audits = dep * audits
        samples = ev.evaluation_samples * n_audits
        eval_h = ev.evaluation_gpu_hours * n_audits
        retrains = mit * n_audits
        costs = {"compute": eval_h * price, "labels": samples * label, "mitigation": retrains * mit_h * price}
        total = sum(costs.values())
        r = {"model": ev.model, "hardware": ev.hardware, "attribute_levels": tuple(levels), "subgroups": k,
             "ci_half_width": ev.ci_half_width, "confidence": ev.confidence,
             "samples_per_subgroup": ev.samples_per_subgroup, "samples_per_audit": ev.evaluation_samples,
             "deployments": dep, "audits_per_year": audits, "audits": n_audits, "labelled_samples": samples,
             "rarest_prevalence": prev, "traffic_pool_per_audit": ev.dataset_for_rarest_group,
             "evaluation_gpu_hours": eval_h, "gpu_hour_price": price, "label_cost": label,
             "mitigation_rate": mit, "mitigation_gpu_hours": mit_h, "retrains": retrains,
             "compute_cost": costs["compute"], "label_cost_total": costs["labels"],
             "mitigation_cost": costs["mitigation"], "cost": total,
             "largest_cost": max(costs, key=costs.get) if total > 0 else "none",
             "label_share": costs["labels"] / total if total > 0 else 0.0}
        return FairnessAuditResult(r, lambda: _audit_work(r))


def _audit_work(r):
    lv = " × ".join(str(x) for x in r["attribute_levels"])
    return [
        ("Intersectional subgroups", "K = \\prod_j L_j", f"{lv} = **{r['subgroups']:,}**"),
        ("Samples per subgroup", "n = z^2 p(1-p)/w^2",
         f"±{pct(r['ci_half_width'])} at {pct(r['confidence'], 0)}: **{r['samples_per_subgroup']:,}**; "
         f"× {r['subgroups']:,} = {r['samples_per_audit']:,} per audit"),
        ("Rarest subgroup", "N_{pool} = n / \\pi_{min}",
         f"{r['samples_per_subgroup']:,} / {r['rarest_prevalence']:.3g} = **{r['traffic_pool_per_audit']:,}** "
         "requests screened per audit"),
        ("Audits in a year", "A = D \\times a",
         f"{r['deployments']:,} deployments × {r['audits_per_year']} = **{r['audits']:,}** audits, "
         f"{r['labelled_samples']:,.0f} labelled samples"),
        ("Who pays", "\\$ = H_{eval}\\,p_{GPU} + S\\,c_{label} + R\\,H_{retrain}\\,p_{GPU}",
         f"compute ${_usd(r['compute_cost'])} + labels ${_usd(r['label_cost_total'])} + mitigation "
         f"${_usd(r['mitigation_cost'])} = **${_usd(r['cost'])}** (labels {pct(r['label_share'])})"),
    ]
