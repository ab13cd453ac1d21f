"""open data gzip: the 360Giving JSON and the IATI file stored gzip-compressed beside
themselves, so a download is sent compressed without compressing it on every request

Revision ID: 7d41c2e9a8b3
Revises: 3c9e7a1d5b28
Create Date: 2026-12-07 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d41c2e9a8b3'
down_revision = '3c9e7a1d5b28'
branch_labels = None
depends_on = None


def upgrade():
    # Files built before this revision have no compressed copy: they are sent compressed
    # on the fly (as before) until the worker next rebuilds them.
    with op.batch_alter_table('open_data_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('json_gzip', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('iati_gzip', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('open_data_files', schema=None) as batch_op:
        batch_op.drop_column('iati_gzip')
        batch_op.drop_column('json_gzip')
