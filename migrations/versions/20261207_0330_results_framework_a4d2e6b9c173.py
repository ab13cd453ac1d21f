"""results framework: outcomes and the outputs under them, their indicators (computed from
the records or entered by staff), each indicator's targets by period and its entered actuals

Revision ID: a4d2e6b9c173
Revises: 6b9d2e4f8a13
Create Date: 2026-12-07 03:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4d2e6b9c173'
down_revision = '6b9d2e4f8a13'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('outcome', 'output', name='resultlevel', native_enum=False, length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('translations', sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['results.id'], name=op.f('fk_results_parent_id_results'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results'))
    )
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_parent_id'), ['parent_id'], unique=False)

    op.create_table('result_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.Enum('computed', 'manual', name='indicatorkind', native_enum=False, length=20), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=True),
    sa.Column('disaggregation', sa.JSON(), nullable=False),
    sa.Column('sums_actuals', sa.Boolean(), nullable=False),
    sa.Column('baseline', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('translations', sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['result_id'], ['results.id'], name=op.f('fk_result_indicators_result_id_results'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_indicators'))
    )
    with op.batch_alter_table('result_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_indicators_result_id'), ['result_id'], unique=False)

    op.create_table('result_actuals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['result_indicators.id'], name=op.f('fk_result_actuals_indicator_id_result_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_actuals')),
    sa.UniqueConstraint('indicator_id', 'starts_on', 'ends_on', name='uq_result_actuals_period')
    )
    with op.batch_alter_table('result_actuals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_actuals_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('result_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['result_indicators.id'], name=op.f('fk_result_targets_indicator_id_result_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_targets')),
    sa.UniqueConstraint('indicator_id', 'starts_on', 'ends_on', name='uq_result_targets_period')
    )
    with op.batch_alter_table('result_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_targets_indicator_id'), ['indicator_id'], unique=False)



def downgrade():
    with op.batch_alter_table('result_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_targets_indicator_id'))

    op.drop_table('result_targets')
    with op.batch_alter_table('result_actuals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_actuals_indicator_id'))

    op.drop_table('result_actuals')
    with op.batch_alter_table('result_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_indicators_result_id'))

    op.drop_table('result_indicators')
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_parent_id'))

    op.drop_table('results')
