"""search: retry queue for index writes, suggestion clicks, external ids of imports,
threads.duplicate_of_id, and (PostgreSQL only) the full-text table

Revision ID: 1a4b7dffd2f4
Revises: beaeb2ad7f81
Create Date: 2026-11-24 21:35:29.529854

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1a4b7dffd2f4'
down_revision = 'beaeb2ad7f81'
branch_labels = None
depends_on = None


# PostgreSQL only: the full-text backend's table (forum/search/postgres_backend.py).
# It is not a model, so SQLite sites (which use Whoosh) never get it.
FULLTEXT_TABLE = """
CREATE TABLE search_documents (
    doc_type varchar(8) NOT NULL,
    doc_id integer NOT NULL,
    title text NOT NULL,
    body text NOT NULL,
    board varchar(64) NOT NULL,
    tags varchar[] NOT NULL DEFAULT '{}',
    is_solved boolean NOT NULL DEFAULT false,
    score integer NOT NULL DEFAULT 0,
    boost real NOT NULL DEFAULT 1,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    tsv tsvector NOT NULL,
    CONSTRAINT pk_search_documents PRIMARY KEY (doc_type, doc_id)
)
"""
FULLTEXT_INDEXES = (
    "CREATE INDEX ix_search_documents_tsv ON search_documents USING GIN (tsv)",
    "CREATE INDEX ix_search_documents_tags ON search_documents USING GIN (tags)",
    "CREATE INDEX ix_search_documents_created ON search_documents (created_at)",
)


def upgrade():
    op.create_table('external_ids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.Integer(), nullable=False),
    sa.Column('local_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_ids')),
    sa.UniqueConstraint('source', 'kind', 'external_id', name=op.f('uq_external_ids_source'))
    )
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duplicate_of_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_threads_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_threads_duplicate_of_id_threads'), 'threads', ['duplicate_of_id'], ['id'], ondelete='SET NULL')
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FULLTEXT_TABLE)
        for statement in FULLTEXT_INDEXES:
            op.execute(statement)
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
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE search_documents")
    with op.batch_alter_table('suggestion_clicks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_clicks_doc_id'))
        batch_op.drop_index(batch_op.f('ix_suggestion_clicks_created_at'))

    op.drop_table('suggestion_clicks')
    op.drop_table('search_queue')
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_threads_duplicate_of_id_threads'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_threads_duplicate_of_id'))
        batch_op.drop_column('duplicate_of_id')
    op.drop_table('external_ids')
