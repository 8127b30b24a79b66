"""US market time: NYSE sessions, holidays and half days, in America/New_York.

Sessions come from `exchange_calendars` (XNYS), never from a hand-written holiday list, and
every answer is computed in New York time whatever the host's TZ. The exchange calendar is
built once, on first use, in a short-lived child process: it needs pandas, which would cost
this long-running process some 50 MB of memory for a table of under 3,000 sessions. The
child prints the sessions as JSON; they are kept here as plain `datetime`s, so every later
question is a dict lookup or a bisect.

Moments must be timezone-aware; a naive datetime is refused rather than guessed at.
"""

from __future__ import annotations

import bisect
import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

ET = ZoneInfo("America/New_York")
EXCHANGE = "XNYS"
FIRST_DAY = date(2020, 1, 1)
LAST_DAY = date(2030, 12, 31)

PRE_MARKET_OPENS = time(4, 0)
POST_MARKET_CLOSES = time(20, 0)
# On early-close days Nasdaq and NYSE Arca end late trading at 17:00 instead of 20:00.
POST_MARKET_CLOSES_ON_HALF_DAYS = time(17, 0)
REGULAR_CLOSE = time(16, 0)
OPTIONS_EXPIRE = time(16, 0)
# Cboe keeps broad-based index options (SPX, XSP, NDX...) open 15 minutes past the equity
# close, on half days too (12:15 CT = 13:15 ET).
INDEX_OPTIONS_EXTRA = timedelta(minutes=15)
SECONDS_PER_YEAR = 365.0 * 24 * 3600

ExtendedSession = Literal["pre", "post"]


class NotASession(ValueError):
    """A date that is not an NYSE trading day was used where a session was required."""


class OutsideCalendar(ValueError):
    """A date beyond the years the calendar was built for."""


@dataclass(frozen=True, slots=True)
class Session:
    day: date
    open: datetime  # ET
    close: datetime  # ET

    @property
    def is_half_day(self) -> bool:
        return self.close.time() < REGULAR_CLOSE


@dataclass(frozen=True, slots=True)
class _Schedule:
    by_day: dict[date, Session]
    days: list[date]  # sorted


# Run with `python -c PROGRAM EXCHANGE FIRST LAST`; prints [[day, open, close], ...] with the
# open and close as ISO 8601 UTC times. Nothing from `bot` is imported: only the calendar.
SESSIONS_PROGRAM = """
import json, sys, warnings
import exchange_calendars
with warnings.catch_warnings():
    # exchange_calendars 4.x reads `Series.values`, which pandas 3 deprecates; nothing to
    # act on, and it would otherwise greet every start-up.
    warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
    calendar = exchange_calendars.get_calendar(sys.argv[1], start=sys.argv[2], end=sys.argv[3])
schedule = calendar.schedule
json.dump([[day.date().isoformat(), opened.isoformat(), closed.isoformat()]
           for day, opened, closed in zip(schedule.index, schedule["open"], schedule["close"])], sys.stdout)
"""


class CalendarUnavailable(RuntimeError):
    """The exchange calendar could not be built (exchange_calendars missing or failing)."""


def exchange_sessions(exchange: str, first: date, last: date) -> list[Session]:
    """`exchange`'s sessions from `first` to `last`, computed by exchange_calendars in a
    child process (this one never imports pandas)."""
    command = [sys.executable, "-c", SESSIONS_PROGRAM, exchange, first.isoformat(), last.isoformat()]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CalendarUnavailable(f"building the {exchange} calendar failed: {done.stderr.strip()}")
    return [
        Session(date.fromisoformat(day), datetime.fromisoformat(opened).astimezone(ET),
                datetime.fromisoformat(closed).astimezone(ET))
        for day, opened, closed in json.loads(done.stdout)
    ]  # fmt: skip


@lru_cache(maxsize=1)
def _schedule() -> _Schedule:
    by_day = {session.day: session for session in exchange_sessions(EXCHANGE, FIRST_DAY, LAST_DAY)}
    return _Schedule(by_day, sorted(by_day))


def _as_et(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"moment must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(ET)


def et_date(moment: datetime) -> date:
    """The calendar date in New York at `moment`."""
    return _as_et(moment).date()


def expires_at(expiration: date) -> datetime:
    """US listed options stop trading and expire at 16:00 ET on their expiration date."""
    return datetime.combine(expiration, OPTIONS_EXPIRE, tzinfo=ET)


def dte(expiration: date, moment: datetime) -> int:
    """Days to expiration in ET calendar days: 0 all through the expiration day (0DTE),
    negative once that day is over."""
    return (expiration - et_date(moment)).days


def years_to_expiry(expiration: date, moment: datetime) -> float:
    """Time left until 16:00 ET on `expiration`, in years of 365 days; 0.0 once expired."""
    left = (expires_at(expiration) - _as_et(moment)).total_seconds()
    return max(0.0, left / SECONDS_PER_YEAR)


class MarketCalendar:
    """NYSE sessions in New York time. Cheap to create: every instance shares one schedule."""

    et_date = staticmethod(et_date)
    dte = staticmethod(dte)

    def __init__(self) -> None:
        self._schedule = _schedule()

    def _check_range(self, day: date) -> None:
        if not FIRST_DAY <= day <= LAST_DAY:
            raise OutsideCalendar(f"{day} is outside the calendar ({FIRST_DAY} to {LAST_DAY})")

    def session(self, day: date) -> Session | None:
        self._check_range(day)
        return self._schedule.by_day.get(day)

    def _require_session(self, day: date) -> Session:
        found = self.session(day)
        if found is None:
            raise NotASession(f"{day} is not an NYSE trading day")
        return found

    def is_session(self, day: date) -> bool:
        return self.session(day) is not None

    def session_for(self, moment: datetime) -> date | None:
        """The trading day `moment` falls on in New York (any time of that day), or None on a
        weekend or holiday. Per-session state (volume baselines) is keyed by this date."""
        day = et_date(moment)
        return day if self.is_session(day) else None

    def open_at(self, day: date) -> datetime:
        return self._require_session(day).open

    def close_at(self, day: date) -> datetime:
        return self._require_session(day).close

    def is_half_day(self, day: date) -> bool:
        """True on an early close (13:00 ET); False on full days and on days with no session."""
        found = self.session(day)
        return found is not None and found.is_half_day

    def is_open(self, moment: datetime, *, extended: bool = False) -> bool:
        """Is the regular session (or, with `extended`, any of pre, regular, post) under way?"""
        if extended:
            return self._trading_window(moment) is not None
        found = self.session(et_date(moment))
        return found is not None and found.open <= _as_et(moment) < found.close

    def options_open(self, moment: datetime, index: bool = False) -> bool:
        """Options trade in the regular session only; index options 15 minutes longer."""
        found = self.session(et_date(moment))
        if found is None:
            return False
        close = found.close + INDEX_OPTIONS_EXTRA if index else found.close
        return found.open <= _as_et(moment) < close

    def extended_hours(self, moment: datetime) -> ExtendedSession | None:
        """"pre" from 04:00 to the open, "post" from the close to 20:00 (17:00 on half days),
        on trading days; None during the regular session and when nothing trades."""
        window = self._trading_window(moment)
        if window is None or window == "regular":
            return None
        return window

    def _trading_window(self, moment: datetime) -> ExtendedSession | Literal["regular"] | None:
        local = _as_et(moment)
        found = self.session(local.date())
        if found is None:
            return None
        post_close = POST_MARKET_CLOSES_ON_HALF_DAYS if found.is_half_day else POST_MARKET_CLOSES
        if datetime.combine(found.day, PRE_MARKET_OPENS, tzinfo=ET) <= local < found.open:
            return "pre"
        if found.open <= local < found.close:
            return "regular"
        if found.close <= local < datetime.combine(found.day, post_close, tzinfo=ET):
            return "post"
        return None

    def previous_session(self, day: date) -> date:
        """The last trading day strictly before `day`."""
        self._check_range(day)
        days = self._schedule.days
        index = bisect.bisect_left(days, day)
        if index == 0:
            raise OutsideCalendar(f"no session before {day} in the calendar")
        return days[index - 1]

    def next_session(self, day: date) -> date:
        """The first trading day strictly after `day`."""
        self._check_range(day)
        days = self._schedule.days
        index = bisect.bisect_right(days, day)
        if index == len(days):
            raise OutsideCalendar(f"no session after {day} in the calendar")
        return days[index]

    def sessions_between(self, first: date, last: date) -> list[date]:
        """Trading days from `first` to `last`, both included."""
        self._check_range(first)
        self._check_range(last)
        days = self._schedule.days
        return days[bisect.bisect_left(days, first) : bisect.bisect_right(days, last)]
