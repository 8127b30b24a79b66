from __future__ import annotations

import pytest

from bot.sim.access import PLANS, KeyRing, RateBucket, retry_after_header
from bot.sim.scenario import ApiKeySpec


@pytest.mark.parametrize(
    ("plan", "trades", "quotes", "stocks", "timeframe"),
    [
        ("starter", False, False, True, "DELAYED"),
        ("developer", True, False, True, "DELAYED"),
        ("advanced", True, True, True, "REAL-TIME"),
        ("options_advanced", True, True, False, "REAL-TIME"),
    ],
)
def test_plans_say_what_a_key_may_read_and_how_fresh(
    plan: str, trades: bool, quotes: bool, stocks: bool, timeframe: str
) -> None:
    grant = PLANS[plan]
    option_trades, option_quotes = (grant.allows(kind, stock_data=False) for kind in ("trades", "quotes"))
    assert (option_trades, option_quotes, grant.timeframe) == (trades, quotes, timeframe)
    assert grant.allows("options_chain", stock_data=False)
    assert grant.allows("stock_snapshot", stock_data=True) is stocks
    assert grant.allows("trades", stock_data=True) is (stocks and trades)


def test_a_bucket_admits_a_burst_then_says_how_long_to_wait() -> None:
    bucket = RateBucket(rate=2.0, burst=2)
    assert bucket.take(0.0) is None and bucket.take(0.0) is None
    assert bucket.take(0.0) == pytest.approx(0.5)
    assert bucket.take(0.25) == pytest.approx(0.25)  # a refused request costs nothing
    assert bucket.take(0.5) is None


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    assert [retry_after_header(wait) for wait in (0.01, 1.0, 1.2)] == ["1", "1", "2"]


def test_keys_can_be_added_replaced_and_removed() -> None:
    ring = KeyRing([ApiKeySpec(key="a")])
    ring.set(ApiKeySpec(key="a", plan="starter", requests_per_second=5))
    grant = ring.get("a")
    assert grant is not None and grant.plan.name == "starter" and grant.bucket is not None
    assert grant.bucket.burst == 5
    ring.remove("a")
    assert ring.get("a") is None
