"""Typed Polygon errors.

Each carries the endpoint as a path only (never a host, a query string or a key), the HTTP
status and the server's request id where known, and a short human message that `/status`
and `python -m bot check` show as is.
"""

from __future__ import annotations


class PolygonError(Exception):
    """Base of every error the Polygon client raises."""

    kind = "error"
    summary = "Polygon request failed"

    def __init__(
        self,
        detail: str | None = None,
        *,
        endpoint: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        self.detail = detail
        self.endpoint = endpoint
        self.status = status
        self.request_id = request_id
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line: what happened, where, and what the server said."""
        parts = [self.summary]
        if self.endpoint:
            parts.append(f"on {self.endpoint}")
        if self.status is not None:
            parts.append(f"(HTTP {self.status})")
        text = " ".join(parts)
        if self.detail:
            text += f": {self.detail}"
        if self.request_id:
            text += f" [request {self.request_id}]"
        return text

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(endpoint={self.endpoint!r}, status={self.status!r}, "
            f"request_id={self.request_id!r}, detail={self.detail!r})"
        )


class AuthError(PolygonError):
    kind = "auth"
    summary = "Polygon rejected the API key (missing or invalid)"


class NotEntitledError(PolygonError):
    kind = "not_entitled"
    summary = "The Polygon plan does not include this data"


class NotFoundError(PolygonError):
    kind = "not_found"
    summary = "Polygon has no such resource"


class ClientRequestError(PolygonError):
    """Another 4xx: the request itself is wrong; retrying cannot help."""

    kind = "bad_request"
    summary = "Polygon refused the request"


class RateLimitedError(PolygonError):
    kind = "rate_limited"
    summary = "Polygon kept rate-limiting the request (429) after retries"


class UpstreamError(PolygonError):
    """5xx, timeouts and connection failures that outlasted the retries."""

    kind = "upstream"
    summary = "Polygon is unavailable or failing"


class MalformedResponseError(PolygonError):
    kind = "malformed"
    summary = "Polygon sent a response that could not be read"


class PaginationError(PolygonError):
    kind = "pagination"
    summary = "Polygon pagination did not finish"
