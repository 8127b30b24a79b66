from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.analytics.greeks import MissingVolatility, black_scholes, prob_itm

# Hull, "Options, Futures, and Other Derivatives", the Black-Scholes-Merton worked example:
# S=42, K=40, r=10%, sigma=20%, T=0.5 gives d1=0.7693, d2=0.6278, c=4.76, p=0.81.
HULL = dict(spot=42.0, strike=40.0, t_years=0.5, iv=0.20, r=0.10)


def test_hull_worked_example_prices_and_probability() -> None:
    call = black_scholes(kind="call", **HULL)
    put = black_scholes(kind="put", **HULL)
    assert call.price == pytest.approx(4.76, abs=0.005)
    assert put.price == pytest.approx(0.81, abs=0.005)
    assert call.delta == pytest.approx(0.7791, abs=5e-4)  # N(0.7693)
    assert prob_itm(kind="call", **HULL) == pytest.approx(0.7349, abs=5e-4)  # N(0.6278)
    assert prob_itm(kind="put", **HULL) == pytest.approx(1 - 0.7349, abs=5e-4)


def test_at_the_money_one_year_is_n_of_minus_half_sigma() -> None:
    # r=q=0: d2 = (ln 1 - 0.5*0.2^2*1) / 0.2 = -0.1, and N(-0.1) = 0.46017 from the table.
    assert prob_itm(100.0, 100.0, 1.0, 0.20, "call") == pytest.approx(0.46017, abs=1e-5)
    assert prob_itm(100.0, 100.0, 1.0, 0.20, "put") == pytest.approx(0.53983, abs=1e-5)


@given(
    spot=st.floats(1.0, 1000.0),
    moneyness=st.floats(0.5, 2.0),
    t_years=st.floats(1 / 365, 3.0),
    iv=st.floats(0.05, 2.0),
    r=st.floats(0.0, 0.10),
    q=st.floats(0.0, 0.05),
)
def test_put_call_parity(spot: float, moneyness: float, t_years: float, iv: float, r: float, q: float) -> None:
    strike = spot * moneyness
    call = black_scholes(spot, strike, t_years, iv, "call", r, q)
    put = black_scholes(spot, strike, t_years, iv, "put", r, q)
    forward_value = spot * math.exp(-q * t_years) - strike * math.exp(-r * t_years)
    assert call.price - put.price == pytest.approx(forward_value, abs=1e-9 * max(spot, strike))
    assert call.delta - put.delta == pytest.approx(math.exp(-q * t_years), abs=1e-12)


@pytest.mark.parametrize(
    ("spot", "strike", "kind", "expected"),
    [
        (105.0, 100.0, "call", 1.0),
        (95.0, 100.0, "call", 0.0),
        (95.0, 100.0, "put", 1.0),
        (105.0, 100.0, "put", 0.0),
        (100.0, 100.0, "call", 0.0),  # at the money is not in the money
        (100.0, 100.0, "put", 0.0),
    ],
)
def test_at_expiry_the_probability_is_intrinsic(spot: float, strike: float, kind: str, expected: float) -> None:
    assert prob_itm(spot, strike, 0.0, 0.25, kind) == expected  # type: ignore[arg-type]
    assert prob_itm(spot, strike, -0.01, 0.25, kind) == expected  # type: ignore[arg-type]


def test_at_expiry_the_price_is_intrinsic_and_needs_no_volatility() -> None:
    assert black_scholes(105.0, 100.0, 0.0, None, "call").price == 5.0
    assert black_scholes(105.0, 100.0, 0.0, None, "put").price == 0.0
    assert prob_itm(105.0, 100.0, 0.0, None, "call") == 1.0


@pytest.mark.parametrize("iv", [None, float("nan"), 0.0, -0.2, float("inf")])
def test_missing_volatility_is_reported_not_assumed(iv: float | None) -> None:
    with pytest.raises(MissingVolatility):
        prob_itm(100.0, 100.0, 0.1, iv, "call")
    with pytest.raises(MissingVolatility):
        black_scholes(100.0, 100.0, 0.1, iv, "put")


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        prob_itm(0.0, 100.0, 0.1, 0.2, "call")
    with pytest.raises(ValueError, match="kind"):
        prob_itm(100.0, 100.0, 0.1, 0.2, "straddle")  # type: ignore[arg-type]
