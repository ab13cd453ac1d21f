"""Programme staff read the newer pages on a phone (360 px) and on a desk (1280 px), in
English and in Spanish: the results framework and its forms, the dashboard's results against
targets, a person's page for their personal data rights, the forms that take a text in both
languages side by side, the open data downloads and exports, a background job's page and the
list of one's jobs, and the co-creation of the action plan: the consultations with their
proposals, answers and "What we heard", the forum with its meetings and repository, the
action plan, and the staff's forms and queue for them.

Every page goes through the journey's quality checks (no sideways scrolling at 360 px, every
table fitting its wrapper at 1280 px, no serious accessibility finding, screenshots at both
widths in test-artifacts/browser/). In Spanish, no heading, label, column, cell, hint, link,
option, button or caption of the page's main part may read as one of the catalogue's English
texts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import sign_in
from tests.browser.languages import catalogue_english_on

pytestmark = pytest.mark.browser

# Pages whose first confirmation step is opened and checked too: erasing a person's data,
# removing a target.
OPENS_A_CONFIRMATION = ("person", "indicator")


def _jobs(live_server, email: str) -> tuple[int, int]:
    """Two open data exports of the staff member: one done (its file ready), one waiting."""
    from accounts.models import User
    from core.extensions import db
    from core.jobs.operations import enqueue

    everything = {"from": None, "to": None, "fund": None}
    with live_server.app.app_context():
        staff = db.session.scalar(select(User).where(User.email == email))
        done = enqueue("360giving", {**everything, "format": "json"}, requested_by=staff,
                       locale="en").id
        db.session.commit()
    assert live_server.run_jobs() == 1
    with live_server.app.app_context():
        staff = db.session.scalar(select(User).where(User.email == email))
        waiting = enqueue("iati", {**everything, "format": "xml"}, requested_by=staff,
                          locale="en").id
        db.session.commit()
    return done, waiting


def _pages(live_server, email: str) -> list[tuple[str, str]]:
    """Each page's step name and address, for the demo programme's records."""
    from coalitions.consultations.models import Consultation, Proposal
    from coalitions.events.models import Person
    from coalitions.forum.models import Meeting
    from coalitions.plans.models import ActionPlan, Commitment
    from core.extensions import db
    from grants.calls.models import Call
    from grants.calls.states import CallState
    from reporting.opendata import store
    from reporting.results.models import Indicator, IndicatorActual, Result
    from reporting.results.states import ResultLevel

    done, waiting = _jobs(live_server, email)
    with live_server.app.app_context():
        outcome = db.session.scalar(select(Result).where(Result.level == ResultLevel.outcome)
                                    .order_by(Result.id))
        measured = db.session.scalar(select(Indicator).join(IndicatorActual)
                                     .order_by(Indicator.id))
        person = db.session.scalar(select(Person).order_by(Person.id))
        call = db.session.scalar(select(Call).where(Call.state == CallState.published))
        commitment = db.session.scalar(select(Commitment).order_by(Commitment.id))
        consultation = db.session.scalar(select(Consultation).order_by(Consultation.id))
        proposal = db.session.scalar(select(Proposal).order_by(Proposal.id))
        meeting = db.session.scalar(select(Meeting).order_by(Meeting.id))
        plan = db.session.scalar(select(ActionPlan).order_by(ActionPlan.id))
        store.build(None)  # the open data files, which the worker would have built
        db.session.commit()
        return [
            ("results", "/reports/results"),
            ("new-outcome", "/staff/results/outcomes/new"),
            ("new-output", f"/staff/results/{outcome.id}/outputs/new"),
            ("edit-outcome", f"/staff/results/{outcome.id}/edit"),
            ("new-indicator", f"/staff/results/{outcome.id}/indicators/new"),
            ("indicator", f"/staff/results/indicators/{measured.id}"),
            ("dashboard", "/reports/dashboard"),
            ("person", f"/staff/events/people/{person.id}"),
            ("call-form", f"/staff/calls/{call.id}/edit"),
            ("rubric", f"/staff/calls/{call.id}/rubric"),
            ("commitment", f"/staff/commitments/{commitment.id}/edit"),
            ("open-data", "/open-data"),
            ("open-data-exports", "/reports/open-data-exports"),
            ("job-done", f"/jobs/{done}"),
            ("job-waiting", f"/jobs/{waiting}"),
            ("my-jobs", "/jobs"),
            ("consultations", "/consultations"),
            ("consultation", f"/consultations/{consultation.id}"),
            ("proposals", f"/consultations/{consultation.id}/proposals"),
            ("proposal", f"/consultations/proposals/{proposal.id}"),
            ("what-we-heard", f"/consultations/{consultation.id}/what-we-heard"),
            ("consultation-form", f"/staff/consultations/{consultation.id}/edit"),
            ("response-form", f"/staff/consultations/proposals/{proposal.id}/respond"),
            ("abuse-reports", "/staff/consultations/reports"),
            ("forum", "/forum"),
            ("meeting", f"/forum/meetings/{meeting.id}"),
            ("repository", "/forum/documents"),
            ("meeting-form", f"/staff/forum/meetings/{meeting.id}/edit"),
            ("forum-member-form", "/staff/forum/members/new"),
            ("action-plan", f"/action-plans/{plan.id}"),
        ]


def _read_in(live_server, email: str, language: str) -> None:
    from accounts.models import User
    from core.extensions import db

    with live_server.app.app_context():
        db.session.scalar(select(User).where(User.email == email)).locale = language
        db.session.commit()


def _no_english(page) -> list[str]:
    return catalogue_english_on(page)


def test_the_newer_pages_fit_a_phone_in_english_and_spanish(
        live_server, demo_logins, page, new_page, journey, page_problems):
    steps = journey("small-screens")
    email, password = demo_logins["staff"]
    pages = _pages(live_server, email)
    # The open data is public: a visitor reads it first, in their browser's language.
    visitor = new_page(locale="es")
    steps.watch(visitor)
    for language, reader in (("en", page), ("es", visitor)):
        reader.goto(f"{live_server.url}/open-data")
        expect(reader.locator("html")).to_have_attribute("lang", language)
        steps.check(reader, f"{language}-open-data-public")
    assert not _no_english(visitor), _no_english(visitor)
    sign_in(steps, page, live_server.url, email, password)
    steps.check(page, "home")
    left = []
    for language in ("en", "es"):
        _read_in(live_server, email, language)
        for name, path in pages:
            response = page.goto(f"{live_server.url}{path}")
            assert response.ok, f"{path}: {response.status}"
            steps.check(page, f"{language}-{name}")
            if name == "new-indicator":
                # Sent empty: every message beside its field, the choice's under its legend.
                page.locator("main form button[type=submit]").last.click()
                page.wait_for_load_state()
                expect(page.locator("main .error-message").first).to_be_visible()
                steps.check(page, f"{language}-{name}-errors")
            if name in OPENS_A_CONFIRMATION:
                # The question before erasing (or removing) is read on a phone too.
                page.locator("main details.confirm-step > summary").first.click()
                steps.check(page, f"{language}-{name}-confirm")
            if language == "es":
                left += [f"{path}: {text!r}" for text in _no_english(page)]
    assert not left, "English on Spanish pages:\n" + "\n".join(left)
    assert page_problems.errors == []
