"""Settings, read once from the environment and `.env`.

Every setting has an env name (`ORAKL_<FIELD>`; nested scanner settings use `__`, e.g.
`ORAKL_SCANNERS__SWEEPS__MIN_PREMIUM`) except the two secrets, which keep the names users
already know: `DISCORD_TOKEN` and `POLYGON_API_KEY`. A bad value stops start-up with one
line naming the variable and what it expects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "ORAKL_"
NESTED_DELIMITER = "__"


class ScannerSettings(BaseModel):
    enabled: bool = True
    interval_seconds: int = Field(15, ge=1, le=3600)
    stagger_seconds: int = Field(0, ge=0, le=3599)
    min_score: int = Field(0, ge=0, le=100)


class OptionsScannerSettings(ScannerSettings):
    min_premium: float = Field(gt=0)
    min_dte: int = Field(ge=0, le=730)
    max_dte: int = Field(ge=0, le=730)


class FlowSettings(OptionsScannerSettings):
    min_premium: float = Field(10_000, gt=0)
    min_dte: int = Field(1, ge=0, le=730)
    max_dte: int = Field(45, ge=0, le=730)
    repeat_hits: int = Field(3, ge=1)
    repeat_window_minutes: int = Field(60, ge=1)
    min_prob_itm: float = Field(0.50, ge=0, le=1)


class SweepsSettings(OptionsScannerSettings):
    min_premium: float = Field(50_000, gt=0)
    min_dte: int = Field(1, ge=0, le=730)
    max_dte: int = Field(90, ge=0, le=730)
    stagger_seconds: int = Field(3, ge=0, le=3599)


class GoldenSweepsSettings(OptionsScannerSettings):
    min_premium: float = Field(1_000_000, gt=0)
    min_dte: int = Field(1, ge=0, le=730)
    max_dte: int = Field(180, ge=0, le=730)
    stagger_seconds: int = Field(6, ge=0, le=3599)
    max_strike_distance: float = Field(0.05, gt=0, le=1)


class BullseyeSettings(OptionsScannerSettings):
    min_premium: float = Field(5_000, gt=0)
    min_dte: int = Field(7, ge=0, le=730)
    max_dte: int = Field(60, ge=0, le=730)
    stagger_seconds: int = Field(9, ge=0, le=3599)
    min_abs_delta: float = Field(0.40, ge=0, le=1)
    max_abs_delta: float = Field(0.60, ge=0, le=1)
    min_volume_oi_ratio: float = Field(3.0, ge=0)


class ScalpsSettings(OptionsScannerSettings):
    min_premium: float = Field(2_000, gt=0)
    min_dte: int = Field(0, ge=0, le=730)
    max_dte: int = Field(7, ge=0, le=730)
    stagger_seconds: int = Field(12, ge=0, le=3599)
    max_strike_distance: float = Field(0.03, gt=0, le=1)
    rsi_low: float = Field(30, ge=0, le=100)
    rsi_high: float = Field(70, ge=0, le=100)


class DarkpoolSettings(ScannerSettings):
    interval_seconds: int = Field(120, ge=1, le=3600)
    stagger_seconds: int = Field(15, ge=0, le=3599)
    min_shares: int = Field(10_000, ge=1)
    min_notional: float = Field(500_000, gt=0)
    watchlist_size: int = Field(50, ge=1)
    lookback_minutes: int = Field(15, ge=1)


class BreakoutsSettings(ScannerSettings):
    interval_seconds: int = Field(120, ge=1, le=3600)
    stagger_seconds: int = Field(18, ge=0, le=3599)
    lookback_sessions: int = Field(20, ge=2)
    min_break_pct: float = Field(0.5, ge=0)
    min_relative_volume: float = Field(2.0, gt=0)


class ScannersSettings(BaseModel):
    flow: FlowSettings = FlowSettings()
    sweeps: SweepsSettings = SweepsSettings()
    golden_sweeps: GoldenSweepsSettings = GoldenSweepsSettings()
    bullseye: BullseyeSettings = BullseyeSettings()
    scalps: ScalpsSettings = ScalpsSettings()
    darkpool: DarkpoolSettings = DarkpoolSettings()
    breakouts: BreakoutsSettings = BreakoutsSettings()

    def of(self, scanner: str) -> ScannerSettings:
        """The settings of the scanner named `scanner` (a `Scanner` is its name)."""
        chosen: ScannerSettings = getattr(self, scanner)
        return chosen


SCANNER_NAMES = tuple(ScannersSettings.model_fields)
WEBHOOK_PREFIX = "webhook_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTED_DELIMITER,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        env_ignore_empty=True,  # a copied .env.example with blank values means "default"
    )

    discord_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("DISCORD_TOKEN", "ORAKL_DISCORD_TOKEN")
    )
    polygon_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("POLYGON_API_KEY", "ORAKL_POLYGON_API_KEY")
    )
    discord_application_id: int | None = None

    polygon_base_url: str = "https://api.polygon.io"
    requests_per_second: float = Field(5.0, gt=0, le=1000)
    request_burst: int | None = Field(None, ge=1, le=1000)
    max_pages_per_chain: int = Field(60, ge=1, le=1000)
    http_timeout_seconds: float = Field(10.0, gt=0, le=300)
    http_max_retries: int = Field(4, ge=0, le=10)

    sqlite_path: Path = Path("data/orakl.db")
    watchlist_path: Path = Path("data/watchlist.txt")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # The health endpoint is off unless a port is given; it binds loopback unless told otherwise.
    health_port: int | None = Field(None, ge=1, le=65535)
    health_host: str = "127.0.0.1"
    status_interval_seconds: int = Field(60, ge=5, le=3600)

    scanners: ScannersSettings = ScannersSettings()

    channel_budget_per_hour: int = Field(30, ge=1, le=1000)
    digest_interval_seconds: int = Field(300, ge=30, le=3600)
    # Webhooks for users migrating from them, one per scanner (`ORAKL_WEBHOOK_SWEEPS`, ...).
    # A webhook URL is a secret: whoever holds it can post as the webhook.
    webhook_flow: SecretStr | None = None
    webhook_sweeps: SecretStr | None = None
    webhook_golden_sweeps: SecretStr | None = None
    webhook_bullseye: SecretStr | None = None
    webhook_scalps: SecretStr | None = None
    webhook_darkpool: SecretStr | None = None
    webhook_breakouts: SecretStr | None = None

    @field_validator(*(WEBHOOK_PREFIX + name for name in SCANNER_NAMES))
    @classmethod
    def _webhook_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("https://", "http://")):
            raise ValueError("expected the webhook's https:// URL")
        return value

    @field_validator("polygon_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def webhooks(self) -> dict[str, SecretStr]:
        """The webhook URL of each scanner that has one, by scanner name."""
        found = {name: getattr(self, WEBHOOK_PREFIX + name) for name in SCANNER_NAMES}
        return {name: url for name, url in found.items() if url is not None}

    def secrets(self) -> list[str]:
        """Every secret value set, for the log filter that scrubs them."""
        values = [self.discord_token, self.polygon_api_key, *self.webhooks.values()]
        return [value.get_secret_value() for value in values if value is not None]

    @property
    def burst(self) -> int:
        """Requests that may go out back to back; defaults to one second's worth."""
        return self.request_burst or max(1, int(self.requests_per_second))


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line per problem."""


SECRET_FIELDS = frozenset(
    name for name, field in Settings.model_fields.items() if "SecretStr" in str(field.annotation)
)


def env_name(location: tuple[int | str, ...]) -> str:
    """The environment variable behind a validation error's location."""
    first = str(location[0]) if location else ""
    field = Settings.model_fields.get(first)
    if field is not None and isinstance(field.validation_alias, AliasChoices):
        return str(field.validation_alias.choices[0])
    return ENV_PREFIX + NESTED_DELIMITER.join(str(part).upper() for part in location)


def describe_errors(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        shown = problem.get("input")
        secret = bool(problem["loc"]) and str(problem["loc"][0]) in SECRET_FIELDS
        got = "" if isinstance(shown, dict) or secret else f" (got {shown!r})"
        lines.append(f"{env_name(problem['loc'])}: {problem['msg']}{got}")
    return "\n".join(lines)


def load_settings(**overrides: object) -> Settings:
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(describe_errors(error)) from None
    problems = [
        f"{ENV_PREFIX}SCANNERS__{name.upper()}__MIN_DTE: must not exceed MAX_DTE "
        f"({scanner.min_dte} > {scanner.max_dte})"
        for name, scanner in settings.scanners
        if isinstance(scanner, OptionsScannerSettings) and scanner.min_dte > scanner.max_dte
    ]
    if problems:
        raise SettingsError("\n".join(problems))
    return settings
