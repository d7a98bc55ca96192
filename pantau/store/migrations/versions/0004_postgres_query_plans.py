"""query plans on PostgreSQL: a newest-first index and the matched campaign rows

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:50:00

Measured on a synthetic store of 1,000,000 articles (bench/query.py, EXPLAIN ANALYZE):
- articles (published_at DESC NULLS LAST, id DESC) WHERE is_article: the order of every newest-first
  page. Without it a search for a common word read and sorted every match ('pemerintah', a third of
  the articles: 13.9 s); with it PostgreSQL walks the newest articles and stops after a page (4.5 ms),
  and a campaign's statistics are found from the newest articles down (250 -> 7 ms). SQLite walks
  its published_at index backwards (NULLs sort first there), so it does not need this one.
- campaign_matches (campaign_id, article_id) WHERE matched: a campaign's articles in an index-only scan
  of its matched rows; the (campaign_id, matched, article_id) index of 0002 spans every decision (one
  per campaign for every article) and PostgreSQL read it through the table (15,000 pages per query).
  Both backends.
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Indexes that exist on PostgreSQL only: the model comparison test leaves them out.
POSTGRES_ONLY_INDEXES = ("ix_articles_newest",)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_articles_newest ON articles (published_at DESC NULLS LAST, id DESC) WHERE is_article"
        )
    op.execute("CREATE INDEX IF NOT EXISTS ix_campaign_matches_matched "
               "ON campaign_matches (campaign_id, article_id) WHERE matched")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_campaign_matches_matched")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_newest")
