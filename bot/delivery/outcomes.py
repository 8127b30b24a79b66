"""What became of one attempt to post a message, as the router acts on it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Posted:
    message_id: int


@dataclass(frozen=True)
class ChannelBroken:
    """The channel cannot be posted to until an admin fixes it (403, 404, missing permissions)."""

    reason: str


@dataclass(frozen=True)
class RateLimited:
    """Discord said 429: the same message goes again after `retry_after` seconds."""

    retry_after: float


@dataclass(frozen=True)
class Refused:
    """Discord refused this message itself (a 400, say); sending it again cannot help."""

    reason: str


@dataclass(frozen=True)
class Unavailable:
    """Discord could not be reached or failed (5xx); the message stays due and is tried later."""

    reason: str


PostOutcome = Posted | ChannelBroken | RateLimited | Refused | Unavailable
