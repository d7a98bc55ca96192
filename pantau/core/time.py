"""ISO weeks as the digest uses them: "2018-W40", Monday 00:00 to Monday 00:00 in the configured time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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

    def shifted(self, weeks: int) -> "IsoWeek":
        return week_of(self.monday + timedelta(weeks=weeks))

    def utc_bounds(self, zone: str) -> tuple[datetime, datetime]:
        """[start, end) of the week as UTC instants: local Monday 00:00 to the next Monday 00:00."""
        tz = time_zone(zone)
        start = datetime.combine(self.monday, time.min, tzinfo=tz)
        end = datetime.combine(self.monday + timedelta(weeks=1), time.min, tzinfo=tz)
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


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


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"time zone {name!r} is unknown; set `timezone` to an IANA name such as Asia/Jakarta") from None


def last_complete_week(now: datetime | None = None, zone: str | None = None) -> str:
    """The ISO week before the one containing `now` (default: the current time) in `zone`.

    `zone` defaults to the `timezone` setting: a digest sent on Monday 08:00 in Jakarta covers the
    Monday-to-Sunday week that has just ended there, whatever the server's clock zone is.
    """
    if zone is None:
        from pantau.core.config import get_settings

        zone = get_settings().timezone
    tz = time_zone(zone)
    moment = now or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        raise InputError("last_complete_week needs a timezone-aware time")
    return week_of(moment.astimezone(tz).date()).shifted(-1).label
