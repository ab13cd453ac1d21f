"""Review panels: the reviewer's workspace and review form, and the staff pages that set up
panels, record who is conflicted and assign reviewers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.organisations.models import Organisation
from core import navigation
from core.access import policy_required, require
from core.audit import visibility as audit_visibility
from core.errors import OperationError
from core.extensions import db
from core.forms import render_form
from core.loading import get_or_404
from core.locking import AlreadyDone
from grants.applications.models import Application, Attachment
from grants.calls.forms import parse_id
from grants.reviews import discussion, late_conflicts, operations, queries, scoring
from grants.reviews.audit import redact_conflicted_entries
from grants.reviews.forms import ConflictForm, DeclineForm, LateConflictForm, review_form
from grants.reviews.models import Panel, Review, ReviewAssignment
from grants.reviews.policies import (
    can_declare_conflict,
    can_decline,
    can_manage_panels,
    can_review,
    can_see_reviews,
    can_view_assignment,
    independence_allows_revision,
    is_chair,
    is_panel_member,
    is_reviewer,
    may_see_reviewer_names,
)
from grants.reviews.states import (
    AssignmentState,
    Confidence,
    LateConflictOutcome,
    Recommendation,
    ReviewState,
)

bp = Blueprint("reviews", __name__)
admin_bp = Blueprint("panels", __name__, url_prefix="/staff/panels")

navigation.register(
    bp, navigation.NavEntry(_l("My reviews"), "reviews.workspace", is_reviewer, order=25,
                            group=navigation.GRANTS))
navigation.register(
    admin_bp, navigation.NavEntry(_l("Review panels"), "panels.overview", can_manage_panels,
                                  order=40, group=navigation.GRANTS))
# Audit entries about an application are redacted for readers conflicted with it.
audit_visibility.register(bp, redact_conflicted_entries)

PROGRESS_TITLES = {
    queries.NOT_STARTED: _l("Not started"),
    queries.DRAFT: _l("Draft"),
    queries.SUBMITTED: _l("Submitted"),
}


def _helpers():
    return {"progress_titles": PROGRESS_TITLES, "progress_of": queries.progress_of,
            "AssignmentState": AssignmentState, "ReviewState": ReviewState}


bp.context_processor(_helpers)
admin_bp.context_processor(_helpers)


def review_total(review, criteria) -> float | None:
    """A submitted review's 0–100 total against the rubric (None when it cannot be
    computed: every criterion N/A, or a criterion added after the review)."""
    specs = [scoring.CriterionSpec(id=c.id, weight=c.weight, max_score=c.max_score,
                                   allows_na=bool(c.is_na_allowed)) for c in criteria]
    rubric = {spec.id for spec in specs}
    scores = {row.criterion_id: row.score for row in review.scores
              if row.criterion_id in rubric}
    try:
        return scoring.review_total(specs, scores)
    except ValueError:
        return None


# Loading -----------------------------------------------------------------------------------

def _load_assignment(assignment_id: int) -> ReviewAssignment:
    assignment = queries.load_assignment(assignment_id)
    if assignment is None:
        abort(404)
    return assignment


def _load_panel(panel_id: int) -> Panel:
    panel = queries.load_panel(panel_id)
    if panel is None:
        abort(404)
    return panel


def _selected_id(value) -> int | None:
    """An id chosen in a form (the form has checked that it looks like one)."""
    return parse_id(value)


# The reviewer's workspace --------------------------------------------------------------------

@bp.route("/reviews")
@policy_required(is_reviewer)
def workspace():
    return render_template("grants/reviews/workspace.html",
                           items=queries.workspace(current_user),
                           chaired=queries.chaired_panels(current_user),
                           panels=queries.member_panels(current_user))


def _review_page(assignment: ReviewAssignment, form=None, decline_form=None,
                 status: int = 200):
    panel = assignment.panel
    criteria = list(panel.call.criteria)
    review = assignment.review
    editable = can_review(current_user, assignment)[0]
    if form is None and editable:
        form = review_form(criteria, data=review_form_data(review, criteria))
    if decline_form is None:
        decline_form = DeclineForm()
    scores = {row.criterion_id: row for row in review.scores} if review else {}
    return render_template(
        "grants/reviews/review.html", assignment=assignment, panel=panel,
        application=assignment.application, criteria=criteria, review=review, scores=scores,
        form=form if editable else None, decline_form=decline_form,
        may_decline=can_decline(current_user, assignment)[0],
        may_see_others=can_see_reviews(current_user, assignment.application, panel)[0],
        revision_refusal=independence_allows_revision(assignment)[1],
        total=review_total(review, criteria)
        if review and review.state == ReviewState.submitted else None,
        is_late=queries.is_late(assignment, panel),
        Recommendation=Recommendation, Confidence=Confidence), status


def review_form_data(review, criteria) -> dict:
    from grants.reviews.forms import ReviewForm
    return ReviewForm.data_of(review, criteria)


@bp.route("/reviews/<int:assignment_id>", methods=["GET", "POST"])
def review(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    require(can_view_assignment(current_user, assignment))
    if request.method == "GET":
        return _review_page(assignment)
    if (refusal := _revision_refused(assignment)) is not None:
        return refusal
    require(can_review(current_user, assignment))
    criteria = list(assignment.panel.call.criteria)
    form = review_form(criteria)
    if form.validate_on_submit():
        submit = form.is_submit
        was_submitted = assignment.review is not None and \
            assignment.review.state == ReviewState.submitted
        try:
            operations.save_review(
                assignment, current_user, scores=form.scores(), comments=form.comments(),
                overall_comment=form.overall_comment.data,
                recommendation=form.recommendation.data or None,
                confidence=form.confidence.data or None, submit=submit)
        except OperationError as error:
            form.add_operation_error(error)
        else:
            _flash_review_saved(was_submitted, submit)
            return redirect(url_for("reviews.review", assignment_id=assignment.id))
    return _review_page(assignment, form=form, status=422)


def _revision_refused(assignment):
    """The 409 page when the review cannot be changed now (a locked panel, or one whose
    reviewers may no longer revise after reading the others); None when it can."""
    if assignment.panel.is_locked:
        flash(_("The panel is locked: reviews can no longer be changed."), "error")
        return _review_page(assignment, status=409)
    allowed, reason = independence_allows_revision(assignment)
    if not allowed:
        flash(reason, "error")
        return _review_page(assignment, status=409)
    return None


def _flash_review_saved(was_submitted: bool, submit: bool) -> None:
    if was_submitted:
        flash(_("Your review is updated."), "success")
    elif submit:
        flash(_("Your review is submitted. You can now read the other reviews of "
                "this application as they come in."), "success")
    else:
        flash(_("Your draft is saved."), "success")


@bp.route("/reviews/<int:assignment_id>/decline", methods=["POST"])
def decline(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    if assignment.state == AssignmentState.declined and current_user.is_authenticated \
            and assignment.reviewer_id == current_user.id:
        # Declined by a click that came first (a double click): answered as that one was.
        flash(_("This assignment has already been declined."), "info")
        return redirect(url_for("reviews.workspace"))
    require(can_view_assignment(current_user, assignment))
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            operations.decline_assignment(assignment, current_user, form.reason.data)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("reviews.workspace"))
        except OperationError as error:
            form.add_operation_error(error)
            status = 409
        else:
            flash(_("You have declined the review of %(reference)s. The programme team will "
                    "ask someone else.", reference=assignment.application.display_reference),
                  "success")
            return redirect(url_for("reviews.workspace"))
    else:
        status = 422
    return _review_page(assignment, decline_form=form, status=status)


@bp.route("/reviews/<int:assignment_id>/attachments/<int:attachment_id>")
def attachment(assignment_id: int, attachment_id: int):
    from core.uploads.responses import send_stored_file

    assignment = _load_assignment(assignment_id)
    require(can_view_assignment(current_user, assignment))
    document = get_or_404(Attachment, attachment_id)
    if document.application_id != assignment.application_id:
        abort(404)
    return send_stored_file(document.stored_file)


@bp.route("/panels/<int:panel_id>/conflicts/new", methods=["GET", "POST"])
def declare_conflict(panel_id: int):
    panel = _load_panel(panel_id)
    require(is_panel_member(current_user, panel))
    form = _conflict_form(panel)
    allowed, reason = can_declare_conflict(current_user, panel)
    if not allowed:
        form.form_errors.append(reason)
        return render_form("grants/reviews/conflict.html", form, panel=panel,
                           status=409 if request.method == "POST" else 200, closed=True)
    if form.validate_on_submit():
        application, organisation = _chosen_conflict_targets(form, panel)
        if not (form.application_id.errors or form.organisation_id.errors):
            try:
                operations.declare_conflict(panel, current_user, reason=form.reason.data,
                                            application=application, organisation=organisation)
            except AlreadyDone as done:
                flash(str(done.message), "info")
                return redirect(url_for("reviews.workspace"))
            except OperationError as error:
                form.add_operation_error(error)
            else:
                flash(_("Your conflict of interest is recorded. You will not review, open or "
                        "see the scores of the applications concerned."), "success")
                return redirect(url_for("reviews.workspace"))
    return render_form("grants/reviews/conflict.html", form, panel=panel, closed=False)


def _conflict_form(panel) -> ConflictForm:
    """The conflict form, offering the panel's applications and their organisations."""
    applications, organisations = queries.conflict_targets(panel)
    form = ConflictForm()
    form.application_id.choices = [("", _("—"))] + [
        (str(a.id), f"{a.display_reference} · {a.title} · {a.organisation.display_name}")
        for a in applications]
    form.organisation_id.choices = [("", _("—"))] + [
        (str(o.id), o.display_name) for o in organisations]
    return form


def _chosen_conflict_targets(form: ConflictForm, panel):
    """The application (of this call) and the organisation chosen in the form; a choice
    that is not one of them gets an error on its field."""
    application = organisation = None
    if form.application_id.data:
        application = db.session.get(Application, _selected_id(form.application_id.data))
        if application is None or application.call_id != panel.call_id:
            form.application_id.errors = [_("Choose an application of this call.")]
    if form.organisation_id.data:
        organisation = db.session.get(Organisation, _selected_id(form.organisation_id.data))
        if organisation is None:
            form.organisation_id.errors = [_("Choose an organisation from the list.")]
    return application, organisation


@bp.route("/reviews/applications/<int:application_id>")
def application_reviews(application_id: int):
    application = get_or_404(Application, application_id)
    panel = queries.panel_of_call(application.call_id)
    if panel is None:
        abort(404)
    require(can_see_reviews(current_user, application, panel))
    discussion.record_colleagues_seen(current_user, panel, [application.id])
    return _application_reviews_page(application, panel)


def _review_entries(assignments, criteria) -> list[dict]:
    """One entry a reviewer of the application, numbered; the review's content only once it
    is submitted."""
    entries = []
    for number, assignment in enumerate(assignments, start=1):
        review = assignment.review
        submitted = review is not None and review.state == ReviewState.submitted
        entries.append({
            "number": number, "assignment": assignment, "review": review if submitted else None,
            "progress": queries.progress_of(assignment),
            "is_own": assignment.reviewer_id == current_user.id,
            "scores": {row.criterion_id: row for row in review.scores} if submitted else {},
            "total": review_total(review, criteria) if submitted else None,
        })
    return entries


def _application_reviews_page(application: Application, panel: Panel, *,
                              late_form: LateConflictForm | None = None,
                              late_review_id: int | None = None, status: int = 200):
    criteria = list(panel.call.criteria)
    entries = _review_entries(queries.reviews_of_application(application, panel), criteria)
    own = next((entry for entry in entries if entry["is_own"]), None)
    show_names = may_see_reviewer_names(current_user, panel)
    late, revisions, late_forms = {}, {}, {}
    if show_names:  # staff and the chair: conflicts after the review, discussion revisions
        late = {item.review_id: item for item in late_conflicts.late_conflicts(
            panel, [application.id]).get(application.id, [])}
        revisions = {revision.review_id: revision for revision in
                     discussion.discussion_revisions(panel, [application.id])
                     .get(application.id, [])}
        if can_manage_panels(current_user)[0]:
            late_forms = {review_id: (late_form if review_id == late_review_id
                                      else LateConflictForm(prefix=f"late{review_id}"))
                          for review_id in late}
    return render_template("grants/reviews/application_reviews.html", application=application,
                           panel=panel, criteria=criteria, entries=entries, own=own,
                           show_names=show_names, is_chair=is_chair(current_user, panel),
                           late=late, revisions=revisions, late_forms=late_forms,
                           LateConflictOutcome=LateConflictOutcome), status


@admin_bp.route("/<int:panel_id>/reviews/<int:review_id>/late-conflict", methods=["POST"])
@policy_required(can_manage_panels)
def resolve_late_conflict(panel_id: int, review_id: int):
    """Keep or exclude a review whose reviewer became conflicted after submitting it."""
    panel = _load_panel(panel_id)
    review = get_or_404(Review, review_id)
    if review.assignment.panel_id != panel.id:
        abort(404)
    application = review.assignment.application
    # The page shown again on bad input holds the reviews: the same rule as for reading it.
    require(can_see_reviews(current_user, application, panel))
    form = LateConflictForm(prefix=f"late{review.id}")
    if form.validate_on_submit():
        try:
            late_conflicts.resolve(panel, review, current_user, outcome=form.outcome.data,
                                   reason=form.reason.data)
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("Your decision on the review is recorded."), "success")
            return redirect(url_for("reviews.application_reviews",
                                    application_id=application.id))
    return _application_reviews_page(application, panel, late_form=form,
                                     late_review_id=review.id, status=422)


# The staff pages of panels are in ``panel_views``; importing it registers them on admin_bp.
from grants.reviews import panel_views  # noqa: E402,F401
