"""The /flow chart is a real PNG image of the summary, sized for a Discord embed."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from PIL import Image

from cogs.flow.chart import CALL_COLOUR, PUT_COLOUR, render_chart
from cogs.flow.summary import FlowSummary, summarize
from tests.cogs.flow.chains import JUNE_20, SPOT, SPY_CONTRACTS, chain, contract

AS_OF = datetime(2025, 6, 12, 18, 31, 20, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def decoded(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    return Image.open(io.BytesIO(png)).convert("RGB")


def rgb(colour: str) -> tuple[int, int, int]:
    red, green, blue = bytes.fromhex(colour.removeprefix("#"))
    return red, green, blue


def test_the_chart_is_a_png_of_the_expected_size() -> None:
    image = decoded(render_chart(summarize(chain(SPY_CONTRACTS, AS_OF), SPOT)))
    assert image.size == (640, 520)


def test_calls_and_puts_are_drawn_in_their_colours() -> None:
    image = decoded(render_chart(summarize(chain(SPY_CONTRACTS, AS_OF), SPOT)))
    colours = {colour for _, colour in image.getcolors(maxcolors=image.width * image.height)}
    assert {rgb(CALL_COLOUR), rgb(PUT_COLOUR)} <= colours


def test_a_single_strike_and_no_spot_still_draw() -> None:
    image = decoded(render_chart(summarize(chain([contract("put", 600, JUNE_20, 10, 1.0)], AS_OF), None)))
    assert image.size == (640, 520)


def test_a_chain_with_no_trades_still_draws() -> None:
    image = decoded(render_chart(FlowSummary("SPY", SPOT, AS_OF, contracts=())))
    assert image.size == (640, 520)
