"""The one way tests find the reference fixtures in `../shared/fixtures`.

They are public material we may read but not commit. Where they are absent the tests that
need them skip with the reason, except under CI=true, where absence is a failure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def fixtures_root() -> Path:
    configured = os.environ.get("ORAKL_FIXTURES")
    # Tests run from a temp directory, so a relative ORAKL_FIXTURES is taken from the repo.
    root = REPO_ROOT / configured if configured else REPO_ROOT.parent / "shared" / "fixtures"
    if not root.is_dir():
        message = f"reference fixtures not found at {root} (set ORAKL_FIXTURES)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return root


def polygon_dir() -> Path:
    return fixtures_root() / "polygon"


def polygon_bytes(name: str) -> bytes:
    return (polygon_dir() / name).read_bytes()


def polygon_json(name: str) -> Any:
    return json.loads(polygon_bytes(name))


def discord_openapi() -> dict[str, Any]:
    return json.loads((fixtures_root() / "discord" / "openapi.json").read_bytes())
