"""Queueing: the M/M/c queue (Poisson arrivals, exponential service, c identical servers).

lambda: arrival rate (1/s); mu: service rate of one server (1/s); c: servers;
a = lambda / mu: offered load (erlangs, the mean number of busy servers); rho = a / c.

Sources: Kleinrock (1975), Queueing Systems, Vol. 1: Theory, Wiley, sections 3.2 (M/M/1) and
3.5-3.6 (M/M/m, Erlang's B and C formulas); Harchol-Balter (2013), Performance Modeling and
Design of Computer Systems, Cambridge University Press, chapter 14 (M/M/k, Erlang-C,
P(wait > t) = C e^{-(k mu - lambda) t}).

Erlang's formulas are computed in pure Python without overflow for any number of servers: Erlang
B by its inverse recurrence 1/B(k) = 1 + (k/a) / B(k-1), started where the Poisson terms a^k/k!
(which fall off like a Gaussian of width sqrt(a) around k = a) are negligible, so ~20 sqrt(a)
steps are exact to double precision.
"""
from __future__ import annotations

import functools
import math

from .._formula import formula
from ..checks import MAX_COUNT, TINY, integer, number
from ..errors import SpecError

# Cost grows with sqrt(offered load): about 20 sqrt(a) Poisson terms are summed near the mode.
# 1e8 erlangs (a hundred million requests in service at once) keeps that under ~0.2 M terms.
MAX_OFFERED_LOAD = 1e8


def _servers(servers) -> int:
    if type(servers) is int and 1 <= servers <= MAX_COUNT:   # the fast path (solvers call .raw in loops)
        return servers
    return integer("servers", servers, minimum=1, maximum=MAX_COUNT,
                   what=f"a whole number of servers >= 1 (at most {MAX_COUNT:,})")


def _load(offered_load) -> float:
    if type(offered_load) is float and 0.0 <= offered_load <= MAX_OFFERED_LOAD:   # the fast path
        return offered_load
    return number("offered_load", offered_load, lo=0.0, hi=MAX_OFFERED_LOAD,
                  allowed=f"a finite number of erlangs >= 0, at most {MAX_OFFERED_LOAD:g}")


def _quantile(quantile) -> float:
    return number("quantile", quantile, lo=0.0, hi=1.0, lo_open=True, hi_open=True,
                  allowed="a probability strictly between 0 and 1 (0.99 for p99)")


def _rates(arrival_rate, service_rate) -> None:
    if not service_rate >= TINY:
        raise SpecError("service_rate", service_rate, "a positive rate (requests per second per server)")
    if not arrival_rate >= 0:
        raise SpecError("arrival_rate", arrival_rate, "a rate >= 0")
    if arrival_rate / service_rate > MAX_OFFERED_LOAD:
        raise SpecError("arrival_rate", arrival_rate, f"at most {MAX_OFFERED_LOAD:g} x service_rate "
                        "(offered load in erlangs)")


@functools.lru_cache(maxsize=512)
def _erlang_b(c: int, a: float) -> float:
    if a == 0.0:
        return 0.0
    if c > a + 10.0 * math.sqrt(a) + 40.0:
        # P(Poisson(a) > c) < 1e-20 (Chernoff): sum_{k<=c} a^k/k! = e^a to double precision
        log_inv = a + math.lgamma(c + 1) - c * math.log(a)
        return math.exp(-log_inv) if log_inv < 745.0 else 0.0
    # The inverse of Erlang's recurrence B(k) = a B(k-1) / (k + a B(k-1)):
    #     x(k) = 1 / B(k) = 1 + (k / a) x(k-1),   x(0) = 1     (Kleinrock 1975, section 3.6)
    # x(k) = sum_{j<=k} P(j) / P(k) with P(j) = a^j / j!: positive terms only, so no cancellation
    # (x overflows to inf only where B < 1e-308 is 0 to double precision). One multiply-add per
    # server instead of factorials (lgamma) and logs. The terms j far below the mode m = min(c, a)
    # are below P(m) by exp(-(m - j)^2 / 2a) or less, so the sum starts at m - 10 sqrt(a) - 40
    # (the dropped part is < e^-50 of it, as in the summation this replaced), keeping the cost
    # O(sqrt(a)) at any fleet size.
    k0 = int(min(c, a) - 10.0 * math.sqrt(a) - 40.0)
    if k0 < 0:
        k0 = 0
    x, inv_a = 1.0, 1.0 / a
    for k in range(k0 + 1, c + 1):
        x = 1.0 + k * inv_a * x
    return 1.0 / x


@formula(None, servers=_servers, offered_load=_load)
def calc_erlang_b(servers, offered_load):
    """Blocking probability of M/M/c/c (Erlang B): B = (a^c/c!) / sum_{k=0..c} a^k/k!.

    Source: Erlang (1917); Kleinrock (1975), Vol. 1, section 3.6 (the M/M/m/m loss system).
    """
    return _erlang_b(_servers(servers), _load(offered_load))


@formula(None, servers=_servers, offered_load=_load)
def calc_erlang_c(servers, offered_load):
    """Probability that an arrival waits in M/M/c (Erlang C): C = B / (1 - rho (1 - B)), rho = a/c.

    1 when rho >= 1 (no steady state: the queue grows without bound).
    Source: Kleinrock (1975), Vol. 1, section 3.5; Harchol-Balter (2013), section 14.4.
    """
    c, a = _servers(servers), _load(offered_load)
    rho = a / c
    if rho >= 1.0:
        return 1.0
    b = _erlang_b(c, a)
    return b / (1.0 - rho * (1.0 - b))


@formula(None, arrival_rate="1/s", service_rate="1/s", servers=_servers)
def calc_queue_utilization(arrival_rate, service_rate, servers):
    """rho = lambda / (c mu): the fraction of time each server is busy (>= 1: unstable)."""
    _rates(arrival_rate, service_rate)
    return arrival_rate / (_servers(servers) * service_rate)


@formula("s", may_be_inf=True, arrival_rate="1/s", service_rate="1/s", servers=_servers)
def calc_mmc_mean_wait(arrival_rate, service_rate, servers):
    """Mean time in queue W_q = C(c, a) / (c mu - lambda); infinite when rho >= 1.

    For c = 1 (C = rho) this is the M/M/1 result rho / (mu - lambda) (Kleinrock 1975, section 3.2).
    Source: Kleinrock (1975), Vol. 1, section 3.5; Harchol-Balter (2013), section 14.4.
    """
    _rates(arrival_rate, service_rate)
    c = _servers(servers)
    spare = c * service_rate - arrival_rate
    if spare <= 0.0:
        return math.inf
    return calc_erlang_c.raw(c, arrival_rate / service_rate) / spare


@formula("s", may_be_inf=True, arrival_rate="1/s", service_rate="1/s", servers=_servers,
         quantile=_quantile)
def calc_mmc_wait_quantile(arrival_rate, service_rate, servers, quantile=0.99):
    """p-quantile of the time in queue: P(W > t) = C e^{-(c mu - lambda) t}, so
    t_p = ln(C / (1 - p)) / (c mu - lambda), and 0 when C <= 1 - p (most arrivals never wait);
    infinite when rho >= 1 (no steady state).

    Source: Harchol-Balter (2013), section 14.4 (the waiting-time tail of M/M/k);
    Kleinrock (1975), Vol. 1, section 3.5 (FCFS waiting-time distribution of M/M/m).
    """
    _rates(arrival_rate, service_rate)
    c, p = _servers(servers), _quantile(quantile)
    spare = c * service_rate - arrival_rate
    if spare <= 0.0:
        return math.inf
    prob_wait = calc_erlang_c.raw(c, arrival_rate / service_rate)
    if prob_wait <= 1.0 - p:
        return 0.0
    return math.log(prob_wait / (1.0 - p)) / spare


def _response_tail(t, prob_wait, mu, theta):
    """P(T > t) for T = W + S: W is 0 w.p. 1 - C, else Exp(theta); S ~ Exp(mu).

    The sum of Exp(theta) and Exp(mu) has tail e^{-s t} (1 + s (1 - e^{-d t}) / d), s the slower
    rate, d = |theta - mu| (written with expm1 so that theta ~ mu loses no digits).
    """
    s, d = (mu, theta - mu) if theta >= mu else (theta, mu - theta)
    g = t if d == 0.0 else -math.expm1(-d * t) / d
    return (1.0 - prob_wait) * math.exp(-mu * t) + prob_wait * math.exp(-s * t) * (1.0 + s * g)


@formula("s", may_be_inf=True, arrival_rate="1/s", service_rate="1/s", servers=_servers,
         quantile=_quantile)
def calc_mmc_response_quantile(arrival_rate, service_rate, servers, quantile=0.99):
    """p-quantile of the response time T = wait + service in M/M/c (FCFS, exponential service).

    P(T > t) = (1 - C) e^{-mu t} + C P(Exp(c mu - lambda) + Exp(mu) > t), solved for
    P(T > t) = 1 - p by bisection; infinite when rho >= 1 (no steady state). For c = 1, T ~ Exp(mu - lambda) and t_p = ln(1/(1-p)) / (mu - lambda).
    Source: Harchol-Balter (2013), chapter 14 (M/M/k response time = Erlang-C wait + service);
    Kleinrock (1975), Vol. 1, sections 3.2 and 3.5.
    """
    _rates(arrival_rate, service_rate)
    c, p = _servers(servers), _quantile(quantile)
    theta = c * service_rate - arrival_rate
    if theta <= 0.0:
        return math.inf
    prob_wait = calc_erlang_c.raw(c, arrival_rate / service_rate)
    target = 1.0 - p
    lo, hi = 0.0, 1.0 / min(service_rate, theta)
    for _ in range(2100):               # doubling: the tail is below any target long before 2^2100
        if _response_tail(hi, prob_wait, service_rate, theta) <= target:
            break
        lo, hi = hi, 2.0 * hi
    for _ in range(200):                # the tail is continuous and decreasing in t
        mid = 0.5 * (lo + hi)
        if _response_tail(mid, prob_wait, service_rate, theta) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-13 * hi:
            break
    return 0.5 * (lo + hi)
