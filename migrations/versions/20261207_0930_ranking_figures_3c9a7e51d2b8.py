"""ranking figures: what a panel's ranking reads of its submitted reviews, as computed for
one version of them, and that version's counter

Revision ID: 3c9a7e51d2b8
Revises: 3c7a9e1f5b24
Create Date: 2026-12-07 09:30:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c9a7e51d2b8'
down_revision = '3c7a9e1f5b24'
branch_labels = None
depends_on = None


versions = sa.table('public_data_versions', sa.column('channel', sa.String),
                    sa.column('version', sa.Integer),
                    sa.column('changed_at', sa.DateTime(timezone=True)))


def upgrade():
    op.create_table(
        'ranking_figures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('panel_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['panel_id'], ['panels.id'],
                                name=op.f('fk_ranking_figures_panel_id_panels'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ranking_figures')),
    )
    op.create_index('ix_ranking_figures_key', 'ranking_figures', ['panel_id', 'version'],
                    unique=True)
    op.bulk_insert(versions, [
        {'channel': 'ranking', 'version': 0, 'changed_at': datetime.now(timezone.utc)},
    ])


def downgrade():
    op.execute(versions.delete().where(versions.c.channel == 'ranking'))
    op.drop_index('ix_ranking_figures_key', table_name='ranking_figures')
    op.drop_table('ranking_figures')
