"""The simulated session's moments, as epoch nanoseconds (the unit of `sip_timestamp`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.market.calendar import ET, MarketCalendar
from bot.market.clock import epoch_ns

NS_PER_MS = 1_000_000
NS_PER_SECOND = 1_000_000_000
NS_PER_MINUTE = 60 * NS_PER_SECOND


@dataclass(frozen=True, slots=True)
class SessionTimes:
    day: date
    open_ns: int
    close_ns: int

    @classmethod
    def of(cls, day: date, calendar: MarketCalendar) -> SessionTimes:
        return cls(day, epoch_ns(calendar.open_at(day)), epoch_ns(calendar.close_at(day)))

    @property
    def seconds(self) -> int:
        return (self.close_ns - self.open_ns) // NS_PER_SECOND

    @property
    def minutes(self) -> int:
        return (self.close_ns - self.open_ns) // NS_PER_MINUTE

    @property
    def day_start_ns(self) -> int:
        """Midnight in New York: where a daily bar's timestamp sits."""
        return epoch_ns(datetime.combine(self.day, time(0), tzinfo=ET))

    @property
    def day_end_ns(self) -> int:
        return epoch_ns(datetime.combine(self.day + timedelta(days=1), time(0), tzinfo=ET))

    def at(self, moment: time) -> int:
        """A New York time of day on this session's date."""
        return epoch_ns(datetime.combine(self.day, moment, tzinfo=ET))

    def second_of(self, moment: time) -> int:
        """Seconds after the open (negative before it)."""
        return (self.at(moment) - self.open_ns) // NS_PER_SECOND
