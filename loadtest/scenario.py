"""What the clients do. Each client signs in through the login form as its own user, then
repeats actions picked from its role's mix until told to stop, with a short pause between
them, going through the pages as a person would (open the form, post it, follow the
redirect).

Every write the server acknowledges is written down in the client's ``WriteLog``, with the
marker or key that identifies it, so that the checks can look for it in the database. A
write whose request got no answer (a killed worker) is neither acknowledged nor forgotten:
it is noted as attempted, because it may or may not have been committed.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import httpx

from loadtest.browser import (
    Browser,
    ConnectionFailure,
    Recorder,
    Sample,
    find_form,
    flashes,
    parse_forms,
)
from loadtest.seed import Plan, Seat

#: Action → weight, per role.
MIXES = {
    "applicant": {"browse": 30, "save_draft": 50, "submit": 20},
    "reviewer": {"browse": 30, "review": 70},
    "staff": {"browse": 25, "request": 75},
    "finance": {"browse": 25, "approve": 75},
    "finance+staff": {"browse": 25, "approve": 50, "request": 25},
}
#: How often a staff client sends an acknowledged request form a second time (as a
#: double click would), to check that its idempotency key makes that harmless.
REPLAY_SHARE = 0.1
_REFERENCE = re.compile(r"Your reference is (\S+?)\.?$")
_MARKER = re.compile(r"\s*\[LT[0-9x]+\]$")


@dataclass
class MarkedWrites:
    """Writes that replace a text (a draft's summary, a review's comment): the markers
    sent, in order, and how many of them were acknowledged (the last acknowledged one, or a
    later attempt, must be what the database holds)."""

    attempted: list[str] = field(default_factory=list)
    last_acked: int = -1
    acked: int = 0


@dataclass
class WriteLog:
    email: str
    drafts: dict[int, MarkedWrites] = field(default_factory=dict)
    #: (application id, reference shown to the applicant)
    submissions: list[tuple[int, str | None]] = field(default_factory=list)
    uncertain_submissions: list[int] = field(default_factory=list)
    reviews: dict[int, MarkedWrites] = field(default_factory=dict)
    #: Acknowledged disbursement requests: idempotency key → (award, tranche, amount).
    requests: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    replays: int = 0
    #: Acknowledged approvals (disbursement ids).
    approvals: list[int] = field(default_factory=list)
    #: Writes the server refused for a business reason, by reason.
    refusals: Counter = field(default_factory=Counter)
    #: Answers a correct client should never get: (label, status, detail).
    unexpected: list[tuple[str, int | None, str]] = field(default_factory=list)
    connection_failures: int = 0


class Client:
    def __init__(self, number: int, seat: Seat, plan: Plan, base_url: str,
                 stop: threading.Event, origin: float, rng: random.Random,
                 think_max: float):
        self.number = number
        self.seat = seat
        self.plan = plan
        self.stop = stop
        self.rng = rng
        self.think_max = think_max
        self.recorder = Recorder(origin)
        self.browser = Browser(base_url, self.recorder)
        self.log = WriteLog(seat.email)
        self.drafts = [seat.scratch_draft, *seat.drafts] if seat.scratch_draft else []
        self.submittable = list(seat.drafts)
        self.sequence = 0
        kind = "finance+staff" if seat.also_requests else seat.role
        self.mix = MIXES[kind]
        self.signed_in = False
        self.action = "login"

    # The loop ----------------------------------------------------------------------------

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self._act()
                self.stop.wait(self.rng.uniform(0, self.think_max))
        finally:
            self.browser.close()

    def _act(self) -> None:
        """One action, timed as a whole. Actions name themselves in ``self.action`` (one
        with nothing to do hands over to another)."""
        self.action = "login" if not self.signed_in else self._pick()
        started = time.monotonic()
        status = 200
        try:
            getattr(self, self.action)()
        except ConnectionFailure:
            self.log.connection_failures += 1
            status = None
        except httpx.HTTPError as error:  # e.g. a malformed answer
            self.log.unexpected.append(("client", None, f"{type(error).__name__}: {error}"))
            status = None
        self.recorder.actions.append(Sample(self.action, started - self.recorder.origin,
                                            time.monotonic() - started, status))

    def _pick(self) -> str:
        actions = list(self.mix)
        weights = [self.mix[action] for action in actions]
        return self.rng.choices(actions, weights)[0]

    def _marker(self) -> str:
        self.sequence += 1
        return f"[LT{self.number:03d}x{self.sequence:05d}]"

    def _unexpected(self, label: str, response: httpx.Response | None, detail: str = ""):
        status = response.status_code if response is not None else None
        if response is not None and not detail:
            messages = [text for _category, text in flashes(response.text)]
            detail = "; ".join(messages)[:300]
        self.log.unexpected.append((label, status, detail))

    # Signing in --------------------------------------------------------------------------

    def login(self) -> None:
        self.action = "login"
        page = self.browser.get("login.form", "/login")
        form = find_form(page, r"^/login$")
        if page.status_code != 200 or form is None:
            self._unexpected("login.form", page, "no login form")
            return
        answer = self.browser.submit("login.post", form, form.data(
            email=self.seat.email, password=self.plan.password))
        if answer.status_code != 302 or "/login" in answer.headers.get("location", ""):
            self._unexpected("login.post", answer)
            return
        self.browser.follow("login.home", answer)
        self.signed_in = True

    # Browsing ----------------------------------------------------------------------------

    def _role_page(self) -> tuple[str, str]:
        role = self.seat.role
        if role == "applicant":
            return "browse.my_applications", "/applications"
        if role == "reviewer":
            return "browse.review_workspace", "/reviews"
        if role == "finance":
            return "browse.payments_queue", "/finance/disbursements"
        award = self.rng.choice(list(self.plan.awards))
        return "browse.award", f"/awards/{award}"

    def browse(self) -> None:
        self.action = "browse"
        public = self.rng.choice(["/", "/calls", f"/calls/{self.plan.open_call_id}",
                                  f"/calls/{self.plan.closed_call_id}"])
        for label, path in (("browse.public", public), self._role_page()):
            page = self.browser.get(label, path)
            if page.status_code != 200:
                self._unexpected(label, page)

    # Applicants --------------------------------------------------------------------------

    def save_draft(self) -> None:
        self.action = "save_draft"
        if not self.drafts:
            return self.browse()
        application_id = self.rng.choice(self.drafts)
        path = f"/applications/{application_id}/sections/project"
        page = self.browser.get("draft.form", path)
        form = find_form(page, rf"^{path}$")
        if page.status_code != 200 or form is None:
            return self._unexpected("draft.form", page, "no project form")
        marker = self._marker()
        summary = _MARKER.sub("", form.value("summary") or "") + f" {marker}"
        writes = self.log.drafts.setdefault(application_id, MarkedWrites())
        writes.attempted.append(marker)
        stay = self.rng.random() < 0.5
        data = form.data(summary=summary, then="stay" if stay else None)
        answer = self.browser.submit("draft.save", form, data)
        if answer.status_code != 302:
            return self._unexpected("draft.save", answer)
        writes.last_acked = len(writes.attempted) - 1
        writes.acked += 1
        self.browser.follow("draft.next_page", answer)

    def submit(self) -> None:
        self.action = "submit"
        if not self.submittable:
            return self.save_draft()
        application_id = self.submittable.pop(self.rng.randrange(len(self.submittable)))
        # Whatever happens next, the draft is no longer one to edit.
        self.drafts.remove(application_id)
        path = f"/applications/{application_id}/submit"
        page = self.browser.get("submit.form", path)
        form = find_form(page, rf"^{path}$")
        if page.status_code != 200 or form is None:
            return self._unexpected("submit.form", page, "no submit form")
        try:
            answer = self.browser.submit("submit.post", form, form.data())
        except ConnectionFailure:
            self.log.uncertain_submissions.append(application_id)
            raise
        if answer.status_code != 302:
            return self._unexpected("submit.post", answer)
        reference = None
        try:
            detail = self.browser.follow("submit.detail", answer)
        except ConnectionFailure:
            detail = None
        if detail is not None:
            for _category, text in flashes(detail.text):
                match = _REFERENCE.search(text)
                reference = match.group(1) if match else reference
        self.log.submissions.append((application_id, reference))

    # Reviewers ---------------------------------------------------------------------------

    def review(self) -> None:
        self.action = "review"
        if not self.seat.assignments:
            return self.browse()
        assignment_id = self.rng.choice(self.seat.assignments)
        path = f"/reviews/{assignment_id}"
        page = self.browser.get("review.form", path)
        form = find_form(page, rf"^{path}$")
        if page.status_code != 200 or form is None:
            return self._unexpected("review.form", page, "no review form")
        marker = self._marker()
        overrides = {name: self.rng.choice([value for value in values if value])
                     for name, values in form.choices.items()
                     if name.startswith("score_") or name in ("recommendation", "confidence")}
        overrides["overall_comment"] = f"Clear objectives and a realistic budget. {marker}"
        overrides["action"] = "submit"
        writes = self.log.reviews.setdefault(assignment_id, MarkedWrites())
        writes.attempted.append(marker)
        answer = self.browser.submit("review.submit", form, form.data(**overrides))
        if answer.status_code != 302:
            return self._unexpected("review.submit", answer)
        writes.last_acked = len(writes.attempted) - 1
        writes.acked += 1
        self.browser.follow("review.page", answer)

    # Staff: disbursement requests ---------------------------------------------------------

    def _award_and_tranche(self) -> tuple[int, int, bool]:
        """An award, one of its tranches, and whether to ask for all that is left of it."""
        hot = self.plan.hot_awards
        whole = bool(hot) and self.rng.random() < 0.5
        award = self.rng.choice(hot if whole else list(self.plan.awards))
        tranches = self.plan.awards[award]
        return award, self.rng.choices(tranches, [6, 3, 1][:len(tranches)])[0], whole

    def _amount(self, form, whole: bool) -> Decimal:
        """On the busiest awards, what the form suggests: the rest of the tranche, which
        another staff member may be requesting at the same moment (the ledger must refuse
        one of the two). Elsewhere a part of it."""
        suggested = form.value("amount") or ""
        if whole and suggested:
            return Decimal(suggested)
        return Decimal(self.rng.randrange(1000, 15000)) / 100

    def request(self) -> None:
        self.action = "request"
        award, tranche, whole = self._award_and_tranche()
        path = f"/staff/awards/{award}/tranches/{tranche}/request"
        page = self.browser.get("request.form", path)
        form = find_form(page, rf"^{path}$")
        if page.status_code != 200 or form is None:
            return self._unexpected("request.form", page, "no request form")
        amount = self._amount(form, whole)
        overrides = {"amount": f"{amount:.2f}", "payee_reference": "Belize Bank 0012345",
                     "payment_method": "bank_transfer"}
        if form.value("override_reason") is not None:
            overrides["override_reason"] = "Advance agreed with the grantee."
        data = form.data(**overrides)
        key = form.value("idempotency_key")
        try:
            answer = self.browser.submit("request.post", form, data)
        except ConnectionFailure:
            # The same form again, as a person would after an error: the key makes it safe.
            self.log.connection_failures += 1
            answer = self.browser.submit("request.retry", form, data)
        if answer.status_code == 422:
            return self._refused_request(answer)
        if answer.status_code != 302:
            return self._unexpected("request.post", answer)
        self.log.requests[key] = (award, tranche, f"{amount:.2f}")
        self.browser.follow("request.ledger", answer)
        if self.rng.random() < REPLAY_SHARE:
            self._replay(form, data)

    def _refused_request(self, answer: httpx.Response) -> None:
        text = answer.text
        if "would over-disburse the award" in text:
            self.log.refusals["request: award fully committed"] += 1
        elif "This tranche has" in text:
            self.log.refusals["request: tranche fully committed"] += 1
        else:
            self._unexpected("request.post", answer, "refused for another reason")

    def _replay(self, form, data) -> None:
        answer = self.browser.submit("request.replay", form, data)
        if answer.status_code != 302:
            return self._unexpected("request.replay", answer)
        page = self.browser.follow("request.ledger", answer)
        if any("already been sent" in text for _category, text in flashes(page.text)):
            self.log.replays += 1
        else:
            self._unexpected("request.replay", page, "a replayed request was not recognised")

    # Finance: approvals ------------------------------------------------------------------

    def approve(self) -> None:
        self.action = "approve"
        queue = self.browser.get("approve.queue", "/finance/disbursements")
        if queue.status_code != 200:
            return self._unexpected("approve.queue", queue)
        forms = [form for form in parse_forms(queue)
                 if re.search(r"^/finance/disbursements/\d+/approve$", form.action)]
        if not forms:
            return
        # People work from the top of the queue: several often pick the same request.
        form = self.rng.choice(forms[:5])
        entry = int(form.action.split("/")[3])
        answer = self.browser.submit("approve.post", form, form.data())
        if answer.status_code == 302:
            self.log.approvals.append(entry)
        elif answer.status_code == 303:
            page = self.browser.follow("approve.queue", answer)
            texts = " ".join(text for _category, text in flashes(page.text))
            if "This cannot be done: the disbursement is" in texts:
                self.log.refusals["approval: already decided by another user"] += 1
            else:
                self._unexpected("approve.post", page, texts[:300] or "refused")
            return
        else:
            return self._unexpected("approve.post", answer)
        self.browser.follow("approve.queue", answer)
