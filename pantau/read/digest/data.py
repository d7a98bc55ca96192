"""The numbers of one campaign's weekly digest, read from the store.

Coverage is the set of articles matched to the campaign (CampaignMatch.matched) and published inside
the ISO week in the configured time zone. Everything here is plain data: rendering needs no session.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from pantau.core.campaigns import Campaign
from pantau.core.config import get_settings
from pantau.core.time import IsoWeek, local_date, parse_week
from pantau.read.digest.summary import summarize
from pantau.store.crawl_status import blocked_outlets
from pantau.store.tables import Article, CampaignMatch, Statistic

# The average the week is compared with: the four weeks before it.
TRAILING_WEEKS = 4
# Weeks drawn in the coverage chart (this week and the ones before it).
CHART_WEEKS = 8
# A spike: at least twice the trailing average, and at least this many articles (1 vs 0 is not news).
SPIKE_RATIO = 2.0
SPIKE_MIN_ARTICLES = 3
TOP_OUTLETS = 8
TOP_PLACES = 10
TOP_ARTICLES = 5
MAX_STATISTICS = 8
MAX_QUOTES = 8
# Indonesian administrative places; "area" (kecamatan, facilities) and foreign cities are left out.
DIGEST_PLACE_LEVELS = ("province", "regency", "city")


@dataclass(frozen=True)
class WeekCount:
    week: str
    articles: int


@dataclass(frozen=True)
class OutletCount:
    name: str
    articles: int


@dataclass(frozen=True)
class PlaceCount:
    name: str
    level: str
    code: str | None
    province: str | None
    articles: int
    # Articles reported from there (the dateline), a subset of `articles`.
    datelines: int


@dataclass(frozen=True)
class DigestStatistic:
    raw: str
    value: float
    unit: str
    subject: str | None
    source: str | None
    sentence: str | None
    article_title: str
    outlet: str
    url: str

    @property
    def shown(self) -> str:
        """The figure as written, with its counted noun when the text had it apart ("45" + "tahun")."""
        if self.unit in ("", "percent", "IDR") or fold(self.unit) in fold(self.raw):
            return self.raw
        return f"{self.raw} {self.unit}"


@dataclass(frozen=True)
class DigestQuote:
    speaker: str
    text: str
    article_title: str
    outlet: str
    url: str


@dataclass(frozen=True)
class DigestArticle:
    title: str
    outlet: str
    published: str  # local date, e.g. "2018-10-04"
    url: str
    summary: str
    # Other outlets that ran the same story this week (syndicated or follow-ups).
    also_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnreachedOutlet:
    """An outlet whose last crawl was blocked (a challenge page, a 403 ...), for the footer."""

    name: str
    since: str  # local date of the first blocked crawl, e.g. "2026-12-01"
    reason: str


@dataclass(frozen=True)
class Digest:
    campaign_id: str
    campaign_name: str
    week: str
    week_start: date
    week_end: date
    time_zone: str
    coverage: int
    previous_week: int
    trailing_average: float
    spike: bool
    unique_stories: int
    syndicated_copies: int
    history: tuple[WeekCount, ...]
    top_outlets: tuple[OutletCount, ...]
    places: tuple[PlaceCount, ...]
    statistics: tuple[DigestStatistic, ...]
    quotes: tuple[DigestQuote, ...]
    top_articles: tuple[DigestArticle, ...]
    spokespeople: tuple[str, ...] = ()
    # The language of the digest's own words (pantau/core/messages.toml); article text is as published.
    language: str = "id"
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Outlets the last crawl could not reach: their coverage may be missing from the numbers above.
    unreached: tuple[UnreachedOutlet, ...] = ()

    @property
    def change_vs_previous(self) -> int:
        return self.coverage - self.previous_week

    @property
    def original_articles(self) -> int:
        return self.coverage - self.syndicated_copies


@dataclass
class _Covered:
    """One article of this week's coverage with what ranking needs."""

    article: Article
    score: float
    story_key: tuple[str, int]
    story_size: int


def build_digest(session: Session, campaign: Campaign, week: str, zone: str | None = None) -> Digest:
    """The digest of `campaign` for ISO `week` ("2018-W40"), weeks counted in `zone` (default: setting)."""
    if zone is None:
        zone = get_settings().timezone
    iso = parse_week(week)
    history = weekly_counts(session, campaign.id, iso, zone)
    counts = [entry.articles for entry in history]
    coverage, previous = counts[-1], counts[-2]
    trailing = counts[-1 - TRAILING_WEEKS:-1]
    average = sum(trailing) / len(trailing)
    covered = covered_articles(session, campaign.id, iso, zone)
    originals = [item for item in covered if item.article.duplicate_of_id is None]
    return Digest(
        campaign_id=campaign.id,
        campaign_name=campaign.name,
        week=iso.label,
        week_start=iso.monday,
        week_end=iso.sunday,
        time_zone=zone,
        coverage=coverage,
        previous_week=previous,
        trailing_average=round(average, 2),
        spike=is_spike(coverage, average),
        unique_stories=len({item.story_key for item in covered}),
        syndicated_copies=len(covered) - len(originals),
        history=tuple(history[-CHART_WEEKS:]),
        top_outlets=tuple(top_outlets([item.article for item in covered])),
        places=tuple(place_counts([item.article for item in covered])),
        statistics=tuple(new_statistics(session, campaign.id, covered, iso, zone)),
        quotes=tuple(spokesperson_quotes(covered, campaign.spokespeople)),
        top_articles=tuple(top_articles(covered, zone)),
        spokespeople=campaign.spokespeople,
        language=campaign.digest_language,
        unreached=tuple(unreached_outlets(session, zone)),
    )


def unreached_outlets(session: Session, zone: str) -> list[UnreachedOutlet]:
    """Outlets whose latest crawl was blocked, with the local day they have been blocked since."""
    return [
        UnreachedOutlet(block.outlet, local_date(block.since, zone).isoformat(), block.reason)
        for block in blocked_outlets(session)
    ]


def is_spike(coverage: int, trailing_average: float) -> bool:
    return coverage >= SPIKE_MIN_ARTICLES and coverage >= SPIKE_RATIO * trailing_average


def _matched(campaign_id: str):  # noqa: ANN202 - a join condition
    return and_(
        CampaignMatch.article_id == Article.id,
        CampaignMatch.campaign_id == campaign_id,
        CampaignMatch.matched.is_(True),
    )


def weekly_counts(session: Session, campaign_id: str, week: IsoWeek, zone: str) -> list[WeekCount]:
    """Matched articles per week, oldest first, ending with `week`; as many weeks as chart and average need."""
    span = max(CHART_WEEKS, TRAILING_WEEKS + 1)
    weeks = [week.shifted(offset) for offset in range(-(span - 1), 1)]
    start, _ = weeks[0].utc_bounds(zone)
    _, end = week.utc_bounds(zone)
    published = session.scalars(
        select(Article.published_at)
        .join(CampaignMatch, _matched(campaign_id))
        .where(Article.is_article.is_(True), Article.published_at >= start, Article.published_at < end)
    ).all()
    bounds = [candidate.utc_bounds(zone) for candidate in weeks]
    counts = Counter()
    for instant in published:
        for index, (low, high) in enumerate(bounds):
            if low <= instant < high:
                counts[index] += 1
                break
    return [WeekCount(candidate.label, counts[index]) for index, candidate in enumerate(weeks)]


def covered_articles(session: Session, campaign_id: str, week: IsoWeek, zone: str) -> list[_Covered]:
    """This week's matched articles, oldest first, with their match score and story."""
    start, end = week.utc_bounds(zone)
    rows = session.execute(
        select(Article, CampaignMatch.score)
        .join(CampaignMatch, _matched(campaign_id))
        .where(Article.is_article.is_(True), Article.published_at >= start, Article.published_at < end)
        .order_by(Article.published_at, Article.id)
    ).all()
    # An article without a story (clustering not run yet) is its own story.
    keys = [("story", article.story_id) if article.story_id is not None else ("article", article.id) for article, _ in rows]
    # A story's weight in the digest is how much of this week's coverage it is.
    sizes = Counter(keys)
    return [
        _Covered(article=article, score=float(score or 0.0), story_key=key, story_size=sizes[key])
        for (article, score), key in zip(rows, keys, strict=True)
    ]


def outlet_label(article: Article) -> str:
    return article.outlet_name or article.outlet_id or urlsplit(article.url).hostname or "unknown outlet"


def top_outlets(articles: Iterable[Article], limit: int = TOP_OUTLETS) -> list[OutletCount]:
    counts = Counter(outlet_label(article) for article in articles)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0].lower()))
    return [OutletCount(name, count) for name, count in ranked[:limit]]


def place_counts(articles: Iterable[Article], limit: int = TOP_PLACES) -> list[PlaceCount]:
    """Indonesian places by the number of articles naming them (once per article)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for article in articles:
        seen: set[tuple[str, str]] = set()
        for place in article.places:
            if place.level not in DIGEST_PLACE_LEVELS:
                continue
            key = (place.code or place.name, place.level)
            entry = found.setdefault(key, {"place": place, "articles": 0, "datelines": 0})
            if key not in seen:
                entry["articles"] += 1
                seen.add(key)
            if place.is_dateline:
                entry["datelines"] += 1
    ranked = sorted(found.values(), key=lambda entry: (-entry["articles"], -entry["datelines"], entry["place"].name))
    return [
        PlaceCount(
            name=entry["place"].name,
            level=entry["place"].level,
            code=entry["place"].code,
            province=entry["place"].province,
            articles=entry["articles"],
            datelines=min(entry["datelines"], entry["articles"]),
        )
        for entry in ranked[:limit]
    ]


def _statistic_key(value: float, unit: str) -> tuple[float, str]:
    # Value and unit only: the subject phrase differs between tellings of the same figure ("15 kota").
    return (round(value, 6), fold(unit))


def new_statistics(
    session: Session, campaign_id: str, covered: Sequence[_Covered], week: IsoWeek, zone: str, limit: int = MAX_STATISTICS
) -> list[DigestStatistic]:
    """Statistics of this week's coverage whose value and unit the campaign's earlier coverage did not report.

    A figure repeated by syndicated copies is listed once; figures with an attributed source come first,
    then counted ones, then bare numbers.
    """
    start, _ = week.utc_bounds(zone)
    candidates: dict[tuple[float, str], DigestStatistic] = {}
    for item in _ranked(covered):
        for statistic in item.article.statistics:
            key = _statistic_key(statistic.value, statistic.unit)
            if key not in candidates:
                candidates[key] = DigestStatistic(
                    raw=statistic.raw,
                    value=statistic.value,
                    unit=statistic.unit,
                    subject=statistic.subject,
                    source=statistic.source,
                    sentence=statistic.sentence,
                    article_title=item.article.title or item.article.url,
                    outlet=outlet_label(item.article),
                    url=item.article.url,
                )
    if not candidates:
        return []
    values = sorted({statistic.value for statistic in candidates.values()})
    earlier = session.execute(
        select(Statistic.value, Statistic.unit)
        .join(Article, Article.id == Statistic.article_id)
        .join(CampaignMatch, _matched(campaign_id))
        .where(Article.published_at < start, Statistic.value.in_(values))
    ).all()
    known = {_statistic_key(value, unit) for value, unit in earlier}
    fresh = [statistic for key, statistic in candidates.items() if key not in known]
    # Stable sort: within each group the order of the ranked articles is kept.
    fresh.sort(key=lambda statistic: (statistic.source is None, statistic.unit == ""))
    return fresh[:limit]


def fold(text: str) -> str:
    """Lower case without diacritics and with single spaces, for comparing names and phrases."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(plain.casefold().replace(".", " ").replace(",", " ").split())


def is_spokesperson(speaker: str, spokespeople: Sequence[str]) -> bool:
    """Whether a quote's speaker is one of the spokespeople, allowing titles around and a dropped middle name."""
    speaker_words = set(fold(speaker).split())
    if not speaker_words:
        return False
    for name in spokespeople:
        name_words = set(fold(name).split())
        if name_words and name_words <= speaker_words:
            return True
        # "Semuel Pangerapan" for "Semuel Abrijani Pangerapan": at least two words, all of them in the name.
        if len(speaker_words) >= 2 and speaker_words <= name_words:
            return True
    return False


def spokesperson_quotes(covered: Sequence[_Covered], spokespeople: Sequence[str], limit: int = MAX_QUOTES) -> list[DigestQuote]:
    if not spokespeople:
        return []
    quotes: dict[str, DigestQuote] = {}
    for item in _ranked(covered):
        for quote in sorted(item.article.quotes, key=lambda quote: quote.position):
            if not quote.speaker or not is_spokesperson(quote.speaker, spokespeople):
                continue
            quotes.setdefault(
                fold(quote.text),
                DigestQuote(
                    speaker=quote.speaker,
                    text=quote.text,
                    article_title=item.article.title or item.article.url,
                    outlet=outlet_label(item.article),
                    url=item.article.url,
                ),
            )
    return list(quotes.values())[:limit]


def _ranked(covered: Sequence[_Covered]) -> list[_Covered]:
    """Originals before copies; then bigger stories, stronger matches, earlier publication."""
    return sorted(
        covered,
        key=lambda item: (
            item.article.duplicate_of_id is not None,
            -item.story_size,
            -item.score,
            item.article.published_at or datetime.max.replace(tzinfo=UTC),
            item.article.id,
        ),
    )


def top_articles(covered: Sequence[_Covered], zone: str, limit: int = TOP_ARTICLES) -> list[DigestArticle]:
    """The best article of each story (an original when there is one), strongest stories first."""
    outlets_by_story: dict[tuple[str, int], list[str]] = {}
    for item in covered:
        outlets_by_story.setdefault(item.story_key, []).append(outlet_label(item.article))
    chosen: list[DigestArticle] = []
    seen_stories: set[tuple[str, int]] = set()
    for item in _ranked(covered):
        if item.story_key in seen_stories:
            continue
        seen_stories.add(item.story_key)
        article = item.article
        outlet = outlet_label(article)
        others = tuple(dict.fromkeys(name for name in outlets_by_story[item.story_key] if name != outlet))
        chosen.append(
            DigestArticle(
                title=article.title or article.url,
                outlet=outlet,
                published=local_date(article.published_at, zone).isoformat() if article.published_at else "",
                url=article.url,
                summary=summarize(article.text),
                also_in=others,
            )
        )
        if len(chosen) == limit:
            break
    return chosen
