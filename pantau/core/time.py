"""Local time and weeks: the one home of "which day and which week is this, in Indonesia".

Articles are stored with UTC instants; every day filter, coverage week and digest week is a local
one, in the configured `timezone` (Asia/Jakarta by default). A week is an ISO week ("2018-W40"),
Monday 00:00 to the next Monday 00:00 local time. `local_week` says which week an instant is in, and
`local_week_sql` says the same in SQL (coverage counts are grouped by it); a test holds them equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Date, cast, func

from pantau.core.config import get_settings
from pantau.core.errors import InputError

_WEEK = re.compile(r"^(?P<year>\d{4})-?W(?P<week>\d{2})$")


@dataclass(frozen=True)
class IsoWeek:
    year: int
    week: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 7)

    def shifted(self, weeks: int) -> IsoWeek:
        return week_of(self.monday + timedelta(weeks=weeks))

    def utc_bounds(self, zone: str | None = None) -> tuple[datetime, datetime]:
        """[start, end) of the week as UTC instants: local Monday 00:00 to the next Monday 00:00."""
        return day_start_utc(self.monday, zone), day_start_utc(self.monday + timedelta(weeks=1), zone)


def parse_week(text: str) -> IsoWeek:
    """'2018-W40' (or '2018W40') -> IsoWeek; InputError saying the expected form otherwise."""
    found = _WEEK.match(text.strip())
    if found is None:
        raise InputError(f"week {text!r} is not an ISO week; write it like 2018-W40")
    year, week = int(found["year"]), int(found["week"])
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise InputError(f"week {text!r} does not exist: {year} has weeks 01 to {weeks_in_year(year):02d}") from None
    return IsoWeek(year, week)


def weeks_in_year(year: int) -> int:
    # 28 December is always in the last ISO week of its year.
    return date(year, 12, 28).isocalendar().week


def week_of(day: date) -> IsoWeek:
    calendar = day.isocalendar()
    return IsoWeek(calendar.year, calendar.week)


def time_zone(name: str | None = None) -> ZoneInfo:
    """The zone called `name`, by default the `timezone` setting; InputError naming the setting otherwise."""
    name = get_settings().timezone if name is None else name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"time zone {name!r} is unknown; set `timezone` to an IANA name such as Asia/Jakarta") from None


def day_start_utc(day: date, zone: str | None = None) -> datetime:
    """The UTC instant at which `day` begins in `zone` (default: the `timezone` setting)."""
    return datetime.combine(day, time.min, tzinfo=time_zone(zone)).astimezone(UTC)


def local_date(instant: datetime, zone: str | None = None) -> date:
    """The local calendar day of an instant (a naive instant is UTC, as the store keeps them)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(time_zone(zone)).date()


def local_week(instant: datetime, zone: str | None = None) -> IsoWeek:
    """The ISO week an instant falls in, counted in local time (default: the `timezone` setting)."""
    return week_of(local_date(instant, zone))


def local_week_sql(instant: Any, dialect: str, zone: str | None = None) -> Any:
    """`local_week(instant).monday` as a SQL expression over a UTC timestamp column."""
    tz = time_zone(zone)
    if dialect == "postgresql":
        return cast(func.date_trunc("week", func.timezone(tz.key, instant)), Date)
    # SQLite has no time zones. Indonesian zones keep one offset all year, so a fixed shift is exact there.
    offset = datetime.now(tz).utcoffset() or timedelta(0)
    shift = f"{int(offset.total_seconds() // 60):+d} minutes"
    return func.date(instant, shift, "weekday 0", "-6 days")


def last_complete_week(now: datetime | None = None, zone: str | None = None) -> str:
    """The ISO week before the one containing `now` (default: the current time) in `zone`.

    `zone` defaults to the `timezone` setting: a digest sent on Monday 08:00 in Jakarta covers the
    Monday-to-Sunday week that has just ended there, whatever the server's clock zone is.
    """
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        raise InputError("last_complete_week needs a timezone-aware time")
    return local_week(moment, zone).shifted(-1).label
