"""The async Polygon (Massive) REST client: models, errors, limiter, cache and client."""

from bot.polygon.client import ClientStats, PolygonClient
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
from bot.polygon.models import ChainSnapshot, OptionContractSnapshot, decode_chain_page

__all__ = [
    "AuthError",
    "ChainSnapshot",
    "ClientRequestError",
    "ClientStats",
    "MalformedResponseError",
    "NotEntitledError",
    "NotFoundError",
    "OptionContractSnapshot",
    "PaginationError",
    "PolygonClient",
    "PolygonError",
    "RateLimitedError",
    "UpstreamError",
    "decode_chain_page",
]
