"""Publication and update times: the candidates a page offers in order of trust, parsed from the
formats news pages write and checked for plausibility; the date in the URL (or htmldate's) last."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.extract.metadata import PageMetadata, jsonld_values

JAKARTA = ZoneInfo("Asia/Jakarta")
FUTURE_TOLERANCE = timedelta(minutes=10)  # clocks differ a little; a later "publication" is wrong data
EARLIEST_YEAR = 1990

# Meta and data-layer fields that carry a publication time, in order of trust after JSON-LD.
PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "content_publisheddate", "dtk:publishdate",
    "publishdate", "publish-date", "publish_date", "pubdate", "article.published", "datepublished",
    "date", "dc.date.issued", "dc.date", "dcterms.date", "sailthru.date", "parsely-pub-date", "og:published_time",
)
UPDATED_META = ("article:modified_time", "og:updated_time", "og:article:modified_time", "datemodified", "last-modified",
                "dc.date.modified")
_TIME_WITH_DASHES = re.compile(r"T(\d{2})-(\d{2})-(\d{2})")
_LOCAL_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%Y")


def parse_datetime(value: Any, local: ZoneInfo = JAKARTA) -> tuple[datetime, bool] | None:
    """(aware datetime, has time of day) from the date formats news pages use; naive means `local`."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit() and len(text) in (10, 13):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, tz=UTC).astimezone(local), True
    iso = _TIME_WITH_DASHES.sub(r"T\1:\2:\3", text.replace("/", "-") if re.match(r"^\d{4}/\d{1,2}/\d{1,2}", text) else text)
    iso = re.sub(r"\s*(?:WIB|WITA|WIT)$", "", iso)
    iso = iso[:-1] + "+00:00" if iso.endswith(("Z", "z")) else iso
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        for pattern in _LOCAL_FORMATS:
            try:
                parsed = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        if parsed is None:
            try:
                parsed = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
    has_time = bool(re.search(r"\d{1,2}[:.-]\d{2}", text[10:])) or (parsed.hour, parsed.minute, parsed.second) != (0, 0, 0)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_local_zone_for(text, local))
    return parsed, has_time


def _local_zone_for(text: str, local: ZoneInfo) -> Any:
    # Indonesia's three zones, when a page writes them out instead of an offset.
    if text.endswith("WITA"):
        return timezone(timedelta(hours=8))
    if text.endswith("WIT"):
        return timezone(timedelta(hours=9))
    return local


def choose_datetime(candidates: Iterable[Any], now: datetime, indonesian: bool) -> datetime | None:
    """The first plausible candidate with a time of day, else the first plausible date.

    Future and implausibly old dates are rejected. A time given in UTC on an Indonesian page is the
    same instant written in WIB, the zone the outlet publishes in.
    """
    date_only: datetime | None = None
    for candidate in candidates:
        parsed = parse_datetime(candidate)
        if parsed is None:
            continue
        moment, has_time = parsed
        if moment > now + FUTURE_TOLERANCE or moment.year < EARLIEST_YEAR:
            continue
        if indonesian and moment.utcoffset() == timedelta(0):
            moment = moment.astimezone(JAKARTA)
        if has_time:
            return moment
        date_only = date_only or moment
    return date_only


def published_candidates(page: PageMetadata) -> list[Any]:
    main = page.main
    values: list[Any] = jsonld_values(main, "datePublished") + jsonld_values(main, "dateCreated")
    values += page.all(*PUBLISHED_META)
    values += (page.script_fields.get("content_publisheddate", []) + page.script_fields.get("published_date", [])
               + page.script_fields.get("publish_date", []))
    return values


def updated_candidates(page: PageMetadata) -> list[Any]:
    return jsonld_values(page.main, "dateModified") + page.all(*UPDATED_META)


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|$)")


def fallback_date(tree, url: str | None) -> str | None:
    """A date from the URL path (/2023/11/02/), else the one htmldate (trafilatura's finder) reads."""
    match = _URL_DATE.search(url or "")
    if match:
        year, month, day = (int(part) for part in match.groups())
        return f"{year:04d}-{month:02d}-{day:02d}"
    try:
        from htmldate import find_date  # noqa: PLC0415 - 0.1 s to import, and most pages state their date: loaded when one does not

        return find_date(tree, url=url, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - a missing date is not an error
        return None
