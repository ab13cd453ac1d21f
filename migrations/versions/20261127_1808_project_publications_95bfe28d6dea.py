"""project publications: what the public portal and open data show of each award

Revision ID: 95bfe28d6dea
Revises: b908e84cf279
Create Date: 2026-11-27 18:08:43.807465

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '95bfe28d6dea'
down_revision = 'b908e84cf279'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('project_publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('is_published', sa.Boolean(), nullable=False),
    sa.Column('public_title', sa.String(length=200), nullable=False),
    sa.Column('public_summary', sa.Text(), nullable=False),
    sa.Column('is_summary_public', sa.Boolean(), nullable=False),
    sa.Column('is_organisation_public', sa.Boolean(), nullable=False),
    sa.Column('is_partner_public', sa.Boolean(), nullable=False),
    sa.Column('is_amount_public', sa.Boolean(), nullable=False),
    sa.Column('is_dates_public', sa.Boolean(), nullable=False),
    sa.Column('is_area_public', sa.Boolean(), nullable=False),
    sa.Column('is_district_public', sa.Boolean(), nullable=False),
    sa.Column('is_progress_public', sa.Boolean(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_project_publications_award_id_awards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_project_publications_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_publications')),
    sa.UniqueConstraint('award_id', name=op.f('uq_project_publications_award_id'))
    )


def downgrade():
    op.drop_table('project_publications')
