"""rekey old address forms: stored page and article keys follow the registry's key rules

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 23:30:00

The outlet registry now says which old address forms are the same article as a current one (detik's
`/read/.../<id>/...` and `/d-<id>`, Tempo, Republika, Liputan6): pages and articles stored before are
given the keys `url_key` makes now, so that a re-crawl or a backfill finds them known. No schema change.
"""
from alembic import op

from pantau.store.rekey import rekey

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    rekey(op.get_bind())


def downgrade() -> None:
    # The old keys are not kept: they named the same articles; nothing to undo.
    pass
