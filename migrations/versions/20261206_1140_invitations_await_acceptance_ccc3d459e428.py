"""invitations await acceptance: organisation memberships and administrators' role grants
wait in their own tables until the invited person accepts

Revision ID: ccc3d459e428
Revises: 5c0e7a91b2d4
Create Date: 2026-12-06 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ccc3d459e428'
down_revision = '5c0e7a91b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('roles', sa.String(length=200), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('pending', 'accepted', 'declined', 'revoked', name='invitationstate', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_invitations_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_user_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_invitations'))
    )
    with op.batch_alter_table('user_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_invitations_user_id'), ['user_id'], unique=False)

    op.create_table('organisation_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.Enum('owner', 'member', name='memberrole', native_enum=False, length=20), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('pending', 'accepted', 'declined', 'revoked', name='invitationstate', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_invitations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_organisation_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_invitations'))
    )
    with op.batch_alter_table('organisation_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_invitations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_invitations_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_invitations_invited_by_id'), ['invited_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_invitations_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('organisation_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_invitations_created_at'))
        batch_op.drop_index(batch_op.f('ix_organisation_invitations_invited_by_id'))
        batch_op.drop_index(batch_op.f('ix_organisation_invitations_email'))
        batch_op.drop_index(batch_op.f('ix_organisation_invitations_organisation_id'))
    op.drop_table('organisation_invitations')

    with op.batch_alter_table('user_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_invitations_user_id'))
    op.drop_table('user_invitations')
