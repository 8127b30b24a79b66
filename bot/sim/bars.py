"""Aggregate bars: the seeded history before the session, and today's bars from the tape.

History: `history_sessions` daily bars ending at the scenario's previous close, and for each of
those days 1-minute bars that reproduce that day's open, high, low, close and volume exactly.
Today: bars are aggregated from the same prints `/v3/trades` serves, up to the clock's now.
Volume through each day follows one U-shaped intraday profile, so today's volume can be
compared with the same time of day on earlier sessions (relative volume).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.sim.scenario import UnderlyingSpec
from bot.sim.seeding import stream
from bot.sim.session import NS_PER_MINUTE, NS_PER_MS, SessionTimes
from bot.sim.tape import Tape

DAY_VOLUME_SIGMA = 0.25
SHARES_PER_TRADE = 150  # for the synthetic trade counts (`n`) of historical bars


@dataclass(frozen=True, slots=True)
class Bar:
    t_ms: int  # the bar's start, epoch milliseconds (a daily bar: midnight New York time)
    open: float
    high: float
    low: float
    close: float
    volume: int
    vwap: float
    trades: int


def intraday_profile(minutes: int) -> list[float]:
    """Share of a day's volume traded in each minute: heavy at the open and into the close."""
    weights = [
        1.0 + 2.0 * math.exp(-minute / 30.0) + 1.2 * math.exp(-(minutes - 1 - minute) / 30.0)
        for minute in range(minutes)
    ]
    total = sum(weights)
    return [weight / total for weight in weights]


def day_volume_factor(seed: int, symbol: str, day: object) -> float:
    """A session's volume against the average: lognormal with mean 1."""
    rng = stream(seed, symbol, "day-volume", day)
    return rng.lognormvariate(-0.5 * DAY_VOLUME_SIGMA**2, DAY_VOLUME_SIGMA)


def daily_history(spec: UnderlyingSpec, days: Sequence[SessionTimes], seed: int) -> list[Bar]:
    """Daily bars for `days` (oldest first), walked backwards from the previous close."""
    rng = stream(seed, spec.symbol, "daily")
    sigma = spec.volatility / math.sqrt(252.0)
    drift = spec.trend / 252.0
    closes = [0.0] * len(days)
    closes[-1] = spec.price
    for index in range(len(days) - 1, 0, -1):
        closes[index - 1] = closes[index] / math.exp(rng.gauss(drift, sigma))
    bars: list[Bar] = []
    for index, day in enumerate(days):
        close = round(closes[index], 2)
        reference = closes[index - 1] if index else closes[0]
        open_ = round(reference * math.exp(rng.gauss(0.0, 0.3 * sigma)), 2)
        high = round(max(open_, close) * math.exp(abs(rng.gauss(0.0, 0.5 * sigma))) + 0.01, 2)
        low = round(min(open_, close) * math.exp(-abs(rng.gauss(0.0, 0.5 * sigma))) - 0.01, 2)
        volume = max(100, round(spec.avg_daily_volume * day_volume_factor(seed, spec.symbol, day.day)))
        bars.append(
            Bar(
                day.day_start_ns // NS_PER_MS,
                open_,
                high,
                max(0.01, low),
                close,
                volume,
                round((high + low + close) / 3.0, 4),
                volume // SHARES_PER_TRADE + 1,
            )  # fmt: skip
        )
    return bars


def historic_minutes(spec: UnderlyingSpec, day: SessionTimes, daily: Bar, seed: int) -> list[Bar]:
    """The day's regular-session 1-minute bars, consistent with its daily bar."""
    rng = stream(seed, spec.symbol, "minutes", day.day)
    minutes = day.minutes
    sigma = spec.volatility / math.sqrt(252.0 * minutes)
    walk = [0.0]
    for _ in range(minutes):
        walk.append(walk[-1] + rng.gauss(0.0, sigma))
    start, end = math.log(daily.open), math.log(daily.close)
    closes = [
        math.exp(start + walk[m] - (walk[-1] - (end - start)) * m / minutes) for m in range(minutes + 1)
    ]
    raw: list[tuple[float, float, float, float]] = []
    for minute in range(minutes):
        open_, close = closes[minute], closes[minute + 1]
        wick = sigma * 0.5
        raw.append(
            (
                open_,
                max(open_, close) * math.exp(abs(rng.gauss(0.0, wick)) + 1e-6),
                min(open_, close) * math.exp(-abs(rng.gauss(0.0, wick)) - 1e-6),
                close,
            )
        )
    # Stretch the excursions beyond the open-close body so the day's extremes are hit exactly.
    body_top, body_bottom = max(daily.open, daily.close), min(daily.open, daily.close)
    peak = max(bar[1] for bar in raw)
    trough = min(bar[2] for bar in raw)

    def fit(price: float) -> float:
        if price > body_top:
            return body_top + (price - body_top) * (daily.high - body_top) / (peak - body_top)
        if price < body_bottom:
            return body_bottom - (body_bottom - price) * (body_bottom - daily.low) / (body_bottom - trough)
        return price

    volumes = split_total(
        daily.volume, [share * rng.lognormvariate(0.0, 0.3) for share in intraday_profile(minutes)]
    )
    bars: list[Bar] = []
    for minute, (open_, high, low, close) in enumerate(raw):
        o, h, low_, c = (round(fit(value), 2) for value in (open_, high, low, close))
        h, low_ = max(h, o, c), min(low_, o, c)
        bars.append(
            Bar(
                (day.open_ns + minute * NS_PER_MINUTE) // NS_PER_MS,
                o,
                h,
                low_,
                c,
                volumes[minute],
                round((h + low_ + c) / 3.0, 4),
                volumes[minute] // SHARES_PER_TRADE + 1,
            )  # fmt: skip
        )
    return bars


def split_total(total: int, weights: Sequence[float]) -> list[int]:
    """`total` in whole parts proportional to `weights` (largest remainders get the rest)."""
    scale = total / sum(weights)
    exact = [weight * scale for weight in weights]
    parts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda index: parts[index] - exact[index])
    for index in by_remainder[: total - sum(parts)]:
        parts[index] += 1
    return parts


def bars_from_prints(prints: Iterable[tuple[int, float, int]], bucket_of: Callable[[int], int]) -> list[Bar]:
    """Bars from time-ordered (sip_timestamp ns, price, size) prints; `bucket_of` maps a
    timestamp to its bar's start in ms."""
    bars: list[Bar] = []
    current: list[float] = []  # start, open, high, low, close, volume, notional, trades
    for moment, price, size in prints:
        start = bucket_of(moment)
        if current and current[0] == start:
            current[2] = max(current[2], price)
            current[3] = min(current[3], price)
            current[4] = price
            current[5] += size
            current[6] += price * size
            current[7] += 1
            continue
        if current:
            bars.append(_bar(current))
        current = [start, price, price, price, price, size, price * size, 1]
    if current:
        bars.append(_bar(current))
    return bars


def minute_bars(tape: Tape, key: str, until_ns: int) -> list[Bar]:
    """1-minute bars of an instrument's prints up to `until_ns`."""
    first, stop = tape.window(key, -1, until_ns)
    prints = zip(tape.ts[first:stop], tape.price[first:stop], tape.size[first:stop], strict=True)
    return bars_from_prints(prints, lambda ns: (ns - ns % NS_PER_MINUTE) // NS_PER_MS)


def _bar(values: list[float]) -> Bar:
    start, open_, high, low, close, volume, notional, trades = values
    return Bar(int(start), open_, high, low, close, int(volume), round(notional / volume, 4), int(trades))


def rollup(bars: Iterable[Bar], bucket_of: Callable[[int], int]) -> list[Bar]:
    """Merge time-ordered bars whose start (ms) maps to the same bucket start (ms)."""
    merged: list[Bar] = []
    for bar in bars:
        start = bucket_of(bar.t_ms)
        if merged and merged[-1].t_ms == start:
            last = merged[-1]
            volume = last.volume + bar.volume
            vwap = (last.vwap * last.volume + bar.vwap * bar.volume) / volume if volume else last.vwap
            merged[-1] = Bar(
                start, last.open, max(last.high, bar.high), min(last.low, bar.low), bar.close, volume,
                round(vwap, 4), last.trades + bar.trades,
            )  # fmt: skip
        else:
            merged.append(
                Bar(start, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.vwap, bar.trades)
            )
    return merged
