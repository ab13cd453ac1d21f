"""The multi-stakeholder forum: its public page (members by sector, rules, meetings), the
meetings' pages, the repository of the co-creation process's documents, and the staff pages
that write them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.organisations.queries import organisation_choices
from coalitions.forum import operations, queries
from coalitions.forum.forms import (
    ConfirmForm,
    DocumentForm,
    DocumentTranslationForm,
    EndMemberForm,
    ForumForm,
    ForumTranslationForm,
    MeetingForm,
    MeetingTranslationForm,
    MemberForm,
)
from coalitions.forum.models import ForumMember, Meeting, RepositoryDocument
from coalitions.forum.policies import can_browse, can_manage, can_view_meeting
from core import freshness, navigation
from core.access import policy_required, require
from core.conditional import conditional_page, page_etag
from core.documents import DocumentKind
from core.errors import OperationError
from core.forms import render_form
from core.loading import get_or_404
from core.locking import AlreadyDone
from core.params import arg_choice, arg_int, page_number
from core.timeutil import programme_today
from core.translations import form_in_languages, other_languages
from core.uploads.responses import send_stored_file

bp = Blueprint("forum", __name__)
SEARCH_MAX = 200

navigation.register(
    bp,
    navigation.NavEntry(_l("Forum"), "forum.public_forum", can_browse, order=13,
                        group=navigation.COALITIONS),
    navigation.NavEntry(_l("Co-creation documents"), "forum.repository", can_browse,
                        order=14, group=navigation.COALITIONS))


def _forum_etag():
    """The forum's data version and the day (the six-month warning counts from it)."""
    return page_etag(freshness.current_version(freshness.FORUM), programme_today())


def _saved(changes) -> None:
    flash(_("The changes are saved.") if changes else _("Nothing was changed."), "success")


# Public pages ------------------------------------------------------------------------------

@bp.route("/forum")
@policy_required(can_browse)
def public_forum():
    return conditional_page(_forum_etag, _forum_page)


def _forum_page():
    forum = queries.forum()
    may_manage = can_manage(current_user)[0]
    groups = queries.members_by_sector(forum)
    return render_template(
        "coalitions/forum/forum.html", forum=forum, groups=groups, may_manage=may_manage,
        member_count=sum(len(group.members) for group in groups),
        meetings=queries.meetings(forum, include_unpublished=may_manage),
        past_members=queries.past_members(forum) if may_manage else [],
        gap=queries.meeting_gap(programme_today()) if may_manage else None,
        end_form=EndMemberForm(formdata=None) if may_manage else None)


@bp.route("/forum/meetings/<int:meeting_id>")
def public_meeting(meeting_id: int):
    meeting = get_or_404(Meeting, meeting_id)
    if not can_view_meeting(current_user, meeting)[0]:
        abort(404)  # a meeting not yet published is not revealed
    return conditional_page(_forum_etag, lambda: render_template(
        "coalitions/forum/meeting.html", meeting=meeting,
        attendees=queries.meeting_attendees(meeting), may_manage=can_manage(current_user)[0]))


def _repository_etag():
    return page_etag(*[freshness.current_version(channel)
                       for channel in queries.repository_channels()])


@bp.route("/forum/documents")
@policy_required(can_browse)
def repository():
    search = " ".join(request.args.get("q", "").split())[:SEARCH_MAX]
    kind = arg_choice("kind", DocumentKind.__members__)
    year = arg_int("year", minimum=1900, maximum=2999)
    page = page_number()
    return conditional_page(_repository_etag, lambda: render_template(
        "coalitions/forum/repository.html", search=search, kind=kind, year=year,
        page=queries.search_documents(search=search, kind=kind, year=year, page=page),
        years=queries.document_years(), kinds=list(DocumentKind),
        may_manage=can_manage(current_user)[0], remove_form=ConfirmForm(formdata=None)))


@bp.route("/forum/documents/<int:document_id>/file")
@policy_required(can_browse)
def document_file(document_id: int):
    document = get_or_404(RepositoryDocument, document_id)
    if document.file is None:
        abort(404)
    return conditional_page(lambda: page_etag(document.file.sha256),
                            lambda: send_stored_file(document.file))


# The forum and its members -----------------------------------------------------------------

@bp.route("/staff/forum/edit", methods=["GET", "POST"])
@policy_required(can_manage)
def edit_forum():
    forum = queries.forum()
    data = ({"coalition_ids": [str(c.id) for c in forum.coalitions]} if forum
            else {"name": operations.DEFAULT_NAME})
    form = form_in_languages(ForumForm, ForumTranslationForm, obj=forum, translated=forum,
                             data=data, coalitions=queries.coalition_choices())
    if form.validate_on_submit():
        try:
            changes = operations.update_forum(current_user, **form.forum_fields())
        except OperationError as error:
            form.add_operation_error(error)
        else:
            _saved(changes)
            return redirect(url_for("forum.public_forum"))
    return render_form("coalitions/forum/forum_form.html", form)


@bp.route("/staff/forum/members/new", methods=["GET", "POST"])
@policy_required(can_manage)
def new_member():
    form = MemberForm(organisations=organisation_choices())
    if form.validate_on_submit():
        try:
            member = operations.add_member(current_user, **form.member_fields())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("forum.public_forum"))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("%(name)s is a member of the forum.", name=member.organisation.name),
                  "success")
            return redirect(url_for("forum.public_forum"))
    return render_form("coalitions/forum/member_form.html", form)


@bp.route("/staff/forum/members/<int:member_id>/end", methods=["POST"])
def end_member(member_id: int):
    member = get_or_404(ForumMember, member_id)
    require(can_manage(current_user))
    form = EndMemberForm()
    if form.validate_on_submit():
        try:
            operations.end_membership(member, current_user, left_on=form.left_on.data)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("forum.public_forum"))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The membership has ended."), "success")
            return redirect(url_for("forum.public_forum"))
    return render_form("coalitions/forum/end_member.html", form, member=member)


# Meetings ----------------------------------------------------------------------------------

def _meeting_form(meeting: Meeting | None = None, **kwargs) -> MeetingForm:
    if meeting is not None:
        data = {**MeetingForm.data_of(meeting),
                **MeetingForm.translated_data(meeting, other_languages())}
        kwargs["data"] = data
    return form_in_languages(MeetingForm, MeetingTranslationForm,
                             members=queries.member_choices(queries.forum(), meeting), **kwargs)


def _save_meeting(form, meeting: Meeting | None):
    """Create or change the meeting, then its decisions: ``(meeting, changed)``."""
    if meeting is None:
        meeting, changes = operations.create_meeting(current_user, **form.meeting_fields()), 1
    else:
        changes = operations.update_meeting(meeting, current_user, **form.meeting_fields())
    decided = operations.set_decisions(meeting, current_user, **form.decision_fields())
    return meeting, bool(changes) or decided


@bp.route("/staff/forum/meetings/new", methods=["GET", "POST"])
@policy_required(can_manage)
def new_meeting():
    return _meeting_page(None)


@bp.route("/staff/forum/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id: int):
    meeting = get_or_404(Meeting, meeting_id)
    require(can_manage(current_user))
    return _meeting_page(meeting)


def _meeting_page(meeting: Meeting | None):
    form = _meeting_form(meeting)
    if form.validate_on_submit():
        try:
            saved, changed = _save_meeting(form, meeting)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("forum.public_meeting", meeting_id=done.existing.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            _saved(changed)
            return redirect(url_for("forum.public_meeting", meeting_id=saved.id))
    return render_form("coalitions/forum/meeting_form.html", form, meeting=meeting)


# The repository ----------------------------------------------------------------------------

@bp.route("/staff/forum/documents/new", methods=["GET", "POST"])
@policy_required(can_manage)
def new_document():
    form = form_in_languages(DocumentForm, DocumentTranslationForm)
    if form.validate_on_submit():
        try:
            operations.add_document(current_user, **form.document_fields())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("forum.repository"))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The document is added to the repository."), "success")
            return redirect(url_for("forum.repository"))
    return render_form("coalitions/forum/document_form.html", form)


@bp.route("/staff/forum/documents/<int:document_id>/remove", methods=["POST"])
def remove_document(document_id: int):
    document = get_or_404(RepositoryDocument, document_id)
    require(can_manage(current_user))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        operations.remove_document(document, current_user)
    except AlreadyDone as done:
        flash(str(done.message), "info")
    else:
        flash(_("The document is removed from the repository."), "success")
    return redirect(url_for("forum.repository"))
