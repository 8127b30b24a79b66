"""The async Polygon (Massive) REST client.

One `aiohttp.ClientSession` (pooled connector) per client. Every HTTP attempt waits on the
shared token bucket; identical concurrent requests share one call and fresh results come from
a short TTL cache; transient failures (429, 5xx, timeouts, connection errors) are retried with
exponential backoff and jitter on the injected clock; everything else becomes a typed error
from `bot.polygon.errors`.

The API key travels only in the `Authorization: Bearer` header, on every page. It is never
put in a URL: a `next_url` is followed by its path and query alone, re-based onto the
configured base URL (so the key is only ever sent to that host, whatever host the server
wrote into `next_url`), with any `apiKey` parameter removed.
"""

from __future__ import annotations

import email.utils
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import date, datetime, timezone
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import parse_qsl, quote, urlsplit

import aiohttp
import msgspec
from pydantic import SecretStr
from yarl import URL

from bot.market.clock import Clock, WallClock
from bot.polygon import models
from bot.polygon.cache import ResponseCache
from bot.polygon.errors import (
    AuthError,
    ClientRequestError,
    MalformedResponseError,
    NotEntitledError,
    NotFoundError,
    PaginationError,
    PolygonError,
    RateLimitedError,
    UpstreamError,
)
from bot.polygon.limiter import TokenBucket
from bot.polygon.models import (
    Agg,
    ChainSnapshot,
    Condition,
    Exchange,
    MarketStatus,
    OptionContractSnapshot,
    Quote,
    ShortTrade,
    StockSnapshot,
    Trade,
)

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
Params = tuple[tuple[str, str], ...]

CHAIN_PAGE_LIMIT = 250  # the endpoint's maximum (its default is 10)
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 30.0
MAX_RETRY_AFTER_SECONDS = 120.0  # a longer Retry-After gives up instead of stalling the caller

# Seconds a result stays fresh, by endpoint kind; 0 means single-flight only.
DEFAULT_TTLS: dict[str, float] = {
    # Single-flight only: nothing asks for a chain again within seconds (the planner and
    # /flow refresh one after half its tier's interval at the soonest), and a decoded chain
    # holds its pages' buffers (`models.ChainContract`), so a cached one was only memory:
    # at 1,000 requests/s, two seconds of chains were ~55 MB.
    "options_chain": 0.0,
    "option_contract": 2.0,
    "stock_snapshot": 5.0,
    "stock_snapshots": 5.0,
    "aggs_intraday": 30.0,
    "aggs_daily": 3600.0,
    "market_status": 30.0,
    "conditions": 86400.0,
    "exchanges": 86400.0,
    "trades": 0.0,
    "quotes": 0.0,
    "last_trade": 0.0,
}
INTRADAY_TIMESPANS = frozenset({"second", "minute", "hour"})


class _Paged(Protocol):
    next_url: str | None
    results: Any


class ClientStats:
    """What the client has done, for `/status`, `check` and the benchmarks."""

    def __init__(self, limiter: TokenBucket, cache: ResponseCache) -> None:
        self._limiter = limiter
        self._cache = cache
        self.requests = 0  # HTTP attempts sent (retries included)
        self.rate_limited = 0  # 429 responses
        self.retries = 0
        self.pages = 0  # successful responses
        self.errors: Counter[str] = Counter()  # errors raised to callers, by kind
        self.requests_by_endpoint: Counter[str] = Counter()

    def requests_last_minute(self) -> int:
        return self._limiter.requests_last_minute()

    @property
    def cache_hits(self) -> int:
        return self._cache.hits

    @property
    def cache_misses(self) -> int:
        return self._cache.misses

    @property
    def cache_collapsed(self) -> int:
        return self._cache.collapsed

    @property
    def limiter_wait_seconds(self) -> float:
        return self._limiter.waited_seconds

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "requests_last_minute": self.requests_last_minute(),
            "rate_limited": self.rate_limited,
            "retries": self.retries,
            "pages": self.pages,
            "errors": dict(self.errors),
            "requests_by_endpoint": dict(self.requests_by_endpoint),
            "cache_hits": self.cache_hits,
            "cache_misses": self.cache_misses,
            "cache_collapsed": self.cache_collapsed,
            "limiter_wait_seconds": round(self.limiter_wait_seconds, 3),
        }


class PolygonClient:
    def __init__(
        self,
        base_url: str,
        api_key: str | SecretStr,
        *,
        requests_per_second: float = 5.0,
        burst: int | None = None,
        timeout: float = 10.0,
        max_pages: int = 60,
        max_retries: int = 4,
        clock: Clock | None = None,
        session: aiohttp.ClientSession | None = None,
        rng: random.Random | None = None,
        cache_ttls: Mapping[str, float] | None = None,
        cache_max_entries: int = 1024,
    ) -> None:
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        if not key:
            raise AuthError("no API key configured (set POLYGON_API_KEY)")
        if max_pages < 1:
            raise ValueError(f"max_pages must be at least 1, got {max_pages}")
        if max_retries < 0:
            raise ValueError(f"max_retries must not be negative, got {max_retries}")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("base_url must be an http:// or https:// URL")
        self.base_url = base_url.rstrip("/")
        self._base_path = parts.path.rstrip("/")  # a proxy's prefix, if any
        self._headers = {
            "Authorization": f"Bearer {key}",
            "Accept": "application/json",
            "User-Agent": "orakl",
        }
        self.timeout = timeout
        self.max_pages = max_pages
        self.max_retries = max_retries
        self._clock: Clock = clock or WallClock()
        self._rng = rng or random.Random()
        self.limiter = TokenBucket(requests_per_second, burst, clock=self._clock)
        self.cache = ResponseCache(clock=self._clock, max_entries=cache_max_entries)
        self.ttls = {**DEFAULT_TTLS, **(cache_ttls or {})}
        self.stats = ClientStats(self.limiter, self.cache)
        self._session = session
        self._owns_session = session is None
        self._client_timeout = aiohttp.ClientTimeout(total=timeout)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> PolygonClient:
        if settings.polygon_api_key is None:
            raise AuthError("no API key configured (set POLYGON_API_KEY)")
        return cls(
            settings.polygon_base_url,
            settings.polygon_api_key,
            requests_per_second=settings.requests_per_second,
            burst=settings.burst,
            timeout=settings.http_timeout_seconds,
            max_pages=settings.max_pages_per_chain,
            max_retries=settings.http_max_retries,
            clock=clock,
        )

    def __repr__(self) -> str:
        return f"PolygonClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> PolygonClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    # --- endpoints ------------------------------------------------------------------------

    async def options_chain(
        self,
        underlying: str,
        *,
        expiration_date_gte: date | None = None,
        expiration_date_lte: date | None = None,
        strike_price_gte: float | None = None,
        strike_price_lte: float | None = None,
        contract_type: str | None = None,
    ) -> ChainSnapshot:
        """Every contract of `underlying` matching the server-side filters, all pages."""
        path = f"/v3/snapshot/options/{_segment(underlying)}"
        params = _params(
            ("expiration_date.gte", expiration_date_gte),
            ("expiration_date.lte", expiration_date_lte),
            ("strike_price.gte", strike_price_gte),
            ("strike_price.lte", strike_price_lte),
            ("contract_type", contract_type),
            ("limit", CHAIN_PAGE_LIMIT),
        )

        async def fetch() -> ChainSnapshot:
            requested_at = self._clock.now()
            results, pages = await self._collect("options_chain", path, params, models.decode_chain_page)
            return ChainSnapshot(
                underlying=underlying, results=results, pages=pages, requested_at=requested_at,
                fetched_at=self._clock.now(),
            )  # fmt: skip

        return await self._cached("options_chain", path, params, fetch)

    async def option_contract(self, underlying: str, contract_ticker: str) -> OptionContractSnapshot:
        path = f"/v3/snapshot/options/{_segment(underlying)}/{_segment(contract_ticker)}"
        return await self._one("option_contract", path, (), models.decode_contract_snapshot)

    async def trades(
        self,
        ticker: str,
        *,
        timestamp_gt: int | None = None,
        timestamp_gte: int | None = None,
        timestamp_lt: int | None = None,
        timestamp_lte: int | None = None,
        order: str = "asc",
        limit: int = 50000,
        max_pages: int | None = None,
    ) -> list[Trade]:
        """Trades of a stock or option (`O:...`) ticker; timestamps in nanoseconds."""
        path = f"/v3/trades/{_segment(ticker)}"
        params = _tick_params(timestamp_gt, timestamp_gte, timestamp_lt, timestamp_lte, order, limit)
        return await self._all("trades", path, params, models.decode_trades_page, max_pages)

    async def quotes(
        self,
        ticker: str,
        *,
        timestamp_gt: int | None = None,
        timestamp_gte: int | None = None,
        timestamp_lt: int | None = None,
        timestamp_lte: int | None = None,
        order: str = "asc",
        limit: int = 50000,
        max_pages: int | None = None,
    ) -> list[Quote]:
        """NBBO quotes of a stock or option ticker; timestamps in nanoseconds."""
        path = f"/v3/quotes/{_segment(ticker)}"
        params = _tick_params(timestamp_gt, timestamp_gte, timestamp_lt, timestamp_lte, order, limit)
        return await self._all("quotes", path, params, models.decode_quotes_page, max_pages)

    async def aggregates(
        self,
        ticker: str,
        multiplier: int,
        timespan: str,
        start: date | int,
        end: date | int,
        *,
        adjusted: bool = True,
        sort: str = "asc",
        limit: int = 50000,
    ) -> list[Agg]:
        """Bars from `start` to `end` (dates, or epoch milliseconds); `Agg.t` is in ms."""
        path = (
            f"/v2/aggs/ticker/{_segment(ticker)}/range/{int(multiplier)}/{_segment(timespan)}"
            f"/{_agg_bound(start)}/{_agg_bound(end)}"
        )
        params = _params(("adjusted", adjusted), ("sort", sort), ("limit", limit))
        kind = "aggs_intraday" if timespan in INTRADAY_TIMESPANS else "aggs_daily"
        return await self._all(kind, path, params, models.decode_aggs, None)

    async def stock_snapshot(self, ticker: str) -> StockSnapshot:
        path = f"/v2/snapshot/locale/us/markets/stocks/tickers/{_segment(ticker)}"
        return await self._one("stock_snapshot", path, (), models.decode_stock_snapshot)

    async def stock_snapshots(self, tickers: list[str] | None = None) -> list[StockSnapshot]:
        """Snapshots of `tickers` (all tickers when None) in one call."""
        if tickers is not None and not tickers:
            return []
        path = "/v2/snapshot/locale/us/markets/stocks/tickers"
        params = _params(("tickers", ",".join(tickers) if tickers else None))

        async def fetch() -> list[StockSnapshot]:
            return (await self._fetch("stock_snapshots", path, params, models.decode_stock_snapshots)).tickers

        return await self._cached("stock_snapshots", path, params, fetch)

    async def last_trade(self, ticker: str) -> ShortTrade:
        """`/v2/last/trade/{ticker}`: the latest print (a `trf_id` marks a TRF print)."""
        path = f"/v2/last/trade/{_segment(ticker)}"
        return await self._one("last_trade", path, (), models.decode_last_trade)

    async def conditions(self, asset_class: str, data_type: str = "trade") -> list[Condition]:
        path = "/v3/reference/conditions"
        params = _params(("asset_class", asset_class), ("data_type", data_type), ("limit", 1000))
        return await self._all("conditions", path, params, models.decode_conditions, None)

    async def exchanges(self, asset_class: str | None = None) -> list[Exchange]:
        path = "/v3/reference/exchanges"
        params = _params(("asset_class", asset_class))
        return await self._all("exchanges", path, params, models.decode_exchanges, None)

    async def market_status(self) -> MarketStatus:
        return await self._one("market_status", "/v1/marketstatus/now", (), models.decode_market_status)

    # --- machinery --------------------------------------------------------------------------

    async def _one(self, kind: str, path: str, params: Params, decoder: Callable[[bytes], T]) -> T:
        return await self._cached(kind, path, params, lambda: self._fetch(kind, path, params, decoder))

    async def _all(
        self,
        kind: str,
        path: str,
        params: Params,
        decoder: Callable[[bytes], _Paged],
        max_pages: int | None,
    ) -> list[Any]:
        async def fetch() -> list[Any]:
            results, _ = await self._collect(kind, path, params, decoder, max_pages)
            return results

        return await self._cached(kind, path, params, fetch, variant=max_pages)

    async def _cached(
        self, kind: str, path: str, params: Params, fetch: Callable[[], Awaitable[T]], variant: object = None
    ) -> T:
        """`variant` keeps apart calls of one URL whose results differ (another page cap)."""
        return await self.cache.get((kind, path, params, variant), self.ttls.get(kind, 0.0), fetch)

    async def _collect(
        self,
        kind: str,
        path: str,
        params: Params,
        decoder: Callable[[bytes], _Paged],
        max_pages: int | None = None,
    ) -> tuple[list[Any], int]:
        """Follow `next_url` to the end; stop on a repeated page or past the page cap."""
        cap = self.max_pages if max_pages is None else max_pages
        first = path
        results: list[Any] = []
        seen = {(path, _canonical(params))}
        pages = 0
        while True:
            page = await self._fetch(kind, path, params, decoder)
            pages += 1
            results.extend(page.results)
            if not page.next_url:
                return results, pages
            path, params = self._follow(page.next_url)
            where = (path, _canonical(params))
            if where in seen:
                error: PolygonError = PaginationError(
                    f"next_url after page {pages} repeats a page already fetched (looping cursor)",
                    endpoint=first,
                )
            elif pages >= cap:
                error = PaginationError(f"more than {cap} pages", endpoint=first)
            else:
                seen.add(where)
                continue
            self.stats.errors[error.kind] += 1
            log.warning("Polygon %s: %s", first, error.detail)
            raise error

    async def _fetch(self, kind: str, path: str, params: Params, decoder: Callable[[bytes], T]) -> T:
        """One page: rate-limited, retried, decoded; failures become typed errors."""
        session = self._get_session()
        url = URL(self.base_url + path, encoded=True)
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            await self.limiter.acquire()
            self.stats.requests += 1
            self.stats.requests_by_endpoint[kind] += 1
            delay: float | None = None
            try:
                async with session.get(
                    url, params=params, headers=self._headers, timeout=self._client_timeout
                ) as response:
                    body = await response.read()
                    status = response.status
                    retry_after = response.headers.get("Retry-After")
            except TimeoutError:
                error: PolygonError = UpstreamError(f"timed out after {self.timeout:g}s", endpoint=path)
            except aiohttp.ClientError as failure:
                reason = f"connection failed ({type(failure).__name__}: {failure})"
                error = UpstreamError(self._redact(reason), endpoint=path)
            else:
                if 200 <= status < 300:
                    try:
                        value = decoder(body)
                    except msgspec.MsgspecError as failure:
                        error = MalformedResponseError(self._redact(str(failure)), endpoint=path, status=status)
                        self._fail(error, attempt, attempts)
                        raise error from None
                    self.stats.pages += 1
                    return value
                error = self._http_error(status, body, path)
                if status == 429:
                    self.stats.rate_limited += 1
                    delay = self._retry_after(retry_after)
            retryable = isinstance(error, (RateLimitedError, UpstreamError))
            if delay is not None and delay > MAX_RETRY_AFTER_SECONDS:
                error.detail = f"the server asked to wait {delay:g}s"
                retryable = False
            if not retryable or attempt == attempts:
                self._fail(error, attempt, attempts)
                raise error from None
            if delay is None:
                delay = self._backoff(attempt)
            self.stats.retries += 1
            log.warning(
                "Polygon %s: %s (attempt %d of %d); retrying in %.2fs",
                path, error.detail or error.summary, attempt, attempts, delay,
            )
            await self._clock.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _fail(self, error: PolygonError, attempt: int, attempts: int) -> None:
        self.stats.errors[error.kind] += 1
        log.warning("%s (attempt %d of %d, giving up)", error.message, attempt, attempts)

    def _http_error(self, status: int, body: bytes, path: str) -> PolygonError:
        parsed = models.decode_error(body)
        detail = self._redact(parsed.text) if parsed and parsed.text else None
        request_id = parsed.request_id if parsed else None
        if status == 401 or (status == 400 and detail and "api key" in detail.lower()):
            cls: type[PolygonError] = AuthError
        elif status == 403:
            cls = NotEntitledError
        elif status == 404:
            cls = NotFoundError
        elif status == 429:
            cls = RateLimitedError
        elif 400 <= status < 500:
            cls = ClientRequestError
        elif status >= 500:
            cls = UpstreamError
        else:  # 1xx/3xx that aiohttp did not resolve
            cls = MalformedResponseError
            detail = detail or f"unexpected HTTP status {status}"
        return cls(detail, endpoint=path, status=status, request_id=request_id)

    def _retry_after(self, header: str | None) -> float | None:
        """Seconds from a `Retry-After` header (delta-seconds or an HTTP date)."""
        if not header:
            return None
        try:
            return max(0.0, float(header))
        except ValueError:
            pass
        try:
            moment = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return max(0.0, (moment - self._clock.now()).total_seconds())

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with equal jitter: half fixed, half random."""
        ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _redact(self, text: str) -> str:
        key = self._headers["Authorization"].removeprefix("Bearer ")
        return text.replace(key, "***") if key else text

    def _follow(self, next_url: str) -> tuple[str, Params]:
        """The path and query of a `next_url`, without any `apiKey` parameter, to be sent to
        this client's own base URL (a prefix the path already carries is not doubled)."""
        parts = urlsplit(next_url)
        path = parts.path or "/"
        if self._base_path and path.startswith(self._base_path + "/"):
            path = path[len(self._base_path) :]
        pairs = tuple(
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if name.lower() != "apikey"
        )
        return path, pairs

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            if not self._owns_session:
                raise RuntimeError("the session given to PolygonClient is closed")
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100, ttl_dns_cache=300),
                raise_for_status=False,
            )
        return self._session


# --- helpers --------------------------------------------------------------------------------


def _segment(value: str) -> str:
    """One path segment, percent-encoded (tickers keep their `:` and `.`)."""
    return quote(str(value), safe=":.")


def _param_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _params(*pairs: tuple[str, object]) -> Params:
    return tuple((name, _param_value(value)) for name, value in pairs if value is not None)


def _tick_params(
    gt: int | None, gte: int | None, lt: int | None, lte: int | None, order: str, limit: int
) -> Params:
    if not 1 <= limit <= 50000:
        raise ValueError(f"limit must be within 1..50000, got {limit}")
    return _params(
        ("timestamp.gt", gt),
        ("timestamp.gte", gte),
        ("timestamp.lt", lt),
        ("timestamp.lte", lte),
        ("order", order),
        ("sort", "timestamp"),
        ("limit", limit),
    )


def _agg_bound(value: date | int) -> str:
    """A date as YYYY-MM-DD, a datetime or an int as epoch milliseconds."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("an aggregates bound given as a datetime must be timezone-aware")
        return str(int(value.timestamp() * 1000))
    if isinstance(value, date):
        return value.isoformat()
    return str(int(value))


def _canonical(params: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(params))
