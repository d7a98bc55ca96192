"""Digest e-mails: the MIME message, SMTP delivery with STARTTLS, login and retries, and the delivery ledger.

Idempotency: every (campaign, week, recipient) has one DigestDelivery row. A run claims a row with one
conditional UPDATE (pending/failed -> sending), sends, and marks it sent right after the server accepts
the message; a row already sent is skipped, so re-running the digest flow never mails anyone twice.
The Message-ID is derived from the same triple, so in the rare case a crash falls between the server's
acceptance and the commit, the resent copy carries the same Message-ID and mail clients fold the two.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address, Group
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from pantau.core.config import get_settings
from pantau.core.errors import InputError, PantauError
from pantau.core.time import parse_week
from pantau.read.digest.data import build_digest
from pantau.read.digest.render import RenderedDigest, html_with_inline_images, one_line, render_digest
from pantau.store.tables import DigestDelivery

log = logging.getLogger(__name__)

# Waits before the second, third and fourth attempt of one message (exponential backoff).
RETRY_DELAYS_S: tuple[float, ...] = (2.0, 8.0, 32.0)
# A row left "sending" this long ago belongs to a run that died; another run may take it over.
STALE_SENDING = timedelta(minutes=15)
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
ERROR_MAX_CHARS = 500


class DeliveryError(PantauError):
    """The SMTP configuration cannot work at all (no STARTTLS offered, login refused, password in clear)."""


@dataclass(frozen=True)
class Delivery:
    campaign_id: str
    week: str
    recipient: str
    error: str | None = None


@dataclass
class DeliveryReport:
    sent: list[Delivery] = field(default_factory=list)
    skipped_already_sent: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)
    # Claimed by another run that is sending right now.
    skipped_in_progress: list[Delivery] = field(default_factory=list)
    # Campaigns not active in the week or without subscribers: nothing to send.
    campaigns_without_delivery: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": len(self.sent),
            "skipped_already_sent": len(self.skipped_already_sent),
            "failed": len(self.failed),
            "skipped_in_progress": len(self.skipped_in_progress),
            "failures": [
                {"campaign": item.campaign_id, "recipient": item.recipient, "error": item.error} for item in self.failed
            ],
        }


# ----------------------------------------------------------------------------- the message

def header_text(value: object) -> str:
    """A header value on one line: CR, LF and other control characters become spaces."""
    text = "".join(" " if ord(character) < 32 or ord(character) == 127 else character for character in str(value or ""))
    return " ".join(text.split())


def parse_address(text: str, what: str) -> Address:
    """An Address from "Name <user@host>" or "user@host"; InputError for anything else (CR/LF included)."""
    if "\r" in text or "\n" in text:
        raise InputError(f"{what} {text!r} contains a line break; write a single address like user@example.org")
    name, addr_spec = parseaddr(text)
    if "@" not in addr_spec:
        raise InputError(f"{what} {text!r} is not an e-mail address; write it like 'pantau <digest@example.org>'")
    try:
        return Address(display_name=header_text(name), addr_spec=addr_spec)
    except (ValueError, IndexError) as error:
        raise InputError(f"{what} {text!r} is not a valid e-mail address ({error})") from None


def message_id_for(campaign_id: str, week: str, recipient: str, domain: str) -> str:
    """The same Message-ID for the same (campaign, week, recipient): a resent copy is recognisably the same."""
    digest = hashlib.sha256(f"{campaign_id}\0{week}\0{recipient.lower()}".encode()).hexdigest()[:20]
    safe_domain = "".join(character for character in domain if character.isalnum() or character in ".-") or "pantau.invalid"
    return f"<digest.{digest}@{safe_domain}>"


def build_message(rendered: RenderedDigest, sender: str, recipient: str | None = None) -> EmailMessage:
    """multipart/alternative: text/plain, then multipart/related with the HTML and its charts by Content-ID.

    `recipient` None addresses the message to "undisclosed-recipients" (previews).
    """
    from_address = parse_address(sender, "sender")
    message = EmailMessage()
    message["Subject"] = header_text(rendered.subject)
    message["From"] = from_address
    message["To"] = parse_address(recipient, "recipient") if recipient else Group("undisclosed-recipients")
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id_for(rendered.campaign_id, rendered.week, recipient or "preview", from_address.domain)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["X-Pantau-Campaign"] = header_text(rendered.campaign_id)
    message["X-Pantau-Week"] = header_text(rendered.week)
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    html_part = message.get_payload()[-1]
    for cid, png in rendered.images.items():
        html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>", filename=f"{cid.split('@')[0]}.png")
    return message


def write_preview(rendered: RenderedDigest, path: str | Path, sender: str | None = None) -> tuple[Path, Path]:
    """Write the digest as a browser-viewable HTML file (charts inlined) and as an .eml beside it."""
    html_path = Path(path)
    eml_path = html_path.with_suffix(".eml")
    if sender is None:
        sender = get_settings().smtp.sender
    try:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(html_with_inline_images(rendered), encoding="utf-8")
        eml_path.write_bytes(build_message(rendered, sender).as_bytes())
    except OSError as error:
        raise InputError(f"cannot write the preview to {html_path}: {error.strerror}; choose a writable path") from None
    return html_path, eml_path


# ----------------------------------------------------------------------------- SMTP

class _Permanent(Exception):
    """The server refused this message for good (5xx); retrying in this run would not help."""


class SmtpConnection:
    """One SMTP session, opened lazily, with STARTTLS and login as configured."""

    def __init__(self, smtp_settings: Any):
        self.settings = smtp_settings
        self.client: smtplib.SMTP | None = None

    def open(self) -> smtplib.SMTP:
        if self.client is not None:
            return self.client
        config = self.settings
        username = config.username
        if username and not config.starttls and config.host not in LOOPBACK_HOSTS:
            raise DeliveryError(
                f"refusing to send the SMTP password to {config.host} unencrypted; set smtp.starttls = true"
            )
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout_s)
        try:
            client.ehlo()
            if config.starttls:
                if not client.has_extn("starttls"):
                    raise DeliveryError(
                        f"SMTP server {config.host}:{config.port} does not offer STARTTLS; "
                        "use a server that does or set smtp.starttls = false"
                    )
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if username:
                client.login(username, config.password.get_secret_value())
        except ssl.SSLError as error:
            _close(client)
            raise DeliveryError(f"TLS with SMTP server {config.host}:{config.port} failed ({one_line(error)}); "
                                "check its certificate and smtp.host") from None
        except smtplib.SMTPAuthenticationError as error:
            _close(client)
            raise DeliveryError(f"SMTP login as {username!r} refused by {config.host}: {_reply(error)}; "
                                "check smtp.username and smtp.password") from None
        except BaseException:
            _close(client)
            raise
        self.client = client
        return client

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        client = self.open()
        try:
            refused = client.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            self._reset()
            raise (_Permanent if code >= 500 else smtplib.SMTPResponseException)(code, reply) from None
        except smtplib.SMTPResponseException as error:
            self._reset()
            if error.smtp_code >= 500:
                raise _Permanent(error.smtp_code, error.smtp_error) from None
            raise
        except BaseException:
            self.close()
            raise
        if refused:
            raise _Permanent(*next(iter(refused.values())))

    def _reset(self) -> None:
        # After a refusal the session may be mid-transaction; a fresh connection is the safe state.
        self.close()

    def close(self) -> None:
        if self.client is not None:
            _close(self.client)
            self.client = None


def _close(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _reply(error: BaseException) -> str:
    if isinstance(error, (smtplib.SMTPResponseException, _Permanent)):
        code, reply = (error.smtp_code, error.smtp_error) if isinstance(error, smtplib.SMTPResponseException) else error.args[:2]
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        return f"{code} {one_line(text)}"
    return f"{type(error).__name__}: {one_line(error) or 'no detail'}"


# ----------------------------------------------------------------------------- the ledger

def _now() -> datetime:
    return datetime.now(UTC)


def ensure_delivery_rows(store: Any, campaign_id: str, week: str, recipients: Iterable[str]) -> None:
    """A pending row for every recipient that has none (a concurrent run inserting the same row is fine)."""
    with store.session() as session:
        existing = set(session.scalars(
            select(DigestDelivery.recipient).where(DigestDelivery.campaign_id == campaign_id, DigestDelivery.week == week)
        ))
    for recipient in recipients:
        if recipient in existing:
            continue
        try:
            with store.session() as session:
                session.add(
                    DigestDelivery(
                        campaign_id=campaign_id, week=week, recipient=recipient, status="pending", attempts=0, updated_at=_now()
                    )
                )
        except IntegrityError:
            log.debug("delivery row for %s/%s/%s was inserted by another run", campaign_id, week, recipient)


def claim_delivery(store: Any, campaign_id: str, week: str, recipient: str) -> str:
    """'claimed' when this run now owns the delivery, else the row's status ('sent' or 'sending')."""
    now = _now()
    with store.session() as session:
        claimed = session.execute(
            update(DigestDelivery)
            .where(
                DigestDelivery.campaign_id == campaign_id,
                DigestDelivery.week == week,
                DigestDelivery.recipient == recipient,
                or_(
                    DigestDelivery.status.in_(("pending", "failed")),
                    (DigestDelivery.status == "sending") & (DigestDelivery.updated_at < now - STALE_SENDING),
                ),
            )
            .values(status="sending", updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed == 1:
            return "claimed"
        return session.scalar(
            select(DigestDelivery.status).where(
                DigestDelivery.campaign_id == campaign_id, DigestDelivery.week == week, DigestDelivery.recipient == recipient
            )
        ) or "missing"


def record_outcome(store: Any, campaign_id: str, week: str, recipient: str, attempts: int,
                   message_id: str | None = None, error: str | None = None) -> None:
    with store.session() as session:
        row = session.scalar(select(DigestDelivery).where(
            DigestDelivery.campaign_id == campaign_id, DigestDelivery.week == week, DigestDelivery.recipient == recipient
        ))
        row.attempts += attempts
        row.updated_at = _now()
        if error is None:
            row.status, row.sent_at, row.message_id, row.last_error = "sent", row.updated_at, message_id, None
        else:
            row.status, row.last_error = "failed", error[:ERROR_MAX_CHARS]


# ----------------------------------------------------------------------------- sending

def campaign_active_in_week(campaign: Any, week: str) -> bool:
    iso = parse_week(week)
    return (campaign.start is None or campaign.start <= iso.sunday) and (campaign.end is None or campaign.end >= iso.monday)


def send_digests(
    store: Any,
    campaigns: Sequence[Any],
    week: str,
    settings: Any = None,
    *,
    retry_delays: Sequence[float] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Send `week`'s digest of each campaign to its subscribers, each message at most once.

    Transient SMTP failures (connection refused or dropped, 4xx replies) are retried after each of
    `retry_delays` (default RETRY_DELAYS_S); a message that still fails is recorded as failed and is sent by a later run.
    When the server is unreachable or misconfigured (no STARTTLS, login refused, bad certificate), the
    remaining messages are recorded as failed at once instead of waiting through every backoff.
    """
    if settings is None:
        settings = get_settings()
    week = parse_week(week).label
    retry_delays = RETRY_DELAYS_S if retry_delays is None else tuple(retry_delays)
    sender_address = parse_address(settings.smtp.sender, "smtp.sender")
    sender, envelope_sender = str(sender_address), sender_address.addr_spec
    report = DeliveryReport()
    connection = SmtpConnection(settings.smtp)
    fatal: DeliveryError | None = None
    try:
        for campaign in campaigns:
            recipients = list(dict.fromkeys(address.strip() for address in campaign.subscribers if address.strip()))
            if not recipients or not campaign_active_in_week(campaign, week):
                report.campaigns_without_delivery.append(campaign.id)
                continue
            claimed = _claim_all(store, campaign.id, week, recipients, report)
            if not claimed:
                continue
            with store.session() as session:
                rendered = render_digest(build_digest(session, campaign, week, zone=settings.timezone))
            for recipient in claimed:
                if fatal is not None:
                    _fail(store, report, campaign.id, week, recipient, 0, str(fatal))
                    continue
                try:
                    message = build_message(rendered, sender, recipient)
                except InputError as error:
                    _fail(store, report, campaign.id, week, recipient, 0, str(error))
                    continue
                attempts, error = _send_with_retries(connection, message, envelope_sender, recipient, retry_delays, sleep)
                if isinstance(error, DeliveryError):
                    fatal = error
                if error is None:
                    record_outcome(store, campaign.id, week, recipient, attempts, message_id=str(message["Message-ID"]))
                    report.sent.append(Delivery(campaign.id, week, recipient))
                else:
                    _fail(store, report, campaign.id, week, recipient, attempts,
                          _reply(error) if not isinstance(error, DeliveryError) else str(error))
                    if _unreachable(error):
                        # The server cannot be reached at all: don't wait through the backoff for every recipient.
                        fatal = DeliveryError(f"SMTP server {settings.smtp.host}:{settings.smtp.port} unreachable "
                                              f"({_reply(error)}); the next run sends what was not sent")
    finally:
        connection.close()
    if fatal is not None:
        log.warning("%s", fatal)
    return report


def _claim_all(store: Any, campaign_id: str, week: str, recipients: list[str], report: DeliveryReport) -> list[str]:
    ensure_delivery_rows(store, campaign_id, week, recipients)
    claimed = []
    for recipient in recipients:
        status = claim_delivery(store, campaign_id, week, recipient)
        if status == "claimed":
            claimed.append(recipient)
        elif status == "sent":
            report.skipped_already_sent.append(Delivery(campaign_id, week, recipient))
        else:
            report.skipped_in_progress.append(Delivery(campaign_id, week, recipient))
    return claimed


def _fail(store: Any, report: DeliveryReport, campaign_id: str, week: str, recipient: str, attempts: int, error: str) -> None:
    record_outcome(store, campaign_id, week, recipient, attempts, error=error)
    report.failed.append(Delivery(campaign_id, week, recipient, error))


def _unreachable(error: BaseException) -> bool:
    return isinstance(error, (ConnectionRefusedError, smtplib.SMTPConnectError, TimeoutError)) or (
        isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException) and error.errno is not None
    )


def _send_with_retries(
    connection: SmtpConnection, message: EmailMessage, sender: str, recipient: str,
    retry_delays: Sequence[float], sleep: Callable[[float], None],
) -> tuple[int, BaseException | None]:
    """(attempts made, None on success or the last error)."""
    last_error: BaseException | None = None
    for attempt, delay in enumerate((0.0, *retry_delays), start=1):
        if delay:
            sleep(delay)
        try:
            connection.send(message, sender, recipient)
            return attempt, None
        except DeliveryError as error:
            return attempt, error
        except _Permanent as error:
            return attempt, error
        except (smtplib.SMTPException, OSError) as error:
            log.info("digest to %s: attempt %d failed: %s", recipient, attempt, _reply(error))
            connection.close()
            last_error = error
    return len(retry_delays) + 1, last_error
