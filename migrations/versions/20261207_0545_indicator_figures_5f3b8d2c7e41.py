"""indicator figures: the indicators of a period (and the dashboard's participants and
quarters) as computed for one version of the records they count, and that version's counter

Revision ID: 5f3b8d2c7e41
Revises: 646c35252403
Create Date: 2026-12-07 05:45:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f3b8d2c7e41'
down_revision = '646c35252403'
branch_labels = None
depends_on = None


versions = sa.table('public_data_versions', sa.column('channel', sa.String),
                    sa.column('version', sa.Integer),
                    sa.column('changed_at', sa.DateTime(timezone=True)))


def upgrade():
    op.create_table(
        'indicator_figures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('fund_key', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_figures')),
    )
    op.create_index('ix_indicator_figures_key', 'indicator_figures',
                    ['kind', 'period_start', 'period_end', 'fund_key', 'version'], unique=True)
    op.bulk_insert(versions, [
        {'channel': 'indicators', 'version': 0, 'changed_at': datetime.now(timezone.utc)},
    ])


def downgrade():
    op.execute(versions.delete().where(versions.c.channel == 'indicators'))
    op.drop_index('ix_indicator_figures_key', table_name='indicator_figures')
    op.drop_table('indicator_figures')
