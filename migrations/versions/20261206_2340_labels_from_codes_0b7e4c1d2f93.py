"""labels from codes: mid-term and final reports whose stored title is only their kind's
English title lose it, and payment methods written out in English become their codes, so
pages show both in the reader's language

Revision ID: 0b7e4c1d2f93
Revises: 5d1c2b7e9a40
Create Date: 2026-12-06 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0b7e4c1d2f93'
down_revision = '5d1c2b7e9a40'
branch_labels = None
depends_on = None

ENGLISH_TITLES = {'midterm': 'Mid-term report', 'final': 'Final report'}


def upgrade():
    reports = sa.table('progress_reports', sa.column('kind', sa.String),
                       sa.column('title', sa.String))
    for kind, title in ENGLISH_TITLES.items():
        op.get_bind().execute(reports.update()
                              .where(reports.c.kind == kind, reports.c.title == title)
                              .values(title=''))
    disbursements = sa.table('disbursements', sa.column('payment_method', sa.String))
    for words, code in {'bank transfer': 'bank_transfer', 'mobile money': 'mobile_money'}.items():
        op.get_bind().execute(disbursements.update()
                              .where(disbursements.c.payment_method == words)
                              .values(payment_method=code))


def downgrade():
    # The titles were a copy of the kind's: nothing to restore.
    pass
