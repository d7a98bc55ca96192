"""The outlet registry: one declarative TOML entry per outlet in `registry/` (see docs/outlets.md).

An entry says where the outlet's articles are found (news sitemaps, sitemaps, feeds; its `[archive]` of
past days for backfills), which URLs are articles (one pattern per URL form the outlet has used), how
multi-page articles are paginated, which hosts/paths are mobile or AMP copies, which old addresses name
the same article as a current one (`key_rules`), and which boilerplate lines the cleaning stage removes.
Adding an outlet is adding a file, not code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from pantau.core.outlets.archive import Archive
from pantau.core.urls import UrlRules, normalize_url, url_host


@dataclass(frozen=True)
class Pagination:
    # "none": one URL is the whole article; "all": a query value shows every part at once
    # (Kompas/Tribun ?page=all); "numbered": parts are ?page=2, ?page=3 ... until a part is missing.
    kind: str = "none"
    param: str = "page"
    all_value: str = "all"
    # CSS selector of a "next part" link, when the outlet has one (followed for kind "numbered").
    next_selector: str = ""
    max_parts: int = 20


@dataclass(frozen=True)
class KeyRule:
    """An address form the outlet redirects to another one: a URL (already normalised) that matches
    `pattern` has the key `key`, a replacement template (`\\1`, `\\g<name>`) that names the article as
    the current form does. The key must itself be a normalised URL that the rules leave as it is."""

    pattern: str
    key: str

    @cached_property
    def _re(self) -> re.Pattern[str]:
        return re.compile(self.pattern)

    def apply(self, url: str) -> str | None:
        match = self._re.search(url)
        return match.expand(self.key) if match else None


@dataclass(frozen=True)
class Blocking:
    """The outlet's own signs that it answered the crawler with a wall (a challenge, a consent page, a
    login page), added to the crawler's generic ones in crawlers/blocking.toml, whose keys they mirror."""

    challenge_titles: tuple[str, ...] = ()
    challenge_markers: tuple[str, ...] = ()
    challenge_headers: tuple[str, ...] = ()
    consent_titles: tuple[str, ...] = ()
    consent_markers: tuple[str, ...] = ()
    consent_url_patterns: tuple[str, ...] = ()
    login_url_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outlet:
    id: str
    name: str
    domains: tuple[str, ...]
    kind: str = "national"
    language: str = "id"
    home: str = ""
    # Discovery, in order of preference; paths are relative to the outlet's home.
    news_sitemaps: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    # A URL is an article when it matches one of article_url_patterns (one per URL form the outlet has
    # used) and none of skip_url_patterns; both are matched against the URL without query and fragment.
    article_url_patterns: tuple[str, ...] = ()
    skip_url_patterns: tuple[str, ...] = ()
    # Old address forms that the outlet redirects to current ones: both give one article key.
    key_rules: tuple[KeyRule, ...] = ()
    pagination: Pagination = field(default_factory=Pagination)
    # Where the outlet lists the articles of a past day (`pantau backfill`); None: it has no such list.
    archive: Archive | None = None
    host_aliases: Mapping[str, str] = field(default_factory=dict)
    amp_path_prefixes: tuple[str, ...] = ()
    amp_path_suffixes: tuple[str, ...] = ()
    drop_params: tuple[str, ...] = ()
    # For the cleaning stage: regexes of whole boilerplate lines, the " - Outlet" title suffixes,
    # and the outlet's own name as written in datelines ("GORONTALO, KOMPAS.com -").
    boilerplate_patterns: tuple[str, ...] = ()
    title_suffixes: tuple[str, ...] = ()
    dateline_names: tuple[str, ...] = ()
    publisher_names: tuple[str, ...] = ()
    blocking: Blocking = field(default_factory=Blocking)

    def owns_host(self, host: str) -> bool:
        host = host.lower()
        return any(host == domain or host.endswith("." + domain) for domain in self.domains)

    @cached_property
    def _article_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(pattern) for pattern in self.article_url_patterns)

    @cached_property
    def _skip_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(pattern) for pattern in self.skip_url_patterns)

    def is_article_url(self, url: str) -> bool:
        # Query and fragment never make a page an article (tracking, "?page=2", "#comments"); patterns
        # are written against scheme, host and path.
        address = url.strip().split("#", 1)[0].split("?", 1)[0]
        if any(skip.search(address) for skip in self._skip_res):
            return False
        return any(article.search(address) for article in self._article_res) if self._article_res else True

    def article_key(self, normalized_url: str) -> str:
        """The key of an already normalised URL of this outlet: the first key rule that matches, else the URL."""
        for rule in self.key_rules:
            key = rule.apply(normalized_url)
            if key is not None:
                return key
        return normalized_url

    def url_rules(self) -> UrlRules:
        return UrlRules(
            host_aliases=dict(self.host_aliases),
            amp_path_prefixes=self.amp_path_prefixes,
            amp_path_suffixes=self.amp_path_suffixes,
            drop_params=frozenset(param.lower() for param in self.drop_params)
            | ({self.pagination.param.lower()} if self.pagination.kind != "none" else frozenset()),
        )


def outlet_from_entry(entry: Mapping[str, Any]) -> Outlet:
    """Build an Outlet from one parsed TOML entry (lists become tuples; unknown keys are an error)."""
    values = dict(entry)
    values["pagination"] = Pagination(**values.get("pagination", {}))
    try:
        values["key_rules"] = [KeyRule(**rule) for rule in values.get("key_rules", [])]
    except TypeError as error:
        raise ValueError(f"outlet entry {entry.get('id', '?')!r}: key_rules: {error}") from error
    try:
        values["blocking"] = Blocking(**{key: tuple(value) for key, value in values.get("blocking", {}).items()})
    except TypeError as error:
        raise ValueError(f"outlet entry {entry.get('id', '?')!r}: blocking: {error}") from error
    if "archive" in values:
        try:
            values["archive"] = Archive(**{key: tuple(value) if isinstance(value, list) else value
                                           for key, value in values["archive"].items()})
        except (TypeError, ValueError) as error:
            raise ValueError(f"outlet entry {entry.get('id', '?')!r}: {error}") from error
    for key, value in list(values.items()):
        if isinstance(value, list):
            values[key] = tuple(value)
    try:
        return Outlet(**values)
    except TypeError as error:
        raise ValueError(f"outlet entry {entry.get('id', '?')!r}: {error}") from error


@lru_cache(maxsize=1)
def all_outlets() -> tuple[Outlet, ...]:
    entries = []
    for resource in sorted(resources.files("pantau.core.outlets").joinpath("registry").iterdir(), key=lambda r: r.name):
        if resource.name.endswith(".toml"):
            entries.append(outlet_from_entry(tomllib.loads(resource.read_text(encoding="utf-8"))))
    return tuple(entries)


def get_outlet(outlet_id: str) -> Outlet:
    for outlet in all_outlets():
        if outlet.id == outlet_id:
            return outlet
    known = ", ".join(o.id for o in all_outlets())
    raise KeyError(f"unknown outlet {outlet_id!r}; known outlets: {known}")


def outlet_for_url(url: str) -> Outlet | None:
    host = url_host(url)
    for outlet in all_outlets():
        if outlet.owns_host(host):
            return outlet
    return None


def canonical_url(url: str) -> str:
    """The address to fetch for `url`: `normalize_url` with the outlet rules of the registry (mobile and
    AMP copies, pagination and tracking parameters collapsed). Raises InputError for a non-web address."""
    return normalize_url(url, url_rules_by_host())


def url_key(url: str) -> str:
    """The identity of a page everywhere in pantau: its canonical URL, then the key rules of the outlet
    that owns the host, so that an old address and the current address it redirects to are one key
    (detik's /read/2020/07/08/144441/5084988/... and /berita/d-5084988/...).

    Pages, articles, crawl state and dedup are keyed by it, so two URLs are the same page exactly when
    their keys are equal. Idempotent. A key need not be an address to fetch: fetch `canonical_url`."""
    canonical = canonical_url(url)
    outlet = outlet_for_url(canonical)
    return outlet.article_key(canonical) if outlet is not None else canonical


@lru_cache(maxsize=1)
def url_rules_by_host() -> dict[str, UrlRules]:
    """URL rules of every outlet in the registry, keyed by each of its hosts (with and without 'www.')."""
    rules: dict[str, UrlRules] = {}
    for outlet in all_outlets():
        outlet_rules = outlet.url_rules()
        for host in (*outlet.domains, *outlet.host_aliases.keys(), *outlet.host_aliases.values()):
            rules[host] = outlet_rules
            rules.setdefault("www." + host, outlet_rules)
    return rules
