"""The /flow chart: premium by strike and by expiry, calls against puts, as a PNG.

Rendering takes tens of milliseconds of CPU, so callers run it in a thread
(`asyncio.to_thread`). It uses a bare `Figure` on the Agg canvas, never pyplot, whose global
state is not thread-safe.
"""

from __future__ import annotations

import io
from itertools import pairwise

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bot.alerts.embed import GREEN, RED
from bot.alerts.text import money, strike
from cogs.flow.summary import FlowSummary

CALL_COLOUR = f"#{GREEN:06x}"
PUT_COLOUR = f"#{RED:06x}"
MAX_EXPIRIES = 12  # the nearest ones; more would not be readable


def render_chart(summary: FlowSummary) -> bytes:
    figure = Figure(figsize=(9, 7), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    by_strike, by_expiry = figure.subplots(2, 1)
    dollars = FuncFormatter(lambda value, _: money(abs(value)))

    strikes = summary.by_strike()
    positions = list(strikes)
    width = _bar_width(positions)
    by_strike.bar(positions, [side.calls for side in strikes.values()], width=width, color=CALL_COLOUR, label="calls")
    by_strike.bar(positions, [-side.puts for side in strikes.values()], width=width, color=PUT_COLOUR, label="puts")
    by_strike.axhline(0, color="#555555", linewidth=0.8)
    if summary.spot:
        by_strike.axvline(
            summary.spot, color="#333333", linestyle="--", linewidth=1, label=f"spot {strike(summary.spot)}"
        )
    by_strike.set_title(f"{summary.underlying} premium by strike today (calls up, puts down)")
    by_strike.yaxis.set_major_formatter(dollars)
    by_strike.legend(loc="upper left")

    expiries = list(summary.by_expiry().items())[:MAX_EXPIRIES]
    slots = range(len(expiries))
    by_expiry.bar(
        [slot - 0.2 for slot in slots],
        [side.calls for _, side in expiries],
        width=0.4,
        color=CALL_COLOUR,
        label="calls",
    )
    by_expiry.bar(
        [slot + 0.2 for slot in slots], [side.puts for _, side in expiries], width=0.4, color=PUT_COLOUR, label="puts"
    )
    by_expiry.set_xticks(list(slots), [f"{day:%m/%d}" for day, _ in expiries])
    by_expiry.set_title("by expiry")
    by_expiry.yaxis.set_major_formatter(dollars)
    by_expiry.legend(loc="upper right")

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _bar_width(strikes: list[float]) -> float:
    """Most of the gap between neighbouring strikes, so bars do not overlap."""
    gaps = [later - earlier for earlier, later in pairwise(strikes) if later > earlier]
    return 0.8 * min(gaps) if gaps else 1.0
