from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.audit.models import AuditEntry
from grants.applications.states import ApplicationState
from grants.reviews.models import ConflictDeclaration, Decision
from tests.fixtures.applications import make_submitted_application


def _url(scored, page="ranking", **query):
    url = f"/staff/panels/{scored.panel.id}/{page}"
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _feedback_url(scored, key):
    return f"/staff/panels/{scored.panel.id}/applications/{scored.apps[key].id}/feedback"


def _decide(client, scored, keys, outcome="award", rationale="Ranked by the panel.", **extra):
    return client.post(_url(scored, "decisions"), data={
        "application_ids": [str(scored.apps[key].id) if key in scored.apps else key
                            for key in keys],
        "outcome": outcome, "rationale": rationale, **extra})


# The ranking page --------------------------------------------------------------------------

def test_staff_see_the_ranking_with_the_funding_line_and_alpha(client, login_as, scored):
    login_as("staff")
    response = client.get(_url(scored))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Funding line: pool of US$16,000.00 exhausted" in page
    assert "Krippendorff" in page
    references = [scored.apps[key].reference for key in "ABCDFE"]
    positions = [page.index(reference) for reference in references]
    assert positions == sorted(positions)
    line = page.index("Funding line: pool of")
    assert positions[2] < line < positions[3]  # between C and D
    assert 'class="data-table table-cards ranking-table"' in page and '<th scope="col"' in page
    assert "Disagreement" in page
    assert 'name="application_ids"' in page and 'name="rationale"' in page


def test_the_normalised_ranking_and_a_bad_method(client, login_as, scored):
    login_as("staff")
    response = client.get(_url(scored, method="normalised"))
    assert response.status_code == 200
    assert "Applications ranked by normalised score" in response.get_data(as_text=True)
    assert client.get(_url(scored, method="median")).status_code == 400


def test_the_chair_sees_the_ranking_without_alpha(client, login_as, scored):
    login_as(scored.chair)
    response = client.get(_url(scored))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Funding line" in page and "Krippendorff" not in page
    assert "Lock the panel" not in page and "Download the scores" not in page


def test_a_conflicted_chair_sees_the_row_without_its_scores(client, login_as, scored,
                                                            db_session):
    db_session.add(ConflictDeclaration(panel=scored.panel, reviewer_id=scored.chair.id,
                                       application_id=scored.apps["B"].id,
                                       reason="Former employer."))
    db_session.flush()
    login_as(scored.chair)
    page = client.get(_url(scored)).get_data(as_text=True)
    ranked, conflicted = page.split("Applications you have a conflict of interest with")
    reference = scored.apps["B"].reference
    assert reference not in ranked
    row = conflicted[conflicted.index(reference):]
    row = row[:row.index("</tr>")]
    assert "Conflict of interest" in row
    for score in ("80.0", "70.0", "90.0"):
        assert score not in row
    assert f'value="{scored.apps["B"].id}"' not in page
    assert client.get(_feedback_url(scored, "B")).status_code == 403
    # Nor can the chair decide on it.
    response = _decide(client, scored, ["B"], "decline")
    assert response.status_code == 422
    assert "conflict of interest" in response.get_data(as_text=True)
    assert scored.apps["B"].state is ApplicationState.in_review


@pytest.mark.parametrize("page", ["ranking", "progress", "scores.xlsx"])
def test_other_reviewers_and_applicants_are_refused(client, login_as, scored, page):
    login_as(scored.reviewers["normal"])
    assert client.get(_url(scored, page)).status_code == 403
    login_as("applicant")
    assert client.get(_url(scored, page)).status_code == 403


def test_an_unknown_panel_or_an_application_of_another_call_is_404(client, login_as, scored):
    login_as("staff")
    assert client.get("/staff/panels/999999/ranking").status_code == 404
    url = f"/staff/panels/{scored.panel.id}/applications/{scored.other_award.id}/feedback"
    assert client.get(url).status_code == 404


# Decisions ---------------------------------------------------------------------------------

def test_staff_award_in_bulk(client, login_as, scored, db_session):
    login_as("staff")
    response = _decide(client, scored, ["A", "B"], "award", method="normalised")
    assert response.status_code == 302
    assert response.location.endswith("method=normalised")
    assert scored.apps["A"].state is ApplicationState.awarded
    assert scored.apps["B"].state is ApplicationState.awarded
    page = client.get(_url(scored)).get_data(as_text=True)
    assert "2 decisions recorded" in page and "Ranked by the panel." in page


def test_a_bulk_beyond_the_pool_answers_422_and_changes_nothing(client, login_as, scored,
                                                                db_session):
    login_as("staff")
    audits = db_session.scalar(select(func.count()).select_from(AuditEntry))
    response = _decide(client, scored, ["A", "B", "C", "D"], "award")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "more than its pool of US$16,000.00" in page
    # The ticked boxes and the rationale are kept for another try.
    assert f'value="{scored.apps["D"].id}" id="decide-{scored.apps["D"].id}" checked' in page
    assert "Ranked by the panel." in page
    assert all(app.state is ApplicationState.in_review for app in scored.apps.values())
    assert db_session.scalar(select(func.count()).select_from(Decision)) == 0
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)) == audits


def test_an_ineligible_application_is_refused_with_its_reason(client, login_as, scored,
                                                             db_session, factories):
    ineligible = make_submitted_application(db_session, factories, call=scored.call,
                                            state=ApplicationState.ineligible)
    login_as("staff")
    response = _decide(client, scored, ["A", str(ineligible.id)], "decline")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert ineligible.reference in page and "Ineligible" in page
    assert scored.apps["A"].state is ApplicationState.in_review


@pytest.mark.parametrize("data, message", [
    ({"outcome": "award", "rationale": "Good."}, "Tick at least one application."),
    ({"outcome": "award", "rationale": ""}, "Give the rationale for the decision."),
    ({"outcome": "promote", "rationale": "Good."}, "Choose award, waitlist or decline."),
    ({"outcome": "award", "rationale": "Good.", "application_ids": ["x"]}, None),
    ({"outcome": "award", "rationale": "Good.", "application_ids": ["999999"]},
     "no longer exists"),
])
def test_bad_decision_forms_answer_422(client, login_as, scored, data, message):
    login_as("staff")
    if "application_ids" not in data and message != "Tick at least one application.":
        data = {**data, "application_ids": [str(scored.apps["A"].id)]}
    response = client.post(_url(scored, "decisions"), data=data)
    assert response.status_code == 422
    if message:
        assert message in response.get_data(as_text=True)
    assert scored.apps["A"].state is ApplicationState.in_review


# Feedback ----------------------------------------------------------------------------------

def test_feedback_page_shares_the_ticked_comments(client, login_as, scored):
    login_as("staff")
    response = client.get(_feedback_url(scored, "A"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Reviewer 1" in page and "Reviewer 3" in page
    assert "Harsh Reviewer" in page  # staff see who wrote what
    reviews = {review.overall_comment: review for review in _reviews(scored, "A")}
    chosen = reviews["A strong partnership. (A)"]
    response = client.post(_feedback_url(scored, "A"), data={"shared": [str(chosen.id)]})
    assert response.status_code == 302
    assert chosen.is_shared_with_applicant
    assert sum(review.is_shared_with_applicant for review in reviews.values()) == 1
    page = client.get(_feedback_url(scored, "A")).get_data(as_text=True)
    assert "Reviewer 1: A strong partnership. (A)" in page


def test_the_chair_sees_feedback_without_names(client, login_as, scored):
    login_as(scored.chair)
    page = client.get(_feedback_url(scored, "A")).get_data(as_text=True)
    assert "Reviewer 1" in page and "Harsh Reviewer" not in page


def test_feedback_refuses_reviews_of_another_application(client, login_as, scored):
    login_as("staff")
    other = _reviews(scored, "B")[0]
    response = client.post(_feedback_url(scored, "A"), data={"shared": [str(other.id)]})
    assert response.status_code == 422
    assert not other.is_shared_with_applicant


def _reviews(scored, key):
    from grants.ranking.queries import feedback_reviews
    return feedback_reviews(scored.panel, scored.apps[key])


# Locking -----------------------------------------------------------------------------------

def test_staff_lock_and_unlock(client, login_as, scored):
    login_as("staff")
    response = client.post(_url(scored, "lock"))
    assert response.status_code == 302
    assert scored.panel.is_locked
    page = client.get(_url(scored)).get_data(as_text=True)
    assert "Unlock the panel" in page and 'name="rationale"' not in page
    response = _decide(client, scored, ["A"], "award")
    assert response.status_code == 422 and "locked" in response.get_data(as_text=True)
    # Locking it again (a double click) is answered as the first lock was, with a note.
    again = client.post(_url(scored, "lock"), follow_redirects=True)
    assert again.status_code == 200 and "already locked" in again.get_data(as_text=True)
    assert client.post(_url(scored, "unlock")).status_code == 302
    assert not scored.panel.is_locked


def test_the_chair_cannot_lock_or_export(client, login_as, scored):
    login_as(scored.chair)
    assert client.post(_url(scored, "lock")).status_code == 403
    assert client.post(_url(scored, "unlock")).status_code == 403
    assert client.get(_url(scored, "scores.xlsx")).status_code == 403
    assert not scored.panel.is_locked


# Progress and export -----------------------------------------------------------------------

def test_progress_page(client, login_as, scored):
    login_as("staff")
    response = client.get(_url(scored, "progress"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Harsh Reviewer" in page and "Lenient Reviewer" in page
    login_as(scored.chair)
    assert client.get(_url(scored, "progress")).status_code == 200


def test_the_export_has_the_aggregates_and_every_score(client, login_as, scored):
    login_as("staff")
    response = client.get(_url(scored, "scores.xlsx"))
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(BytesIO(response.data))
    assert book.sheetnames[:2] == ["Aggregates", "Scores"]
    aggregates = list(book["Aggregates"].iter_rows(values_only=True))
    assert aggregates[0][:3] == ("Raw rank", "Reference", "Project")
    assert [row[1] for row in aggregates[1:7]] == [scored.apps[k].reference for k in "ABCDFE"]
    scores = list(book["Scores"].iter_rows(values_only=True))
    assert len(scores) == 1 + 6 * 3 * 2  # every criterion of every review
    assert {row[2] for row in scores[1:]} == {r.name for r in scored.reviewers.values()}
    assert all(isinstance(row[4], int) for row in scores[1:])


# Hostile input -----------------------------------------------------------------------------

HOSTILE = st.sampled_from(["", " ", "\x00", "a\x00b", "<script>alert(1)</script>", "-1", "0",
                           "9" * 40, "=HYPERLINK(\"http://x\")", "x" * 5000, "1.5", "😀"])


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ids=st.lists(HOSTILE, max_size=3), outcome=st.one_of(HOSTILE, st.just("award")),
       rationale=st.one_of(HOSTILE, st.text(max_size=200)))
def test_hostile_decision_forms_never_fail_nor_write(client, login_as, scored, db_session,
                                                     ids, outcome, rationale):
    login_as("staff")
    decisions = db_session.scalar(select(func.count()).select_from(Decision))
    response = client.post(_url(scored, "decisions"), data={
        "application_ids": ids, "outcome": outcome, "rationale": rationale})
    assert response.status_code in (400, 422)
    assert db_session.scalar(select(func.count()).select_from(Decision)) == decisions


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(shared=st.lists(HOSTILE, min_size=1, max_size=3))
def test_hostile_feedback_forms_never_fail(client, login_as, scored, shared):
    login_as("staff")
    response = client.post(_feedback_url(scored, "A"), data={"shared": shared})
    assert response.status_code in (302, 400, 422)


def test_a_long_ranking_is_shown_a_page_at_a_time(client, login_as, scored, monkeypatch):
    from grants.ranking import queries

    monkeypatch.setattr(queries, "ROWS_PER_PAGE", 2)
    login_as("staff")
    references = {key: scored.apps[key].reference for key in "ABCDEF"}
    first = client.get(_url(scored)).get_data(as_text=True)
    assert references["A"] in first and references["B"] in first
    assert references["C"] not in first and "Funding line: pool of" not in first
    assert "Ranks 1 to 2 of 6 (page 1 of 3)" in first
    # The funding line falls between C and D: on page 2, linked from the others.
    assert "The funding line (page 2)" in first
    second = client.get(_url(scored) + "?page=2").get_data(as_text=True)
    assert references["C"] in second and references["D"] in second
    assert second.index(references["C"]) < second.index("Funding line: pool of") \
        < second.index(references["D"])
    assert 'name="page" value="2"' in second
    # Out of range or malformed: the nearest page, never an error.
    assert "page 3 of 3" in client.get(_url(scored) + "?page=99").get_data(as_text=True)
    for bad in ("x", "-1", "²", "9" * 40):
        response = client.get(_url(scored) + f"?page={bad}")
        assert response.status_code == 200 and "page 1 of 3" in response.get_data(as_text=True)
