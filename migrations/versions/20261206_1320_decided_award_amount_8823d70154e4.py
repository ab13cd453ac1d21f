"""decided award amount: an award decision records the amount awarded (and why, when it is not
the amount requested); existing award decisions take their grant agreement's amount, or else
the amount the application requested

Revision ID: 8823d70154e4
Revises: 9bb51b0e7703
Create Date: 2026-12-06 13:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8823d70154e4'
down_revision = '9bb51b0e7703'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amount', sa.Numeric(precision=12, scale=2),
                                      nullable=True))
        batch_op.add_column(sa.Column('amount_reason', sa.Text(), nullable=False,
                                      server_default=''))
    decisions = sa.table('decisions', sa.column('application_id', sa.Integer),
                         sa.column('outcome', sa.String), sa.column('amount', sa.Numeric))
    awards = sa.table('awards', sa.column('application_id', sa.Integer),
                      sa.column('amount', sa.Numeric))
    applications = sa.table('applications', sa.column('id', sa.Integer),
                            sa.column('requested_amount', sa.Numeric))
    award_amount = (sa.select(awards.c.amount)
                    .where(awards.c.application_id == decisions.c.application_id)
                    .scalar_subquery())
    requested = (sa.select(applications.c.requested_amount)
                 .where(applications.c.id == decisions.c.application_id)
                 .scalar_subquery())
    op.get_bind().execute(
        decisions.update().where(decisions.c.outcome == 'award')
        .values(amount=sa.func.coalesce(award_amount, requested)))


def downgrade():
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_column('amount_reason')
        batch_op.drop_column('amount')
