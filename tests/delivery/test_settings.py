"""Delivery settings from the environment: budgets, and webhook URLs kept secret."""

from __future__ import annotations

import pytest

from bot.alerts import Scanner
from bot.config import SettingsError
from bot.delivery.settings import DeliverySettings, load_delivery_settings, webhook_variable

WEBHOOK = "https://discord.com/api/webhooks/123456/tOkEn-Very-SECRET-abc"


def test_defaults_are_thirty_alerts_an_hour_and_no_webhooks() -> None:
    settings = load_delivery_settings()
    assert settings.channel_budget_per_hour == 30
    assert settings.webhooks == {}


def test_every_scanner_has_a_webhook_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for scanner in Scanner:
        monkeypatch.setenv(webhook_variable(scanner), f"{WEBHOOK}/{scanner.value}")
    urls = load_delivery_settings().webhooks
    assert {scanner: url.get_secret_value() for scanner, url in urls.items()} == {
        scanner: f"{WEBHOOK}/{scanner.value}" for scanner in Scanner
    }
    assert webhook_variable(Scanner.GOLDEN_SWEEPS) == "ORAKL_WEBHOOK_GOLDEN_SWEEPS"


def test_the_budget_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORAKL_CHANNEL_BUDGET_PER_HOUR", "12")
    assert load_delivery_settings().channel_budget_per_hour == 12


def test_a_bad_webhook_is_named_by_its_variable_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORAKL_WEBHOOK_SWEEPS", "discord.com/api/webhooks/1/SECRET-token-xyz")
    with pytest.raises(SettingsError) as refused:
        load_delivery_settings()
    assert "ORAKL_WEBHOOK_SWEEPS" in str(refused.value)
    assert "SECRET-token-xyz" not in str(refused.value)


def test_webhook_urls_stay_out_of_reprs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORAKL_WEBHOOK_FLOW", WEBHOOK)
    settings = DeliverySettings()
    assert "tOkEn" not in repr(settings) and "tOkEn" not in str(settings.webhooks)
