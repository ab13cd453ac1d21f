"""money figures channel: the counter of the version of the dashboard's money (awards,
ledgers, progress reports and their expenditure), whose figures are stored per version in
indicator_figures under kinds prefixed "money:"

Revision ID: 3c9e7a1d5b28
Revises: a02c841aadb9
Create Date: 2026-12-07 09:05:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c9e7a1d5b28'
down_revision = 'a02c841aadb9'
branch_labels = None
depends_on = None


versions = sa.table('public_data_versions', sa.column('channel', sa.String),
                    sa.column('version', sa.Integer),
                    sa.column('changed_at', sa.DateTime(timezone=True)))
figures = sa.table('indicator_figures', sa.column('kind', sa.String))


def upgrade():
    op.bulk_insert(versions, [
        {'channel': 'money', 'version': 0, 'changed_at': datetime.now(timezone.utc)},
    ])


def downgrade():
    op.execute(figures.delete().where(figures.c.kind.like('money:%')))
    op.execute(versions.delete().where(versions.c.channel == 'money'))
