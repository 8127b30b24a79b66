"""Polygon (Massive) REST responses as msgspec Structs, decoded straight from bytes.

Field names and JSON types follow the official OpenAPI spec (massive-com/client-go,
2026-07-08) and the reference fixtures. Conventions, so callers know what they hold:

- Every struct is frozen: one decoded snapshot is fanned out to many scanners, and none of
  them may change what the others see.
- Where the spec says *number*, the field is a `float` (JSON ints are accepted). Exchange
  ids, timestamps and counts are `int`; decoding is lax (`strict=False`), so an integral
  float such as `100.0` is accepted for an int field and `100.5` is refused.
- Timestamps are kept as the raw integers the server sent. Polygon mostly uses nanoseconds
  (`sip_timestamp`, `last_updated`), aggregates use milliseconds (`Agg.t`), and some
  payloads mix them (a chain mock has `day.last_updated` in ms): nothing here reinterprets.
- Fields the spec marks optional, or that real payloads omit, default to `None` (or `[]`
  for condition lists), so a missing `day`, `last_quote`, `last_trade`, `greeks` or
  `implied_volatility` never fails a page. `greeks: {}` decodes to `None`.
- String enums (`contract_type`, `exercise_style`, `timeframe`, ...) are plain `str`: a
  value the spec does not list yet (`contract_type: "other"` today, something else later)
  must not fail a whole 250-contract page.
- `timeframe` ("REAL-TIME" or "DELAYED") is kept on quotes, trades and the underlying, so an
  alert can say how fresh its data is.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

import msgspec
from msgspec.structs import force_setattr

T = TypeVar("T")


class _Model(msgspec.Struct, frozen=True, kw_only=True):
    """Base for every response model (frozen, keyword-only)."""


class _Leaf(_Model, frozen=True, kw_only=True, gc=False):
    """A struct that holds no other structs: untracked by the GC, which matters when a
    trades page decodes 50,000 of them."""


# --- options snapshot ----------------------------------------------------------------------


class ContractDetails(_Leaf, kw_only=True):
    ticker: str
    contract_type: str  # "call", "put" or "other"
    strike_price: float
    expiration_date: date
    shares_per_contract: int = 100
    exercise_style: str | None = None  # "american", "european", "bermudan"


class DayBar(_Leaf, kw_only=True):
    """The contract's session so far. The spec marks the numbers required, but a contract
    that has not traded today arrives with some of them missing, so they default to 0."""

    volume: float = 0.0
    vwap: float = 0.0
    open: float = 0.0
    high: float = 0.0
    low: float = 0.0
    close: float = 0.0
    change: float = 0.0
    change_percent: float = 0.0
    previous_close: float = 0.0
    last_updated: int | None = None  # raw: ns in the spec, ms in some payloads


class Greeks(_Leaf, kw_only=True):
    """All four are present whenever the server sends greeks (the spec requires them); an
    empty `{}` becomes `OptionContractSnapshot.greeks is None` instead of this."""

    delta: float | None = None
    gamma: float | None = None
    theta: float | None = None
    vega: float | None = None


class OptionLastQuote(_Leaf, kw_only=True):
    bid: float | None = None
    ask: float | None = None
    bid_size: float = 0.0
    ask_size: float = 0.0
    midpoint: float | None = None
    bid_exchange: int | None = None
    ask_exchange: int | None = None
    last_updated: int | None = None
    timeframe: str | None = None  # "REAL-TIME" or "DELAYED"


class OptionLastTrade(_Leaf, kw_only=True):
    price: float
    size: float
    sip_timestamp: int
    exchange: int | None = None
    conditions: list[int] = []
    timeframe: str | None = None


class UnderlyingAsset(_Leaf, kw_only=True):
    ticker: str
    price: float | None = None  # absent for index underlyings, which carry `value`
    value: float | None = None
    change_to_break_even: float | None = None
    last_updated: int | None = None
    timeframe: str | None = None


class OptionContractSnapshot(_Model, kw_only=True):
    details: ContractDetails
    underlying_asset: UnderlyingAsset
    day: DayBar | None = None
    open_interest: float | None = None
    implied_volatility: float | None = None
    greeks: Greeks | None = None
    last_quote: OptionLastQuote | None = None
    last_trade: OptionLastTrade | None = None
    break_even_price: float | None = None
    fmv: float | None = None
    fmv_last_updated: int | None = None

    def __post_init__(self) -> None:
        if self.greeks is not None and _no_greeks(self.greeks):
            force_setattr(self, "greeks", None)


def _no_greeks(greeks: Greeks) -> bool:
    return greeks.delta is None and greeks.gamma is None and greeks.theta is None and greeks.vega is None


# --- options chain pages, decoded lean ----------------------------------------------------
#
# A chain refresh decodes every contract, and the feed reads the same few fields of each:
# details, the day's volume/VWAP/range and the last trade. Greeks, quote and underlying are
# read only for the few contracts that traded since the last refresh, so they stay raw JSON
# (`msgspec.Raw`, checked for syntax but not decoded) and are decoded when read. That halves
# the decoding of a page. A Raw points into the page's buffer and keeps all of it alive:
# a `ChainContract` must not outlive the refresh that decoded it.

_ABSENT = msgspec.Raw(b"null")


class ChainDay(_Leaf, kw_only=True):
    """The part of `DayBar` the feed reads; missing numbers are 0 as there."""

    volume: float = 0.0
    vwap: float = 0.0
    high: float = 0.0
    low: float = 0.0


class ChainLastTrade(_Leaf, kw_only=True):
    """The part of `OptionLastTrade` the feed reads."""

    price: float
    sip_timestamp: int
    timeframe: str | None = None


class ChainContract(_Model, kw_only=True, gc=False):
    """One contract of a chain page. The deferred blocks read like `OptionContractSnapshot`'s
    attributes (each read decodes again); one that is absent, `null` or of the wrong shape
    reads as None, so a bad block spoils neither the page nor the refresh. Untracked by the
    GC: it holds only leaves and raw bytes, so it cannot be part of a cycle."""

    details: ContractDetails
    day: ChainDay | None = None
    last_trade: ChainLastTrade | None = None
    open_interest: float | None = None
    implied_volatility: float | None = None
    underlying_json: msgspec.Raw = msgspec.field(default=_ABSENT, name="underlying_asset")
    greeks_json: msgspec.Raw = msgspec.field(default=_ABSENT, name="greeks")
    last_quote_json: msgspec.Raw = msgspec.field(default=_ABSENT, name="last_quote")

    @property
    def underlying_asset(self) -> UnderlyingAsset | None:
        return _deferred(self.underlying_json, _UNDERLYING)

    @property
    def greeks(self) -> Greeks | None:
        greeks = _deferred(self.greeks_json, _GREEKS)
        return None if greeks is None or _no_greeks(greeks) else greeks

    @property
    def last_quote(self) -> OptionLastQuote | None:
        return _deferred(self.last_quote_json, _LAST_QUOTE)


_UNDERLYING = msgspec.json.Decoder(UnderlyingAsset | None, strict=False)
_GREEKS = msgspec.json.Decoder(Greeks | None, strict=False)
_LAST_QUOTE = msgspec.json.Decoder(OptionLastQuote | None, strict=False)


def _deferred(raw: msgspec.Raw, decoder: msgspec.json.Decoder[T | None]) -> T | None:
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError:
        return None


class _Page(_Model, kw_only=True):
    status: str = ""
    request_id: str | None = None
    next_url: str | None = None


class ChainPage(_Page, kw_only=True):
    """One page of `/v3/snapshot/options/{underlying}`."""

    results: list[ChainContract] = []


class _ContractSnapshotResponse(_Page, kw_only=True):
    results: OptionContractSnapshot


class ChainSnapshot(_Model, kw_only=True):
    """A whole options chain as the client assembled it from every page (not a wire type).
    It holds its pages' buffers (see `ChainContract`): use it, then let it go."""

    underlying: str
    results: list[ChainContract]
    pages: int
    requested_at: datetime  # the injected clock's time when the first page was asked for
    fetched_at: datetime  # the injected clock's time when the last page arrived


# --- trades, quotes, aggregates -----------------------------------------------------------


class Trade(_Leaf, kw_only=True):
    """A `/v3/trades/{ticker}` row, stock or option. Option trades have no `id`, `tape`,
    `trf_id` or `trf_timestamp`; a stock print with `trf_id` was reported to a FINRA TRF
    (off-exchange, the dark-pool signature)."""

    price: float
    size: float
    sip_timestamp: int
    exchange: int
    conditions: list[int] = []
    participant_timestamp: int | None = None
    sequence_number: int | None = None
    id: str | None = None
    tape: int | None = None
    trf_id: int | None = None
    trf_timestamp: int | None = None
    correction: int | None = None
    decimal_size: str | None = None


class Quote(_Leaf, kw_only=True):
    """A `/v3/quotes/{ticker}` row (NBBO). Prices and sizes are optional in the spec; a side
    with no quote is `None`, not 0 (an options bid of 0 is a real quote)."""

    sip_timestamp: int
    bid_price: float | None = None
    bid_size: float | None = None
    bid_exchange: int | None = None
    ask_price: float | None = None
    ask_size: float | None = None
    ask_exchange: int | None = None
    sequence_number: int | None = None
    participant_timestamp: int | None = None
    conditions: list[int] = []
    indicators: list[int] = []
    tape: int | None = None
    trf_timestamp: int | None = None


class Agg(_Leaf, kw_only=True):
    """An aggregate bar. `t` is the bar's start in **milliseconds** since the epoch."""

    o: float
    h: float
    l: float  # noqa: E741 - the wire name
    c: float
    v: float
    t: int
    vw: float | None = None
    n: int | None = None
    otc: bool = False
    T: str | None = None  # present on /prev


class TradesPage(_Page, kw_only=True):
    results: list[Trade] = []


class QuotesPage(_Page, kw_only=True):
    results: list[Quote] = []


class AggsPage(_Page, kw_only=True):
    """`/v2/aggs/ticker/...` (range or prev). `results` is absent when there is no data."""

    ticker: str | None = None
    adjusted: bool | None = None
    query_count: int | None = msgspec.field(default=None, name="queryCount")
    results_count: int | None = msgspec.field(default=None, name="resultsCount")
    count: int | None = None
    results: list[Agg] = []


# --- stock snapshots (v2, short keys) -----------------------------------------------------


class StockBar(_Leaf, kw_only=True):
    """`day` / `prevDay` / `min` of a stock snapshot. `av` (accumulated volume), `t`, `n`
    appear on `min` only; `dv`/`dav` are the newer decimal-string volumes."""

    o: float = 0.0
    h: float = 0.0
    l: float = 0.0  # noqa: E741
    c: float = 0.0
    v: float = 0.0
    vw: float = 0.0
    av: float | None = None
    t: int | None = None
    n: int | None = None
    otc: bool = False
    dv: str | None = None
    dav: str | None = None


class StockLastQuote(_Leaf, kw_only=True):
    bid_price: float = msgspec.field(name="p")
    bid_size: float = msgspec.field(default=0.0, name="s")
    ask_price: float = msgspec.field(name="P")
    ask_size: float = msgspec.field(default=0.0, name="S")
    timestamp: int | None = msgspec.field(default=None, name="t")


class ShortTrade(_Leaf, kw_only=True):
    """A trade in the v2 short-key dialect: a stock snapshot's `lastTrade` and the result of
    `/v2/last/trade/{ticker}`. `x: 4` with `r` (trf_id) is a FINRA TRF (off-exchange) print.
    `c` may be `null` on the wire; it is always a list here."""

    price: float = msgspec.field(name="p")
    size: float = msgspec.field(default=0.0, name="s")
    exchange: int | None = msgspec.field(default=None, name="x")
    conditions: list[int] | None = msgspec.field(default=None, name="c")
    id: str | None = msgspec.field(default=None, name="i")
    sip_timestamp: int | None = msgspec.field(default=None, name="t")
    participant_timestamp: int | None = msgspec.field(default=None, name="y")
    trf_id: int | None = msgspec.field(default=None, name="r")
    trf_timestamp: int | None = msgspec.field(default=None, name="f")
    tape: int | None = msgspec.field(default=None, name="z")
    sequence_number: int | None = msgspec.field(default=None, name="q")
    ticker: str | None = msgspec.field(default=None, name="T")
    decimal_size: str | None = msgspec.field(default=None, name="ds")

    def __post_init__(self) -> None:
        if self.conditions is None:
            force_setattr(self, "conditions", [])


class StockSnapshot(_Model, kw_only=True):
    ticker: str
    day: StockBar | None = None
    prev_day: StockBar | None = msgspec.field(default=None, name="prevDay")
    min: StockBar | None = None
    last_quote: StockLastQuote | None = msgspec.field(default=None, name="lastQuote")
    last_trade: ShortTrade | None = msgspec.field(default=None, name="lastTrade")
    todays_change: float | None = msgspec.field(default=None, name="todaysChange")
    todays_change_perc: float | None = msgspec.field(default=None, name="todaysChangePerc")
    updated: int | None = None
    fmv: float | None = None


class _StockSnapshotResponse(_Page, kw_only=True):
    ticker: StockSnapshot


class StockSnapshotsPage(_Page, kw_only=True):
    count: int | None = None
    tickers: list[StockSnapshot] = []


class _LastTradeResponse(_Page, kw_only=True):
    results: ShortTrade


# --- reference data -----------------------------------------------------------------------


class SipMapping(_Leaf, kw_only=True):
    CTA: str | None = None
    UTP: str | None = None
    OPRA: str | None = None


class UpdateRule(_Leaf, kw_only=True):
    updates_high_low: bool
    updates_open_close: bool
    updates_volume: bool


class UpdateRules(_Model, kw_only=True):
    consolidated: UpdateRule
    market_center: UpdateRule


class Condition(_Model, kw_only=True):
    id: int
    type: str
    name: str
    asset_class: str
    data_types: list[str] = []
    sip_mapping: SipMapping | None = None
    update_rules: UpdateRules | None = None
    legacy: bool = False
    abbreviation: str | None = None
    description: str | None = None
    exchange: int | None = None


class ConditionsPage(_Page, kw_only=True):
    count: int | None = None
    results: list[Condition] = []


class Exchange(_Leaf, kw_only=True):
    """A venue of `/v3/reference/exchanges`. Ids are not unique: FINRA's TRFs all share 4."""

    id: int
    type: str  # "exchange", "TRF" or "SIP"
    asset_class: str
    locale: str
    name: str
    acronym: str | None = None
    mic: str | None = None
    operating_mic: str | None = None
    participant_id: str | None = None
    url: str | None = None


class ExchangesPage(_Page, kw_only=True):
    count: int | None = None
    results: list[Exchange] = []


class MarketExchanges(_Leaf, kw_only=True):
    nasdaq: str | None = None
    nyse: str | None = None
    otc: str | None = None


class MarketCurrencies(_Leaf, kw_only=True):
    crypto: str | None = None
    fx: str | None = None


class MarketStatus(_Model, kw_only=True):
    """`/v1/marketstatus/now`: `market` is "open", "closed", "extended-hours", ..."""

    market: str | None = None
    server_time: str | None = msgspec.field(default=None, name="serverTime")
    early_hours: bool = msgspec.field(default=False, name="earlyHours")
    after_hours: bool = msgspec.field(default=False, name="afterHours")
    exchanges: MarketExchanges | None = None
    currencies: MarketCurrencies | None = None
    indices_groups: dict[str, str] | None = msgspec.field(default=None, name="indicesGroups")


# --- errors -------------------------------------------------------------------------------


class ErrorBody(_Model, kw_only=True):
    """An error response. Polygon puts the human text in `message` (403 NOT_AUTHORIZED) or in
    `error` (missing key); `text` is whichever is there."""

    status: str | None = None
    message: str | None = None
    error: str | None = None
    request_id: str | None = None

    @property
    def text(self) -> str | None:
        return self.message or self.error


# --- decoders -----------------------------------------------------------------------------

_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def decode(raw: bytes | bytearray | memoryview | str, type_: type[T]) -> T:
    """Decode `raw` JSON into `type_` (lax numbers). Raises `msgspec.DecodeError` (not JSON)
    or `msgspec.ValidationError` (JSON of the wrong shape)."""
    decoder = _decoders.get(type_)
    if decoder is None:
        decoder = _decoders[type_] = msgspec.json.Decoder(type_, strict=False)
    return decoder.decode(raw)


def decode_chain_page(raw: bytes) -> ChainPage:
    return decode(raw, ChainPage)


def decode_contract_snapshot(raw: bytes) -> OptionContractSnapshot:
    """`/v3/snapshot/options/{underlying}/{contract}`: `results` is one object."""
    return decode(raw, _ContractSnapshotResponse).results


def decode_trades_page(raw: bytes) -> TradesPage:
    return decode(raw, TradesPage)


def decode_quotes_page(raw: bytes) -> QuotesPage:
    return decode(raw, QuotesPage)


def decode_aggs(raw: bytes) -> AggsPage:
    return decode(raw, AggsPage)


def decode_stock_snapshot(raw: bytes) -> StockSnapshot:
    """`/v2/snapshot/locale/us/markets/stocks/tickers/{ticker}`: the `ticker` object."""
    return decode(raw, _StockSnapshotResponse).ticker


def decode_stock_snapshots(raw: bytes) -> StockSnapshotsPage:
    """`/v2/snapshot/locale/us/markets/stocks/tickers`: the `tickers` list."""
    return decode(raw, StockSnapshotsPage)


def decode_last_trade(raw: bytes) -> ShortTrade:
    """`/v2/last/trade/{ticker}` (stocks or options), short keys."""
    return decode(raw, _LastTradeResponse).results


def decode_conditions(raw: bytes) -> ConditionsPage:
    return decode(raw, ConditionsPage)


def decode_exchanges(raw: bytes) -> ExchangesPage:
    return decode(raw, ExchangesPage)


def decode_market_status(raw: bytes) -> MarketStatus:
    return decode(raw, MarketStatus)


def decode_error(raw: bytes) -> ErrorBody | None:
    """The error body, or None when the body is not a JSON object of that shape."""
    try:
        return decode(raw, ErrorBody)
    except msgspec.MsgspecError:
        return None
