"""The ranking page and decisions, feedback to applicants, locking, progress and the scores
workbook of a review panel."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from accounts.policies import is_staff
from core.access import require
from core.errors import OperationError
from core.extensions import db
from core.forms import BaseForm, render_form
from core.loading import get_or_404
from core.locking import AlreadyDone
from core.money import fixed_formatter, format_fixed
from grants.applications.models import Application
from grants.ranking import operations, queries
from grants.ranking.forms import DecisionForm, FeedbackForm
from grants.ranking.policies import (
    can_choose_feedback,
    can_decide,
    can_export_scores,
    can_lock,
    can_see_agreement,
    can_see_scores_of,
    can_unlock,
    can_view_progress,
    can_view_ranking,
)
from grants.reviews import discussion
from grants.reviews.models import Panel
from grants.reviews.policies import can_run_discussion
from grants.reviews.states import Outcome, Recommendation

bp = Blueprint("ranking", __name__, url_prefix="/staff/panels")


def _load(panel_id: int) -> Panel:
    panel = queries.load_panel(panel_id)
    if panel is None:
        abort(404)
    return panel


def _load_application(panel: Panel, application_id: int) -> Application:
    application = get_or_404(Application, application_id)
    if application.call_id != panel.call_id:
        abort(404)
    return application


def number(value, places: int = 1) -> str:
    """A score for display, in the reader's language; a dash when there is none."""
    return "—" if value is None else format_fixed(value, places)


def _numbers():
    """:func:`number` for a page of hundreds of scores: the locale looked up once."""
    fixed = fixed_formatter()
    return lambda value, places=1: "—" if value is None else fixed(value, places)


def _method_from_args() -> str:
    method = request.args.get("method", queries.RAW)
    if method not in queries.METHODS:
        abort(400)
    return method


def _ranking_url(panel: Panel, method: str = queries.RAW, page: int = 1) -> str:
    args = {} if method == queries.RAW else {"method": method}
    if page > 1:
        args["page"] = page
    return url_for("ranking.ranking", panel_id=panel.id, **args)


_PAGE = re.compile(r"[0-9]{1,6}")


def _page_number() -> int:
    """The page of the ranking asked for (a decision form carries it too); bad input is the
    first page rather than an error, as the page shown is only a view of the ranking."""
    raw = request.values.get("page", "")
    return int(raw) if _PAGE.fullmatch(raw) else 1


def _ranking_page(panel: Panel, method: str, form: DecisionForm, status: int | None = None):
    ranking = queries.build_ranking(panel, current_user, method, page=_page_number())
    # Reading the ranking is reading the colleagues' scores (the chair may review too): its
    # order tells of every row, not only of the page's.
    discussion.record_colleagues_seen(current_user, panel, queries.ranked_ids(
        panel.call, excluding={row.application_id for row in ranking.conflicted_rows}))
    shown = [row.application_id for row in ranking.rows[ranking.page.start:ranking.page.end]]
    return render_form(
        "grants/ranking/ranking.html", form, status=status, panel=panel, ranking=ranking,
        page=ranking.page, methods=queries.METHODS,
        Recommendation=Recommendation, Outcome=Outcome,
        can_decide=can_decide(current_user, panel)[0],
        show_agreement=can_see_agreement(current_user, panel)[0],
        can_lock=can_lock(current_user, panel)[0], can_unlock=can_unlock(current_user, panel)[0],
        can_export=can_export_scores(current_user, panel)[0],
        selected=set(form.application_ids.data or []), action_form=BaseForm(),
        number=_numbers(),
        late=ranking.late, revisions=discussion.discussion_revisions(panel, shown),
        can_run_discussion=can_run_discussion(current_user, panel)[0])


# Ranking and decisions ---------------------------------------------------------------------

@bp.route("/<int:panel_id>/ranking")
def ranking(panel_id: int):
    panel = _load(panel_id)
    require(can_view_ranking(current_user, panel))
    method = _method_from_args()
    return _ranking_page(panel, method, DecisionForm(method=method))


@bp.route("/<int:panel_id>/decisions", methods=["POST"])
def decide(panel_id: int):
    panel = _load(panel_id)
    require(can_decide(current_user, panel))
    form = DecisionForm()
    method = form.method.data if form.method.data in queries.METHODS else queries.RAW
    if form.validate_on_submit():
        ids = set(form.application_ids.data)
        applications = list(db.session.scalars(
            select(Application).where(Application.id.in_(ids)).order_by(Application.id)))
        try:
            if len(applications) != len(ids):
                raise OperationError(_("One of the ticked applications no longer exists. "
                                       "Reload the page."), field="application_ids")
            operations.decide(panel, applications, Outcome(form.outcome.data), current_user,
                              rationale=form.rationale.data, method=method,
                              amount=form.amount.data, amount_reason=form.amount_reason.data)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(_ranking_url(panel, method, _page_number()))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            outcome = Outcome(form.outcome.data)
            flash(ngettext("%(num)d decision recorded (%(outcome)s); the applicant has been "
                           "told.",
                           "%(num)d decisions recorded (%(outcome)s); the applicants have "
                           "been told.", len(applications), outcome=outcome.title), "success")
            return redirect(_ranking_url(panel, method, _page_number()))
    return _ranking_page(panel, method, form, status=422)


# Feedback ----------------------------------------------------------------------------------

@bp.route("/<int:panel_id>/applications/<int:application_id>/feedback",
          methods=["GET", "POST"])
def feedback(panel_id: int, application_id: int):
    panel = _load(panel_id)
    application = _load_application(panel, application_id)
    require(can_choose_feedback(current_user, panel))
    require(can_see_scores_of(current_user, panel, application))
    reviews = queries.feedback_reviews(panel, application)
    discussion.record_colleagues_seen(current_user, panel, [application.id])
    form = FeedbackForm()
    if request.method == "GET":
        form.shared.data = [review.id for review in reviews if review.is_shared_with_applicant]
    elif form.validate_on_submit():
        saved = True
        try:
            operations.choose_feedback(panel, application, current_user,
                                       shared_review_ids=form.shared.data or [])
        except AlreadyDone:
            pass  # the same choice saved by a click that came first: answered alike
        except OperationError as error:
            form.add_operation_error(error)
            saved = False
        if saved:
            flash(_("The feedback for %(reference)s is saved.",
                    reference=application.display_reference), "success")
            return redirect(url_for("ranking.feedback", panel_id=panel.id,
                                    application_id=application.id))
    return _render_feedback(form, panel, application, reviews)


def _render_feedback(form: FeedbackForm, panel, application, reviews):
    """The feedback page, its preview showing the comments chosen in the form."""
    shared = set(form.shared.data or [])
    preview = operations.feedback_note("", [review.overall_comment.strip() for review in reviews
                                            if review.id in shared
                                            and (review.overall_comment or "").strip()])
    decision = queries.decisions_for([application.id]).get(application.id)
    return render_form("grants/ranking/feedback.html", form, panel=panel,
                       application=application, reviews=reviews, shared=shared,
                       preview=preview, decision=decision, show_names=is_staff(current_user),
                       totals=queries.review_totals(panel, reviews), number=number)


# Locking -----------------------------------------------------------------------------------

def _lock_action(panel_id: int, policy, operation, message: str):
    panel = _load(panel_id)
    require(policy(current_user, panel))
    if not BaseForm().validate_on_submit():
        abort(400)
    try:
        operation(panel, current_user)
    except AlreadyDone as done:
        flash(str(done.message), "info")
        return redirect(_ranking_url(panel))
    except OperationError as error:
        flash(str(error.message), "error")
        return redirect(_ranking_url(panel)), 303
    flash(message, "success")
    return redirect(_ranking_url(panel))


@bp.route("/<int:panel_id>/lock", methods=["POST"])
def lock(panel_id: int):
    return _lock_action(panel_id, can_lock, operations.lock_panel,
                        _("The panel is locked: its reviews and decisions are frozen."))


@bp.route("/<int:panel_id>/unlock", methods=["POST"])
def unlock(panel_id: int):
    return _lock_action(panel_id, can_unlock, operations.unlock_panel,
                        _("The panel is unlocked: reviews and decisions can change again."))


@bp.route("/<int:panel_id>/discussion/open", methods=["POST"])
def open_discussion(panel_id: int):
    return _lock_action(panel_id, can_run_discussion, discussion.open_discussion,
                        _("The discussion is open: reviewers may revise reviews they wrote "
                          "before reading their colleagues'."))


@bp.route("/<int:panel_id>/discussion/close", methods=["POST"])
def close_discussion(panel_id: int):
    return _lock_action(panel_id, can_run_discussion, discussion.close_discussion,
                        _("The discussion is closed: reviews read against colleagues' can no "
                          "longer be revised."))


# Progress and export -----------------------------------------------------------------------

@bp.route("/<int:panel_id>/progress")
def progress(panel_id: int):
    panel = _load(panel_id)
    require(can_view_progress(current_user, panel))
    rows = queries.progress(panel)
    return render_template("grants/ranking/progress.html", panel=panel, rows=rows,
                           is_past_due=queries.is_past_due(panel),
                           totals={key: sum(getattr(row, key) for row in rows)
                                   for key in ("assigned", "submitted", "late", "declined")})


@bp.route("/<int:panel_id>/scores.xlsx")
def export(panel_id: int):
    from core.spreadsheets import send_workbook
    from grants.ranking.exports import export_filename, scores_workbook

    panel = _load(panel_id)
    require(can_export_scores(current_user, panel))
    return send_workbook(scores_workbook(panel), export_filename(panel))
