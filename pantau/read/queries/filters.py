"""Which articles a query looks at: the one declaration of every filter.

Each field of `Filters` declares its filter once: the help text, the command-line flags, how its text
is read and checked, and its SQL condition on the articles. `pantau query`'s options, the HTTP API's
query parameters and the query layer's WHERE clauses are all made from these declarations, so a new
filter is one field here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import Session

from models.regions import region_names
from pantau.core.campaigns import campaigns_path, load_campaigns
from pantau.core.errors import InputError
from pantau.core.outlets import all_outlets
from pantau.core.time import day_start_utc
from pantau.read.queries.plan import Plan, campaign_conditions, search_condition
from pantau.store.tables import Article, ArticleOrganization, ArticlePlace, Statistic

# Kemendagri codes: "73" (province) or "73.71" (kabupaten/kota).
REGION_CODE = re.compile(r"^\d{2}(\.\d{2})?$")
DEFAULT_PAGE_SIZE = 50
# Text filters longer than this are not names of anything; refusing them keeps queries cheap.
MAX_FILTER_LENGTH = 300


class NotFoundError(InputError):
    """A filter names something that does not exist (a campaign, an outlet, a region code)."""


@dataclass(frozen=True)
class FilterSpec:
    """What one filter is; `Filters`' field metadata holds one per field (see `filter_specs`)."""

    help: str
    # Command-line flags of `pantau query` (the API parameter is the field's name).
    flags: tuple[str, ...]
    # The SQL conditions on `articles` that keep the articles passing the filter.
    condition: Callable[[Any, Plan], list[ColumnElement[bool]]]
    # Raises NotFoundError / InputError for a value that names nothing or has the wrong shape.
    check: Callable[[Session, Any], None] | None = None
    # The value from its text; `shown` names the filter in the error (--from for the CLI, date_from for the API).
    parse: Callable[[str, str], Any] = lambda text, _shown: text


def _declared(spec: FilterSpec) -> Any:
    return field(default=None, metadata={"filter": spec})


# --------------------------------------------------------------------------- values and checks


def parse_day(value: str | None, name: str) -> date | None:
    """A YYYY-MM-DD filter value, or an InputError naming the filter."""
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{name} {value!r} is not a date; use YYYY-MM-DD, e.g. 2018-08-14") from None


def campaign_names() -> dict[str, str]:
    """Configured campaign id -> display name; read again only when the campaigns file changes."""
    path = campaigns_path()
    try:
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        version = None
    return dict(_campaign_names(str(path), version))


@lru_cache(maxsize=8)
def _campaign_names(path: str, version: tuple[int, int] | None) -> tuple[tuple[str, str], ...]:
    # Parsing and validating every campaign's boolean query costs ~0.1 s: too much for each request.
    return tuple((campaign.id, campaign.name) for campaign in load_campaigns(Path(path)))


def _check_campaign(_session: Session, campaign: str) -> None:
    if campaign not in campaign_names():
        known = ", ".join(sorted(campaign_names())) or "none configured"
        raise NotFoundError(f"unknown campaign {campaign!r}; known campaigns: {known}")


def _check_outlet(session: Session, outlet_id: str) -> None:
    if any(outlet.id == outlet_id for outlet in all_outlets()):
        return
    if not session.scalar(select(exists().where(Article.outlet_id == outlet_id))):
        raise NotFoundError(f"unknown outlet {outlet_id!r}; list outlets with `pantau query outlets` or GET /api/outlets")


def _check_place(_session: Session, code: str) -> None:
    if not REGION_CODE.match(code):
        raise InputError(f"place code {code!r} is not a Kemendagri code; "
                         "use a province code like 73 or a kabupaten/kota code like 73.71")
    if code not in region_names():
        raise NotFoundError(f"unknown region code {code!r}; use a current Kemendagri code such as 31 (DKI Jakarta) "
                            "or 73.71 (Kota Makassar)")


def _check_search(_session: Session, user_query: str) -> None:
    if not re.search(r"\w", user_query):
        raise InputError("the search text has no words; search for words such as 'literasi digital'")


# --------------------------------------------------------------------------- conditions


def place_code_condition(code: str) -> ColumnElement[bool]:
    """A province code covers itself and every kabupaten/kota in it ("73" -> "73", "73.xx")."""
    if "." in code:
        return ArticlePlace.code == code
    # The code is validated as two digits, so the LIKE pattern holds no wildcard from the user.
    return or_(ArticlePlace.code == code, ArticlePlace.code.like(f"{code}.%"))


def _having_statistic(column: Any) -> Callable[[Any, Plan], list[ColumnElement[bool]]]:
    return lambda value, _plan: [Article.id.in_(select(Statistic.article_id).where(column == value))]


def _naming_organization(name: str, _plan: Plan) -> list[ColumnElement[bool]]:
    return [Article.id.in_(select(ArticleOrganization.article_id).where(
        or_(ArticleOrganization.name == name, ArticleOrganization.acronym == name)
    ))]


# --------------------------------------------------------------------------- the declaration


@dataclass(frozen=True)
class Filters:
    """Which articles a query looks at. Every field is optional; all given fields must hold."""

    campaign: str | None = _declared(FilterSpec(
        "campaign id, e.g. laju-digital (list them: pantau query campaigns, GET /api/campaigns)", ("--campaign", "-c"),
        condition=campaign_conditions, check=_check_campaign))
    outlet: str | None = _declared(FilterSpec(
        "outlet id, e.g. kompas (list them: pantau query outlets, GET /api/outlets)", ("--outlet", "-o"),
        condition=lambda outlet, _plan: [Article.outlet_id == outlet], check=_check_outlet))
    # Kemendagri code of a province ("73": every place in it) or a kabupaten/kota ("73.71").
    place: str | None = _declared(FilterSpec(
        "Kemendagri code: province (73) or kabupaten/kota (73.71)", ("--place",),
        condition=lambda code, _plan: [Article.id.in_(select(ArticlePlace.article_id).where(place_code_condition(code)))],
        check=_check_place))
    date_from: date | None = _declared(FilterSpec(
        "first day, YYYY-MM-DD (Indonesian local date)", ("--from",),
        condition=lambda day, _plan: [Article.published_at >= day_start_utc(day)], parse=parse_day))
    date_to: date | None = _declared(FilterSpec(
        "last day, YYYY-MM-DD (inclusive)", ("--to",),
        condition=lambda day, _plan: [Article.published_at < day_start_utc(day + timedelta(days=1))], parse=parse_day))
    # Statistics unit as stored ("percent", "IDR", "responden"): articles with such a statistic;
    # the statistics query lists only those statistics.
    unit: str | None = _declared(FilterSpec(
        "statistics unit: percent, IDR, responden, ... (articles with such a figure; statistics: only those)",
        ("--unit",), condition=_having_statistic(Statistic.unit)))
    # Canonical name or acronym of an organisation the article names ("Kominfo").
    organization: str | None = _declared(FilterSpec(
        "organisation name or acronym the articles name, e.g. Kominfo", ("--org",), condition=_naming_organization))
    # Statistics only: the organisation the text attributes the figure to, as written.
    source: str | None = _declared(FilterSpec(
        "statistics attributed to this organisation (articles with such a figure; statistics: only those)",
        ("--source",), condition=_having_statistic(Statistic.source)))
    # Full-text search over title and body (words, all required).
    q: str | None = _declared(FilterSpec(
        "full-text search: words that must all appear", ("--search", "-q"),
        condition=lambda user_query, plan: [search_condition(user_query, plan)], check=_check_search))

    def active(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, "")}

    @classmethod
    def from_texts(cls, texts: Mapping[str, str | None], shown: Mapping[str, str] | None = None) -> Filters:
        """Filters from text values by field name (options, query parameters); empty texts are no filter."""
        values = {}
        for name, spec in filter_specs():
            text = texts.get(name)
            if text not in (None, ""):
                values[name] = spec.parse(text, (shown or {}).get(name, name))
        return cls(**values)


def filter_specs() -> Iterator[tuple[str, FilterSpec]]:
    """(name, declaration) of every filter, in the order of `Filters`' fields."""
    for item in fields(Filters):
        yield item.name, item.metadata["filter"]


@dataclass(frozen=True)
class PageRequest:
    number: int = 1
    size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        if self.number < 1:
            raise InputError(f"page must be 1 or more, not {self.number}")
        if self.size < 1:
            raise InputError(f"page size must be 1 or more, not {self.size}")

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def validate_filters(session: Session, filters: Filters) -> Filters:
    """Check every filter and return them cleaned; unknown names raise NotFoundError, bad shapes InputError."""
    cleaned = {key: value.strip() if isinstance(value, str) else value for key, value in filters.active().items()}
    for key, value in cleaned.items():
        if isinstance(value, str) and (len(value) > MAX_FILTER_LENGTH or "\x00" in value):
            raise InputError(f"filter {key} is too long or holds a NUL character; "
                             f"give a name of at most {MAX_FILTER_LENGTH} characters")
    result = Filters(**cleaned)
    for name, spec in filter_specs():
        value = getattr(result, name)
        if value is not None and spec.check is not None:
            spec.check(session, value)
    if result.date_from and result.date_to and result.date_to < result.date_from:
        raise InputError(f"date_to {result.date_to} is before date_from {result.date_from}")
    return result


def article_conditions(filters: Filters, plan: Plan) -> list[ColumnElement[bool]]:
    """WHERE conditions on `articles` for the filters (already validated)."""
    conditions: list[ColumnElement[bool]] = [Article.is_article == true()]
    for name, spec in filter_specs():
        value = getattr(filters, name)
        if value is not None and value != "":
            conditions.extend(spec.condition(value, plan))
    return conditions
