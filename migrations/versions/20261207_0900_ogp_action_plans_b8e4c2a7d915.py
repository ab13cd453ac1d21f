"""OGP action plans: a plan's state, and the fields of OGP's commitment template
(the problem's cause, the commitment's description, relevance to OGP values, additional
information, dates) and milestones' start dates and expected outputs

Revision ID: b8e4c2a7d915
Revises: 5f3b8d2c7e41
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8e4c2a7d915'
down_revision = '5f3b8d2c7e41'
branch_labels = None
depends_on = None

_STATES = ('drafting', 'in_consultation', 'submitted', 'in_implementation', 'completed')
_TEXTS = ('cause', 'description', 'transparency_note', 'participation_note',
          'accountability_note', 'additional_information')
_VALUES = ('transparency', 'participation', 'accountability')


def upgrade():
    # Plans already kept here are being implemented: their milestones are tracked.
    with op.batch_alter_table('action_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'state', sa.Enum(*_STATES, name='planstate', native_enum=False, length=20),
            nullable=False, server_default='in_implementation'))
        batch_op.create_index(batch_op.f('ix_action_plans_state'), ['state'], unique=False)
    with op.batch_alter_table('action_plans', schema=None) as batch_op:
        batch_op.alter_column('state', server_default=None)

    with op.batch_alter_table('commitments', schema=None) as batch_op:
        for name in _TEXTS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=''))
        for name in _VALUES:
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ends_on', sa.Date(), nullable=True))
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        for name in _TEXTS + _VALUES:
            batch_op.alter_column(name, server_default=None)

    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('outputs', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.alter_column('outputs', server_default=None)


def downgrade():
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_column('outputs')
        batch_op.drop_column('starts_on')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        for name in ('ends_on', 'starts_on') + _VALUES + _TEXTS:
            batch_op.drop_column(name)
    with op.batch_alter_table('action_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_plans_state'))
        batch_op.drop_column('state')
