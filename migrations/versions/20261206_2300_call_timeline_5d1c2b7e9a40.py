"""call timeline: the planned days of eligibility results, the end of the review and the
funding decisions, which applicants are told after submitting

Revision ID: 5d1c2b7e9a40
Revises: 8823d70154e4
Create Date: 2026-12-06 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c2b7e9a40'
down_revision = '8823d70154e4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('screening_by', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('review_by', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('decisions_by', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('decisions_by')
        batch_op.drop_column('review_by')
        batch_op.drop_column('screening_by')
