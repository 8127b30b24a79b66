"""The /flow chart is a real PNG image of the summary."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from matplotlib.image import imread

from cogs.flow.chart import render_chart
from cogs.flow.summary import summarize
from tests.cogs.flow.chains import JUNE_20, SPOT, SPY_CONTRACTS, chain, contract

AS_OF = datetime(2025, 6, 12, 18, 31, 20, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_chart_is_a_png_of_the_expected_size() -> None:
    png = render_chart(summarize(chain(SPY_CONTRACTS, AS_OF), SPOT))
    assert png.startswith(PNG_SIGNATURE)
    height, width, _ = imread(io.BytesIO(png)).shape
    assert (width, height) == (900, 700)


def test_a_single_strike_and_no_spot_still_draw() -> None:
    png = render_chart(summarize(chain([contract("put", 600, JUNE_20, 10, 1.0)], AS_OF), None))
    assert png.startswith(PNG_SIGNATURE)
