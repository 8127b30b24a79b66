"""The one Alert every scanner emits, options and stock alike.

An alert carries only what was measured: a field a scanner does not have stays None, and the
renderings leave it out rather than pad it. Units, so every reader agrees:

- money in US dollars; `implied_volatility` and `prob_itm` as fractions (0.245 = 24.5%);
  `percent_of_adv` and `change_percent` already in percent (4.1 = 4.1%);
- every datetime is timezone-aware and stored in UTC; display converts to America/New_York;
- `dte` counts ET calendar days to an expiration at 16:00 ET, as the feed computes it.

`id` and `kind` are derived (from the scanner, the dedup key and the detection time), written
to JSON for readers of the alert log and checked, not trusted, when a line is read back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime, timezone
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StringConstraints,
    computed_field,
    field_serializer,
    field_validator,
    model_validator,
)

from bot.analytics.tape import Sentiment, Side


class Scanner(StrEnum):
    FLOW = "flow"
    SWEEPS = "sweeps"
    GOLDEN_SWEEPS = "golden_sweeps"
    BULLSEYE = "bullseye"
    SCALPS = "scalps"
    DARKPOOL = "darkpool"
    BREAKOUTS = "breakouts"

    @property
    def label(self) -> str:
        """The product name users see for this scanner."""
        return SCANNER_LABELS[self]

    @property
    def kind(self) -> AlertKind:
        return AlertKind.STOCK if self in STOCK_SCANNERS else AlertKind.OPTION


class AlertKind(StrEnum):
    OPTION = "option"
    STOCK = "stock"


SCANNER_LABELS = {
    Scanner.FLOW: "ORAKL Flow",
    Scanner.SWEEPS: "Sweeps",
    Scanner.GOLDEN_SWEEPS: "Golden Sweeps",
    Scanner.BULLSEYE: "Bullseye",
    Scanner.SCALPS: "Scalps",
    Scanner.DARKPOOL: "Darkpool",
    Scanner.BREAKOUTS: "Breakouts",
}
STOCK_SCANNERS = frozenset({Scanner.DARKPOOL, Scanner.BREAKOUTS})


class ContractType(StrEnum):
    CALL = "call"
    PUT = "put"


class Tag(StrEnum):
    """Declaration order is display order: how the prints traded first, then context."""

    SWEEP = "SWEEP"
    BLOCK = "BLOCK"
    SPLIT = "SPLIT"
    LARGE_VOLUME = "LARGE VOLUME"
    DARK_POOL = "DARK POOL"
    BREAKOUT = "BREAKOUT"
    BREAKDOWN = "BREAKDOWN"
    OPENING = "OPENING"
    ACCUMULATION = "ACCUMULATION"
    REPEAT = "REPEAT"
    ZERO_DTE = "0DTE"
    EXTENDED_HOURS = "EXTENDED HOURS"


TAG_ORDER = {tag: position for position, tag in enumerate(Tag)}


class Status(StrEnum):
    NEW = "NEW"
    ACCUMULATION = "ACCUMULATION"


class DataDelay(StrEnum):
    REAL_TIME = "REAL-TIME"
    DELAYED = "DELAYED"
    UNKNOWN = "UNKNOWN"


# Free text a scanner writes (a score basis, an NBBO position): never blank, one line.
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^[^\x00-\x1f\x7f-\x9f]+$")]
Money = Annotated[float, Field(ge=0)]
PositivePrice = Annotated[float, Field(gt=0)]
Count = Annotated[int, Field(ge=0)]
PositiveCount = Annotated[int, Field(ge=1)]


class ScoreComponent(BaseModel):
    """One term of a score: its name, the points it gave and what those points were for."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: Label = Field(max_length=64)
    points: float
    basis: Label = Field(max_length=256, description='e.g. "$1.2M traded"')


# A tag that restates another field: the field is the truth, the tag follows it.
IMPLIED_TAGS: dict[Tag, Callable[[dict[str, Any]], bool]] = {
    Tag.ZERO_DTE: lambda fields: fields.get("dte") == 0,
    Tag.EXTENDED_HOURS: lambda fields: fields.get("extended_hours") is True,
}
DERIVED_FIELDS = ("id", "kind")
OPTION_ONLY_FIELDS = (
    "contract", "contract_type", "strike", "expiration", "dte", "prob_itm", "implied_volatility",
    "delta", "open_interest", "volume_oi_ratio",
)  # fmt: skip
OPTION_REQUIRED_FIELDS = ("contract", "contract_type", "strike", "expiration", "dte")


class Alert(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    scanner: Scanner
    dedup_key: Label = Field(
        max_length=128, description="what the scanner dedups on: contract, print id, symbol+direction"
    )
    ticker: str = Field(pattern=r"^[A-Z][A-Z0-9.:/-]{0,11}$", description="the underlying symbol")
    detected_at: AwareDatetime
    data_delay: DataDelay = DataDelay.UNKNOWN
    status: Status = Status.NEW
    tags: frozenset[Tag] = frozenset()

    contract: str | None = Field(None, pattern=r"^O:[A-Z0-9.]{1,40}$")
    contract_type: ContractType | None = None
    strike: PositivePrice | None = None
    expiration: date | None = None
    dte: Count | None = None

    premium: Money | None = None
    size: PositiveCount | None = Field(None, description="contracts, or shares")
    average_price: Money | None = None
    side: Side | None = None
    side_is_approximate: bool = False
    sentiment: Sentiment | None = None

    score: float | None = Field(None, ge=0, le=100)
    score_components: tuple[ScoreComponent, ...] = ()

    spot: PositivePrice | None = None
    prob_itm: float | None = Field(None, ge=0, le=1)
    implied_volatility: float | None = Field(None, gt=0)
    delta: float | None = Field(None, ge=-1, le=1)
    volume_oi_ratio: float | None = Field(None, ge=0)
    open_interest: Count | None = None
    day_volume: Count | None = None
    repeat_count: PositiveCount | None = None
    accumulated_premium: Money | None = None
    exchanges: PositiveCount | None = Field(None, description="venues the prints came from")

    window_start: AwareDatetime | None = None
    window_end: AwareDatetime | None = None

    price: PositivePrice | None = None
    notional: Money | None = None
    percent_of_adv: float | None = Field(None, ge=0)
    level_price: PositivePrice | None = Field(None, description="the dark-pool price level of the print")
    level_rank: PositiveCount | None = Field(None, description="1 = the day's largest level")
    nbbo_position: Label | None = Field(None, max_length=64, description='e.g. "above ask"')
    relative_volume: float | None = Field(None, ge=0)
    resistance: PositivePrice | None = Field(None, description="20-day high, today excluded")
    support: PositivePrice | None = Field(None, description="20-day low, today excluded")
    sma20: PositivePrice | None = None
    change_percent: float | None = None
    extended_hours: bool = False

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> str:
        """Same scanner, dedup key and detection time give the same id, so replays compare."""
        basis = f"{self.scanner.value}|{self.dedup_key}|{self.detected_at.isoformat()}"
        return hashlib.sha256(basis.encode()).hexdigest()[:16]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind(self) -> AlertKind:
        return self.scanner.kind

    @model_validator(mode="wrap")
    @classmethod
    def _derived_fields_agree(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        if not isinstance(data, dict):
            return handler(data)
        claimed = {name: data[name] for name in DERIVED_FIELDS if name in data}
        alert = handler({name: value for name, value in data.items() if name not in DERIVED_FIELDS})
        for name, value in claimed.items():
            if value != getattr(alert, name):
                raise ValueError(f"{name} {value!r} does not match the alert (expected {getattr(alert, name)!r})")
        return alert

    @model_validator(mode="before")
    @classmethod
    def _add_implied_tags(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        implied = {tag for tag, applies in IMPLIED_TAGS.items() if applies(data)}
        return {**data, "tags": {*data.get("tags", ()), *implied}} if implied else data

    @field_validator("detected_at", "window_start", "window_end")
    @classmethod
    def _in_utc(cls, moment: datetime | None) -> datetime | None:
        return None if moment is None else moment.astimezone(timezone.utc)

    @field_serializer("tags")
    def _tags_in_display_order(self, tags: frozenset[Tag]) -> list[str]:
        return [tag.value for tag in self.ordered_tags]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = [*self._kind_problems(), *self._tag_problems(), *self._measure_problems()]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _kind_problems(self) -> list[str]:
        if self.kind is AlertKind.OPTION:
            return [f"an option alert needs {name}" for name in OPTION_REQUIRED_FIELDS if getattr(self, name) is None]
        problems = [f"a stock alert has no {name}" for name in OPTION_ONLY_FIELDS if getattr(self, name) is not None]
        if self.scanner is Scanner.DARKPOOL and self.side not in (None, Side.UNKNOWN):
            problems.append("a dark-pool print has no buy/sell side")
        if self.scanner is Scanner.DARKPOOL and self.sentiment not in (None, Sentiment.NEUTRAL):
            problems.append("a dark-pool print has no direction, so no sentiment")
        if self.scanner is Scanner.BREAKOUTS and len(self.tags & {Tag.BREAKOUT, Tag.BREAKDOWN}) != 1:
            problems.append("a breakout alert is tagged exactly one of BREAKOUT or BREAKDOWN")
        return problems

    def _tag_problems(self) -> list[str]:
        return [
            f"tag {tag.value} contradicts the alert's own fields"
            for tag, applies in IMPLIED_TAGS.items()
            if tag in self.tags and not applies(self.__dict__)
        ]

    def _measure_problems(self) -> list[str]:
        problems = []
        if self.prob_itm is not None and self.implied_volatility is None:
            problems.append("prob_itm needs the implied_volatility it was computed from")
        if (self.score is None) != (not self.score_components):
            problems.append("a score and its components come together")
        names = [component.name for component in self.score_components]
        if len(set(names)) != len(names):
            problems.append("score component names repeat")
        if (self.window_start is None) != (self.window_end is None):
            problems.append("a detection window has both ends")
        elif self.window_start is not None and self.window_end is not None and self.window_start > self.window_end:
            problems.append("the detection window ends before it starts")
        return problems

    @property
    def ordered_tags(self) -> list[Tag]:
        return sorted(self.tags, key=TAG_ORDER.__getitem__)

    @property
    def is_breakdown(self) -> bool:
        return Tag.BREAKDOWN in self.tags

    @property
    def dollar_value(self) -> float | None:
        """What the alert moved in dollars: premium for options, notional for stock prints."""
        return self.premium if self.premium is not None else self.notional

    @property
    def broken_level(self) -> float | None:
        """The 20-day high a breakout cleared, or the 20-day low a breakdown lost."""
        return self.support if self.is_breakdown else self.resistance

    @property
    def percent_past_level(self) -> float | None:
        """How far the price is beyond the broken level, in percent (negative below a low)."""
        level = self.broken_level
        if level is None or self.price is None:
            return None
        return (self.price / level - 1) * 100

    def to_json(self) -> str:
        """One line of JSON (no newline inside), the format of the alert log."""
        return self.model_dump_json()
