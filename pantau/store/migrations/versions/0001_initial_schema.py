"""initial schema: pages, articles, tags, stories, embeddings, digests; full-text search

Revision ID: 0001
Revises:
Create Date: 2026-11-28 06:18:39.926828
"""
import sqlalchemy as sa
from alembic import op

import pantau.store.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('crawl_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outlet_id', sa.String(length=64), nullable=True),
    sa.Column('started_at', pantau.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', pantau.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('replay_base', sa.String(length=500), nullable=True),
    sa.Column('discovered', sa.Integer(), nullable=False),
    sa.Column('fetched', sa.Integer(), nullable=False),
    sa.Column('new', sa.Integer(), nullable=False),
    sa.Column('skipped_known', sa.Integer(), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('failed', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crawl_runs_outlet_id'), ['outlet_id'], unique=False)

    op.create_table('digest_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.String(length=100), nullable=False),
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('message_id', sa.String(length=300), nullable=True),
    sa.Column('sent_at', pantau.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', pantau.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'week', 'recipient')
    )
    op.create_table('embeddings',
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=300), nullable=False),
    sa.Column('dim', sa.Integer(), nullable=False),
    sa.Column('vectors', sa.LargeBinary(), nullable=False),
    sa.Column('chunk_count', sa.Integer(), nullable=False),
    sa.Column('created_at', pantau.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('text_hash', 'model')
    )
    op.create_table('fetch_validators',
    sa.Column('url_key', sa.String(length=2000), nullable=False),
    sa.Column('etag', sa.String(length=500), nullable=True),
    sa.Column('last_modified', sa.String(length=100), nullable=True),
    sa.Column('checked_at', pantau.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('url_key')
    )
    op.create_table('outlets',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('domains', sa.JSON(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('updated_at', pantau.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('first_published_at', pantau.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_published_at', pantau.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('article_count', sa.Integer(), nullable=False),
    sa.Column('outlet_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stories_first_published_at'), ['first_published_at'], unique=False)

    op.create_table('crawl_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crawl_run_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('at', pantau.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['crawl_run_id'], ['crawl_runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crawl_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crawl_failures_crawl_run_id'), ['crawl_run_id'], unique=False)

    op.create_table('pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url_key', sa.String(length=2000), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('final_url', sa.Text(), nullable=True),
    sa.Column('outlet_id', sa.String(length=64), nullable=True),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('fetched_at', pantau.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('crawl_run_id', sa.Integer(), nullable=True),
    sa.Column('discovered_via', sa.String(length=32), nullable=True),
    sa.Column('listed_title', sa.Text(), nullable=True),
    sa.Column('listed_published_at', pantau.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('part_count', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['crawl_run_id'], ['crawl_runs.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('url_key')
    )
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pages_outlet_id'), ['outlet_id'], unique=False)

    op.create_table('articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url_key', sa.String(length=2000), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=True),
    sa.Column('outlet_id', sa.String(length=64), nullable=True),
    sa.Column('outlet_name', sa.String(length=200), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('dateline', sa.String(length=200), nullable=True),
    sa.Column('published_at', pantau.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_at_local', sa.String(length=40), nullable=True),
    sa.Column('updated_at', pantau.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('authors', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('section', sa.String(length=200), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('canonical_url', sa.Text(), nullable=True),
    sa.Column('image_url', sa.Text(), nullable=True),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.Column('is_article', sa.Boolean(), nullable=False),
    sa.Column('is_paywalled', sa.Boolean(), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=True),
    sa.Column('pipeline_version', sa.String(length=64), nullable=False),
    sa.Column('processed_at', pantau.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=True),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['articles.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('url_key')
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_articles_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_outlet_id'), ['outlet_id'], unique=False)
        batch_op.create_index('ix_articles_outlet_published', ['outlet_id', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_page_id'), ['page_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_story_id'), ['story_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_text_hash'), ['text_hash'], unique=False)

    op.create_table('page_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('html_z', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('page_id', 'position')
    )
    with op.batch_alter_table('page_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_parts_page_id'), ['page_id'], unique=False)

    op.create_table('article_organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('acronym', sa.String(length=64), nullable=True),
    sa.Column('mentions', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('article_organizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_organizations_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_organizations_name'), ['name'], unique=False)

    op.create_table('article_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('role', sa.Text(), nullable=True),
    sa.Column('organization', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('article_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_people_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_people_name'), ['name'], unique=False)

    op.create_table('article_places',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=True),
    sa.Column('province', sa.String(length=200), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('mentions', sa.Integer(), nullable=False),
    sa.Column('surface', sa.JSON(), nullable=False),
    sa.Column('is_dateline', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('article_places', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_places_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_places_code'), ['code'], unique=False)

    op.create_table('campaign_matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.String(length=100), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('matched', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('article_id', 'campaign_id')
    )
    with op.batch_alter_table('campaign_matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_matches_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_campaign_matches_campaign', ['campaign_id', 'matched'], unique=False)

    op.create_table('quotes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('speaker', sa.String(length=300), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quotes_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quotes_speaker'), ['speaker'], unique=False)

    op.create_table('statistics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('value_max', sa.Float(), nullable=True),
    sa.Column('qualifier', sa.String(length=64), nullable=True),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('sentence', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('statistics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statistics_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_statistics_unit', ['unit'], unique=False)


    create_full_text_search()


def downgrade() -> None:
    drop_full_text_search()
    with op.batch_alter_table('statistics', schema=None) as batch_op:
        batch_op.drop_index('ix_statistics_unit')
        batch_op.drop_index(batch_op.f('ix_statistics_article_id'))

    op.drop_table('statistics')
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quotes_speaker'))
        batch_op.drop_index(batch_op.f('ix_quotes_article_id'))

    op.drop_table('quotes')
    with op.batch_alter_table('campaign_matches', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_matches_campaign')
        batch_op.drop_index(batch_op.f('ix_campaign_matches_article_id'))

    op.drop_table('campaign_matches')
    with op.batch_alter_table('article_places', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_places_code'))
        batch_op.drop_index(batch_op.f('ix_article_places_article_id'))

    op.drop_table('article_places')
    with op.batch_alter_table('article_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_people_name'))
        batch_op.drop_index(batch_op.f('ix_article_people_article_id'))

    op.drop_table('article_people')
    with op.batch_alter_table('article_organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_organizations_name'))
        batch_op.drop_index(batch_op.f('ix_article_organizations_article_id'))

    op.drop_table('article_organizations')
    with op.batch_alter_table('page_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_parts_page_id'))

    op.drop_table('page_parts')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articles_text_hash'))
        batch_op.drop_index(batch_op.f('ix_articles_story_id'))
        batch_op.drop_index(batch_op.f('ix_articles_published_at'))
        batch_op.drop_index(batch_op.f('ix_articles_page_id'))
        batch_op.drop_index('ix_articles_outlet_published')
        batch_op.drop_index(batch_op.f('ix_articles_outlet_id'))
        batch_op.drop_index(batch_op.f('ix_articles_duplicate_of_id'))

    op.drop_table('articles')
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pages_outlet_id'))

    op.drop_table('pages')
    with op.batch_alter_table('crawl_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawl_failures_crawl_run_id'))

    op.drop_table('crawl_failures')
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stories_first_published_at'))

    op.drop_table('stories')
    op.drop_table('outlets')
    op.drop_table('fetch_validators')
    op.drop_table('embeddings')
    op.drop_table('digest_deliveries')
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawl_runs_outlet_id'))

    op.drop_table('crawl_runs')


def create_full_text_search() -> None:
    """SQLite: an FTS5 index over title+text kept in sync by triggers. PostgreSQL: a generated
    tsvector with the `indonesian` configuration and a GIN index."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE articles_fts USING fts5("
            "title, text, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
            "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
            "INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN "
            "INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); "
            "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
        )
    elif dialect == "postgresql":
        op.execute(
            "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('indonesian', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('indonesian', coalesce(text, '')), 'B')) STORED"
        )
        op.execute("CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)")


def drop_full_text_search() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("articles_fts_insert", "articles_fts_delete", "articles_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_search_vector")
        op.execute("ALTER TABLE articles DROP COLUMN IF EXISTS search_vector")
