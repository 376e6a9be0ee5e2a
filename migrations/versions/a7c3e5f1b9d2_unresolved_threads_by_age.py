"""open unsolved threads indexed by age

The support desk's list of unresolved threads (oldest first) sorted every
listed thread and counted them from the table: 170 ms at 100,000 threads.
The partial index holds the open, unsolved, listed threads in the list's
order, with the answer count and last activity that decide whether each is
unresolved, so the page and its count read the index alone.

Revision ID: a7c3e5f1b9d2
Revises: f2a6d8b3c5e1
Create Date: 2026-12-06 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e5f1b9d2'
down_revision = 'f2a6d8b3c5e1'
branch_labels = None
depends_on = None

UNRESOLVED = sa.text("accepted_answer_id IS NULL AND closed_at IS NULL AND deleted_at IS NULL"
                     " AND hidden_at IS NULL")


def upgrade():
    op.create_index('ix_threads_unresolved_created', 'threads',
                    ['created_at', 'id', 'answer_count', 'last_activity_at'], unique=False,
                    sqlite_where=UNRESOLVED, postgresql_where=UNRESOLVED)


def downgrade():
    op.drop_index('ix_threads_unresolved_created', table_name='threads')
