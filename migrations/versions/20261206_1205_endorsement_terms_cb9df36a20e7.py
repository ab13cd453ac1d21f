"""endorsement terms: each endorsement keeps the terms it was asked for (counterpart,
contact, title, summary, budget total, period) and their fingerprint, and can be voided

Revision ID: cb9df36a20e7
Revises: 924602bf5b13
Create Date: 2026-12-06 12:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cb9df36a20e7'
down_revision = '924602bf5b13'
branch_labels = None
depends_on = None


def upgrade():
    # The state is a plain string column (no native enum, no CHECK): "voided" needs no
    # change to it. Endorsements stored before have no terms; see grants.applications
    # .endorsement_terms for how they are treated.
    with op.batch_alter_table('endorsements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('terms_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # The older code knows no "voided" state: such a request is pending again, with no
    # working link (the applicant or staff send a new one).
    op.execute("UPDATE endorsements SET state = 'pending', token_hash = NULL "
               "WHERE state = 'voided'")
    with op.batch_alter_table('endorsements', schema=None) as batch_op:
        batch_op.drop_column('voided_at')
        batch_op.drop_column('terms_hash')
        batch_op.drop_column('terms')
