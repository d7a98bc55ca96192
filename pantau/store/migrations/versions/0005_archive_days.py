"""archive days: the days of each outlet's archive that a backfill walked completely

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00

`pantau backfill` walks an outlet's archive day by day; a day whose index pages were all read and whose
new articles were all stored (or failed for good) is recorded here, with its counts, and skipped by the
next backfill, so a stopped backfill continues where it stopped.
"""
import sqlalchemy as sa
from alembic import op

import pantau.store.types

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'archive_days',
        sa.Column('outlet_id', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('walked_at', pantau.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('crawl_run_id', sa.Integer(), nullable=True),
        sa.Column('index_pages', sa.Integer(), nullable=False),
        sa.Column('listed', sa.Integer(), nullable=False),
        sa.Column('new', sa.Integer(), nullable=False),
        sa.Column('known', sa.Integer(), nullable=False),
        sa.Column('failed', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['crawl_run_id'], ['crawl_runs.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('outlet_id', 'day'),
    )


def downgrade() -> None:
    op.drop_table('archive_days')
