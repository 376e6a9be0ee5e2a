"""queued tasks replace the search retry queue

Mail and search index updates become rows of queued_tasks, stored with the
write that asks for them (forum/tasks.py); index updates that waited in
search_queue move over as "search.index" tasks.

Revision ID: 7bb04f359a3e
Revises: 366c9523e690
Create Date: 2026-11-25 03:05:42.213663

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7bb04f359a3e'
down_revision = '366c9523e690'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('queued_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('run_after', sa.DateTime(), nullable=False),
    sa.Column('dead', sa.Boolean(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queued_tasks'))
    )
    op.create_index('ix_queued_tasks_due', 'queued_tasks', ['dead', 'run_after'], unique=False)
    tasks = sa.table('queued_tasks', sa.column('name', sa.String), sa.column('payload', sa.JSON),
                     sa.column('attempts', sa.Integer), sa.column('run_after', sa.DateTime),
                     sa.column('dead', sa.Boolean), sa.column('last_error', sa.String),
                     sa.column('created_at', sa.DateTime))
    waiting = op.get_bind().execute(sa.text(
        "SELECT doc_type, doc_id, created_at FROM search_queue ORDER BY id")).all()
    if waiting:
        op.bulk_insert(tasks, [
            {"name": "search.index", "payload": {"type": doc_type, "id": doc_id}, "attempts": 0,
             "run_after": created_at, "dead": False, "last_error": "", "created_at": created_at}
            for doc_type, doc_id, created_at in waiting
        ])
    op.drop_table('search_queue')


def downgrade():
    op.create_table('search_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=8), nullable=False),
    sa.Column('doc_id', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_queue')),
    sa.UniqueConstraint('doc_type', 'doc_id', name=op.f('uq_search_queue_doc_type'))
    )
    op.drop_index('ix_queued_tasks_due', table_name='queued_tasks')
    op.drop_table('queued_tasks')
