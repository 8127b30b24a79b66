"""Response objects in Polygon's JSON shapes (keys and types as in the official spec and the
reference fixtures), built from the market at one moment.

Numbers are rounded the way Polygon sends them (prices to the cent or 4 places, greeks and
IV to 6) so that equal inputs always give byte-equal JSON.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from bot.market.calendar import ET, MarketCalendar
from bot.sim.bars import Bar
from bot.sim.chains import Contract
from bot.sim.market import Book
from bot.sim.quotes import Nbbo, fair_value, option_market, stock_market
from bot.sim.seeding import mix64
from bot.sim.session import NS_PER_MINUTE, NS_PER_MS, NS_PER_SECOND
from bot.sim.tape import NO_TRF, Tape

SHARES_PER_CONTRACT = 100
# A print reaches the SIP up to this long after the venue stamped it (`participant_timestamp`).
_REPORTING_DELAY_NS = 900_000


def _participant_ns(sip_ns: int) -> int:
    return sip_ns - 1_000 - mix64(sip_ns) % _REPORTING_DELAY_NS


def _six(value: float) -> float:
    """Six decimals, and never a negative zero (`-0.0` is valid JSON but reads as a bug)."""
    return round(value, 6) + 0.0


def _decimal(value: int) -> str:
    return f"{value}.0"


def option_previous_close(book: Book, contract: Contract) -> float:
    """The contract's fair value at the previous session's close."""
    found = book.previous_closes.get(contract.ticker)
    if found is None:
        previous = book.market.history_days[-1]
        found = book.previous_closes[contract.ticker] = round(
            fair_value(contract, book.previous_close, previous.close_ns).price, 2
        )
    return found


def option_snapshot(book: Book, contract: Contract, now_ns: int, timeframe: str) -> dict[str, Any]:
    path = book.path
    second = path.second_of(now_ns)
    quoted_ns = min(now_ns, path.open_ns + second * NS_PER_SECOND)
    spot = path.prices[second]
    greeks, quote = option_market(contract, path, second)
    previous = option_previous_close(book, contract)
    tape = book.option_tape
    day = tape.day(contract.ticker, now_ns)
    if day is None:
        day_json: dict[str, Any] = {
            "change": 0, "change_percent": 0, "close": previous, "high": previous,
            "last_updated": quoted_ns, "low": previous, "open": previous,
            "previous_close": previous, "volume": 0, "vwap": 0,
        }  # fmt: skip
    else:
        change = day.close - previous
        day_json = {
            "change": round(change, 4),
            "change_percent": round(change / previous * 100, 4) if previous else 0,
            "close": day.close,
            "high": day.high,
            "last_updated": tape.ts[day.last_index],
            "low": day.low,
            "open": day.open,
            "previous_close": previous,
            "volume": day.volume,
            "vwap": round(day.vwap, 4),
        }
    call = contract.kind == "call"
    break_even = round(contract.strike + quote.midpoint if call else contract.strike - quote.midpoint, 4)
    alive = contract.years_left(quoted_ns) > 0
    snapshot: dict[str, Any] = {
        "break_even_price": break_even,
        "day": day_json,
        "details": {
            "contract_type": contract.kind,
            "exercise_style": "american",
            "expiration_date": contract.expiration.isoformat(),
            "shares_per_contract": SHARES_PER_CONTRACT,
            "strike_price": contract.strike,
            "ticker": contract.ticker,
        },
        "fmv": round(greeks.price, 4),
        "fmv_last_updated": quoted_ns,
        # Polygon sends `greeks: {}` and no IV where a model cannot give them (expired here).
        "greeks": {
            "delta": _six(greeks.delta),
            "gamma": _six(greeks.gamma),
            "theta": _six(greeks.theta),
            "vega": _six(greeks.vega),
        }
        if alive
        else {},
    }
    if alive:
        snapshot["implied_volatility"] = round(contract.iv, 6)
    snapshot["last_quote"] = {
        "ask": quote.ask,
        "ask_exchange": quote.ask_exchange,
        "ask_size": quote.ask_size,
        "bid": quote.bid,
        "bid_exchange": quote.bid_exchange,
        "bid_size": quote.bid_size,
        "last_updated": quoted_ns,
        "midpoint": quote.midpoint,
        "timeframe": timeframe,
    }
    if day is not None:
        last = day.last_index
        snapshot["last_trade"] = {
            "conditions": list(tape.conditions(last)),
            "decimal_size": _decimal(tape.size[last]),
            "exchange": tape.exchange[last],
            "price": tape.price[last],
            "sip_timestamp": tape.ts[last],
            "size": tape.size[last],
            "timeframe": timeframe,
        }
    snapshot["open_interest"] = contract.open_interest
    snapshot["underlying_asset"] = {
        "change_to_break_even": round(break_even - spot, 4),
        "last_updated": quoted_ns,
        "price": round(spot, 4),
        "ticker": book.symbol,
        "timeframe": timeframe,
    }
    return snapshot


def option_trade(tape: Tape, index: int, ticker: str) -> dict[str, Any]:
    """Options prints have no `id`, `tape` or TRF fields."""
    sip = tape.ts[index]
    return {
        "conditions": list(tape.conditions(index)),
        "exchange": tape.exchange[index],
        "participant_timestamp": _participant_ns(sip),
        "price": tape.price[index],
        "sequence_number": tape.sequence(index, ticker),
        "sip_timestamp": sip,
        "size": tape.size[index],
    }


def stock_trade(tape: Tape, index: int, book: Book) -> dict[str, Any]:
    sip = tape.ts[index]
    sequence = tape.sequence(index, book.symbol)
    row: dict[str, Any] = {
        "conditions": list(tape.conditions(index)),
        "decimal_size": _decimal(tape.size[index]),
        "exchange": tape.exchange[index],
        "id": str(sequence),
        "participant_timestamp": _participant_ns(sip),
        "price": tape.price[index],
        "sequence_number": sequence,
        "sip_timestamp": sip,
        "size": tape.size[index],
        "tape": book.spec.tape,
    }
    if tape.trf_id[index] != NO_TRF:
        row["trf_id"] = tape.trf_id[index]
        row["trf_timestamp"] = _participant_ns(sip)
    return row


def _nbbo(quote: Nbbo, sip_ns: int, second: int) -> dict[str, Any]:
    return {
        "ask_exchange": quote.ask_exchange,
        "ask_price": quote.ask,
        "ask_size": quote.ask_size,
        "bid_exchange": quote.bid_exchange,
        "bid_price": quote.bid,
        "bid_size": quote.bid_size,
        "sequence_number": second + 1,
        "sip_timestamp": sip_ns,
    }


def option_quote_row(book: Book, contract: Contract, second: int) -> dict[str, Any]:
    _, quote = option_market(contract, book.path, second)
    return _nbbo(quote, book.path.open_ns + second * NS_PER_SECOND, second)


def stock_quote_row(book: Book, second: int) -> dict[str, Any]:
    """Stock NBBO rows also carry a quote condition (1, regular), the participant's time and the tape."""
    sip = book.path.open_ns + second * NS_PER_SECOND
    row = _nbbo(stock_market(book.path, book.quote_key, second), sip, second)
    row |= {"conditions": [1], "participant_timestamp": _participant_ns(sip), "tape": book.spec.tape}
    return dict(sorted(row.items()))


def agg_row(bar: Bar) -> dict[str, Any]:
    return {
        "c": bar.close,
        "h": bar.high,
        "l": bar.low,
        "n": bar.trades,
        "o": bar.open,
        "t": bar.t_ms,
        "v": bar.volume,
        "vw": bar.vwap,
    }


def _short_bar(bar: Bar) -> dict[str, Any]:
    return {"c": bar.close, "h": bar.high, "l": bar.low, "o": bar.open, "v": bar.volume, "vw": bar.vwap}


def stock_snapshot(book: Book, now_ns: int) -> dict[str, Any]:
    """The v2 single-ticker shape (short keys). Before the first print of the day `day` is all
    zeros and there is no `lastTrade` or `min`."""
    path, tape = book.path, book.stock_tape
    second = path.second_of(now_ns)
    quote = stock_market(path, book.quote_key, second)
    quoted_ns = min(now_ns, path.open_ns + second * NS_PER_SECOND)
    previous = book.history[-1]
    day = tape.day(book.symbol, now_ns)
    last_price = tape.price[day.last_index] if day else previous.close
    change = last_price - previous.close
    snapshot: dict[str, Any] = {
        "day": {"c": 0, "dv": "0.0", "h": 0, "l": 0, "o": 0, "v": 0, "vw": 0},
        "fmv": round(last_price, 4),
        "lastQuote": {
            "P": quote.ask,
            "S": quote.ask_size,
            "p": quote.bid,
            "s": quote.bid_size,
            "t": quoted_ns,
        },
    }
    updated = quoted_ns
    if day is not None:
        last = day.last_index
        updated = tape.ts[last]
        snapshot["day"] = {
            "c": day.close, "dv": _decimal(day.volume), "h": day.high, "l": day.low,
            "o": day.open, "v": day.volume, "vw": round(day.vwap, 4),
        }  # fmt: skip
        snapshot["lastTrade"] = {
            "c": list(tape.conditions(last)),
            "ds": _decimal(tape.size[last]),
            "i": str(tape.sequence(last, book.symbol)),
            "p": tape.price[last],
            "s": tape.size[last],
            "t": updated,
            "x": tape.exchange[last],
        }
        snapshot["min"] = _current_minute(tape, book.symbol, updated, now_ns, day.volume)
    snapshot["prevDay"] = _short_bar(previous)
    snapshot |= {
        "ticker": book.symbol,
        "todaysChange": round(change, 4),
        "todaysChangePerc": round(change / previous.close * 100, 4),
        "updated": updated,
    }
    return snapshot


def _current_minute(tape: Tape, symbol: str, last_ns: int, now_ns: int, day_volume: int) -> dict[str, Any]:
    """The minute bar of the latest print (`av`: the day's accumulated volume)."""
    start_ns = last_ns - last_ns % NS_PER_MINUTE
    first, stop = tape.window(symbol, start_ns - 1, now_ns)
    prices = tape.price[first:stop]
    sizes = tape.size[first:stop]
    volume = sum(sizes)
    notional = sum(price * size for price, size in zip(prices, sizes, strict=True))
    return {
        "av": day_volume,
        "c": prices[-1],
        "dav": _decimal(day_volume),
        "dv": _decimal(volume),
        "h": max(prices),
        "l": min(prices),
        "n": stop - first,
        "o": prices[0],
        "t": start_ns // NS_PER_MS,
        "v": volume,
        "vw": round(notional / volume, 4),
    }


def market_status(calendar: MarketCalendar, now: datetime) -> dict[str, Any]:
    local = now.astimezone(ET)
    extended = calendar.extended_hours(now)
    regular = calendar.is_open(now)
    state = "open" if regular else "extended-hours" if extended else "closed"
    weekend_fx = (
        local.weekday() == 5
        or (local.weekday() == 6 and local.time() < time(17))
        or (local.weekday() == 4 and local.time() >= time(17))
    )
    groups = (
        "cccy",
        "cgi",
        "dow_jones",
        "ftse_russell",
        "msci",
        "mstar",
        "mstarc",
        "nasdaq",
        "s_and_p",
        "societe_generale",
    )
    return {
        "afterHours": extended == "post",
        "currencies": {"crypto": "open", "fx": "closed" if weekend_fx else "open"},
        "earlyHours": extended == "pre",
        "exchanges": {"nasdaq": state, "nyse": state, "otc": "open" if regular else "closed"},
        "indicesGroups": {group: "open" if regular else "closed" for group in groups},
        "market": state,
        "serverTime": local.isoformat(timespec="seconds"),
    }
