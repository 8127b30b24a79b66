import subprocess
import sys

import pytest

from bot.cli import SUBCOMMANDS, main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=60)


def test_help_lists_every_subcommand() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for name in SUBCOMMANDS:
        assert name in result.stdout


def test_settings_lists_every_variable_and_hides_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POLYGON_API_KEY", "pk_live_0123456789abcdef")
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    assert "pk_live_0123456789abcdef" not in out
    assert "POLYGON_API_KEY" in out and "(set, hidden)" in out
    assert "ORAKL_SCANNERS__GOLDEN_SWEEPS__MIN_PREMIUM" in out


def test_bad_setting_exits_2_with_the_variable_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ORAKL_REQUESTS_PER_SECOND", "lots")
    assert main(["settings"]) == 2
    assert "ORAKL_REQUESTS_PER_SECOND" in capsys.readouterr().err


def test_unknown_subcommand_is_refused() -> None:
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_a_subcommands_help_lists_its_own_options() -> None:
    result = run_cli("demo", "--help")
    assert result.returncode == 0
    assert "--speed" in result.stdout and "--duration" in result.stdout
