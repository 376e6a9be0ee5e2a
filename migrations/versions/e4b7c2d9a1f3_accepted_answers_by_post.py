"""threads indexed by their accepted answer

A member's profile, `/api/v1/users/me` and every API token counted the member's
accepted answers by joining threads on their accepted answer, which no index
served: every thread was read (400 ms at 100,000 threads, for a member of 20
posts). The partial index holds solved threads only; the count now goes from
the member's posts to their threads.

Revision ID: e4b7c2d9a1f3
Revises: 5d3a8c1e9f27
Create Date: 2026-12-06 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b7c2d9a1f3'
down_revision = '5d3a8c1e9f27'
branch_labels = None
depends_on = None

SOLVED = sa.text("accepted_answer_id IS NOT NULL")


def upgrade():
    op.create_index('ix_threads_accepted_answer', 'threads', ['accepted_answer_id'],
                    unique=False, sqlite_where=SOLVED, postgresql_where=SOLVED)
    _analyse('threads')


def downgrade():
    op.drop_index('ix_threads_accepted_answer', table_name='threads')


def _analyse(table):
    """Statistics for the new index where the database keeps any (see 5d3a8c1e9f27)."""
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and not bind.execute(sa.text(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        return
    op.execute(f'ANALYZE {table}')
