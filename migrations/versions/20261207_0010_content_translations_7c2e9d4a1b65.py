"""content translations: a call's title, summary and text, its thematic areas, eligibility
statements, required documents and rubric, and a project's public title and summary, in the
programme's other languages (the columns keep the main language); each eligibility
affirmation keeps the language and wording affirmed

Revision ID: 7c2e9d4a1b65
Revises: 0b7e4c1d2f93
Create Date: 2026-12-07 00:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c2e9d4a1b65'
down_revision = '0b7e4c1d2f93'
branch_labels = None
depends_on = None

TABLES = ('calls', 'thematic_areas', 'eligibility_statements', 'required_documents',
          'criteria', 'project_publications')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=False,
                                          server_default=sa.text("'{}'")))
    with op.batch_alter_table('application_affirmations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('wording', sa.Text(), nullable=False,
                                      server_default=''))
    # Affirmations made before were made in the main language, on the statement's words.
    affirmations = sa.table('application_affirmations', sa.column('statement_id', sa.Integer),
                            sa.column('language', sa.String), sa.column('wording', sa.Text))
    statements = sa.table('eligibility_statements', sa.column('id', sa.Integer),
                          sa.column('text', sa.Text))
    op.get_bind().execute(affirmations.update().values(
        language='en',
        wording=sa.select(statements.c.text)
        .where(statements.c.id == affirmations.c.statement_id).scalar_subquery()))


def downgrade():
    with op.batch_alter_table('application_affirmations', schema=None) as batch_op:
        batch_op.drop_column('wording')
        batch_op.drop_column('language')
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('translations')
