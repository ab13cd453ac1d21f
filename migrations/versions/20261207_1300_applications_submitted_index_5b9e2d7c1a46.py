"""applications submitted index: the staff list's default order (newest submission first)
read from an index a page at a time

Revision ID: 5b9e2d7c1a46
Revises: 7d41c2e9a8b3
Create Date: 2026-12-07 13:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b9e2d7c1a46'
down_revision = '7d41c2e9a8b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_submitted_at_id', ['submitted_at', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_submitted_at_id')
