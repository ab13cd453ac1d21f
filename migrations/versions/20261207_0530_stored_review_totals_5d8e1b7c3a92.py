"""stored review totals: each review's 0-100 total against its call's rubric, which the
ranking reads instead of totalling every review's scores on every request

Revision ID: 5d8e1b7c3a92
Revises: 7c1e5a9d2b64
Create Date: 2026-12-07 05:30:00

"""
from collections import defaultdict
from fractions import Fraction

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d8e1b7c3a92'
down_revision = '7c1e5a9d2b64'
branch_labels = None
depends_on = None


reviews = sa.table('reviews', sa.column('id', sa.Integer),
                   sa.column('assignment_id', sa.Integer), sa.column('total', sa.Double))
assignments = sa.table('review_assignments', sa.column('id', sa.Integer),
                       sa.column('panel_id', sa.Integer))
panels = sa.table('panels', sa.column('id', sa.Integer), sa.column('call_id', sa.Integer))
criteria = sa.table('criteria', sa.column('id', sa.Integer), sa.column('call_id', sa.Integer),
                    sa.column('weight', sa.Numeric(6, 2)), sa.column('max_score', sa.Integer),
                    sa.column('is_na_allowed', sa.Boolean))
scores = sa.table('review_scores', sa.column('review_id', sa.Integer),
                  sa.column('criterion_id', sa.Integer), sa.column('score', sa.Integer))

BATCH = 2000


def _total(rubric, given):
    """grants.reviews.scoring.review_total as it stands in this revision (through
    grants.reviews.totals.scores_total): 100 * sum(w * s / max) / sum(w) over the answered
    criteria, in exact fractions, converted to float once; None when no criterion is
    answered or when the scores do not cover exactly the rubric (scores of criteria outside
    it left out first), or a score or criterion is out of range."""
    given = {criterion_id: score for criterion_id, score in given.items()
             if criterion_id in rubric}
    if set(given) != set(rubric):
        return None
    weighted = weights = Fraction(0)
    for criterion_id, (weight, max_score, allows_na) in rubric.items():
        weight = Fraction(weight)
        score = given[criterion_id]
        if not weight > 0 or max_score < 1:
            return None
        if score is None:
            if not allows_na:
                return None
            continue
        if not 0 <= score <= max_score:
            return None
        weighted += weight * Fraction(score, max_score)
        weights += weight
    if not weights:
        return None
    return float(100 * weighted / weights)


def upgrade():
    op.add_column('reviews', sa.Column('total', sa.Double(), nullable=True))

    bind = op.get_bind()
    rubrics = defaultdict(dict)
    for criterion_id, call_id, weight, max_score, allows_na in bind.execute(sa.select(
            criteria.c.id, criteria.c.call_id, criteria.c.weight, criteria.c.max_score,
            criteria.c.is_na_allowed)):
        rubrics[call_id][criterion_id] = (weight, max_score, bool(allows_na))
    rows = bind.execute(
        sa.select(reviews.c.id, panels.c.call_id)
        .join(assignments, assignments.c.id == reviews.c.assignment_id)
        .join(panels, panels.c.id == assignments.c.panel_id)
        .order_by(reviews.c.id)).all()
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        given = defaultdict(dict)
        for review_id, criterion_id, score in bind.execute(
                sa.select(scores.c.review_id, scores.c.criterion_id, scores.c.score)
                .where(scores.c.review_id.in_([review_id for review_id, _ in batch]))):
            given[review_id][criterion_id] = score
        values = [{'review': review_id, 'value': _total(rubrics[call_id], given[review_id])}
                  for review_id, call_id in batch]
        values = [row for row in values if row['value'] is not None]
        if values:
            bind.execute(reviews.update().where(reviews.c.id == sa.bindparam('review'))
                         .values(total=sa.bindparam('value')), values)


def downgrade():
    # Not in a batch: on SQLite a batch copies the table and drops the old one, and with
    # foreign keys on that drop would delete every review's scores (ON DELETE CASCADE).
    op.drop_column('reviews', 'total')
