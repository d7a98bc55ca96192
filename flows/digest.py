"""The `digest` flow: the weekly digest of every campaign, one task per campaign.

Each task writes the HTML/.eml preview and (with `send`) mails the subscribers through
pantau.read.digest.send_digests, whose ledger sends each (campaign, week, recipient) at most once: a
flow run that is retried or repeated only sends what was not sent yet. SMTP failures are retried
with backoff there and recorded; they are reported here, not raised, so one campaign's failure never
stops the others.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from flows.environment import configure_prefect
from pantau.core.campaigns import load_campaigns
from pantau.core.config import get_settings
from pantau.core.errors import InputError
from pantau.core.time import last_complete_week, parse_week, time_zone
from pantau.read.digest import build_digest, render_digest, send_digests, write_preview
from pantau.store import open_store

configure_prefect()

from prefect import flow, task  # noqa: E402
from prefect.futures import wait  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from flows import progress  # noqa: E402
from flows.crawl import failure_message  # noqa: E402

# The weekly digest goes out on Mondays from this local hour on (the deployment's cron says the same).
DIGEST_WEEKDAY = 0
DIGEST_HOUR = 8


def default_preview_dir() -> Path:
    return get_settings().data_dir / "previews"


def preview_file(preview_dir: Path, campaign_id: str, week: str) -> Path:
    return Path(preview_dir) / week / f"{campaign_id}.html"


def digest_due(now: datetime, zone: str, weekday: int = DIGEST_WEEKDAY, hour: int = DIGEST_HOUR) -> bool:
    """True once the local time is past this week's digest time: the last complete week may be sent."""
    local = now.astimezone(time_zone(zone))
    return (local.weekday(), local.hour) >= (weekday, hour)


@task(name="digest-campaign", task_run_name="digest {campaign_id} {week}", retries=1, retry_delay_seconds=60)
def digest_campaign(
    campaign_id: str,
    week: str,
    send: bool = False,
    preview_dir: str | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """One campaign's digest for `week`: numbers, preview files, and the delivery report when sending."""
    campaign = campaign_by_id(campaign_id)
    store = open_store(database_url)
    try:
        with store.session() as session:
            digest = build_digest(session, campaign, week)
        outcome: dict[str, Any] = {"campaign": campaign_id, "week": week, "coverage": digest.coverage,
                                   "previous_week": digest.previous_week, "spike": digest.spike,
                                   "unique_stories": digest.unique_stories, "syndicated_copies": digest.syndicated_copies}
        if preview_dir:
            html_path, eml_path = write_preview(render_digest(digest), preview_file(Path(preview_dir), campaign_id, week))
            outcome.update(html=str(html_path), eml=str(eml_path))
        if send:
            outcome["delivery"] = send_digests(store, [campaign], week).as_dict()
        progress.report("digest", outcome)
        return outcome
    finally:
        store.dispose()


def campaign_by_id(campaign_id: str) -> Any:
    campaigns = {campaign.id: campaign for campaign in load_campaigns()}
    if campaign_id not in campaigns:
        raise InputError(f"no campaign {campaign_id!r}; known campaigns: {', '.join(campaigns)} (see `pantau campaigns list`)")
    return campaigns[campaign_id]


@flow(name="digest", task_runner=ThreadPoolTaskRunner(max_workers=2))
def digest_flow(
    week: str | None = None,
    campaigns: list[str] | None = None,
    send: bool = True,
    preview_dir: str | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """The digests of `week` (default: the last complete week in the configured time zone).

    Returns {"week", "campaigns": [outcome per campaign], "failed": [{"campaign", "error"}]}.
    """
    week = parse_week(week).label if week else last_complete_week()
    campaign_ids = campaigns or [campaign.id for campaign in load_campaigns()]
    for campaign_id in campaign_ids:
        campaign_by_id(campaign_id)
    preview = preview_dir if preview_dir is not None else str(default_preview_dir())
    futures = [
        digest_campaign.submit(campaign_id, week, send=send, preview_dir=preview, database_url=database_url)
        for campaign_id in campaign_ids
    ]
    wait(futures)
    outcomes, failed = [], []
    for campaign_id, future in zip(campaign_ids, futures, strict=True):
        if future.state.is_completed():
            outcomes.append(future.state.result())
        else:
            failed.append({"campaign": campaign_id, "error": failure_message(future.state)})
    return {"week": week, "campaigns": outcomes, "failed": failed}
