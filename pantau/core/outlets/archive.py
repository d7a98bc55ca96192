"""An outlet's archive: where it lists the articles of one past day (the `[archive]` table of a registry
entry, see docs/outlets.md).

Two kinds of lists, both written as URL templates of a local day:
- index pages, the outlet's own "indeks" of a date, paginated (`{page}`);
- dated sitemaps: one per day (the template names the day) or one per month (it names only the month).

Placeholders: {yyyy} {mm} {dd} (zero-padded), {m} {d} (not padded), {page} (index pages only). The
functions here are pure: rendering a template for a day and page, and reading a URL back into its day and
page (the replay site serves the archive by it).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from functools import cached_property

DAY_FIELDS = frozenset({"yyyy", "mm", "dd", "m", "d"})
_FIELD_PATTERNS = {"yyyy": r"\d{4}", "mm": r"\d{2}", "dd": r"\d{2}", "m": r"\d{1,2}", "d": r"\d{1,2}", "page": r"\d+"}


def template_fields(template: str) -> set[str]:
    """The placeholders a template uses; ValueError for one that is not known."""
    fields = {name for _text, name, _spec, _conversion in string.Formatter().parse(template) if name is not None}
    unknown = fields - set(_FIELD_PATTERNS)
    if unknown:
        raise ValueError(f"unknown placeholder {{{sorted(unknown)[0]}}} in {template!r}; "
                         "use {yyyy} {mm} {dd} {m} {d} {page}")
    return fields


def render(template: str, day: date, page: int | None = None) -> str:
    values = {"yyyy": f"{day.year:04d}", "mm": f"{day.month:02d}", "dd": f"{day.day:02d}", "m": str(day.month), "d": str(day.day)}
    if page is not None:
        values["page"] = str(page)
    return template.format(**values)


def is_monthly(template: str) -> bool:
    """A dated sitemap that names only the month lists the articles of every day of that month."""
    return not template_fields(template) & {"dd", "d"}


@dataclass(frozen=True)
class TemplateMatch:
    day: date
    page: int | None


def match(template: str, url: str) -> TemplateMatch | None:
    """The day (the month's first day for a monthly template) and page that `url` is `template` for."""
    found = _template_regex(template).match(url)
    if found is None:
        return None
    values = found.groupdict()
    try:
        day = date(int(values["yyyy"]), int(values.get("mm") or values.get("m")), int(values.get("dd") or values.get("d") or 1))
    except (TypeError, ValueError):
        return None
    return TemplateMatch(day, int(values["page"]) if values.get("page") else None)


def _template_regex(template: str) -> re.Pattern[str]:
    parts, seen = [], set()
    for text, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(text))
        if name is not None:
            # A placeholder used twice must say the same thing both times: a back-reference.
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>{_FIELD_PATTERNS[name]})")
            seen.add(name)
    return re.compile("^" + "".join(parts) + "$")


@dataclass(frozen=True)
class Archive:
    """How one outlet's past days are listed.

    `index_pages`: URL templates of the outlet's index of a day (one per list it keeps: detik has one per
    channel), absolute or relative to the outlet's home. `first_page` and `page_step` give the value of
    {page} on the first page and how it grows (okezone counts articles: 0, 15, 30 ...); a template without
    {page} is one page a day. The last page is the one without a `next_selector` link when the outlet has
    one, otherwise the first page that lists no article the day's earlier pages did not; at most
    `max_pages` pages a day per list. Article links are the links inside `list_selector` (CSS) that the
    outlet's article patterns accept; a page where the selector finds no list at all (the layout changed)
    gives every accepted link of the page instead.

    `sitemaps`: dated sitemap templates (daily, or monthly when they name no day), indexes followed.
    """

    index_pages: tuple[str, ...] = ()
    list_selector: str = ""
    next_selector: str = ""
    first_page: int = 1
    page_step: int = 1
    max_pages: int = 50
    sitemaps: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.index_pages and not self.sitemaps:
            raise ValueError("archive: give index_pages or sitemaps (or leave [archive] out)")
        for template in self.index_pages:
            fields = template_fields(template)
            if "yyyy" not in fields or not fields & {"mm", "m"} or not fields & {"dd", "d"}:
                raise ValueError(f"archive: index page {template!r} must name the day ({{yyyy}}, {{mm}}, {{dd}})")
        for template in self.sitemaps:
            fields = template_fields(template)
            if "page" in fields or "yyyy" not in fields or not fields & {"mm", "m"}:
                raise ValueError(f"archive: sitemap {template!r} must name the month or day "
                                 "({yyyy}, {mm}[, {dd}]) and no {page}")
        if self.page_step < 1 or self.max_pages < 1:
            raise ValueError("archive: page_step and max_pages must be 1 or more")

    def paginated(self, template: str) -> bool:
        return "page" in template_fields(template)

    def page_value(self, number: int) -> int:
        """{page} of the `number`-th page (1-based) of a day."""
        return self.first_page + (number - 1) * self.page_step

    def index_url(self, template: str, day: date, number: int = 1) -> str:
        return render(template, day, self.page_value(number) if self.paginated(template) else None)

    def page_number(self, template: str, value: int | None) -> int:
        """The 1-based number of the page whose {page} is `value` (1 for a template without {page})."""
        if value is None or not self.paginated(template):
            return 1
        return (value - self.first_page) // self.page_step + 1

    @cached_property
    def monthly_sitemaps(self) -> tuple[str, ...]:
        return tuple(template for template in self.sitemaps if is_monthly(template))

    @cached_property
    def daily_sitemaps(self) -> tuple[str, ...]:
        return tuple(template for template in self.sitemaps if not is_monthly(template))
