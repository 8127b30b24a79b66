"""Trimming to Discord's limits: each part to its own, then the 6,000 total."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.alerts.embed_limits import EmbedDraft, EmbedField, fit, pack_lines

MOMENT = datetime(2025, 6, 12, 18, 31, 20, tzinfo=timezone.utc)


def draft(**parts: object) -> EmbedDraft:
    defaults: dict[str, object] = {"title": "t", "colour": 0, "timestamp": MOMENT, "footer": "f"}
    return EmbedDraft(**{**defaults, **parts})  # type: ignore[arg-type]


def test_a_long_title_is_cut_to_256_with_an_ellipsis() -> None:
    title = fit(draft(title="A" * 300)).title
    assert len(title) == 256
    assert title == "A" * 255 + "…"


def test_long_field_names_and_values_are_cut_to_their_own_limits() -> None:
    (field,) = fit(draft(fields=(EmbedField("n" * 300, "v" * 2000),))).fields
    assert (len(field.name), len(field.value)) == (256, 1024)
    assert field.value.endswith("…")


def test_past_25_fields_the_last_says_how_many_are_not_shown() -> None:
    fields = tuple(EmbedField(f"f{number}", "v") for number in range(30))
    fitted = fit(draft(fields=fields)).fields
    assert len(fitted) == 25
    assert [f.name for f in fitted[:24]] == [f"f{number}" for number in range(24)]
    assert fitted[-1].value == "6 more not shown"


def test_over_6000_in_total_the_last_fields_give_way_and_the_first_stay_whole() -> None:
    fields = tuple(EmbedField(f"field {number}", "x" * 1000) for number in range(8))
    fitted = fit(draft(title="T" * 200, fields=fields))
    assert fitted.total_length <= 6000
    assert fitted.fields[:5] == fields[:5]
    assert fitted.fields[-1].value.endswith("…")


def test_a_huge_description_gives_way_once_no_field_is_left() -> None:
    fitted = fit(draft(description="d" * 4096, footer="F" * 2048, fields=(EmbedField("a", "b"),)))
    assert fitted.total_length == 6000
    assert fitted.footer == "F" * 2048
    assert fitted.description is not None and fitted.description.endswith("…")


def test_lines_are_packed_whole_into_as_few_chunks_as_fit() -> None:
    assert pack_lines(["a" * 400, "b" * 400, "c" * 400], 1024) == ["a" * 400 + "\n" + "b" * 400, "c" * 400]
