from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_defaults_are_the_products_published_behaviour() -> None:
    settings = load_settings()
    assert settings.polygon_base_url == "https://api.polygon.io"
    assert settings.requests_per_second == 5.0
    assert settings.max_pages_per_chain == 60
    assert settings.sqlite_path == Path("data/orakl.db")
    assert settings.watchlist_path == Path("data/watchlist.txt")
    scanners = settings.scanners
    assert (scanners.flow.min_premium, scanners.flow.min_dte, scanners.flow.max_dte) == (10_000, 1, 45)
    assert (scanners.sweeps.min_premium, scanners.sweeps.max_dte) == (50_000, 90)
    assert (scanners.golden_sweeps.min_premium, scanners.golden_sweeps.max_dte) == (1_000_000, 180)
    assert (scanners.bullseye.min_dte, scanners.bullseye.max_dte) == (7, 60)
    assert (scanners.scalps.min_premium, scanners.scalps.min_dte, scanners.scalps.max_dte) == (2_000, 0, 7)
    assert (scanners.darkpool.min_shares, scanners.darkpool.min_notional) == (10_000, 500_000)
    assert scanners.breakouts.interval_seconds == 120


def test_options_scanners_are_staggered_three_seconds_apart() -> None:
    scanners = load_settings().scanners
    staggers = [
        s.stagger_seconds
        for s in (scanners.flow, scanners.sweeps, scanners.golden_sweeps, scanners.bullseye, scanners.scalps)
    ]
    assert staggers == [0, 3, 6, 9, 12]
    assert (scanners.darkpool.stagger_seconds, scanners.breakouts.stagger_seconds) == (15, 18)


def test_environment_overrides_including_nested_scanner_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORAKL_REQUESTS_PER_SECOND", "100")
    monkeypatch.setenv("ORAKL_SCANNERS__SWEEPS__MIN_PREMIUM", "75000")
    monkeypatch.setenv("ORAKL_POLYGON_BASE_URL", "http://127.0.0.1:8765/")
    settings = load_settings()
    assert settings.requests_per_second == 100
    assert settings.burst == 100
    assert settings.scanners.sweeps.min_premium == 75_000
    assert settings.polygon_base_url == "http://127.0.0.1:8765"


def test_dotenv_file_in_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("POLYGON_API_KEY=from-dotenv-file\nORAKL_LOG_LEVEL=debug\n")
    settings = load_settings()
    assert settings.polygon_api_key is not None
    assert settings.polygon_api_key.get_secret_value() == "from-dotenv-file"
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("variable", "value", "expected_in_message"),
    [
        ("ORAKL_REQUESTS_PER_SECOND", "fast", "valid number"),
        ("ORAKL_REQUESTS_PER_SECOND", "0", "greater than 0"),
        ("ORAKL_MAX_PAGES_PER_CHAIN", "-1", "greater than or equal to 1"),
        ("ORAKL_POLYGON_BASE_URL", "api.polygon.io", "http:// or https://"),
        ("ORAKL_LOG_LEVEL", "chatty", "DEBUG"),
        ("ORAKL_SCANNERS__SWEEPS__MIN_PREMIUM", "-5", "greater than 0"),
        ("ORAKL_DISCORD_APPLICATION_ID", "not-an-id", "valid integer"),
    ],
)
def test_a_malformed_setting_names_its_variable_on_one_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected_in_message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.count("\n") == 0
    assert message.startswith(f"{variable}:")
    assert expected_in_message in message


def test_dte_range_must_be_ordered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORAKL_SCANNERS__SCALPS__MIN_DTE", "9")
    with pytest.raises(SettingsError, match="ORAKL_SCANNERS__SCALPS__MIN_DTE: must not exceed MAX_DTE"):
        load_settings()


def test_secrets_never_show_in_reprs_or_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYGON_API_KEY", "pk_live_supersecret_123")
    monkeypatch.setenv("DISCORD_TOKEN", "discord.token.supersecret")
    settings = load_settings()
    assert "supersecret" not in repr(settings)
    assert "supersecret" not in str(settings.model_dump())
    monkeypatch.setenv("ORAKL_REQUESTS_PER_SECOND", "x")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "supersecret" not in str(caught.value)


def test_example_env_file_is_generated_from_the_settings() -> None:
    from bot.cli.settings import env_example

    assert (REPO_ROOT / ".env.example").read_text() == env_example(), (
        "regenerate with: python -m bot settings --env-example > .env.example"
    )


def test_example_env_file_copied_as_is_gives_the_defaults(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text((REPO_ROOT / ".env.example").read_text())
    assert load_settings() == load_settings(_env_file=None)


def test_readme_documents_every_setting() -> None:
    from bot.cli.settings import rows

    readme = (REPO_ROOT / "README.md").read_text()
    for variable, _, _ in rows(load_settings()):
        assert f"`{variable}`" in readme, f"{variable} missing from README.md"


WEBHOOK = "https://discord.com/api/webhooks/123456/tOkEn-Very-SECRET-abc"


def test_delivery_defaults_are_thirty_alerts_an_hour_and_no_webhooks() -> None:
    settings = load_settings()
    assert settings.channel_budget_per_hour == 30
    assert settings.webhooks == {}


def test_every_scanner_has_a_webhook_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.alerts.model import Scanner

    for scanner in Scanner:
        monkeypatch.setenv(f"ORAKL_WEBHOOK_{scanner.value.upper()}", f"{WEBHOOK}/{scanner.value}")
    urls = load_settings().webhooks
    assert {name: url.get_secret_value() for name, url in urls.items()} == {
        scanner.value: f"{WEBHOOK}/{scanner.value}" for scanner in Scanner
    }


def test_a_bad_webhook_is_named_by_its_variable_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORAKL_WEBHOOK_SWEEPS", "discord.com/api/webhooks/1/SECRET-token-xyz")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert str(refused.value).startswith("ORAKL_WEBHOOK_SWEEPS: ")
    assert "SECRET-token-xyz" not in str(refused.value)


def test_webhook_urls_stay_out_of_reprs_and_are_scrubbed_from_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORAKL_WEBHOOK_FLOW", WEBHOOK)
    monkeypatch.setenv("POLYGON_API_KEY", "pk_live_0123456789abcdef")
    settings = load_settings()
    assert "tOkEn" not in repr(settings) and "tOkEn" not in str(settings.webhooks)
    assert set(settings.secrets()) == {WEBHOOK, "pk_live_0123456789abcdef"}
