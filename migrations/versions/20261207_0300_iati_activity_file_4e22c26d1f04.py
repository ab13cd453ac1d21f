"""iati activity file: the stored open-data files keep the last valid IATI activity file of
their scope, its validator, when it was built and how many activities it holds

Revision ID: 4e22c26d1f04
Revises: 3f6a8c1e2d57
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4e22c26d1f04'
down_revision = '3f6a8c1e2d57'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows get no IATI file; the next rebuild (after any change, or
    # `flask opendata refresh --all`) adds it.
    with op.batch_alter_table('open_data_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('iati_etag', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('iati_body', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('iati_built_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('activity_count', sa.Integer(), nullable=False,
                                      server_default=sa.text('0')))


def downgrade():
    with op.batch_alter_table('open_data_files', schema=None) as batch_op:
        batch_op.drop_column('activity_count')
        batch_op.drop_column('iati_built_at')
        batch_op.drop_column('iati_body')
        batch_op.drop_column('iati_etag')
