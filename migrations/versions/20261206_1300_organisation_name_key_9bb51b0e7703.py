"""organisation name key: the name without accents, case or spacing differences, indexed,
so that imports and the directory match "Fundación Acceso" and "fundacion acceso" as one
organisation on SQLite and PostgreSQL alike

Revision ID: 9bb51b0e7703
Revises: cb9df36a20e7
Create Date: 2026-12-06 13:00:00

"""
import hashlib
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9bb51b0e7703'
down_revision = 'cb9df36a20e7'
branch_labels = None
depends_on = None

NAME_KEY_LENGTH = 600
_WORDS_AND_MARKS = re.compile(r"\w+|[^\w\s]")


def _name_key(name):
    # A copy of accounts.organisations.models.organisation_name_key as of this revision
    # (migrations do not import the application's code, which changes after them).
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name or "")
                                       .casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    key = " ".join(_WORDS_AND_MARKS.findall(plain))
    if len(key) > NAME_KEY_LENGTH:
        digest = hashlib.sha256(key.encode()).hexdigest()
        key = f"{key[:NAME_KEY_LENGTH - len(digest) - 1]}#{digest}"
    return key


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=NAME_KEY_LENGTH),
                                      nullable=True))
    organisations = sa.table('organisations', sa.column('id', sa.Integer),
                             sa.column('name', sa.String),
                             sa.column('name_key', sa.String))
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(organisations.c.id, organisations.c.name)
            .where(organisations.c.id > last_id).order_by(organisations.c.id).limit(1000)
        ).all()
        if not rows:
            break
        connection.execute(
            organisations.update().where(organisations.c.id == sa.bindparam('row_id'))
            .values(name_key=sa.bindparam('key')),
            [{'row_id': row.id, 'key': _name_key(row.name)} for row in rows])
        last_id = rows[-1].id
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=NAME_KEY_LENGTH),
                              nullable=False)
        batch_op.create_index(batch_op.f('ix_organisations_name_key'), ['name_key'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_name_key'))
        batch_op.drop_column('name_key')
