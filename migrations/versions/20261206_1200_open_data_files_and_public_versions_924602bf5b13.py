"""open data files and public data versions: a counter per public channel, bumped in the
transaction that changes public data, and the stored 360Giving files built from it

Revision ID: 924602bf5b13
Revises: df7a3b4425d9
Create Date: 2026-12-06 12:00:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '924602bf5b13'
down_revision = 'df7a3b4425d9'
branch_labels = None
depends_on = None


def upgrade():
    versions = op.create_table('public_data_versions',
    sa.Column('channel', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', name=op.f('pk_public_data_versions'))
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(versions, [
        {'channel': 'projects', 'version': 0, 'changed_at': now},
        {'channel': 'calls', 'version': 0, 'changed_at': now},
    ])
    op.create_table('open_data_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=True),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('grant_count', sa.Integer(), nullable=False),
    sa.Column('left_out', sa.JSON(), nullable=False),
    sa.Column('last_change', sa.DateTime(timezone=True), nullable=True),
    sa.Column('json_etag', sa.String(length=80), nullable=True),
    sa.Column('xlsx_etag', sa.String(length=80), nullable=True),
    sa.Column('json_body', sa.LargeBinary(), nullable=True),
    sa.Column('xlsx_body', sa.LargeBinary(), nullable=True),
    sa.Column('refreshing_since', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_open_data_files_fund_id_funds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_data_files')),
    sa.UniqueConstraint('scope', name=op.f('uq_open_data_files_scope'))
    )


def downgrade():
    op.drop_table('open_data_files')
    op.drop_table('public_data_versions')
