"""personal data rights: a participant's consent (given, refused or not recorded, and when),
the time their personal data was erased, and the age group each attendance counted in, kept
when the exact year of birth is erased

Revision ID: 6b9d2e4f8a13
Revises: 4e22c26d1f04
Create Date: 2026-12-07 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6b9d2e4f8a13'
down_revision = '4e22c26d1f04'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('consent_recorded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('age_group', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_column('age_group')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('consent_recorded_at')
        batch_op.drop_column('consent')
