"""Black-Scholes-Merton on one contract: price, greeks and the probability of finishing ITM.

Pure math, no I/O. Volatility is always the contract's own implied volatility: when a
snapshot has none, callers say so rather than assume one (the replaced design used 30%).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

OptionKind = Literal["call", "put"]
SQRT_2 = math.sqrt(2.0)
SQRT_2PI = math.sqrt(2.0 * math.pi)


class MissingVolatility(ValueError):
    """A probability or price was asked for without an implied volatility."""


def norm_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / SQRT_2))


def norm_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / SQRT_2PI


def _d1_d2(spot: float, strike: float, t_years: float, iv: float, r: float, q: float) -> tuple[float, float]:
    vol_sqrt_t = iv * math.sqrt(t_years)
    d1 = (math.log(spot / strike) + (r - q + 0.5 * iv * iv) * t_years) / vol_sqrt_t
    return d1, d1 - vol_sqrt_t


def _check(spot: float, strike: float, kind: str) -> None:
    if spot <= 0 or strike <= 0:
        raise ValueError(f"spot and strike must be positive (spot={spot}, strike={strike})")
    if kind not in ("call", "put"):
        raise ValueError(f"kind must be 'call' or 'put', got {kind!r}")


def _require_iv(iv: float | None) -> float:
    if iv is None or not math.isfinite(iv) or iv <= 0:
        raise MissingVolatility(f"no usable implied volatility ({iv!r})")
    return iv


def prob_itm(
    spot: float,
    strike: float,
    t_years: float,
    iv: float | None,
    kind: OptionKind,
    r: float = 0.0,
    q: float = 0.0,
) -> float:
    """Risk-neutral probability of expiring in the money: N(d2) for a call, N(-d2) for a put.

    At or past expiry the answer is the intrinsic 1.0 or 0.0 (a strike equal to spot is not
    in the money).
    """
    _check(spot, strike, kind)
    if t_years <= 0:
        itm = spot > strike if kind == "call" else spot < strike
        return 1.0 if itm else 0.0
    _, d2 = _d1_d2(spot, strike, t_years, _require_iv(iv), r, q)
    return norm_cdf(d2) if kind == "call" else norm_cdf(-d2)


@dataclass(frozen=True, slots=True)
class Greeks:
    price: float
    delta: float
    gamma: float
    theta: float  # per calendar day, as Polygon reports it
    vega: float  # per 1 volatility point (0.01), as Polygon reports it


def black_scholes(
    spot: float,
    strike: float,
    t_years: float,
    iv: float | None,
    kind: OptionKind,
    r: float = 0.0,
    q: float = 0.0,
) -> Greeks:
    _check(spot, strike, kind)
    if t_years <= 0:
        intrinsic = max(0.0, spot - strike) if kind == "call" else max(0.0, strike - spot)
        delta = (1.0 if spot > strike else 0.0) if kind == "call" else (-1.0 if spot < strike else 0.0)
        return Greeks(intrinsic, delta, 0.0, 0.0, 0.0)
    iv = _require_iv(iv)
    d1, d2 = _d1_d2(spot, strike, t_years, iv, r, q)
    disc_r, disc_q = math.exp(-r * t_years), math.exp(-q * t_years)
    sqrt_t = math.sqrt(t_years)
    gamma = disc_q * norm_pdf(d1) / (spot * iv * sqrt_t)
    vega = spot * disc_q * norm_pdf(d1) * sqrt_t / 100.0
    decay = -spot * disc_q * norm_pdf(d1) * iv / (2.0 * sqrt_t)
    if kind == "call":
        price = spot * disc_q * norm_cdf(d1) - strike * disc_r * norm_cdf(d2)
        delta = disc_q * norm_cdf(d1)
        theta = decay - r * strike * disc_r * norm_cdf(d2) + q * spot * disc_q * norm_cdf(d1)
    else:
        price = strike * disc_r * norm_cdf(-d2) - spot * disc_q * norm_cdf(-d1)
        delta = -disc_q * norm_cdf(-d1)
        theta = decay + r * strike * disc_r * norm_cdf(-d2) - q * spot * disc_q * norm_cdf(-d1)
    return Greeks(price, delta, gamma, theta / 365.0, vega)
