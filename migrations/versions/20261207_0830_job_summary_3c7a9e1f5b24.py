"""a job's summary: what it did, in figures, for its page (an attendance import's rows
imported, people created and matched, rows refused)

Revision ID: 3c7a9e1f5b24
Revises: befb53b9afc2
Create Date: 2026-12-07 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c7a9e1f5b24'
down_revision = 'befb53b9afc2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('summary')
