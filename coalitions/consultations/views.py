"""Consultations' public pages: the consultation, its proposals (filtered, sorted, paged),
each proposal with its comments, the plan's draft commitments and "What we heard". Taking
part is in ``participation_views.py``, the staff's pages in ``staff_views.py``."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user

from accounts.organisations.states import Sector
from coalitions.consultations import queries
from coalitions.consultations.forms import CommentForm, ReasonForm
from coalitions.consultations.models import Consultation, Proposal, subject_key
from coalitions.consultations.policies import (
    can_browse,
    can_manage,
    can_moderate,
    can_report,
    can_respond,
    can_take_part,
    can_view_summary,
)
from coalitions.consultations.states import SORTS_TITLES, phase_at, status_titles
from coalitions.plans.models import Commitment
from core import freshness, navigation
from core.access import policy_required, require
from core.conditional import conditional_page, page_etag
from core.extensions import limiter
from core.loading import get_or_404
from core.params import arg_choice
from core.timeutil import utcnow
from grants.calls.queries import area_titles

bp = Blueprint("consultations", __name__)

navigation.register(
    bp, navigation.NavEntry(_l("Consultations"), "consultations.public_list", can_browse,
                            order=13, group=navigation.COALITIONS))

MAX_FILTER = 200


def _participation_rate_limit() -> str:
    return current_app.config["CONSULTATION_RATE_LIMIT"]


def _participant_key() -> str:
    """Per account when signed in (a flood from one account), else per address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


#: Proposals, comments, supports and reports, all together, per account.
limit_participation = limiter.shared_limit(_participation_rate_limit, scope="consultations",
                                           key_func=_participant_key, methods=["POST"])


@bp.app_context_processor
def _consultation_helpers():
    return {"consultations_of_plan": queries.consultations_of_plan}


@bp.context_processor
def _page_helpers():
    return {"phase_at": phase_at, "now": utcnow(), "may_manage": can_manage(current_user)[0],
            "may_moderate": can_moderate(current_user)[0],
            "may_respond": can_respond(current_user)[0], "subject_key": subject_key,
            "may_report": can_report(current_user)[0],
            "sector_title": lambda value: Sector(value).title}


def _etag(*parts):
    """The consultations' and the plans' data versions, and what else the page shows."""
    return page_etag(freshness.current_version(queries.CHANNEL),
                     freshness.current_version(freshness.PLANS), *parts)


def _phase(consultation: Consultation) -> str:
    return phase_at(consultation, utcnow()).value


def load_consultation(consultation_id: int) -> Consultation:
    consultation = get_or_404(Consultation, consultation_id)
    if not consultation.plan.is_public and not can_manage(current_user)[0]:
        abort(404)
    return consultation


def load_proposal(proposal_id: int) -> Proposal:
    proposal = get_or_404(Proposal, proposal_id)
    load_consultation(proposal.consultation_id)
    return proposal


def load_commitment(consultation: Consultation, commitment_id: int) -> Commitment:
    commitment = get_or_404(Commitment, commitment_id)
    if commitment.plan_id != consultation.plan_id:
        abort(404)
    return commitment


@bp.route("/consultations")
@policy_required(can_browse)
def public_list():
    return conditional_page(lambda: _etag(utcnow().strftime("%Y-%m-%dT%H")),
                            lambda: render_template("coalitions/consultations/list.html",
                                                    consultations=queries.consultations()))


@bp.route("/consultations/<int:consultation_id>")
def consultation(consultation_id: int):
    item = load_consultation(consultation_id)
    return conditional_page(lambda: _etag(_phase(item)), lambda: render_template(
        "coalitions/consultations/consultation.html", consultation=item,
        numbers=queries.numbers(item).for_reader(current_user),
        commitments=queries.draft_commitments(item), taking_part=can_take_part(
            current_user, item), summary_visible=can_view_summary(current_user, item)[0]))


def _filter(name: str) -> str:
    value = request.args.get(name, "").strip()
    if len(value) > MAX_FILTER or any(ord(ch) < 32 for ch in value):
        abort(400)
    return value


@bp.route("/consultations/<int:consultation_id>/proposals")
def proposals(consultation_id: int):
    item = load_consultation(consultation_id)
    sort = arg_choice("sort", SORTS_TITLES) or "support"
    status = arg_choice("status", status_titles()) or ""
    area, institution = _filter("area"), _filter("institution")

    def build():
        page = queries.proposals_page(item, area=area, institution=institution,
                                      status=status, sort=sort)
        areas, institutions = queries.filter_choices(item)
        return render_template("coalitions/consultations/proposals.html", consultation=item,
                               page=page, sort=sort, status=status, area=area,
                               institution=institution, areas=areas,
                               area_titles=area_titles(areas),
                               institutions=institutions, statuses=status_titles(),
                               sorts=SORTS_TITLES)

    return conditional_page(lambda: _etag(_phase(item)), build)


def proposal_page(proposal: Proposal, comment_form: CommentForm | None = None,
                  status: int = 200):
    consultation = proposal.consultation
    comments = queries.comments_on(proposal_id=proposal.id)
    subjects = [subject_key("proposal", proposal.id)] + [
        subject_key("comment", c.id) for c, _name in comments]
    return render_template(
        "coalitions/consultations/proposal.html", consultation=consultation, proposal=proposal,
        area_titles=area_titles([proposal.thematic_area]), comments=comments,
        comment_form=comment_form or CommentForm(),
        reason_form=ReasonForm(), first_time=_first_time(),
        supports=queries.supports_of(consultation.id, subjects[0]),
        supported=queries.has_supported(current_user, consultation.id, subjects[0]),
        reported=queries.reports_by(current_user, subjects),
        taking_part=can_take_part(current_user, consultation)), status


def _first_time() -> bool:
    return current_user.is_authenticated and not queries.has_profile(current_user)


@bp.route("/consultations/proposals/<int:proposal_id>")
def proposal(proposal_id: int):
    item = load_proposal(proposal_id)
    return conditional_page(lambda: _etag(_phase(item.consultation)),
                            lambda: proposal_page(item))


def commitment_page(consultation: Consultation, commitment: Commitment,
                    comment_form: CommentForm | None = None, status: int = 200):
    subject = subject_key("commitment", commitment.id)
    comments = queries.comments_on(commitment_id=commitment.id,
                                   consultation_id=consultation.id)
    return render_template(
        "coalitions/consultations/commitment.html", consultation=consultation,
        commitment=commitment, comments=comments, first_time=_first_time(),
        comment_form=comment_form or CommentForm(), reason_form=ReasonForm(),
        supports=queries.supports_of(consultation.id, subject),
        supported=queries.has_supported(current_user, consultation.id, subject),
        reported=queries.reports_by(current_user, [subject_key("comment", c.id)
                                                   for c, _name in comments]),
        taking_part=can_take_part(current_user, consultation)), status


@bp.route("/consultations/<int:consultation_id>/commitments/<int:commitment_id>")
def commitment(consultation_id: int, commitment_id: int):
    item = load_consultation(consultation_id)
    commitment_item = load_commitment(item, commitment_id)
    return conditional_page(lambda: _etag(_phase(item)),
                            lambda: commitment_page(item, commitment_item))


@bp.route("/consultations/<int:consultation_id>/what-we-heard")
def what_we_heard(consultation_id: int):
    item = load_consultation(consultation_id)
    require(can_view_summary(current_user, item))

    def build():
        groups = queries.responses(item)
        return render_template(
            "coalitions/consultations/what_we_heard.html", consultation=item, groups=groups,
            numbers=queries.numbers(item).for_reader(current_user), statuses=status_titles(),
            unanswered=len(groups[queries.AWAITING]))

    return conditional_page(lambda: _etag(_phase(item)), build)

