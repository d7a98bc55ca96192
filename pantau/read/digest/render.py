"""A Digest as an e-mail body: HTML (inline CSS, tables) + plain text from Jinja2 templates, charts as PNG.

Everything that comes from the web (titles, texts, outlet names, quotes) reaches the HTML through
Jinja2's autoescape; links are only emitted for http(s) URLs.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pantau.core.messages import Messages
from pantau.read.digest.charts import DISPLAY_WIDTH_PX, coverage_chart, places_chart
from pantau.read.digest.data import Digest

TEMPLATES_DIR = Path(__file__).with_name("templates")
SUBJECT_TITLE_CHARS = 70
_CID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


@dataclass(frozen=True)
class RenderedDigest:
    html: str
    text: str
    # Content-ID (without angle brackets) -> PNG bytes; the HTML refers to each as "cid:<id>".
    images: dict[str, bytes]
    subject: str
    campaign_id: str = ""
    week: str = ""


@lru_cache(maxsize=1)
def _environment():  # noqa: ANN202
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        # HTML templates escape every value; the plain-text one must not (it is not markup).
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["oneline"] = one_line
    environment.filters["safe_href"] = safe_href
    return environment


def one_line(value: object) -> str:
    """Text on one line: CR, LF and runs of whitespace become single spaces."""
    return " ".join(str(value or "").split())


def safe_href(url: object) -> str:
    """The URL when it is http(s) with a host, else "" (no javascript:, data: or relative links)."""
    text = one_line(url)
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    return text if parts.scheme.lower() in {"http", "https"} and parts.netloc else ""


def content_id(name: str, digest: Digest) -> str:
    """A Content-ID unique to the chart, campaign and week, made only of characters legal in a msg-id."""
    local = _CID_UNSAFE.sub("-", f"{name}.{digest.campaign_id}.{digest.week}").strip("-.")
    return f"{local}@pantau.digest"


def change_text(digest: Digest, t: Messages) -> str:
    change = digest.change_vs_previous
    if change == 0:
        return t("no_change")
    percent = f", {abs(change) / digest.previous_week:.0%}" if digest.previous_week else ""
    return t("change_up" if change > 0 else "change_down", n=abs(change)) + percent


def subject_line(digest: Digest, t: Messages) -> str:
    """One line: campaign, week, coverage, spike, and the lead story's title (shortened)."""
    parts = [f"{one_line(digest.campaign_name)}, {digest.week}: {t('articles', n=digest.coverage)}"]
    if digest.spike:
        parts[0] += f" ({t('spike').lower()})"
    if digest.top_articles:
        title = one_line(digest.top_articles[0].title)
        if len(title) > SUBJECT_TITLE_CHARS:
            title = title[:SUBJECT_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
        parts.append(title)
    return " — ".join(parts)


def render_digest(digest: Digest) -> RenderedDigest:
    """The HTML and plain-text bodies, the chart images by Content-ID, and the subject."""
    t = Messages(digest.language)
    cids = {"coverage": content_id("coverage", digest)}
    images = {cids["coverage"]: coverage_chart(digest.history, digest.trailing_average, digest.spike, t("chart_axis"))}
    if digest.places:
        cids["places"] = content_id("places", digest)
        images[cids["places"]] = places_chart(digest.places, t("chart_axis"))
    subject = subject_line(digest, t)
    context = {
        "d": digest,
        "t": t,
        "cids": cids,
        "subject": subject,
        "chart_width": DISPLAY_WIDTH_PX,
        "change_text": change_text(digest, t),
        "average_text": f"{digest.trailing_average:g}",
        "history_text": ", ".join(f"{entry.week} {entry.articles}" for entry in digest.history),
        "generated": digest.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
    }
    environment = _environment()
    return RenderedDigest(
        html=environment.get_template("digest.html").render(context),
        text=environment.get_template("digest.txt").render(context),
        images=images,
        subject=subject,
        campaign_id=digest.campaign_id,
        week=digest.week,
    )


def html_with_inline_images(rendered: RenderedDigest) -> str:
    """The HTML with every "cid:" image replaced by a data: URI, for viewing in a browser."""
    html = rendered.html
    for cid, png in rendered.images.items():
        data_uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        html = html.replace(f'src="cid:{cid}"', f'src="{data_uri}"')
    return html
