"""Suite-wide fixtures: settings isolated from the host, and a temp-file database path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HOST_SECRETS = ("DISCORD_TOKEN", "POLYGON_API_KEY")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Settings read `.env` from the working directory and ORAKL_* from the environment; a
    # developer's own configuration must never leak into a test.
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if (name.startswith("ORAKL_") and name != "ORAKL_FIXTURES") or name in HOST_SECRETS:
            monkeypatch.delenv(name)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "orakl-test.db"
