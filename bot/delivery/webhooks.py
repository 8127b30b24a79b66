"""Incoming webhooks, for servers migrating from the design that posted only through them.

`ORAKL_WEBHOOK_<SCANNER>` receives that scanner's alerts as the same embed the channels get.
A 429 is waited out for as long as Discord says (`retry_after`, on the injected clock); a
webhook Discord no longer knows (401/403/404) is switched off with one log line, not retried
for every alert. The URL holds the webhook's token, so it never appears in a log or error:
they name the scanner's variable instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
import discord
from pydantic import SecretStr

from bot.alerts import Alert, Scanner
from bot.config import WEBHOOK_PREFIX, env_name
from bot.market.clock import Clock

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 2.0
TIMEOUT_SECONDS = 10.0
GONE = frozenset({401, 403, 404})


class WebhookSink:
    name = "webhooks"

    def __init__(
        self,
        urls: Mapping[Scanner, SecretStr],
        clock: Clock,
        *,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._urls = dict(urls)
        self._clock = clock
        self._session = session
        self._owns_session = session is None
        self.switched_off: dict[Scanner, str] = {}

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    async def publish(self, alert: Alert, embed: discord.Embed) -> None:
        url = self._urls.get(alert.scanner)
        if url is None or alert.scanner in self.switched_off:
            return
        payload = {"embeds": [embed.to_dict()], "allowed_mentions": {"parse": []}}
        context = {"webhook": env_name((WEBHOOK_PREFIX + alert.scanner.value,)), "alert": alert.id}
        for attempt in range(1, MAX_ATTEMPTS + 1):
            wait = await self._attempt(alert.scanner, url, payload, context)
            if wait is None:
                return
            if attempt < MAX_ATTEMPTS:
                await self._clock.sleep(wait)
        log.error("webhook post given up after %d attempts", MAX_ATTEMPTS, extra={"context": context})

    async def _attempt(
        self, scanner: Scanner, url: SecretStr, payload: dict[str, Any], context: Mapping[str, object]
    ) -> float | None:
        """Post once: None when done (posted or not worth retrying), else seconds to wait."""
        try:
            async with self._get_session().post(url.get_secret_value(), json=payload) as response:
                if response.status < 300:
                    return None
                if response.status == 429:
                    return await _retry_after(response)
                if response.status in GONE:
                    self.switched_off[scanner] = f"HTTP {response.status}"
                    log.error(
                        "webhook refused (HTTP %d): switched off until the URL is fixed and ORAKL restarts",
                        response.status,
                        extra={"context": context},
                    )
                    return None
                if response.status >= 500:
                    return BACKOFF_SECONDS
                log.warning("webhook refused the message (HTTP %d)", response.status, extra={"context": context})
                return None
        except (TimeoutError, aiohttp.ClientError) as error:
            # The exception text can carry the URL; its type says enough.
            log.warning("webhook unreachable (%s)", type(error).__name__, extra={"context": context})
            return BACKOFF_SECONDS

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS))
        return self._session


async def _retry_after(response: aiohttp.ClientResponse) -> float:
    """Discord's JSON `retry_after` (seconds, fractional), else the Retry-After header."""
    try:
        body = await response.json(content_type=None)
        return max(0.0, float(body["retry_after"]))
    except (ValueError, KeyError, TypeError, aiohttp.ContentTypeError):
        pass
    try:
        return max(0.0, float(response.headers.get("Retry-After", BACKOFF_SECONDS)))
    except ValueError:
        return BACKOFF_SECONDS
