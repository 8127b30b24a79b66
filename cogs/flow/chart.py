"""The /flow chart: premium by strike and by expiry, calls against puts, as a PNG.

Rendering takes a hundred milliseconds or more of CPU, so callers run it in a thread
(`asyncio.to_thread`). It uses a bare `Figure` on the Agg canvas, never pyplot, whose global
state is not thread-safe.

What keeps it fast for a chain of hundreds of strikes: each side's bars are one
`PolyCollection` (`Axes.bar` adds one `Rectangle` artist per bar, each with its own transform
and data-limit update), the margins are fixed (`layout="constrained"` measures every tick label
and makes `savefig` draw the figure twice) and so are the title positions (matplotlib would
otherwise measure the tick labels again at every draw to keep titles clear of them).
"""

from __future__ import annotations

import io
from itertools import pairwise

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bot.alerts.embed import GREEN, RED
from bot.alerts.text import money, strike
from cogs.flow.summary import FlowSummary

CALL_COLOUR = f"#{GREEN:06x}"
PUT_COLOUR = f"#{RED:06x}"
MAX_EXPIRIES = 12  # the nearest ones; more would not be readable
# 640 × 520 px: Discord shows an embed image about 400–550 px wide, so a wider image would only
# shrink its text; matplotlib's default 10 pt labels stay legible at that scale.
FIGURE_INCHES = (6.4, 5.2)
DPI = 100
# Fractions of the figure, sized for the longest dollar tick label ("$12.50M") on the left
# and the expiry dates at the bottom.
MARGINS = {"left": 0.125, "right": 0.98, "top": 0.94, "bottom": 0.06, "hspace": 0.32}
# zlib's fastest level: about 15 ms instead of 23 ms for the default level 6, for a file 6%
# larger (~41 KB instead of ~39 KB).
PNG_OPTIONS = {"compress_level": 1}


def render_chart(summary: FlowSummary) -> bytes:
    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    by_strike, by_expiry = figure.subplots(2, 1, height_ratios=(3, 2), gridspec_kw=MARGINS)

    strikes = summary.by_strike()
    positions = list(strikes)
    width = _bar_width(positions)
    _bars(by_strike, positions, [side.calls for side in strikes.values()], width, CALL_COLOUR, "calls")
    _bars(by_strike, positions, [-side.puts for side in strikes.values()], width, PUT_COLOUR, "puts")
    by_strike.axhline(0, color="#555555", linewidth=0.8)
    if summary.spot:
        by_strike.axvline(
            summary.spot, color="#333333", linestyle="--", linewidth=1, label=f"spot {strike(summary.spot)}"
        )
    by_strike.set_title(f"{summary.underlying} premium by strike today (calls up, puts down)", y=1)
    _dollar_ticks(by_strike)
    by_strike.legend(loc="upper left")  # its colours hold for the expiry bars below too

    expiries = list(summary.by_expiry().items())[:MAX_EXPIRIES]
    slots = np.arange(len(expiries))
    _bars(by_expiry, slots - 0.2, [side.calls for _, side in expiries], 0.4, CALL_COLOUR, "calls")
    _bars(by_expiry, slots + 0.2, [side.puts for _, side in expiries], 0.4, PUT_COLOUR, "puts")
    # A point smaller than the other labels, so twelve dates fit side by side.
    by_expiry.set_xticks(slots, [f"{day:%m/%d}" for day, _ in expiries], fontsize=9)
    by_expiry.set_title("by expiry", y=1)
    _dollar_ticks(by_expiry)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", pil_kwargs=PNG_OPTIONS)
    return buffer.getvalue()


def _bars(
    axes: Axes, centres: list[float] | np.ndarray, heights: list[float], width: float, colour: str, label: str
) -> None:
    """Bars from zero to each height, drawn as a single artist."""
    tops = np.asarray(heights, dtype=float)
    left = np.asarray(centres, dtype=float) - width / 2
    right = left + width
    zero = np.zeros_like(tops)
    # One rectangle per bar, its corners in drawing order: shape (bars, 4 corners, x and y).
    xs = np.column_stack([left, left, right, right])
    ys = np.column_stack([zero, tops, tops, zero])
    corners = np.stack([xs, ys], axis=-1)
    bars = PolyCollection(corners, facecolors=colour, edgecolors="none", label=label)
    bars.sticky_edges.y.append(0)  # as with `Axes.bar`: no margin below bars that start at zero
    axes.add_collection(bars)


def _dollar_ticks(axes: Axes) -> None:
    """Dollar amounts on the y axis. Puts, drawn below zero, read as positive amounts too, and
    ticks fall on round amounts, so they drop zero decimals: $150M rather than $150.00M."""
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: money(abs(value)).replace(".00", "")))


def _bar_width(strikes: list[float]) -> float:
    """Most of the gap between neighbouring strikes, so bars do not overlap."""
    gaps = [later - earlier for earlier, later in pairwise(strikes) if later > earlier]
    return 0.8 * min(gaps) if gaps else 1.0
