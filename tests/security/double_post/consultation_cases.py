"""The double-post cases of the consultation routes (their world objects come from
``tests/access_contexts.py``'s consultation context)."""

from __future__ import annotations

from tests.security.double_post.harness import Case
from tests.security.double_post.helpers import X


def closed_and_answered(world, session, factories):
    """A closed consultation whose one proposal has its response: ready to publish."""
    from datetime import date, timedelta

    from coalitions.consultations import moderation, operations
    from coalitions.plans import operations as plan_operations
    from core.timeutil import utcnow

    staff = world.staff
    plan = plan_operations.create_plan(staff, title="Closed plan", country="BZ",
                                       starts_on=date(2027, 1, 1), ends_on=date(2028, 1, 1))
    consultation = operations.create_consultation(
        staff, plan_id=plan.id, title="Closing", description="",
        opens_at=utcnow() - timedelta(days=3), closes_at=utcnow() + timedelta(minutes=5))
    proposal = operations.propose(consultation, world.alpha.owner, title="Idea", problem="P",
                                  solution="S", institution_name="Ministry")
    moderation.respond(proposal, staff, kind="accepted")
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    return {"consultation": consultation}


def _c(world):
    return X(world)["consultation"]


def _commitment_url(world, action: str) -> str:
    return (f"/consultations/{_c(world).id}/commitments/"
            f"{X(world)['consultation_commitment'].id}/{action}")


CONSULTATION_CASES = {
    "consultations.new": Case(
        "staff", lambda w, c: "/staff/consultations/new",
        lambda w, c: {"plan_id": str(_c(w).plan_id), "title": "Double consultation",
                      "description": "", "opens_at": "2027-01-01T09:00",
                      "closes_at": "2027-02-01T17:00"}),
    "consultations.edit": Case(
        "staff", lambda w, c: f"/staff/consultations/{_c(w).id}/edit",
        lambda w, c: {"plan_id": str(_c(w).plan_id), "title": "Renamed consultation",
                      "description": "", "opens_at": "2026-01-01T09:00",
                      "closes_at": "2030-02-01T17:00"}),
    "consultations.propose": Case(
        "alpha", lambda w, c: f"/consultations/{_c(w).id}/propose",
        lambda w, c: {"title": "Double proposal", "problem": "P", "solution": "S",
                      "institution_id": "", "institution_name": "Ministry",
                      "thematic_area": "", "milestones": "", "sex": "", "organisation_id": ""}),
    "consultations.comment_proposal": Case(
        "alpha", lambda w, c: f"/consultations/proposals/{X(w)['consultation_proposal'].id}"
                              f"/comments", lambda w, c: {"body": "Double comment"}),
    "consultations.comment_commitment": Case(
        "alpha", lambda w, c: _commitment_url(w, "comments"),
        lambda w, c: {"body": "Double comment"}),
    "consultations.support_proposal": Case(
        "alpha", lambda w, c: f"/consultations/proposals/{X(w)['consultation_proposal'].id}"
                              f"/support"),
    "consultations.support_commitment": Case(
        "alpha", lambda w, c: _commitment_url(w, "support")),
    "consultations.report_proposal": Case(
        "alpha", lambda w, c: f"/consultations/proposals/{X(w)['consultation_proposal'].id}"
                              f"/report", lambda w, c: {"reason": "Spam"}),
    "consultations.report_comment": Case(
        "alpha", lambda w, c: f"/consultations/comments/{X(w)['consultation_comment'].id}"
                              f"/report", lambda w, c: {"reason": "Spam"}),
    "consultations.hide_proposal": Case(
        "staff", lambda w, c: f"/staff/consultations/proposals/"
                              f"{X(w)['consultation_proposal'].id}/hide",
        lambda w, c: {"reason": "Off topic"}),
    "consultations.hide_comment": Case(
        "staff", lambda w, c: f"/staff/consultations/comments/"
                              f"{X(w)['consultation_comment'].id}/hide",
        lambda w, c: {"reason": "Off topic"}),
    "consultations.dismiss_report": Case(
        "staff", lambda w, c: f"/staff/consultations/reports/"
                              f"{X(w)['consultation_report'].id}/dismiss"),
    "consultations.respond": Case(
        "staff", lambda w, c: f"/staff/consultations/proposals/"
                              f"{X(w)['consultation_proposal'].id}/respond",
        lambda w, c: {"kind": "declined", "text": "Out of scope", "commitment_id": ""}),
    "consultations.publish_summary": Case(
        "staff", lambda w, c: f"/staff/consultations/{c['consultation'].id}/what-we-heard"
                              f"/publish", setup=closed_and_answered),
}
