"""Campaign definitions: the schema, loading from TOML, validation with errors that name the campaign.

A campaigns file holds one `[[campaign]]` table per campaign (see the project's `campaigns.toml`,
which documents every key). The file is the `campaigns_file` setting, `campaigns.toml` in the working
directory by default.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pantau.core.campaign_query import Node, QueryError, parse_query
from pantau.core.config import get_settings
from pantau.core.errors import InputError
from pantau.core.messages import DEFAULT_LANGUAGE, languages

CAMPAIGN_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
LIST_KEYS = ("aliases", "organisers", "partners", "spokespeople", "subscribers")
KNOWN_KEYS = {"id", "name", "query", "description", "start", "end", "digest_language", *LIST_KEYS}
# The copy that ships with the project, used when the configured file is the default and absent.
BUNDLED_CAMPAIGNS = Path(__file__).resolve().parents[2] / "campaigns.toml"


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    query: str
    description: str
    aliases: tuple[str, ...] = ()
    organisers: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    spokespeople: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    subscribers: tuple[str, ...] = ()
    # The language of the weekly digest's own words: a table of pantau/core/messages.toml.
    digest_language: str = "id"
    parsed_query: Node = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def names(self) -> tuple[str, ...]:
        """The campaign's name and aliases, longest first (so the reason quotes the fullest match)."""
        unique = dict.fromkeys((self.name, *self.aliases))
        return tuple(sorted(unique, key=len, reverse=True))

    def active_on(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


class CampaignConfigError(InputError):
    """A campaigns file that cannot be used; the message names the file, the campaign and the problem."""


def campaign_from_entry(entry: dict[str, Any]) -> Campaign:
    """A validated Campaign from one TOML table; raises CampaignConfigError naming the campaign."""
    raw_id = entry.get("id")
    label = f"campaign {raw_id!r}" if raw_id else "a campaign without an id"
    if not isinstance(raw_id, str) or not CAMPAIGN_ID.match(raw_id):
        raise CampaignConfigError(f"{label}: id must be lowercase letters, digits and '-', e.g. 'laju-digital'")
    unknown = sorted(set(entry) - KNOWN_KEYS)
    if unknown:
        raise CampaignConfigError(f"{label}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(KNOWN_KEYS))}")
    values = {key: _text(entry, key, label) for key in ("name", "query", "description")}
    lists = {key: _text_list(entry, key, label) for key in LIST_KEYS}
    try:
        parsed = parse_query(values["query"])
    except QueryError as error:
        raise CampaignConfigError(f"{label}: {error}") from None
    start, end = _day(entry, "start", label), _day(entry, "end", label)
    if start and end and end < start:
        raise CampaignConfigError(f"{label}: end {end} is before start {start}")
    for address in lists["subscribers"]:
        if not EMAIL.match(address):
            raise CampaignConfigError(f"{label}: subscriber {address!r} is not an e-mail address")
    digest_language = _digest_language(entry, label)
    return Campaign(
        id=raw_id,
        name=values["name"],
        query=values["query"],
        description=values["description"],
        start=start,
        end=end,
        parsed_query=parsed,
        digest_language=digest_language,
        **{key: tuple(items) for key, items in lists.items()},
    )


def _digest_language(entry: dict[str, Any], label: str) -> str:
    value = entry.get("digest_language", DEFAULT_LANGUAGE)
    if value not in languages():
        raise CampaignConfigError(f"{label}: digest_language {value!r} is not one of {', '.join(languages())}")
    return value


def _text(entry: dict[str, Any], key: str, label: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CampaignConfigError(f"{label}: '{key}' is required and must be non-empty text")
    return " ".join(value.split()) if key != "query" else value.strip()


def _text_list(entry: dict[str, Any], key: str, label: str) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise CampaignConfigError(f"{label}: '{key}' must be a list of non-empty strings")
    return [item.strip() for item in value]


def _day(entry: dict[str, Any], key: str, label: str) -> date | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CampaignConfigError(f"{label}: '{key}' must be a date like 2021-05-20")


def parse_campaigns(text: str, source: str = "campaigns file") -> list[Campaign]:
    """Campaigns from TOML text; every error names `source` and the campaign."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CampaignConfigError(f"{source}: not valid TOML: {error}") from None
    entries = data.get("campaign", [])
    if not isinstance(entries, list):
        raise CampaignConfigError(f"{source}: campaigns must be [[campaign]] tables")
    campaigns: list[Campaign] = []
    seen: set[str] = set()
    for entry in entries:
        try:
            campaign = campaign_from_entry(entry)
        except CampaignConfigError as error:
            raise CampaignConfigError(f"{source}: {error}") from None
        if campaign.id in seen:
            raise CampaignConfigError(f"{source}: campaign {campaign.id!r} is defined twice")
        seen.add(campaign.id)
        campaigns.append(campaign)
    return campaigns


def campaigns_path(path: Path | None = None) -> Path:
    """The campaigns file to use: `path`, else the `campaigns_file` setting (bundled copy as fallback)."""
    if path is not None:
        return Path(path)
    configured = get_settings().campaigns_file
    if not configured.exists() and configured == Path("campaigns.toml") and BUNDLED_CAMPAIGNS.exists():
        return BUNDLED_CAMPAIGNS
    return configured


def load_campaigns(path: Path | None = None) -> list[Campaign]:
    """The validated campaigns of `path` (default: the `campaigns_file` setting)."""
    source = campaigns_path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CampaignConfigError(
            f"campaigns file {source} not found; set PANTAU_CAMPAIGNS_FILE or create it with `pantau campaigns add`"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CampaignConfigError(f"campaigns file {source} cannot be read: {error}") from None
    return parse_campaigns(text, str(source))
