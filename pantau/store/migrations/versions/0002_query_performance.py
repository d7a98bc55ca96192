"""query performance: covering indexes for the campaign filter, per-article tags and article rollups

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 07:20:00

Measured on a synthetic store of 1,000,000 articles (bench/query.py): the dashboard's queries select a
campaign's articles first and then read a few columns of each article and of its tags. With these
indexes those reads never touch the wide rows (article text, sentences, quotes), which at that size
was most of the time.

- campaign_matches (campaign_id, matched, article_id): a campaign's articles, in id order, from the index
  alone (replaces the (campaign_id, matched) index).
- articles (id, is_article, published_at, story_id, outlet_id): what coverage, summary, outlets and
  stories count, and what pages sort on, found by article id without reading the article row.
- statistics (article_id, unit, position), quotes (article_id, position), article_places (article_id,
  code, mentions, is_dateline): an article's tags with what filters and sorts need (replace the
  indexes on article_id alone, of which they are extensions).
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_campaign_matches_campaign', table_name='campaign_matches')
    op.create_index('ix_campaign_matches_campaign_article', 'campaign_matches', ['campaign_id', 'matched', 'article_id'])
    op.create_index('ix_articles_rollup', 'articles', ['id', 'is_article', 'published_at', 'story_id', 'outlet_id'])
    op.drop_index('ix_statistics_article_id', table_name='statistics')
    op.create_index('ix_statistics_article_unit', 'statistics', ['article_id', 'unit', 'position'])
    op.drop_index('ix_quotes_article_id', table_name='quotes')
    op.create_index('ix_quotes_article_position', 'quotes', ['article_id', 'position'])
    op.drop_index('ix_article_places_article_id', table_name='article_places')
    op.create_index('ix_article_places_article_code', 'article_places', ['article_id', 'code', 'mentions', 'is_dateline'])


def downgrade() -> None:
    op.drop_index('ix_article_places_article_code', table_name='article_places')
    op.create_index('ix_article_places_article_id', 'article_places', ['article_id'])
    op.drop_index('ix_quotes_article_position', table_name='quotes')
    op.create_index('ix_quotes_article_id', 'quotes', ['article_id'])
    op.drop_index('ix_statistics_article_unit', table_name='statistics')
    op.create_index('ix_statistics_article_id', 'statistics', ['article_id'])
    op.drop_index('ix_articles_rollup', table_name='articles')
    op.drop_index('ix_campaign_matches_campaign_article', table_name='campaign_matches')
    op.create_index('ix_campaign_matches_campaign', 'campaign_matches', ['campaign_id', 'matched'])
