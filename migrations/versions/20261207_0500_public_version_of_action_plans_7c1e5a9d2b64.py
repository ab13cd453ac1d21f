"""public version of action plans: the counter the public plan pages are validated by

Revision ID: 7c1e5a9d2b64
Revises: a4d2e6b9c173
Create Date: 2026-12-07 05:00:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1e5a9d2b64'
down_revision = 'a4d2e6b9c173'
branch_labels = None
depends_on = None


versions = sa.table('public_data_versions', sa.column('channel', sa.String),
                    sa.column('version', sa.Integer),
                    sa.column('changed_at', sa.DateTime(timezone=True)))


def upgrade():
    op.bulk_insert(versions, [
        {'channel': 'plans', 'version': 0, 'changed_at': datetime.now(timezone.utc)},
    ])


def downgrade():
    op.execute(versions.delete().where(versions.c.channel == 'plans'))
