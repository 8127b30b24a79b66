"""The Alert model: what it accepts, what it refuses, and how it survives a JSON line."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from bot.alerts import Alert, Scanner, Side, Tag
from tests.alerts.strategies import alerts
from tests.support import alert_examples as examples
from tests.support.alert_examples import variant


class TestIdentity:
    def test_the_same_detection_always_gets_the_same_id(self) -> None:
        assert examples.sweeps().id == examples.sweeps().id

    def test_the_id_does_not_depend_on_the_timezone_the_time_was_given_in(self) -> None:
        alert = examples.sweeps()
        in_new_york = alert.detected_at.astimezone(ZoneInfo("America/New_York"))
        assert variant(alert, detected_at=in_new_york).id == alert.id

    @pytest.mark.parametrize(
        "updates",
        [
            {"detected_at": examples.WINTER_DETECTION + timedelta(seconds=1)},
            {"dedup_key": "O:SPY251219C00605000"},
            {"scanner": Scanner.GOLDEN_SWEEPS},
        ],
    )
    def test_a_different_scanner_key_or_time_is_a_different_alert(self, updates: dict[str, Any]) -> None:
        assert variant(examples.sweeps(), **updates).id != examples.sweeps().id

    def test_kind_follows_the_scanner(self) -> None:
        assert examples.sweeps().kind == "option"
        assert examples.darkpool().kind == "stock"
        assert examples.breakouts().kind == "stock"

    def test_alerts_cannot_be_changed_once_made(self) -> None:
        alert = examples.sweeps()
        with pytest.raises(ValidationError):
            alert.premium = 1.0  # type: ignore[misc]


class TestJson:
    @settings(max_examples=60, deadline=None)
    @given(alerts())
    def test_a_json_line_reads_back_as_the_same_alert(self, alert: Alert) -> None:
        line = alert.to_json()
        assert "\n" not in line
        assert Alert.model_validate_json(line) == alert

    @pytest.mark.parametrize("make", [*examples.REALISTIC.values(), *examples.WORST_CASES.values()])
    def test_every_example_round_trips(self, make: Any) -> None:
        alert = make()
        again = Alert.model_validate_json(alert.to_json())
        assert again == alert
        assert again.id == alert.id

    def test_the_line_carries_id_and_kind_for_readers_of_the_log(self) -> None:
        alert = examples.sweeps()
        record = json.loads(alert.to_json())
        assert record["id"] == alert.id
        assert record["kind"] == "option"
        assert record["detected_at"] == "2025-11-25T19:31:20Z"

    def test_tags_are_written_in_display_order_whatever_order_they_came_in(self) -> None:
        alert = variant(examples.sweeps(), tags=[Tag.OPENING, Tag.SWEEP])
        assert json.loads(alert.to_json())["tags"] == ["SWEEP", "OPENING"]

    @pytest.mark.parametrize("key, value", [("id", "0000000000000000"), ("kind", "stock")])
    def test_a_line_whose_derived_fields_were_tampered_with_is_refused(self, key: str, value: str) -> None:
        record = json.loads(examples.sweeps().to_json())
        record[key] = value
        with pytest.raises(ValidationError, match=key):
            Alert.model_validate_json(json.dumps(record))

    def test_an_unknown_field_is_refused_rather_than_dropped(self) -> None:
        record = json.loads(examples.sweeps().to_json())
        record["premuim"] = 5
        with pytest.raises(ValidationError, match="premuim"):
            Alert.model_validate_json(json.dumps(record))


class TestTimes:
    def test_times_are_kept_in_utc(self) -> None:
        eastern = datetime(2025, 11, 25, 14, 31, 20, tzinfo=ZoneInfo("America/New_York"))
        alert = variant(examples.sweeps(), detected_at=eastern, window_start=eastern, window_end=eastern)
        assert alert.detected_at.utcoffset() == timedelta(0)
        assert alert.detected_at == datetime(2025, 11, 25, 19, 31, 20, tzinfo=timezone.utc)

    def test_a_time_without_a_timezone_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="detected_at"):
            variant(examples.sweeps(), detected_at=datetime(2025, 11, 25, 14, 31, 20))


class TestImpliedTags:
    def test_zero_dte_is_tagged_0dte(self) -> None:
        assert Tag.ZERO_DTE in examples.scalps().tags

    def test_a_0dte_tag_on_a_later_expiry_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="0DTE"):
            variant(examples.sweeps(), tags={Tag.SWEEP, Tag.ZERO_DTE})

    def test_extended_hours_is_tagged(self) -> None:
        assert Tag.EXTENDED_HOURS in variant(examples.darkpool(), extended_hours=True).tags

    def test_an_extended_hours_tag_on_a_regular_hours_print_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="EXTENDED HOURS"):
            variant(examples.darkpool(), tags={Tag.DARK_POOL, Tag.EXTENDED_HOURS})


class TestRefused:
    @pytest.mark.parametrize(
        "updates, complaint",
        [
            ({"premium": -1.0}, "premium"),
            ({"score": 100.5}, "score"),
            ({"score": -1}, "score"),
            ({"premium": float("nan")}, "premium"),
            ({"spot": float("inf")}, "spot"),
            ({"strike": 0}, "strike"),
            ({"prob_itm": 1.2}, "prob_itm"),
            ({"delta": -1.5}, "delta"),
            ({"size": 0}, "size"),
            ({"ticker": "spy"}, "ticker"),
            ({"contract": "SPY251219C00600000"}, "contract"),
            ({"strike": None}, "needs strike"),
            ({"expiration": None}, "needs expiration"),
            ({"implied_volatility": None}, "implied_volatility it was computed from"),
            ({"score": None}, "score and its components"),
            ({"score_components": ()}, "score and its components"),
            ({"window_start": examples.WINTER_DETECTION + timedelta(seconds=1)}, "ends before it starts"),
            ({"window_end": None}, "both ends"),
        ],
    )
    def test_an_option_alert_with_an_impossible_value(self, updates: dict[str, Any], complaint: str) -> None:
        with pytest.raises(ValidationError, match=complaint):
            variant(examples.sweeps(), **updates)

    @pytest.mark.parametrize("basis", ["   ", "premium\n$1.2M", "premium\x00"])
    def test_a_blank_or_multi_line_basis(self, basis: str) -> None:
        with pytest.raises(ValidationError, match="basis"):
            examples.components(("premium", 38, basis))

    def test_a_blank_nbbo_position(self) -> None:
        with pytest.raises(ValidationError, match="nbbo_position"):
            variant(examples.darkpool(), nbbo_position="  ")

    def test_repeated_score_component_names(self) -> None:
        parts = examples.components(("premium", 40, "$1.2M"), ("premium", 38, "$1.2M"))
        with pytest.raises(ValidationError, match="repeat"):
            variant(examples.sweeps(), score_components=parts)

    @pytest.mark.parametrize(
        "updates, complaint",
        [
            ({"side": Side.BUY}, "no buy/sell side"),
            ({"side": Side.SELL}, "no buy/sell side"),
            ({"sentiment": "bullish"}, "no sentiment"),
            ({"strike": 190.0}, "no strike"),
            ({"expiration": date(2025, 7, 18)}, "no expiration"),
        ],
    )
    def test_a_dark_pool_alert_that_claims_what_a_dark_print_cannot_say(
        self, updates: dict[str, Any], complaint: str
    ) -> None:
        with pytest.raises(ValidationError, match=complaint):
            variant(examples.darkpool(), **updates)

    @pytest.mark.parametrize("tags", [set(), {Tag.BREAKOUT, Tag.BREAKDOWN}])
    def test_a_breakout_is_either_up_or_down(self, tags: set[Tag]) -> None:
        with pytest.raises(ValidationError, match="exactly one of BREAKOUT or BREAKDOWN"):
            variant(examples.breakouts(), tags=tags)


def test_percent_past_level_is_measured_from_the_level_that_broke() -> None:
    # 141.20 over a 139.50 high is 1.2186% past it; 115.00 under a 118.20 low is -2.7073%.
    assert examples.breakouts().percent_past_level == pytest.approx(1.21864, abs=1e-5)
    down = variant(examples.breakouts(), tags={Tag.BREAKDOWN}, price=115.0, sentiment="bearish")
    assert down.broken_level == 118.20
    assert down.percent_past_level == pytest.approx(-2.70728, abs=1e-5)
