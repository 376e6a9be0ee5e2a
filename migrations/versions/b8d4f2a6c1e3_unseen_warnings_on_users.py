"""unseen warnings counted on the user row

Every page a member opened asked the database for their unseen warnings, and
almost always found none: a query (a round trip on PostgreSQL) on every
signed-in page. The count now sits on the user row, which each request loads
anyway, and the warnings are read only when it is above zero.

Revision ID: b8d4f2a6c1e3
Revises: a7c3e5f1b9d2
Create Date: 2026-12-06 10:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d4f2a6c1e3'
down_revision = 'a7c3e5f1b9d2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('unseen_warnings', sa.Integer(), nullable=False,
                                     server_default='0'))
    op.execute("UPDATE users SET unseen_warnings = (SELECT COUNT(*) FROM user_warnings"
               " WHERE user_warnings.user_id = users.id AND user_warnings.seen_at IS NULL)")


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('unseen_warnings')
