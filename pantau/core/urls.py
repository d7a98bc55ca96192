"""URL normalisation: the generic part of a page's identity (store keys, dedup, crawl state).

`normalize_url` is pure: the same URL and rules give the same key, with no registry read behind the
caller's back. Outlet-specific rules (mobile and AMP hosts, AMP path markers, pagination and outlet
tracking parameters) are data passed in as `UrlRules`; the outlet registry applies its own on top
(`pantau.core.outlets.url_key`, the key every stage stores pages and articles under).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from pantau.core.errors import InputError

# Parameters that only say where a click came from; they never select different content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok",
        "ref_src", "ref_url", "cmpid", "s_cid", "spm", "share", "shared", "sharetype",
        "ocid", "wt.mc_id", "trk", "trkcampaign", "src", "fb_action_ids", "fb_action_types",
        "fb_source", "fb_ref", "action_object_map", "action_type_map", "action_ref_map",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "vero_", "ga_")

_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


@dataclass(frozen=True)
class UrlRules:
    """What an outlet's registry entry says about its URL variants."""

    # Host written by the outlet for the same content -> the canonical host ("m.detik.com" -> "www.detik.com").
    host_aliases: Mapping[str, str] = field(default_factory=dict)
    # Path markers of AMP/mobile copies, removed to get the canonical path ("/amp/" prefix, "/amp" suffix).
    amp_path_prefixes: tuple[str, ...] = ()
    amp_path_suffixes: tuple[str, ...] = ()
    # Query parameters that select a variant of the same article (pagination, AMP, outlet tracking).
    drop_params: frozenset[str] = frozenset()


NO_RULES: Mapping[str, UrlRules] = {}


def normalize_url(url: str, rules: Mapping[str, UrlRules] = NO_RULES) -> str:
    """The canonical form of `url`.

    https; lowercase host without default port, trailing dot or user info; no fragment; tracking
    parameters dropped and the rest sorted; dot segments resolved, unreserved escapes decoded, a
    trailing slash dropped (except for the root); mobile/AMP variants collapsed where the outlet's
    rules say so (`rules` maps a host, or a parent domain, to its rules). Raises InputError for
    anything that is not an http(s) URL with a host.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise InputError(f"not a web address: {url!r} (expected http:// or https://)")
    host = _normal_host(parts.hostname or "")
    if not host:
        raise InputError(f"no host in URL {url!r}")
    outlet_rules = _rules_for_host(rules, host)
    path = _normal_path(parts.path)
    query_pairs = parse_qsl(parts.query, keep_blank_values=True)
    if outlet_rules is not None:
        host = outlet_rules.host_aliases.get(host, host)
        path = _strip_amp(path, outlet_rules)
        query_pairs = [(k, v) for k, v in query_pairs if k.lower() not in outlet_rules.drop_params]
    query = urlencode(sorted(pair for pair in query_pairs if not is_tracking_param(pair[0])), quote_via=quote)
    return urlunsplit(("https", host, path, query, ""))


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def url_host(url: str) -> str:
    """The lowercase host of `url` ('' when it has none)."""
    return _normal_host(urlsplit(url.strip()).hostname or "")


def _normal_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    if not host:
        return ""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _rules_for_host(rules: Mapping[str, UrlRules], host: str) -> UrlRules | None:
    """The rules of `host` or of the nearest parent domain that has some (finance.detik.com -> detik.com)."""
    labels = host.split(".")
    for start in range(len(labels) - 1):
        found = rules.get(".".join(labels[start:]))
        if found is not None:
            return found
    return None


def _normal_path(path: str) -> str:
    if not path:
        return "/"
    path = _UNRESERVED.sub(_decode_unreserved, path)
    # Re-quote what should be quoted (spaces, non-ASCII) without touching existing escapes.
    path = quote(path, safe="/%:@!$&'()*+,;=-._~")
    # normpath also drops a trailing slash: "/a/b/" and "/a/b" are the same article on every outlet we know.
    normal = posixpath.normpath(path)
    if normal.startswith("//"):
        normal = "/" + normal.lstrip("/")
    return "/" if normal in {".", ""} else normal


def _decode_unreserved(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED_CHARS else "%" + match.group(1).upper()


def _strip_amp(path: str, rules: UrlRules) -> str:
    for prefix in rules.amp_path_prefixes:
        if path.startswith(prefix):
            path = "/" + path[len(prefix):].lstrip("/")
    for suffix in rules.amp_path_suffixes:
        if path.endswith(suffix) and len(path) > len(suffix):
            path = path[: -len(suffix)] or "/"
    return path
