"""Delivery settings: each channel's hourly budget, the digest cadence, the migration webhooks.

Read like `bot.config.Settings` (`ORAKL_` variables and `.env`), kept beside it because they
belong to delivery alone. A webhook URL is a secret (whoever holds it can post as the
webhook): it is a `SecretStr`, and no error or log line ever shows it.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.alerts import Scanner
from bot.config import ENV_PREFIX, SettingsError

WEBHOOK_PREFIX = "webhook_"


class DeliverySettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
    )

    channel_budget_per_hour: int = Field(30, ge=1, le=1000)
    digest_interval_seconds: int = Field(300, ge=30, le=3600)

    # One per scanner (`ORAKL_WEBHOOK_SWEEPS`, ...); a test keeps this list equal to `Scanner`.
    webhook_flow: SecretStr | None = None
    webhook_sweeps: SecretStr | None = None
    webhook_golden_sweeps: SecretStr | None = None
    webhook_bullseye: SecretStr | None = None
    webhook_scalps: SecretStr | None = None
    webhook_darkpool: SecretStr | None = None
    webhook_breakouts: SecretStr | None = None

    @field_validator(*(WEBHOOK_PREFIX + scanner.value for scanner in Scanner))
    @classmethod
    def _http_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("https://", "http://")):
            raise ValueError("expected the webhook's https:// URL")
        return value

    @property
    def webhooks(self) -> dict[Scanner, SecretStr]:
        """The configured webhook URL of each scanner that has one."""
        found = {scanner: getattr(self, WEBHOOK_PREFIX + scanner.value) for scanner in Scanner}
        return {scanner: url for scanner, url in found.items() if url is not None}


def webhook_variable(scanner: Scanner) -> str:
    return f"{ENV_PREFIX}{WEBHOOK_PREFIX}{scanner.value}".upper()


def load_delivery_settings() -> DeliverySettings:
    try:
        return DeliverySettings()
    except ValidationError as error:
        # Never echo the input: for a webhook it is the secret URL itself.
        lines = [f"{ENV_PREFIX}{str(problem['loc'][0]).upper()}: {problem['msg']}" for problem in error.errors()]
        raise SettingsError("\n".join(lines)) from None
