"""Opaque pagination cursors, as Polygon's: `next_url` carries only `cursor=...`, and the
cursor carries every parameter of the original request plus where the next page starts.

A cursor is base64url (no padding) of a sorted query string, like the ones Polygon hands out
(`YXA9MSZhcz0mbGltaXQ9MSZzb3J0PXRpY2tlcg` is `ap=1&as=&limit=1&sort=ticker`). Clients must
treat it as opaque; the simulator only needs it to be stable and self-contained.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from urllib.parse import parse_qsl, quote, urlencode


class BadCursor(ValueError):
    pass


def encode_cursor(state: Mapping[str, object]) -> str:
    text = urlencode(sorted((name, str(value)) for name, value in state.items()))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, str]:
    try:
        text = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
        if not text:
            raise ValueError("empty cursor")
        return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor(f"cursor {cursor[:40]!r} is not one this server issued") from None


def next_url(base_url: str, path: str, cursor: str) -> str:
    return f"{base_url}{quote(path, safe='/:.')}?cursor={cursor}"
