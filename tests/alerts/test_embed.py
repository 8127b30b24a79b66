"""The embed a channel sees: valid for Discord, within its limits, real values only."""

from __future__ import annotations

import re
from collections.abc import Callable

import discord
import pytest
from hypothesis import given, settings

from bot.alerts import Alert, DataDelay, Scanner, Status, Tag, render_embed
from tests.alerts.strategies import alerts
from tests.support import alert_examples as examples
from tests.support.alert_examples import variant
from tests.support.discord_schema import assert_valid_embed, assert_valid_message, assert_valid_webhook_message

GREEN, RED, GREY, GOLD = 0x2ECC71, 0xE74C3C, 0x95A5A6, 0xFFD700
ALL_EXAMPLES = {
    **{scanner.value: make for scanner, make in examples.REALISTIC.items()},
    **{f"worst {name}": make for name, make in examples.WORST_CASES.items()},
}
# Pictographs and the coloured circles/squares used as status markers.
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")


def fields_of(embed: discord.Embed) -> dict[str, str]:
    return {field.name or "": field.value or "" for field in embed.fields}


def everything_shown(embed: discord.Embed) -> str:
    """All the text a reader can see in the embed."""
    parts = [embed.title, embed.description, embed.author.name, embed.footer.text]
    parts += [part for field in embed.fields for part in (field.name, field.value)]
    return "\n".join(part for part in parts if part)


class TestValidForDiscord:
    @pytest.mark.parametrize("make", ALL_EXAMPLES.values(), ids=ALL_EXAMPLES.keys())
    def test_every_example_is_a_valid_embed_and_message(self, make: Callable[[], Alert]) -> None:
        embed = render_embed(make()).to_dict()
        assert_valid_embed(dict(embed))
        assert_valid_message({"content": None, "embeds": [embed], "allowed_mentions": {"parse": []}})
        assert_valid_webhook_message({"embeds": [embed], "username": "ORAKL"})

    @settings(max_examples=60, deadline=None)
    @given(alerts())
    def test_any_alert_renders_within_discords_limits(self, alert: Alert) -> None:
        embed = render_embed(alert).to_dict()
        assert_valid_embed(dict(embed))
        assert_valid_message({"embeds": [embed]})

    @pytest.mark.parametrize("make", examples.WORST_CASES.values(), ids=examples.WORST_CASES.keys())
    def test_the_worst_case_is_trimmed_with_an_ellipsis_but_keeps_its_headline(self, make: Callable[[], Alert]) -> None:
        alert = make()
        embed = render_embed(alert)
        assert len(embed) <= 6000
        shown = everything_shown(embed)
        assert "…" in shown
        assert alert.ticker in (embed.title or "")
        assert "Not financial advice." in (embed.footer.text or "")
        assert f"Score {round(alert.score or 0)}/100" in fields_of(embed)


class TestLooks:
    def test_the_sweep_title_reads_like_a_trader_would_say_it(self) -> None:
        assert render_embed(examples.sweeps()).title == "🟢 SPY $600 Call 12/19 · SWEEP"

    @pytest.mark.parametrize("make", ALL_EXAMPLES.values(), ids=ALL_EXAMPLES.keys())
    def test_a_title_has_at_most_one_emoji(self, make: Callable[[], Alert]) -> None:
        assert len(EMOJI.findall(render_embed(make()).title or "")) <= 1

    @pytest.mark.parametrize(
        "make, colour",
        [
            (examples.sweeps, GREEN),
            (examples.flow, GREEN),
            (examples.scalps, RED),
            (examples.darkpool, GREY),
            (examples.golden_sweeps, GOLD),  # bearish, and still gold: golden is its own colour
        ],
    )
    def test_colour_follows_sentiment_and_golden_sweeps_are_gold(self, make: Callable[[], Alert], colour: int) -> None:
        assert render_embed(make()).colour == discord.Colour(colour)

    def test_an_alert_without_sentiment_is_grey(self) -> None:
        assert render_embed(variant(examples.sweeps(), sentiment=None)).colour == discord.Colour(GREY)

    def test_footer_carries_the_disclaimer_and_how_fresh_the_data_is(self) -> None:
        live = render_embed(examples.sweeps()).footer.text or ""
        delayed = render_embed(examples.golden_sweeps()).footer.text or ""
        assert live.startswith("Not financial advice. Data: Polygon/Massive (REAL-TIME).")
        assert delayed.startswith("Not financial advice. Data: Polygon/Massive (DELAYED).")

    def test_the_timestamp_is_when_the_alert_was_detected(self) -> None:
        alert = examples.sweeps()
        assert render_embed(alert).timestamp == alert.detected_at

    def test_an_accumulation_re_alert_says_so(self) -> None:
        embed = render_embed(variant(examples.sweeps(), status=Status.ACCUMULATION))
        assert embed.author.name == "Sweeps · ACCUMULATION"


class TestRealValuesOnly:
    @pytest.mark.parametrize("make", examples.REALISTIC.values(), ids=[s.value for s in examples.REALISTIC])
    def test_nothing_is_padded_with_placeholders(self, make: Callable[[], Alert]) -> None:
        for value in fields_of(render_embed(make())).values():
            assert not re.search(r"\bNone\b|N/A|\bnan\b|^-$", value), value

    def test_a_value_that_was_not_measured_has_no_field(self) -> None:
        shown = fields_of(render_embed(variant(examples.sweeps(), spot=None, open_interest=None)))
        assert "Spot" not in shown
        assert "Open interest" not in shown
        assert "Premium" in shown

    def test_without_iv_prob_itm_says_why_it_is_missing(self) -> None:
        assert fields_of(render_embed(examples.scalps()))["Prob ITM"] == "n/a (no IV)"

    def test_with_iv_prob_itm_is_a_percentage(self) -> None:
        assert fields_of(render_embed(examples.flow()))["Prob ITM"] == "54%"

    def test_iv_known_but_no_probability_computed_shows_nothing(self) -> None:
        assert "Prob ITM" not in fields_of(render_embed(variant(examples.flow(), prob_itm=None)))


class TestScore:
    @pytest.mark.parametrize("make", examples.REALISTIC.values(), ids=[s.value for s in examples.REALISTIC])
    def test_every_score_component_is_visible_with_its_basis(self, make: Callable[[], Alert]) -> None:
        alert = make()
        shown = fields_of(render_embed(alert))
        score_text = shown[f"Score {round(alert.score or 0)}/100"]
        for part in alert.score_components:
            assert part.name in score_text and part.basis in score_text, part

    def test_the_sweep_score_reads_component_by_component(self) -> None:
        assert fields_of(render_embed(examples.sweeps()))["Score 78/100"].splitlines() == [
            "premium: $1.2M → 38",
            "size vs OI: 2,000 vs 1,450 OI → 20",
            "volume vs average: 3.9K vs 20-day avg 1.1K → 10",
            "strike distance: 1.7% OTM → 5",
            "side: bought at the ask → 5",
        ]

    def test_many_components_continue_in_another_field_rather_than_vanish(self) -> None:
        alert = variant(examples.sweeps(), score_components=examples.long_components(6))
        embed = render_embed(alert)
        score_text = "\n".join(f.value or "" for f in embed.fields if (f.name or "").startswith("Score"))
        assert [f.name for f in embed.fields].count("Score (continued)") >= 1
        for part in alert.score_components:
            assert part.name in score_text


class TestOptionFacts:
    def test_the_sweep_shows_its_numbers(self) -> None:
        shown = fields_of(render_embed(examples.sweeps()))
        assert shown["Premium"] == "$1.20M"
        assert shown["Size"] == "2,000 contracts"
        assert shown["Avg price"] == "$6.00"
        assert shown["Side"] == "BUY"
        assert shown["Expiry"] == "2025-12-19 · 24 DTE"
        assert shown["Spot"] == "$590.12 · strike 1.7% OTM"  # 600 / 590.12 = 1.0167
        assert shown["Exchanges"] == "4"

    def test_a_0dte_contract_says_0dte(self) -> None:
        embed = render_embed(examples.scalps())
        assert fields_of(embed)["Expiry"] == "2025-06-12 · 0DTE"
        assert "0DTE" in (embed.description or "")

    def test_a_side_read_from_the_snapshot_quote_is_marked_approximate(self) -> None:
        assert fields_of(render_embed(examples.bullseye()))["Side"] == "BUY (approximate)"

    def test_repeat_flow_shows_hits_and_accumulated_premium(self) -> None:
        assert fields_of(render_embed(examples.flow()))["Repeats"] == "3 hits · $184.5K accumulated"

    @pytest.mark.parametrize(
        "make", [examples.sweeps, examples.golden_sweeps], ids=["standard-time", "daylight-saving"]
    )
    def test_the_detection_window_is_in_new_york_time(self, make: Callable[[], Alert]) -> None:
        assert fields_of(render_embed(make()))["Window"] == "14:31:05–14:31:20 ET"


class TestDarkpool:
    def test_shows_the_print_and_where_it_sits(self) -> None:
        embed = render_embed(examples.darkpool())
        shown = fields_of(embed)
        assert embed.title == "⚪ AAPL · DARK POOL $12.50M"
        assert shown["Price"] == "$192.31"
        assert shown["Size"] == "65,000 shares"
        assert shown["Notional"] == "$12.50M"
        assert shown["Share of ADV"] == "0.13% of 30-day avg volume"
        assert shown["Level"] == "$192.30 · #1 of the day"
        assert shown["vs NBBO"] == "at mid"

    @pytest.mark.parametrize("make", [examples.darkpool, examples.worst_darkpool])
    def test_never_claims_a_buy_or_a_sell(self, make: Callable[[], Alert]) -> None:
        shown = everything_shown(render_embed(make())).lower()
        assert not re.search(r"\b(buy|sell|bought|sold|buyer|seller|bullish|bearish)\b", shown)
        assert "Side" not in fields_of(render_embed(make()))


class TestBreakouts:
    def test_shows_the_level_broken_and_how_far_past_it(self) -> None:
        embed = render_embed(examples.breakouts())
        shown = fields_of(embed)
        assert embed.title == "🟢 NVDA · BREAKOUT above $139.50"
        assert shown["Level broken"] == "20-day high $139.50 · +1.2% past it"
        assert shown["Relative volume"] == "3.4×"
        assert shown["Day change"] == "+4.1%"
        assert shown["SMA20"] == "price above $131.40"
        assert shown["20-day low"] == "$118.20"

    def test_a_breakdown_names_the_low_it_lost(self) -> None:
        down = variant(
            examples.breakouts(), tags={Tag.BREAKDOWN}, price=115.0, change_percent=-3.2, sentiment="bearish"
        )
        embed = render_embed(down)
        shown = fields_of(embed)
        assert embed.title == "🔴 NVDA · BREAKDOWN below $118.20"
        assert shown["Level broken"] == "20-day low $118.20 · -2.7% past it"
        assert shown["SMA20"] == "price below $131.40"
        assert shown["20-day high"] == "$139.50"
        assert embed.colour == discord.Colour(RED)


def test_a_delay_that_was_not_reported_is_not_called_real_time() -> None:
    embed = render_embed(variant(examples.darkpool(), data_delay=DataDelay.UNKNOWN))
    assert "(delay unknown)" in (embed.footer.text or "")
    assert "REAL-TIME" not in everything_shown(embed)


def test_golden_sweep_embed_names_its_scanner() -> None:
    assert render_embed(examples.golden_sweeps()).author.name == Scanner.GOLDEN_SWEEPS.label


