"""The flood digest a channel gets once it is over its hourly budget."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.alerts import Alert, DataDelay, render_digest
from tests.support import alert_examples as examples
from tests.support.alert_examples import variant
from tests.support.discord_schema import assert_valid_embed, assert_valid_message


def sweeps_with_premiums(premiums: list[float]) -> list[Alert]:
    base = examples.sweeps()
    return [
        variant(base, premium=premium, detected_at=base.detected_at + timedelta(seconds=position))
        for position, premium in enumerate(premiums)
    ]


def test_twelve_alerts_show_the_top_ten_by_premium_largest_first() -> None:
    premiums = [
        60_000, 2_500_000, 75_000, 1_100_000, 52_000, 90_000, 310_000, 64_000, 5_000_000, 81_000, 55_000, 700_000,
    ]  # fmt: skip
    embed = render_digest(sweeps_with_premiums(premiums), channel_budget=30)
    assert embed.title == "12 more alerts this hour: top 10 by premium"
    listed = (embed.description or "").splitlines()[1:]
    assert [line.split("** ")[1].split(" ·")[0] for line in listed] == [
        "$5.00M", "$2.50M", "$1.10M", "$700K", "$310K", "$90K", "$81K", "$75K", "$64K", "$60K",
    ]  # fmt: skip
    assert "30 alerts an hour" in (embed.description or "")
    assert_valid_embed(embed.to_dict())  # type: ignore[arg-type]


def test_counts_every_alert_per_scanner_not_only_the_listed_ones() -> None:
    alerts = sweeps_with_premiums([60_000] * 11) + [examples.darkpool(), examples.breakouts()]
    embed = render_digest(alerts, channel_budget=30)
    by_scanner = {field.name: field.value for field in embed.fields}["By scanner"]
    assert by_scanner == "Sweeps 11 · Darkpool 1 · Breakouts 1"


def test_stock_prints_rank_by_notional_and_breakouts_without_dollars_come_last() -> None:
    alerts = [examples.breakouts(), examples.flow(), examples.darkpool()]
    lines = (render_digest(alerts, channel_budget=5).description or "").splitlines()[1:]
    assert ["AAPL DARK POOL" in lines[0], "NVDA 140C" in lines[1], "NVDA BREAKOUT" in lines[2]] == [True] * 3


def test_one_alert_reads_in_the_singular() -> None:
    assert render_digest([examples.flow()], channel_budget=1).title == "1 more alert this hour: top 1 by premium"


def test_the_footer_says_when_delays_are_mixed() -> None:
    alerts = [examples.sweeps(), variant(examples.flow(), data_delay=DataDelay.DELAYED)]
    assert "(mixed delays)" in (render_digest(alerts, channel_budget=30).footer.text or "")


def test_the_timestamp_is_the_latest_alert() -> None:
    alerts = [examples.flow(), examples.sweeps()]  # June, then November
    assert render_digest(alerts, channel_budget=30).timestamp == examples.WINTER_DETECTION


def test_a_digest_of_the_longest_alerts_stays_within_limits() -> None:
    alerts = [examples.worst_option(), examples.worst_darkpool()] * 40
    embed = render_digest(alerts, channel_budget=30).to_dict()
    assert_valid_message({"embeds": [embed]})  # type: ignore[list-item]


@pytest.mark.parametrize("alerts, budget", [([], 30), ([examples.flow()], 0)])
def test_nothing_to_digest_or_no_budget_is_a_mistake_by_the_caller(alerts: list[Alert], budget: int) -> None:
    with pytest.raises(ValueError):
        render_digest(alerts, channel_budget=budget)
