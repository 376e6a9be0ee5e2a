"""partial indexes for the thread page: promoted articles, merged threads

Thread pages join every post to the article promoted from it. The unique
index on kb_articles.source_post_id is mostly NULLs, so SQLite's statistics
rate it useless and the join scanned all articles per post (10 ms on a thread
page at 500 articles); this index holds only promoted articles. They also
list the threads merged into them, which had no index at all (16 ms at
100,000 threads).

Revision ID: 9c1e4d2a7b10
Revises: 7bb04f359a3e
Create Date: 2026-11-25 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c1e4d2a7b10'
down_revision = '7bb04f359a3e'
branch_labels = None
depends_on = None

PROMOTED = sa.text("source_post_id IS NOT NULL")
MERGED = sa.text("merged_into_id IS NOT NULL")


def upgrade():
    op.create_index('ix_kb_articles_promoted_from', 'kb_articles', ['source_post_id'],
                    unique=False, sqlite_where=PROMOTED, postgresql_where=PROMOTED)
    op.create_index('ix_threads_merged_into', 'threads', ['merged_into_id'],
                    unique=False, sqlite_where=MERGED, postgresql_where=MERGED)


def downgrade():
    op.drop_index('ix_threads_merged_into', table_name='threads')
    op.drop_index('ix_kb_articles_promoted_from', table_name='kb_articles')
