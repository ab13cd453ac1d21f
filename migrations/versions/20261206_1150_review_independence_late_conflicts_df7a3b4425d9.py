"""review independence and late conflicts: discussion phase, first reading of colleagues'
reviews, review versions, and staff's decisions on conflicts that arose after a review

Revision ID: df7a3b4425d9
Revises: ccc3d459e428
Create Date: 2026-12-06 11:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'df7a3b4425d9'
down_revision = 'ccc3d459e428'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('panels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discussion_opened_at', sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('colleagues_seen_at', sa.DateTime(timezone=True),
                                      nullable=True))

    op.create_table('review_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('recommendation', sa.Enum('fund', 'fund_with_conditions', 'do_not_fund', name='recommendation', native_enum=False, length=30), nullable=True),
    sa.Column('confidence', sa.Enum('low', 'medium', 'high', name='confidence', native_enum=False, length=30), nullable=True),
    sa.Column('overall_comment', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('in_discussion', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_versions_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_versions')),
    sa.UniqueConstraint('review_id', 'number', name=op.f('uq_review_versions_review_id_number'))
    )
    with op.batch_alter_table('review_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_versions_review_id'), ['review_id'], unique=False)

    op.create_table('late_conflict_resolutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('keep', 'exclude', name='lateconflictoutcome', native_enum=False, length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_late_conflict_resolutions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_late_conflict_resolutions_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_late_conflict_resolutions')),
    sa.UniqueConstraint('review_id', name=op.f('uq_late_conflict_resolutions_review_id'))
    )


def downgrade():
    op.drop_table('late_conflict_resolutions')
    with op.batch_alter_table('review_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_versions_review_id'))
    op.drop_table('review_versions')
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.drop_column('colleagues_seen_at')
    with op.batch_alter_table('panels', schema=None) as batch_op:
        batch_op.drop_column('discussion_opened_at')
