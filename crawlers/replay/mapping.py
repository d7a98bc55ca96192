"""Where an outlet's real URL lives on a replay host, and back.

One replay host serves every outlet: the outlet's home host is the first path segment
(`https://www.kompas.com/read/...` <-> `http://127.0.0.1:N/kompas/read/...`), and any other host
is spelled out (`https://rss.kompas.com/feed` <-> `http://127.0.0.1:N/_host/rss.kompas.com/feed`).
The crawler works in real URLs throughout; only the transport maps them, so stored pages carry the
outlet's real addresses.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from pantau.core.outlets import all_outlets, outlet_for_url

HOST_SEGMENT = "_host"


@lru_cache(maxsize=1)
def _home_hosts() -> dict[str, str]:
    """outlet id -> home host, and home host -> outlet id (ids and hosts never collide)."""
    table: dict[str, str] = {}
    for outlet in all_outlets():
        host = urlsplit(outlet.home).hostname or outlet.domains[0]
        table[outlet.id] = host
        table[host] = outlet.id
    return table


def to_replay(url: str, base: str) -> str:
    """The replay-host address of a real outlet URL (already-replay URLs are returned unchanged)."""
    base = base.rstrip("/")
    if url.startswith(base + "/") or url == base:
        return url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    outlet_id = _home_hosts().get(host)
    prefix = f"/{outlet_id}" if outlet_id and outlet_id != host else f"/{HOST_SEGMENT}/{host}"
    return base + prefix + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def from_replay(url: str, base: str) -> str:
    """The real outlet URL behind a replay-host address (other URLs are returned unchanged)."""
    base = base.rstrip("/")
    if not url.startswith(base + "/"):
        return url
    parts = urlsplit(url)
    base_path = urlsplit(base).path.rstrip("/")
    segments = parts.path[len(base_path):].lstrip("/").split("/")
    if segments[0] == HOST_SEGMENT and len(segments) >= 2:
        host, rest = segments[1], segments[2:]
    else:
        host = _home_hosts().get(segments[0])
        if host is None:
            return url
        rest = segments[1:]
    return urlunsplit(("https", host, "/" + "/".join(rest), parts.query, ""))


def outlet_id_of_path(path: str) -> tuple[str | None, str]:
    """For the replay server: ("kompas", "/read/...") from "/kompas/read/..."; hosts map to their outlet."""
    segments = path.lstrip("/").split("/")
    if segments[0] == HOST_SEGMENT and len(segments) >= 2:
        outlet = outlet_for_url(f"https://{segments[1]}/")
        return (outlet.id if outlet else None), "/" + "/".join(segments[2:])
    if segments[0] in _home_hosts():
        return segments[0], "/" + "/".join(segments[1:])
    return None, path
