"""The organisations directory: staff browse and merge; owners keep their organisation up to
date and manage its members."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.organisations import merging, operations, queries
from accounts.organisations.forms import (
    MERGE_FIELD_LABELS,
    InviteMemberForm,
    MergeForm,
    OrganisationForm,
    country_codes,
    country_name,
    sort_key,
)
from accounts.organisations.merging import MemberChoice
from accounts.organisations.models import (
    SECTOR_TITLES,
    MemberRole,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Sector,
)
from accounts.organisations.policies import (
    can_answer_invitation,
    can_create,
    can_edit,
    can_list_directory,
    can_manage_members,
    can_merge,
    can_verify,
    can_view,
)
from accounts.policies import is_signed_in
from core import navigation
from core.access import policy_required, require
from core.errors import OperationError
from core.extensions import db
from core.forms import BaseForm, render_form
from core.loading import get_or_404
from core.locking import AlreadyDone
from core.params import arg_id

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

PER_PAGE = 25
MAX_SEARCH = 100


navigation.register(
    bp,
    navigation.NavEntry(_l("My organisations"), "organisations.mine", is_signed_in, order=20,
                        group=navigation.ACCOUNT),
    navigation.NavEntry(_l("Organisations"), "organisations.directory", can_list_directory,
                        order=60, group=navigation.ADMINISTRATION),
)


@bp.context_processor
def _organisation_helpers():
    return {"country_name": country_name, "sector_titles": SECTOR_TITLES}


def _load(organisation_id: int) -> Organisation:
    return get_or_404(Organisation, organisation_id)


def _load_member(org: Organisation, member_id: int) -> OrganisationMember:
    member = get_or_404(OrganisationMember, member_id)
    if member.organisation_id != org.id:
        abort(404)
    return member


def _clean_search(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_SEARCH or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        abort(400)
    return value


# Directory ---------------------------------------------------------------------------------

@bp.route("")
@policy_required(can_list_directory)
def directory():
    args = request.args
    search = _clean_search(args.get("q", ""))
    sector_arg = args.get("sector", "")
    if sector_arg and sector_arg not in Sector.__members__:
        abort(400)
    sector = Sector(sector_arg) if sector_arg else None
    verified_arg = args.get("verified", "")
    if verified_arg not in ("", "1", "0"):
        abort(400)
    verified = None if verified_arg == "" else verified_arg == "1"
    country = args.get("country", "").strip().upper()
    if country and country not in country_codes():
        abort(400)
    page = db.paginate(
        queries.directory_query(search=search, sector=sector, verified=verified,
                                country=country or None),
        per_page=PER_PAGE, max_per_page=PER_PAGE)
    counts = queries.sector_counts(search=search, verified=verified, country=country or None)
    countries = sorted(set(queries.directory_countries()) | ({country} if country else set()),
                       key=lambda code: sort_key(country_name(code)))
    return render_template(
        "accounts/organisations/directory.html", page=page, search=search, sector=sector,
        verified=verified_arg, country=country, counts=counts, sectors=list(Sector),
        countries=countries, total=sum(counts.values()))


@bp.route("/mine")
@policy_required(is_signed_in)
def mine():
    return render_template("accounts/organisations/mine.html",
                           memberships=queries.organisations_of(current_user),
                           invitations=queries.invitations_for(current_user),
                           action_form=BaseForm(),
                           may_create=can_create(current_user)[0])


# One organisation --------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@policy_required(can_create)
def create():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = operations.create_organisation(current_user, **form.organisation_fields())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("organisations.detail", organisation_id=done.existing.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("%(name)s is added to the directory.", name=org.name), "success")
            return redirect(url_for("organisations.detail", organisation_id=org.id))
    return render_form("accounts/organisations/form.html", form, organisation=None)


def _render_detail(org: Organisation, status: int = 200, error: str | None = None):
    show_duplicates = can_merge(current_user)[0]
    may_manage_members = can_manage_members(current_user, org)[0]
    return render_template(
        "accounts/organisations/detail.html", organisation=org,
        members=queries.members_of(org),
        duplicates=queries.likely_duplicates(org) if show_duplicates else [],
        may_edit=can_edit(current_user, org)[0],
        may_verify=can_verify(current_user)[0],
        may_manage_members=may_manage_members,
        invitations=queries.open_invitations(org) if may_manage_members else [],
        may_merge=show_duplicates,
        action_form=BaseForm(), error=error,
    ), status


@bp.route("/<int:organisation_id>")
def detail(organisation_id: int):
    org = _load(organisation_id)
    require(can_view(current_user, org))
    return _render_detail(org)


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
def edit(organisation_id: int):
    org = _load(organisation_id)
    require(can_edit(current_user, org))
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        try:
            changes = operations.update_organisation(org, current_user,
                                                     **form.organisation_fields())
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The changes are saved.") if changes else _("Nothing was changed."),
                  "success")
            return redirect(url_for("organisations.detail", organisation_id=org.id))
    return render_form("accounts/organisations/form.html", form, organisation=org)


@bp.route("/<int:organisation_id>/verify", methods=["POST"])
def verify(organisation_id: int):
    org = _load(organisation_id)
    require(can_verify(current_user))
    value = request.form.get("verified", "")
    if value not in ("1", "0"):
        abort(400)
    operations.set_verified(org, current_user, value == "1")
    flash(_("The organisation is marked as verified.") if value == "1"
          else _("The organisation is no longer marked as verified."), "success")
    return redirect(url_for("organisations.detail", organisation_id=org.id))


# Members -----------------------------------------------------------------------------------

@bp.route("/<int:organisation_id>/members/invite", methods=["GET", "POST"])
def invite_member(organisation_id: int):
    org = _load(organisation_id)
    require(can_manage_members(current_user, org))
    form = InviteMemberForm()
    if form.validate_on_submit():
        try:
            invitation = operations.invite_member(
                org, current_user, email=form.email.data, name=form.name.data,
                role=MemberRole(form.role.data))
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("organisations.detail", organisation_id=org.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            # One message whatever the address's account: it must not tell who has one.
            flash(_("An invitation has been sent to %(email)s. They join the organisation "
                    "when they accept it.", email=invitation.email), "success")
            return redirect(url_for("organisations.detail", organisation_id=org.id))
    return render_form("accounts/organisations/invite.html", form, organisation=org)


def _load_invitation(invitation_id: int) -> OrganisationInvitation:
    return get_or_404(OrganisationInvitation, invitation_id)


@bp.route("/<int:organisation_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
def revoke_invitation(organisation_id: int, invitation_id: int):
    org = _load(organisation_id)
    require(can_manage_members(current_user, org))
    invitation = _load_invitation(invitation_id)
    if invitation.organisation_id != org.id:
        abort(404)
    try:
        operations.revoke_invitation(org, invitation, current_user)
    except AlreadyDone:
        pass  # withdrawn by a click that came first (a double click): answered alike
    except OperationError as error:
        return _render_detail(org, status=409, error=error.message)
    flash(_("The invitation is withdrawn."), "success")
    return redirect(url_for("organisations.detail", organisation_id=org.id))


@bp.route("/invitations/<int:invitation_id>")
def invitation(invitation_id: int):
    """Where the emailed link leads: the invited person, signed in, accepts or declines."""
    invitation = _load_invitation(invitation_id)
    require(can_answer_invitation(current_user, invitation))
    if not invitation.is_open():
        return render_template("accounts/link_problem.html", message=_(
            "This invitation has expired or has been withdrawn.")), 410
    return render_template("accounts/organisations/invitation.html", invitation=invitation,
                           action_form=BaseForm())


@bp.route("/invitations/<int:invitation_id>/accept", methods=["POST"])
def accept_invitation(invitation_id: int):
    invitation = _load_invitation(invitation_id)
    require(can_answer_invitation(current_user, invitation))
    try:
        operations.accept_invitation(invitation, current_user)
    except AlreadyDone:
        pass  # accepted by a click that came first (a double click): answered alike
    except OperationError as error:
        return render_template("accounts/link_problem.html", message=error.message), 409
    flash(_("You have joined %(organisation)s.",
            organisation=invitation.organisation.display_name), "success")
    return redirect(url_for("organisations.detail", organisation_id=invitation.organisation_id))


@bp.route("/invitations/<int:invitation_id>/decline", methods=["POST"])
def decline_invitation(invitation_id: int):
    invitation = _load_invitation(invitation_id)
    require(can_answer_invitation(current_user, invitation))
    try:
        operations.decline_invitation(invitation, current_user)
    except AlreadyDone:
        pass  # declined by a click that came first (a double click): answered alike
    except OperationError as error:
        return render_template("accounts/link_problem.html", message=error.message), 409
    flash(_("You have declined the invitation."), "success")
    return redirect(url_for("organisations.mine"))


@bp.route("/<int:organisation_id>/members/<int:member_id>/remove", methods=["POST"])
def remove_member(organisation_id: int, member_id: int):
    org = _load(organisation_id)
    require(can_manage_members(current_user, org))
    if db.session.get(OrganisationMember, member_id) is None:
        # Removed by a click that came first (a double click): answered as that one was.
        flash(_("The member is removed."), "success")
        return redirect(url_for("organisations.detail", organisation_id=org.id))
    member = _load_member(org, member_id)
    removing_self = member.user_id == current_user.id
    try:
        operations.remove_member(org, current_user, member)
    except AlreadyDone:
        pass  # removed by a click that came first: answered alike
    except OperationError as error:
        # Nothing changed: answer 409 so the transaction is rolled back.
        return _render_detail(org, status=409, error=error.message)
    flash(_("The member is removed."), "success")
    if removing_self and not can_view(current_user, org)[0]:
        return redirect(url_for("organisations.mine"))
    return redirect(url_for("organisations.detail", organisation_id=org.id))


# Merging -----------------------------------------------------------------------------------

@bp.route("/<int:organisation_id>/merge", methods=["GET", "POST"])
def merge(organisation_id: int):
    kept = _load(organisation_id)
    require(can_merge(current_user))
    form = MergeForm()
    if request.method == "GET":
        form.duplicate_id.data = arg_id("duplicate")
    duplicate = None
    if form.validate_on_submit():
        duplicate = db.session.get(Organisation, form.duplicate_id.data)
        try:
            members = _merge(kept, duplicate, form)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("organisations.detail", organisation_id=kept.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            if members is not None:
                flash(_("The duplicate is merged into %(name)s.", name=kept.name), "success")
                return redirect(url_for("organisations.detail", organisation_id=kept.id))
    elif form.duplicate_id.data and not form.duplicate_id.errors:
        duplicate = db.session.get(Organisation, form.duplicate_id.data)
    if duplicate is not None and duplicate.id == kept.id:
        duplicate = None
    return _render_merge(form, kept, duplicate)


def _merge(kept: Organisation, duplicate: Organisation | None, form: MergeForm):
    """Merge the form's duplicate into ``kept``; the members' choices the form gives, or
    None while they are still to be chosen (nothing is merged then)."""
    if duplicate is None and merging.merged_into(form.duplicate_id.data, kept):
        raise AlreadyDone(merging.ALREADY_MERGED)
    if duplicate is None:
        raise OperationError(_l("No organisation has this number."), field="duplicate_id")
    members = form.member_choices([member.user_id for member in duplicate.members])
    if members is not None:
        merging.merge_organisations(kept, duplicate, current_user, members=members,
                                    take=form.take.data)
    return members


def _render_merge(form: MergeForm, kept: Organisation, duplicate: Organisation | None):
    return render_form("accounts/organisations/merge.html", form, organisation=kept,
                       duplicate=duplicate, candidates=queries.likely_duplicates(kept),
                       field_labels=MERGE_FIELD_LABELS, member_choices=list(MemberChoice),
                       kept_members=queries.members_of(kept),
                       duplicate_members=queries.members_of(duplicate) if duplicate else [])
