"""article hashtags: the hashtags and social-media accounts each article names (tag type `hashtags`)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 00:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'article_hashtags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('mentions', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_article_hashtags_article_id', 'article_hashtags', ['article_id'])
    op.create_index('ix_article_hashtags_name', 'article_hashtags', ['name'])


def downgrade() -> None:
    op.drop_index('ix_article_hashtags_name', table_name='article_hashtags')
    op.drop_index('ix_article_hashtags_article_id', table_name='article_hashtags')
    op.drop_table('article_hashtags')
