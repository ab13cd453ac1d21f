"""outbox: mark messages whose body still carries a working token link

Revision ID: 5c0e7a91b2d4
Revises: 95bfe28d6dea
Create Date: 2026-12-06 11:30:00

Existing messages are marked when their body holds a token link (the four token routes'
paths), so the worker scrubs them once they are delivered or expired.
"""
from alembic import op
import sqlalchemy as sa


revision = '5c0e7a91b2d4'
down_revision = '95bfe28d6dea'
branch_labels = None
depends_on = None

TOKEN_PATHS = ('/password/reset/', '/confirm/', '/invitation/', '/endorse/')


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holds_secret_link', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index('ix_outbox_messages_secret_links',
                              ['holds_secret_link', 'created_at'], unique=False)
    messages = sa.table('outbox_messages', sa.column('body_text', sa.Text),
                        sa.column('holds_secret_link', sa.Boolean))
    op.execute(messages.update()
               .where(sa.or_(*(messages.c.body_text.contains(path) for path in TOKEN_PATHS)))
               .values(holds_secret_link=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_secret_links')
        batch_op.drop_column('holds_secret_link')
