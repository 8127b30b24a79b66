"""The simulator's HTTP face: Polygon's endpoints, errors, limits and pagination on loopback.

    async with SimServer.start("data/scenarios/quick.json") as sim:
        client = PolygonClient(sim.base_url, sim.api_key, clock=sim.clock)
        sim.clock.advance(600)           # a VirtualClock by default
        sim.inject("http_502", endpoint="options_chain")
        sim.truth()                      # what a correct scanner should report
        sim.stats()                      # requests by endpoint and status

Every API request goes through the same gate, in Polygon's order: the key (401), the key's
rate (429 with Retry-After), injected faults, the plan (403 NOT_AUTHORIZED for trades or
quotes), then the endpoint. The market is read at the clock's now, 15 minutes earlier for a
delayed plan, and never past the end of the session's day. A server given following sessions
(`bot.sim.rollover.next_session`) moves on to the next one at midnight New York time of its
date, as a market rolls over to a new trading day.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter, OrderedDict, defaultdict
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from aiohttp import web

from bot.market.clock import Clock, VirtualClock, epoch_ns
from bot.sim import payloads
from bot.sim.access import (
    MISSING_KEY,
    NOT_ENTITLED,
    RATE_LIMITED,
    UNKNOWN_KEY,
    Grant,
    KeyRing,
    retry_after_header,
)
from bot.sim.aggregates import agg_query, aggregate, base_bars
from bot.sim.chains import Contract
from bot.sim.faults import FaultBoard
from bot.sim.market import Book, Market, Part
from bot.sim.paging import encode_cursor, next_url
from bot.sim.queries import (
    BadRequest,
    ChainQuery,
    TickQuery,
    chain_query,
    choice,
    integer,
    tick_query,
    unpack,
)
from bot.sim.reference import CONDITIONS, exchanges
from bot.sim.scenario import (
    ApiKeySpec,
    FaultKind,
    FaultSpec,
    PlanName,
    Scenario,
    load_scenario,
)
from bot.sim.session import NS_PER_MINUTE, NS_PER_SECOND, SessionTimes
from bot.sim.truth import TruthEntry, build_truth

JSON = "application/json"
_encode = msgspec.json.Encoder().encode  # keeps key order: equal bodies are equal bytes
SELECTION_CACHE = 256
NOT_FOUND_MESSAGE = "Ticker not found."
_BAD_GATEWAY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


class Problem(Exception):
    """An error response in Polygon's shape."""

    def __init__(self, status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


@dataclass(slots=True)
class Call:
    request: web.Request
    grant: Grant
    now_ns: int  # the market moment this key may see
    request_id: str

    @property
    def timeframe(self) -> str:
        return self.grant.plan.timeframe


@dataclass(slots=True)
class Page:
    """A handler's answer: the body, and for listings the cursor state of this page and of
    the next one (None on the last page). `next_path` moves a listing whose position lives in
    the path (aggregates); by default the next page has the request's path."""

    body: dict[str, Any]
    this_state: dict[str, Any] | None = None
    next_state: dict[str, Any] | None = None
    next_path: str | None = None


Handler = Callable[[Call], Awaitable[Page]]


class SimServer:
    def __init__(
        self,
        scenario: Scenario,
        *,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        market: Market | None = None,
        following: Sequence[Scenario] = (),
    ) -> None:
        """`market` serves a market already built for this scenario (it is read-only once
        built, so several servers, one after another in tests, can share its books).
        `following` are the later sessions of the same market, in date order; only their
        markets and events are used (keys, rates and faults stay the server's)."""
        if market is not None and market.scenario != scenario:
            raise ValueError("the market was built for another scenario")
        dates = [scenario.session_date, *(later.session_date for later in following)]
        if dates != sorted(set(dates)):
            raise ValueError("following sessions must come after the scenario's, in date order")
        self.scenario = scenario
        self.clock: Clock = clock or VirtualClock(scenario.session_start)
        self.market = market or Market(scenario)
        self._following = [
            (SessionTimes.of(later.session_date, self.market.calendar).day_start_ns, later) for later in following
        ]
        self.keys = KeyRing(list(scenario.access.keys))
        self.faults = FaultBoard(scenario.faults)
        self.base_url = ""
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None
        self._requests: defaultdict[str, Counter[int]] = defaultdict(Counter)
        self._selections: OrderedDict[tuple[Any, ...], list[Contract]] = OrderedDict()
        self._build_locks: dict[tuple[str, Part], asyncio.Lock] = {}
        self._truth: list[TruthEntry] | None = None

    # --- lifecycle ------------------------------------------------------------------------

    @classmethod
    @asynccontextmanager
    async def start(
        cls,
        scenario: Scenario | Path | str,
        *,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        market: Market | None = None,
        following: Sequence[Scenario] = (),
    ) -> AsyncIterator[SimServer]:
        """Serve `scenario` (a model or a path to its file) until the block ends."""
        loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        server = cls(loaded, clock=clock, host=host, port=port, market=market, following=following)
        await server.open()
        try:
            yield server
        finally:
            await server.close()

    async def open(self) -> None:
        # Cancel a handler whose client went away (a slow fault past the client's timeout)
        # instead of leaving it to finish into a closed socket.
        self._runner = web.AppRunner(self._app(), handle_signals=False, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def prepare(self, symbols: Iterable[str] | None = None) -> None:
        """Build the books now rather than on their first request (a benchmark's warm-up)."""
        for symbol in symbols or list(self.market.books):
            book = self.market.books[symbol]
            await self._ready(book, "options")
            await self._ready(book, "stock")

    # --- the in-process API ---------------------------------------------------------------

    @property
    def api_key(self) -> str:
        """The scenario's first key."""
        return self.scenario.access.keys[0].key

    def truth(self) -> list[TruthEntry]:
        """What a correct scanner should report for each planted event of the session being
        served (never served)."""
        if self._truth is None:
            self._truth = build_truth(self.market)
        return list(self._truth)

    def inject(
        self,
        kind: FaultKind,
        *,
        endpoint: str = "*",
        after: int = 0,
        count: int | None = 1,
        delay_seconds: float = 30.0,
    ) -> FaultSpec:
        spec = FaultSpec.model_validate(
            {
                "kind": kind,
                "endpoint": endpoint,
                "after": after,
                "count": count,
                "delay_seconds": delay_seconds,
            }
        )
        self.faults.add(spec)
        return spec

    def clear_faults(self) -> None:
        self.faults.clear()

    def set_key(
        self,
        key: str,
        plan: PlanName = "advanced",
        *,
        requests_per_second: float | None = None,
        burst: int | None = None,
    ) -> None:
        """Add a key, or replace one's plan and rate."""
        self.keys.set(ApiKeySpec(key=key, plan=plan, requests_per_second=requests_per_second, burst=burst))

    def remove_key(self, key: str) -> None:
        self.keys.remove(key)

    def stats(self) -> dict[str, Any]:
        return {
            "requests": {
                endpoint: {str(status): count for status, count in sorted(statuses.items())}
                for endpoint, statuses in sorted(self._requests.items())
            },
            "total": sum(sum(statuses.values()) for statuses in self._requests.values()),
            "faults": self.faults.report(),
        }

    # --- HTTP -----------------------------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application()
        routes: Sequence[tuple[str, str, Handler]] = (
            ("/v3/snapshot/options/{underlying}", "options_chain", self._options_chain),
            ("/v3/snapshot/options/{underlying}/{contract}", "option_contract", self._option_contract),
            ("/v3/trades/{ticker}", "trades", self._trades),
            ("/v3/quotes/{ticker}", "quotes", self._quotes),
            (
                "/v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{start}/{end}",
                "aggregates",
                self._aggregates,
            ),
            ("/v2/snapshot/locale/us/markets/stocks/tickers", "stock_snapshots", self._stock_snapshots),
            (
                "/v2/snapshot/locale/us/markets/stocks/tickers/{ticker}",
                "stock_snapshot",
                self._stock_snapshot,
            ),
            ("/v3/reference/conditions", "conditions", self._conditions),
            ("/v3/reference/exchanges", "exchanges", self._exchanges),
            ("/v1/marketstatus/now", "market_status", self._market_status),
        )
        for path, endpoint, handler in routes:
            app.router.add_get(path, self._gate(endpoint, handler), allow_head=False)
        app.router.add_get("/sim/stats", self._stats_handler, allow_head=False)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        return app

    def _gate(
        self, endpoint: str, handler: Handler
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def serve(request: web.Request) -> web.StreamResponse:
            response = await self._serve(request, endpoint, handler)
            self._requests[endpoint][response.status] += 1
            return response

        return serve

    async def _serve(self, request: web.Request, endpoint: str, handler: Handler) -> web.StreamResponse:
        now_ns = epoch_ns(self.clock.now())
        self._roll_over(now_ns)
        request_id = hashlib.blake2b(
            f"{self.scenario.seed}\x1f{request.path_qs}\x1f{now_ns}".encode(), digest_size=16
        ).hexdigest()
        try:
            grant = self._authorise(request, request_id)
            fault = self.faults.draw(endpoint)
            if fault is not None and fault.kind == "http_500":
                raise Problem(
                    500, {"status": "ERROR", "request_id": request_id, "error": "Internal Server Error"}
                )
            if fault is not None and fault.kind == "http_502":
                return web.Response(status=502, body=_BAD_GATEWAY, content_type="text/html")
            if fault is not None and fault.kind == "slow":
                await asyncio.sleep(fault.delay_seconds)  # wall time: what a client's timeout measures
            if not grant.plan.allows(endpoint, stock_data=_reads_stock_data(request, endpoint)):
                raise Problem(
                    403, {"status": "NOT_AUTHORIZED", "request_id": request_id, "message": NOT_ENTITLED}
                )
            market_ns = min(
                now_ns - grant.plan.delay_minutes * NS_PER_MINUTE, self.market.session.day_end_ns - 1
            )
            page = await handler(Call(request, grant, market_ns, request_id))
        except Problem as problem:
            return _json(problem.status, problem.body, problem.headers)
        except BadRequest as error:
            return _json(400, {"status": "ERROR", "request_id": request_id, "error": str(error)})
        if fault is not None and fault.kind == "looping_cursor" and page.this_state is not None:
            # The page points back at itself: a client that does not track cursors never ends.
            page.body["next_url"] = next_url(self.base_url, request.path, encode_cursor(page.this_state))
        elif page.next_state is not None:
            path = page.next_path or request.path
            page.body["next_url"] = next_url(self.base_url, path, encode_cursor(page.next_state))
        body = _encode(page.body)
        if fault is not None and fault.kind == "malformed_json":
            body = body[: len(body) // 2]
        return web.Response(body=body, content_type=JSON)

    def _roll_over(self, now_ns: int) -> None:
        """Serve the following session once its day has begun. Its books are built lazily
        like the first session's, so only the market's frame is built here."""
        while self._following and now_ns >= self._following[0][0]:
            _, self.scenario = self._following.pop(0)
            self.market = Market(self.scenario, self.market.calendar)
            self._selections.clear()
            self._truth = None

    def _authorise(self, request: web.Request, request_id: str) -> Grant:
        header = request.headers.get("Authorization", "")
        key = header[7:].strip() if header.lower().startswith("bearer ") else request.query.get("apiKey", "")
        if not key:
            raise Problem(401, {"status": "ERROR", "request_id": request_id, "error": MISSING_KEY})
        grant = self.keys.get(key)
        if grant is None:
            raise Problem(401, {"status": "ERROR", "request_id": request_id, "error": UNKNOWN_KEY})
        if grant.bucket is not None:
            wait = grant.bucket.take(self.clock.monotonic())
            if wait is not None:
                raise Problem(
                    429,
                    {"status": "ERROR", "request_id": request_id, "error": RATE_LIMITED},
                    {"Retry-After": retry_after_header(wait)},
                )
        return grant

    async def _stats_handler(self, request: web.Request) -> web.Response:
        del request
        return _json(200, self.stats())

    async def _unknown(self, request: web.Request) -> web.Response:
        self._requests["unknown"][404] += 1
        return _json(
            404, {"status": "NOT_FOUND", "request_id": "", "message": f"no such endpoint: {request.path}"}
        )

    async def _ready(self, book: Book, part: Part) -> None:
        """Build a book's part, once, before a handler reads it: off the event loop when time
        is real, so a live server keeps answering meanwhile; in line on a virtual clock, where
        a build handed to a thread would let `VirtualClock.run` jump time while it ran."""
        if book.is_built(part):
            return
        if isinstance(self.clock, VirtualClock):
            book.build(part)
            return
        lock = self._build_locks.setdefault((book.symbol, part), asyncio.Lock())
        async with lock:
            if not book.is_built(part):
                await asyncio.to_thread(book.build, part)

    # --- endpoints ------------------------------------------------------------------------

    async def _options_chain(self, call: Call) -> Page:
        query = chain_query(call.request.query)
        book = self.market.book(call.request.match_info["underlying"])
        selection: list[Contract] = []
        if book is not None:
            await self._ready(book, "options")
            selection = self._selection(book, query)
        page = selection[query.offset : query.offset + query.limit]
        results = (
            [payloads.option_snapshot(book, contract, call.now_ns, call.timeframe) for contract in page]
            if book
            else []
        )
        end = query.offset + len(page)
        return Page(
            {"request_id": call.request_id, "results": results, "status": "OK"},
            {**query.params, "offset": query.offset},
            {**query.params, "offset": end} if end < len(selection) else None,
        )

    def _selection(self, book: Book, query: ChainQuery) -> list[Contract]:
        key = (book.symbol, *query.selection_key)
        found = self._selections.get(key)
        if found is None:
            chosen = [contract for contract in book.chain.contracts if query.matches(contract)]
            found = sorted(chosen, key=query.sort_key, reverse=query.order == "desc")
            self._selections[key] = found
            if len(self._selections) > SELECTION_CACHE:
                self._selections.popitem(last=False)
        else:
            self._selections.move_to_end(key)
        return found

    async def _option(self, ticker: str) -> tuple[Book, Contract] | None:
        """The book and contract of an option ticker, its book built first (off the loop)."""
        book = self.market.option_book(ticker)
        if book is None:
            return None
        await self._ready(book, "options")
        return self.market.option(ticker)

    async def _option_contract(self, call: Call) -> Page:
        found = await self._option(call.request.match_info["contract"])
        if found is None or found[0].symbol != call.request.match_info["underlying"]:
            raise Problem(
                404, {"status": "NOT_FOUND", "request_id": call.request_id, "message": NOT_FOUND_MESSAGE}
            )
        book, contract = found
        snapshot = payloads.option_snapshot(book, contract, call.now_ns, call.timeframe)
        return Page({"request_id": call.request_id, "results": snapshot, "status": "OK"})

    async def _trades(self, call: Call) -> Page:
        query = tick_query(call.request.query)
        ticker = call.request.match_info["ticker"]
        found = await self._option(ticker)
        if found is not None:
            book, contract = found
            tape, key = book.option_tape, contract.ticker

            def row(index: int) -> dict[str, Any]:
                return payloads.option_trade(tape, index, key)

        else:
            stock = self.market.book(ticker)
            if stock is None:
                return _empty_listing(call)
            await self._ready(stock, "stock")
            tape, key = stock.stock_tape, stock.symbol

            def row(index: int) -> dict[str, Any]:
                return payloads.stock_trade(tape, index, stock)

        low, high = tape.window(key, query.after_ns, min(query.until_ns, call.now_ns))
        return _tick_page(call, query, low, high, row)

    async def _quotes(self, call: Call) -> Page:
        query = tick_query(call.request.query)
        ticker = call.request.match_info["ticker"]
        session = self.market.session
        found = await self._option(ticker)
        last_ns = min(query.until_ns, call.now_ns, session.close_ns - 1)
        if found is not None:
            book, contract = found
            last_ns = min(last_ns, contract.expires_ns - 1)

            def row(second: int) -> dict[str, Any]:
                return payloads.option_quote_row(book, contract, second)

        else:
            stock = self.market.book(ticker)
            if stock is None:
                return _empty_listing(call)

            def row(second: int) -> dict[str, Any]:
                return payloads.stock_quote_row(stock, second)

        # One NBBO a second through the regular session: second k is quoted at open + k s.
        low = max(0, -(-(query.after_ns + 1 - session.open_ns) // NS_PER_SECOND))
        high = (last_ns - session.open_ns) // NS_PER_SECOND + 1 if last_ns >= session.open_ns else 0
        return _tick_page(call, query, low, max(low, high), row)

    async def _aggregates(self, call: Call) -> Page:
        info = call.request.match_info
        query = agg_query(
            info["multiplier"], info["timespan"], info["start"], info["end"], call.request.query
        )
        ticker = info["ticker"]
        book = self.market.option_book(ticker) or self.market.book(ticker)
        if book is not None:
            await self._ready(book, "options" if ticker.startswith("O:") else "stock")
        base = base_bars(self.market, ticker, query, call.now_ns) or []
        result = aggregate(base, query)
        body: dict[str, Any] = {
            "adjusted": query.params.get("adjusted", "true") == "true",
            "count": len(result.bars),
            "queryCount": result.base_count,
            "request_id": call.request_id,
        }
        if result.bars:
            body["results"] = [payloads.agg_row(bar) for bar in result.bars]
        body |= {
            "resultsCount": len(result.bars),
            "status": "DELAYED" if call.grant.plan.delay_minutes else "OK",
            "ticker": ticker,
        }
        if result.resume_ms is None:
            return Page(body, query.params)
        # Polygon continues a range by moving a bound in the path; the cursor keeps the rest.
        start, end = (
            (result.resume_ms, query.end_ms) if query.sort == "asc" else (query.start_ms, result.resume_ms)
        )
        path = f"/v2/aggs/ticker/{ticker}/range/{query.multiplier}/{query.timespan}/{start}/{end}"
        return Page(body, query.params, query.params, path)

    async def _stock_snapshot(self, call: Call) -> Page:
        book = self.market.book(call.request.match_info["ticker"])
        if book is None:
            raise Problem(
                404, {"request_id": call.request_id, "status": "NOT_FOUND", "message": NOT_FOUND_MESSAGE}
            )
        await self._ready(book, "stock")
        return Page(
            {
                "request_id": call.request_id,
                "status": "OK",
                "ticker": payloads.stock_snapshot(book, call.now_ns),
            }
        )

    async def _stock_snapshots(self, call: Call) -> Page:
        wanted = call.request.query.get("tickers")
        symbols = [symbol for symbol in wanted.split(",") if symbol] if wanted else list(self.market.books)
        books = [book for book in map(self.market.book, symbols) if book is not None]
        for book in books:
            await self._ready(book, "stock")
        tickers = [payloads.stock_snapshot(book, call.now_ns) for book in books]
        return Page({"count": len(tickers), "status": "OK", "tickers": tickers})

    async def _conditions(self, call: Call) -> Page:
        params = unpack(call.request.query)
        rows = [row for row in CONDITIONS if _condition_matches(row, params)]
        sort = choice(
            params, "sort", ("asset_class", "id", "type", "name", "data_types", "legacy"), "asset_class"
        )
        order = choice(params, "order", ("asc", "desc"), "asc")
        rows.sort(key=lambda row: (str(row.get(sort, "")), row["id"]), reverse=order == "desc")
        limit = integer(params, "limit", 10, 1, 1000)
        offset = integer(params, "offset", 0, 0, len(CONDITIONS))
        page = rows[offset : offset + limit]
        canonical = {name: value for name, value in params.items() if name != "offset"}
        end = offset + len(page)
        return Page(
            {"count": len(page), "request_id": call.request_id, "results": page, "status": "OK"},
            {**canonical, "offset": offset},
            {**canonical, "offset": end} if end < len(rows) else None,
        )

    async def _exchanges(self, call: Call) -> Page:
        query = call.request.query
        rows = exchanges(query.get("asset_class"), query.get("locale"))
        return Page({"count": len(rows), "request_id": call.request_id, "results": rows, "status": "OK"})

    async def _market_status(self, call: Call) -> Page:
        del call
        return Page(payloads.market_status(self.market.calendar, self.clock.now()))


def _condition_matches(row: dict[str, Any], params: Mapping[str, str]) -> bool:
    if "asset_class" in params and row["asset_class"] != params["asset_class"]:
        return False
    if "data_type" in params and params["data_type"] not in row["data_types"]:
        return False
    if "id" in params and str(row["id"]) != params["id"]:
        return False
    return "sip" not in params or params["sip"] in row["sip_mapping"]


def _tick_page(
    call: Call, query: TickQuery, low: int, high: int, row: Callable[[int], dict[str, Any]]
) -> Page:
    """One page of a time-ordered listing over positions [low, high); the cursor stores the
    position the next page starts at, so pages never overlap or skip, even as time moves."""
    if query.order == "asc":
        start = max(low, query.position if query.position is not None else low)
        stop = min(high, start + query.limit)
        positions: Iterable[int] = range(start, stop)
        following = stop if stop < high else None
    else:
        start = min(high - 1, query.position if query.position is not None else high - 1)
        stop = max(low, start - query.limit + 1)
        positions = range(start, stop - 1, -1)
        following = stop - 1 if stop > low else None
    return Page(
        {"request_id": call.request_id, "results": [row(position) for position in positions], "status": "OK"},
        {**query.params, "position": start},
        {**query.params, "position": following} if following is not None else None,
    )


def _empty_listing(call: Call) -> Page:
    return Page({"request_id": call.request_id, "results": [], "status": "OK"})


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.Response(status=status, body=_encode(body), content_type=JSON, headers=headers)


def _reads_stock_data(request: web.Request, endpoint: str) -> bool:
    if endpoint in ("stock_snapshot", "stock_snapshots"):
        return True
    ticker = request.match_info.get("ticker")
    return ticker is not None and not ticker.startswith("O:")
