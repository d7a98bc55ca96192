"""The weekly digest: its numbers from the store (data), the e-mail body (render), delivery (mail)."""

from pantau.core.time import last_complete_week
from pantau.read.digest.data import Digest, build_digest
from pantau.read.digest.mail import DeliveryReport, build_message, send_digests, write_preview
from pantau.read.digest.render import RenderedDigest, render_digest

__all__ = [
    "DeliveryReport",
    "Digest",
    "RenderedDigest",
    "build_digest",
    "build_message",
    "last_complete_week",
    "render_digest",
    "send_digests",
    "write_preview",
]
