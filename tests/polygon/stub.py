"""A Polygon-shaped HTTP server on 127.0.0.1 for the client tests.

Routes map a decoded path to a script of replies (served in order, the last one repeated) or
to a function of the request. Every request is recorded with its query, its Authorization
header and, when a clock is given, the clock's time on arrival.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.market.clock import Clock


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # wall seconds before answering (to trip a client timeout)


def json_reply(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return Reply(status, body, {"Content-Type": "application/json", **(headers or {})})


@dataclass(frozen=True)
class Seen:
    path: str
    query: tuple[tuple[str, str], ...]
    path_qs: str
    authorization: str | None
    at: float | None

    def param(self, name: str) -> str | None:
        values = [value for key, value in self.query if key == name]
        return values[-1] if values else None


Handler = Callable[[web.Request], Reply | Awaitable[Reply]]


class PolygonStub:
    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock
        self.seen: list[Seen] = []
        self._routes: dict[str, list[Reply] | Handler] = {}
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._server = TestServer(app, host="127.0.0.1")

    async def start(self) -> None:
        await self._server.start_server()

    async def close(self) -> None:
        self._closing.set()
        await self._server.close()

    @property
    def url(self) -> str:
        return str(self._server.make_url("")).rstrip("/")

    def route(self, path: str, *replies: Reply, handler: Handler | None = None) -> None:
        self._routes[path] = handler if handler is not None else list(replies)

    def requests_to(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(
            Seen(
                path=request.path,
                query=tuple(request.query.items()),
                path_qs=request.raw_path,
                authorization=request.headers.get("Authorization"),
                at=self.clock.monotonic() if self.clock is not None else None,
            )
        )
        route = self._routes.get(request.path)
        if route is None:
            reply = json_reply({"status": "NOT_FOUND", "message": "no such route"}, status=404)
        elif isinstance(route, list):
            reply = route.pop(0) if len(route) > 1 else route[0]
        else:
            made = route(request)
            reply = await made if inspect.isawaitable(made) else made
        if reply.delay:
            try:
                await asyncio.wait_for(self._closing.wait(), reply.delay)
            except TimeoutError:
                pass
        return web.Response(status=reply.status, body=reply.body, headers=reply.headers)
