"""open data bodies: each stored open-data file in a row of its own table, so that SQLite
serves one file without walking the pages of the others stored before it in the same row

Revision ID: 9a3f6c1e7b20
Revises: 5b9e2d7c1a46
Create Date: 2026-12-07 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a3f6c1e7b20'
down_revision = '5b9e2d7c1a46'
branch_labels = None
depends_on = None

#: Each kind of file and the column of open_data_files it was kept in.
KINDS = {'json': 'json_body', 'json_gzip': 'json_gzip', 'xlsx': 'xlsx_body',
         'iati': 'iati_body', 'iati_gzip': 'iati_gzip'}


FOREIGN_KEY = 'fk_open_data_bodies_file_id_open_data_files'


def upgrade():
    # The foreign key is added last: on SQLite, dropping the columns rebuilds
    # open_data_files, and dropping the old table would delete (cascade) the copied files.
    op.create_table(
        'open_data_bodies',
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('file_id', 'kind', name=op.f('pk_open_data_bodies')),
    )
    for kind, column in KINDS.items():
        op.execute(sa.text(
            f"INSERT INTO open_data_bodies (file_id, kind, body) "  # nosec B608: fixed names
            f"SELECT id, '{kind}', {column} FROM open_data_files WHERE {column} IS NOT NULL"))
    with op.batch_alter_table('open_data_files', schema=None) as batch_op:
        for column in KINDS.values():
            batch_op.drop_column(column)
    with op.batch_alter_table('open_data_bodies', schema=None) as batch_op:
        batch_op.create_foreign_key(op.f(FOREIGN_KEY), 'open_data_files', ['file_id'], ['id'],
                                    ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('open_data_bodies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(FOREIGN_KEY), type_='foreignkey')
    with op.batch_alter_table('open_data_files', schema=None) as batch_op:
        for column in KINDS.values():
            batch_op.add_column(sa.Column(column, sa.LargeBinary(), nullable=True))
    for kind, column in KINDS.items():
        op.execute(sa.text(
            f"UPDATE open_data_files SET {column} = (SELECT body FROM open_data_bodies "  # nosec B608
            f"WHERE open_data_bodies.file_id = open_data_files.id "
            f"AND open_data_bodies.kind = '{kind}')"))
    op.drop_table('open_data_bodies')
