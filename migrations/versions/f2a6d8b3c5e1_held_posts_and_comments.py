"""posts and comments held for review, indexed

The review queue, and the queue size in every moderator's header, looked for
held posts and comments through no index: every post and comment was read
(0.9 s on every page a moderator opened at 1,000,000 posts). The partial
indexes hold only the hidden ones, a handful.

Revision ID: f2a6d8b3c5e1
Revises: e4b7c2d9a1f3
Create Date: 2026-12-06 06:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2a6d8b3c5e1'
down_revision = 'e4b7c2d9a1f3'
branch_labels = None
depends_on = None

HIDDEN = sa.text("hidden_reason IS NOT NULL")


def upgrade():
    for table in ('posts', 'comments'):
        op.create_index(f'ix_{table}_hidden', table, ['hidden_reason', 'hidden_at'],
                        unique=False, sqlite_where=HIDDEN, postgresql_where=HIDDEN)


def downgrade():
    for table in ('posts', 'comments'):
        op.drop_index(f'ix_{table}_hidden', table_name=table)
