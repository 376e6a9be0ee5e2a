"""search: the retry queue for index writes, suggestion clicks, PostgreSQL full-text table

Revision ID: 1a4b7dffd2f4
Revises: 38f3d38aad65
Create Date: 2026-11-24 21:35:29.529854

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1a4b7dffd2f4'
down_revision = '38f3d38aad65'
branch_labels = None
depends_on = None


def upgrade():
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
    op.create_table('suggestion_clicks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=8), nullable=False),
    sa.Column('doc_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_suggestion_clicks_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_clicks'))
    )
    with op.batch_alter_table('suggestion_clicks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_clicks_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_clicks_doc_id'), ['doc_id'], unique=False)



def downgrade():
    with op.batch_alter_table('suggestion_clicks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_clicks_doc_id'))
        batch_op.drop_index(batch_op.f('ix_suggestion_clicks_created_at'))

    op.drop_table('suggestion_clicks')
    op.drop_table('search_queue')
