"""Digest delivery through a real SMTP server (aiosmtpd on 127.0.0.1): messages parsed back, STARTTLS and
login, a server that refuses connections, one that fails mid-way, and reruns that never send twice."""

from __future__ import annotations

import ipaddress
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlalchemy import select

from pantau.core.campaigns import parse_campaigns
from pantau.core.config import Settings, SmtpSettings, reload_settings
from pantau.read.digest import send_digests
from pantau.read.digest.mail import claim_delivery, ensure_delivery_rows
from pantau.store.articles import upsert_article
from pantau.store.tables import DigestDelivery

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is needed for the SMTP tests (pip install -e '.[dev]')")

WIB = timezone(timedelta(hours=7))
WEEK = "2018-W40"
SENDER = "pantau digest <digest@pantau.test>"
HOSTILE_TITLE = "<script>alert(1)</script> Laju Digital di Makassar"
INJECTION_TITLE = "Laju Digital\r\nBcc: x@evil.example\r\nX-Injected: yes"
FAST_RETRIES = (0.01, 0.02)

CAMPAIGNS = parse_campaigns(
    """
[[campaign]]
id = "laju-digital"
name = "Laju Digital"
query = '"laju digital"'
description = "Seminar Facebook untuk UKM."
spokespeople = ["Ruben Hattari"]
start = 2018-01-01
subscribers = ["a@example.org", "b@example.org"]

[[campaign]]
id = "gapura-digital"
name = "Gapura Digital"
query = '"gapura digital"'
description = "Pelatihan Google untuk UKM."
start = 2018-01-01
subscribers = ["c@example.org"]

[[campaign]]
id = "ended"
name = "Ended campaign"
query = 'ended'
description = "Finished before the week."
start = 2017-01-01
end = 2017-12-31
subscribers = ["d@example.org"]
"""
)


# ----------------------------------------------------------------------------- a real SMTP server

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """aiosmtpd handler: keeps what it accepts; can refuse recipients, defer or drop the first DATA."""

    def __init__(self, reject: tuple[str, ...] = (), defer_data: int = 0, drop_data: int = 0):
        self.reject = set(reject)
        self.defer_data = defer_data
        self.drop_data = drop_data
        self.received: list[tuple[str, list[str], bytes, bool]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001
        if address in self.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
        if self.drop_data:
            self.drop_data -= 1
            server.transport.close()  # the connection dies before the server confirms the message
            return "421 4.3.0 closing"
        if self.defer_data:
            self.defer_data -= 1
            return "451 4.3.0 try again later"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content, bool(session.ssl)))
        return "250 2.0.0 OK"

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=default_policy) for _, _, raw, _ in self.received]

    def recipients(self) -> list[str]:
        return sorted(address for _, rcpt_tos, _, _ in self.received for address in rcpt_tos)


@contextmanager
def smtp_server(handler: Mailbox, port: int | None = None, **options) -> Iterator[int]:
    port = port or free_port()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def smtp_settings(port: int, **overrides) -> Settings:
    values = {"host": "127.0.0.1", "port": port, "starttls": False, "sender": SENDER, "timeout_s": 10.0, **overrides}
    return Settings(smtp=SmtpSettings(**values), timezone="Asia/Jakarta")


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) PEM files for 127.0.0.1/localhost, made now: cryptography, else the openssl CLI."""
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        if shutil.which("openssl") is None:
            pytest.skip("neither the cryptography package nor the openssl CLI is available to make a test certificate")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
             "-keyout", str(key_path), "-out", str(cert_path), "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, capture_output=True,
        )
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


# ----------------------------------------------------------------------------- data

def add_article(session, url: str, title: str, published: datetime, campaign: str, score: float) -> None:
    upsert_article(
        session,
        {"url_key": url, "url": url, "title": title, "outlet_id": "kompas", "outlet_name": "Kompas",
         "text": "Facebook menggelar Laju Digital di Makassar. Seminar diikuti 1.800 pelaku UKM. Ketiga.",
         "published_at": published, "pipeline_version": "test"},
        {"places": [{"name": "Makassar", "level": "city", "code": "73.71", "province": "Sulawesi Selatan", "is_dateline": True}],
         "quotes": [{"speaker": "Ruben Hattari", "text": "Kami ingin <b>UKM</b> naik kelas."}]},
        [{"campaign_id": campaign, "score": score, "matched": True, "reasons": []}],
    )


@pytest.fixture
def coverage(store):
    monday = datetime(2018, 10, 1, 9, tzinfo=WIB)
    with store.session() as session:
        # The strongest match leads the digest, so its title is in the Subject.
        add_article(session, "https://kompas.com/inject", INJECTION_TITLE, monday, "laju-digital", 0.99)
        add_article(session, "https://kompas.com/hostile", HOSTILE_TITLE, monday + timedelta(days=1), "laju-digital", 0.9)
        add_article(session, "https://kompas.com/gapura", "Gapura Digital di Medan", monday, "gapura-digital", 0.9)
    return store


def deliveries(store) -> dict[tuple[str, str], DigestDelivery]:
    with store.session() as session:
        return {(row.campaign_id, row.recipient): row for row in session.scalars(select(DigestDelivery))}


# ----------------------------------------------------------------------------- tests

def test_messages_arrive_with_both_parts_images_by_cid_and_safe_headers(coverage):
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        report = send_digests(coverage, CAMPAIGNS, WEEK, smtp_settings(port), retry_delays=FAST_RETRIES)
        rerun = send_digests(coverage, CAMPAIGNS, WEEK, smtp_settings(port), retry_delays=FAST_RETRIES)

    assert sorted(item.recipient for item in report.sent) == ["a@example.org", "b@example.org", "c@example.org"]
    assert report.failed == [] and report.campaigns_without_delivery == ["ended"]
    assert rerun.sent == [] and len(rerun.skipped_already_sent) == 3
    # Each envelope carries exactly one subscriber: nobody else (no injected Bcc) received anything.
    assert [rcpt for _, rcpt, _, _ in mailbox.received] == [["a@example.org"], ["b@example.org"], ["c@example.org"]]
    assert all(mail_from == "digest@pantau.test" for mail_from, _, _, _ in mailbox.received)

    by_recipient = {message["To"]: message for message in mailbox.messages()}
    message = by_recipient["a@example.org"]
    raw = mailbox.received[0][2]
    assert message["From"] == SENDER
    assert message["Subject"].startswith("Laju Digital, 2018-W40: 2 artikel — Laju Digital Bcc: x@evil.example")
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert b"\nBcc:" not in raw and b"\nX-Injected:" not in raw
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Pantau-Campaign"] == "laju-digital" and message["X-Pantau-Week"] == WEEK
    assert message["Message-ID"] != by_recipient["b@example.org"]["Message-ID"]

    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html_part = message.get_body(("html",))
    html = html_part.get_content()
    assert HOSTILE_TITLE in text and "Kami ingin <b>UKM</b> naik kelas." in text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>UKM</b>" not in html and "&lt;b&gt;UKM&lt;/b&gt;" in html
    related = [part for part in message.walk() if part.get_content_type() == "multipart/related"]
    assert len(related) == 1
    images = {part["Content-ID"].strip("<>"): part.get_content() for part in related[0].iter_parts()
              if part.get_content_type() == "image/png"}
    assert len(images) == 2
    for cid, png in images.items():
        assert f'src="cid:{cid}"' in html
        assert png.startswith(b"\x89PNG\r\n\x1a\n")

    rows = deliveries(coverage)
    assert {row.status for row in rows.values()} == {"sent"}
    assert rows[("laju-digital", "a@example.org")].message_id == message["Message-ID"]
    assert all(row.attempts == 1 for row in rows.values())


def test_starttls_and_login(coverage, tmp_path, monkeypatch):
    cert_path, key_path = self_signed_certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_path, key_path)
    # The client verifies the server's certificate against the system store; point it at ours.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):  # noqa: ANN001
        from aiosmtpd.smtp import AuthResult

        logins.append((auth_data.login, auth_data.password))
        # handled=False: aiosmtpd itself answers 235 or 535.
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"digest", b"s3cret"), handled=False)

    mailbox = Mailbox()
    options = {"tls_context": server_tls, "require_starttls": True, "auth_required": True, "authenticator": authenticator}
    with smtp_server(mailbox, **options) as port:
        wrong = send_digests(coverage, CAMPAIGNS[1:2], WEEK,
                             smtp_settings(port, starttls=True, username="digest", password="wrong"), retry_delays=FAST_RETRIES)
        right = send_digests(coverage, CAMPAIGNS[1:2], WEEK,
                             smtp_settings(port, starttls=True, username="digest", password="s3cret"), retry_delays=FAST_RETRIES)

    assert wrong.sent == [] and "login as 'digest' refused" in wrong.failed[0].error
    assert [item.recipient for item in right.sent] == ["c@example.org"]
    # smtplib tries each offered mechanism (PLAIN, then LOGIN) before giving up on a wrong password.
    assert set(logins[:-1]) == {(b"digest", b"wrong")} and logins[-1] == (b"digest", b"s3cret")
    assert mailbox.recipients() == ["c@example.org"]
    assert mailbox.received[0][3] is True  # the message travelled inside TLS


def test_starttls_required_but_not_offered_fails_without_sending(coverage):
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        report = send_digests(coverage, CAMPAIGNS[:2], WEEK, smtp_settings(port, starttls=True), retry_delays=FAST_RETRIES)
    assert report.sent == [] and len(report.failed) == 3
    assert all("does not offer STARTTLS" in item.error for item in report.failed)
    assert mailbox.received == []


def test_login_without_tls_to_a_remote_host_is_refused(coverage):
    settings = smtp_settings(free_port(), host="smtp.example.org", starttls=False, username="u", password="p")
    report = send_digests(coverage, CAMPAIGNS[1:2], WEEK, settings, retry_delays=FAST_RETRIES)
    assert "unencrypted" in report.failed[0].error


def test_server_refusing_connections_is_recorded_and_a_later_run_sends_everything_once(coverage):
    port = free_port()  # nothing listens here yet
    waits: list[float] = []
    down = send_digests(coverage, CAMPAIGNS, WEEK, smtp_settings(port), retry_delays=FAST_RETRIES, sleep=waits.append)
    assert down.sent == [] and len(down.failed) == 3
    # Backoff for the first message only; once the server is known unreachable the rest fail at once.
    assert waits == list(FAST_RETRIES)
    rows = deliveries(coverage)
    assert {row.status for row in rows.values()} == {"failed"}
    assert rows[("laju-digital", "a@example.org")].attempts == 3
    assert "Connection refused" in rows[("laju-digital", "a@example.org")].last_error
    assert "unreachable" in rows[("gapura-digital", "c@example.org")].last_error

    mailbox = Mailbox()
    with smtp_server(mailbox, port=port):
        up = send_digests(coverage, CAMPAIGNS, WEEK, smtp_settings(port), retry_delays=FAST_RETRIES)
        again = send_digests(coverage, CAMPAIGNS, WEEK, smtp_settings(port), retry_delays=FAST_RETRIES)
    assert len(up.sent) == 3 and up.failed == []
    assert again.sent == [] and len(again.skipped_already_sent) == 3
    assert mailbox.recipients() == ["a@example.org", "b@example.org", "c@example.org"]
    rows = deliveries(coverage)
    assert {row.status for row in rows.values()} == {"sent"} and all(row.last_error is None for row in rows.values())


def test_server_failing_mid_way_sends_the_rest_and_a_rerun_only_the_missing_one(coverage):
    # a@: first DATA deferred (451), retried; b@: refused for good in this run (550); c@: fine.
    flaky = Mailbox(reject=("b@example.org",), defer_data=1)
    with smtp_server(flaky) as port:
        first = send_digests(coverage, CAMPAIGNS, WEEK, smtp_settings(port), retry_delays=FAST_RETRIES)
    assert sorted(item.recipient for item in first.sent) == ["a@example.org", "c@example.org"]
    assert [(item.recipient, item.error) for item in first.failed] == [("b@example.org", "550 5.1.1 mailbox unavailable")]
    assert flaky.recipients() == ["a@example.org", "c@example.org"]
    rows = deliveries(coverage)
    assert rows[("laju-digital", "a@example.org")].attempts == 2
    assert rows[("laju-digital", "b@example.org")].attempts == 1  # a 5xx is not retried in the same run

    fixed = Mailbox()
    with smtp_server(fixed, port=port):
        second = send_digests(coverage, CAMPAIGNS, WEEK, smtp_settings(port), retry_delays=FAST_RETRIES)
    assert [item.recipient for item in second.sent] == ["b@example.org"]
    assert sorted(item.recipient for item in second.skipped_already_sent) == ["a@example.org", "c@example.org"]
    assert fixed.recipients() == ["b@example.org"]
    assert deliveries(coverage)[("laju-digital", "b@example.org")].attempts == 2


def test_connection_dropped_after_data_is_retried_and_delivered_once(coverage):
    mailbox = Mailbox(drop_data=1)
    with smtp_server(mailbox) as port:
        report = send_digests(coverage, CAMPAIGNS[1:2], WEEK, smtp_settings(port), retry_delays=FAST_RETRIES)
    assert [item.recipient for item in report.sent] == ["c@example.org"]
    assert mailbox.recipients() == ["c@example.org"]
    assert deliveries(coverage)[("gapura-digital", "c@example.org")].attempts == 2


def test_a_delivery_is_claimed_by_one_run_only(any_store):
    ensure_delivery_rows(any_store, "laju-digital", WEEK, ["a@example.org"])
    ensure_delivery_rows(any_store, "laju-digital", WEEK, ["a@example.org"])  # a second run inserting the same row
    assert claim_delivery(any_store, "laju-digital", WEEK, "a@example.org") == "claimed"
    assert claim_delivery(any_store, "laju-digital", WEEK, "a@example.org") == "sending"
    assert len(deliveries(any_store)) == 1


# ----------------------------------------------------------------------------- the CLI

def test_cli_preview_and_send(coverage, tmp_path, monkeypatch, capsys):
    from pantau.cli.main import run

    campaigns_file = tmp_path / "campaigns.toml"
    campaigns_file.write_text(
        '[[campaign]]\nid = "laju-digital"\nname = "Laju Digital"\nquery = \'"laju digital"\'\n'
        'description = "Seminar Facebook untuk UKM."\nstart = 2018-01-01\nsubscribers = ["a@example.org"]\n',
        encoding="utf-8",
    )
    port = free_port()
    for key, value in {"DATABASE_URL": coverage.url, "PANTAU_CAMPAIGNS_FILE": str(campaigns_file),
                       "PANTAU_SMTP__HOST": "127.0.0.1", "PANTAU_SMTP__PORT": str(port),
                       "PANTAU_SMTP__STARTTLS": "false", "PANTAU_SMTP__SENDER": SENDER}.items():
        monkeypatch.setenv(key, value)
    reload_settings()

    preview = tmp_path / "out" / "digest.html"
    assert run(["digest", "--campaign", "laju-digital", "--week", WEEK, "--preview", str(preview)]) == 0
    assert preview.is_file() and preview.with_suffix(".eml").is_file()
    assert "&lt;script&gt;" in preview.read_text(encoding="utf-8")

    assert run(["digest", "--campaign", "nope", "--week", WEEK, "--preview", str(preview)]) == 2
    assert "no campaign 'nope'" in capsys.readouterr().err

    import pantau.read.digest.mail as mail

    monkeypatch.setattr(mail, "RETRY_DELAYS_S", FAST_RETRIES)
    # SMTP down: exit status 1 and one line saying how to resume.
    assert run(["digest", "--campaign", "laju-digital", "--week", WEEK, "--send"]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "re-run `pantau digest --send --week 2018-W40`" in error[0]

    mailbox = Mailbox()
    with smtp_server(mailbox, port=port):
        assert run(["digest", "--campaign", "laju-digital", "--week", WEEK, "--send", "--json"]) == 0
    assert mailbox.recipients() == ["a@example.org"]
    assert '"sent": 1' in capsys.readouterr().out
