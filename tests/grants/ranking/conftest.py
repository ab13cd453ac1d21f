"""A scored panel for the ranking tests.

The fund has a budget of 21,000 and another call of the same fund has already awarded
5,000, so 16,000 remains: less than the call's 4 awards × 5,000, so the pool is 16,000.

Six applications (A–F) are in review, each reviewed by the same three reviewers on a rubric
of two criteria (Relevance, weight 2; Feasibility, weight 1, N/A allowed). Every review gives
the same score to both criteria, so its total is ten times that score. One reviewer is
harsh, one lenient; F splits them (disagreement):

    application   requested   normal   harsh   lenient   mean
    A             5,000       9        8       10        90.0
    B             5,000       8        7       9         80.0
    C             4,000       7        6       8         70.0
    D             3,000       6        5       7         60.0
    F             2,000       4        3       9         53.3
    E             2,000       5        4       6         50.0

Under the raw ranking the funding line falls after C (5,000 + 5,000 + 4,000 = 14,000; D's
3,000 would make 17,000 > 16,000). The chair is a reviewer who wrote none of the reviews.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from core.timeutil import utcnow
from grants.applications.states import ApplicationState
from grants.reviews.models import Panel, PanelMember, Review, ReviewAssignment, ReviewScore
from grants.reviews.states import Recommendation, ReviewState
from tests.fixtures.applications import applicant_member, make_submitted_application
from tests.fixtures.grants import GrantFactories

REQUESTED = {"A": "5000.00", "B": "5000.00", "C": "4000.00", "D": "3000.00", "E": "2000.00",
             "F": "2000.00"}
SCORES = {  # normal, harsh, lenient
    "A": (9, 8, 10), "B": (8, 7, 9), "C": (7, 6, 8), "D": (6, 5, 7), "E": (5, 4, 6),
    "F": (4, 3, 9),
}
COMMENTS = {"normal": "Clear plan and budget.", "harsh": "The indicators are weak.",
            "lenient": "A strong partnership."}


def _recommendation(score: int) -> Recommendation:
    if score >= 8:
        return Recommendation.fund
    if score >= 6:
        return Recommendation.fund_with_conditions
    return Recommendation.do_not_fund


@dataclass
class ScoredPanel:
    panel: Panel
    call: object
    fund: object
    chair: object
    reviewers: dict  # "normal" | "harsh" | "lenient" → user
    apps: dict  # "A".."F" → application
    other_award: object

    def member(self, key: str):
        return applicant_member(self.apps[key])


def add_review(session, panel, application, reviewer, score, *, comment="",
               submitted=True, na_feasibility=False):
    criteria = panel.call.criteria
    assignment = ReviewAssignment(panel=panel, application=application, reviewer=reviewer)
    review = Review(assignment=assignment,
                    state=ReviewState.submitted if submitted else ReviewState.draft,
                    overall_comment=comment, recommendation=_recommendation(score),
                    submitted_at=utcnow() if submitted else None)
    review.scores = [ReviewScore(criterion_id=criteria[0].id, score=score),
                     ReviewScore(criterion_id=criteria[1].id,
                                 score=None if na_feasibility else score)]
    session.add_all([assignment, review])
    session.flush()
    return review


@pytest.fixture
def scored(db_session, factories) -> ScoredPanel:
    grants = GrantFactories(db_session, factories)
    fund = grants.fund(total_budget=Decimal("21000.00"))
    criteria = [{"name": "Relevance", "weight": Decimal("2.00"), "max_score": 10},
                {"name": "Feasibility", "weight": Decimal("1.00"), "max_score": 10,
                 "is_na_allowed": True}]
    call = grants.call(fund=fund, award_amount=Decimal("5000.00"), max_awards=4,
                       criteria=criteria, documents=[], statements=[])
    other_call = grants.call(fund=fund, criteria=criteria, documents=[], statements=[])
    other_award = make_submitted_application(db_session, factories, call=other_call,
                                             state=ApplicationState.awarded)

    apps = {}
    for key, amount in REQUESTED.items():
        amount = Decimal(amount)
        apps[key] = make_submitted_application(
            db_session, factories, call=call, requested_amount=amount, budget=[amount],
            state=ApplicationState.in_review, title=f"Project {key}")

    chair = factories.user(roles=("reviewer",), name="Chair Person")
    reviewers = {kind: factories.user(roles=("reviewer",), name=f"{kind.title()} Reviewer")
                 for kind in ("normal", "harsh", "lenient")}
    panel = Panel(call=call, chair=chair, due_at=utcnow() + timedelta(days=2),
                  reviewers_per_application=3, disagreement_threshold=25)
    panel.members = [PanelMember(user=user) for user in [chair, *reviewers.values()]]
    db_session.add(panel)
    db_session.flush()
    for key, application in apps.items():
        for index, kind in enumerate(("normal", "harsh", "lenient")):
            add_review(db_session, panel, application, reviewers[kind], SCORES[key][index],
                       comment=f"{COMMENTS[kind]} ({key})")
    return ScoredPanel(panel=panel, call=call, fund=fund, chair=chair, reviewers=reviewers,
                       apps=apps, other_award=other_award)


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",), name="Stella Staff")
