"""plan translations: an action plan's title, its commitments' title, problem, ambition and
thematic area, and its milestones' titles, in the programme's other languages (the columns
keep the main language)

Revision ID: 3f6a8c1e2d57
Revises: 7c2e9d4a1b65
Create Date: 2026-12-07 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f6a8c1e2d57'
down_revision = '7c2e9d4a1b65'
branch_labels = None
depends_on = None

TABLES = ('action_plans', 'commitments', 'milestones')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=False,
                                          server_default=sa.text("'{}'")))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('translations')
