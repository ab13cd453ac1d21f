from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from accounts import operations, queries
from accounts.forms import (
    ChangePasswordForm,
    EmailOnlyForm,
    InviteUserForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    RolesForm,
    SetPasswordForm,
)
from accounts.models import Role, User
from accounts.policies import can_disable, can_manage_users, is_signed_in
from core import navigation
from core.access import policy_required, require
from core.conditional import conditional_form
from core.errors import OperationError
from core.extensions import db, limiter, login_manager
from core.forms import BaseForm, render_form
from core.loading import get_or_404
from core.locking import AlreadyDone
from core.security import is_safe_redirect

bp = Blueprint("accounts", __name__)
admin_bp = Blueprint("users_admin", __name__, url_prefix="/admin/users")

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please sign in to see that page.")
login_manager.login_message_category = "info"


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Sessions store ``<id>:<session version>``; an older version has been revoked."""
    user_id, _sep, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_enabled or user.session_version != int(version):
        return None
    return user


navigation.register(
    bp,
    navigation.NavEntry(_l("Users"), "users_admin.list_users", can_manage_users, order=80,
                        group=navigation.ADMINISTRATION),
    navigation.NavEntry(_l("My account"), "accounts.profile", is_signed_in, order=99,
                        group=navigation.ACCOUNT),
)


def _start_session(user: User) -> None:
    login_user(user)
    if user.locale:
        session["locale"] = user.locale


# Registration ------------------------------------------------------------------------------

@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            operations.register(name=form.name.data, email=form.email.data,
                                password=form.password.data, locale=_current_locale())
        except OperationError as error:
            form.add_operation_error(error)
        else:
            return render_template("accounts/check_email.html", email=form.email.data)
    return conditional_form("accounts/register.html", form)


def _current_locale() -> str:
    return str(get_locale())


@bp.route("/confirm/<token>")
def confirm_email(token: str):
    try:
        operations.confirm_email(token)
    except OperationError as error:
        return render_template("accounts/link_problem.html", message=error.message), 400
    flash(_("Your email address is confirmed. You can sign in now."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/confirm", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def resend_confirmation():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        operations.resend_confirmation(form.email.data)
        return render_template("accounts/check_email.html", email=form.email.data)
    return conditional_form("accounts/resend_confirmation.html", form)


# Signing in and out ------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = operations.authenticate(form.email.data, form.password.data)
        except OperationError as error:
            form.add_operation_error(error)
            # The failure counter must be saved even though the answer is an error.
            return render_template("accounts/login.html", form=form), 200
        _start_session(user)
        target = request.args.get("next")
        return redirect(target if is_safe_redirect(target) else url_for("core.home"))
    return conditional_form("accounts/login.html", form)


@bp.route("/logout", methods=["POST"])
def logout():
    # CSRFProtect has already checked the token of this POST.
    if current_user.is_authenticated:
        operations.end_all_sessions(current_user)
    logout_user()
    flash(_("You are signed out on every device."), "success")
    return redirect(url_for("core.home"))


# Passwords ---------------------------------------------------------------------------------

@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        operations.request_password_reset(form.email.data)
        return render_template("accounts/check_email.html", email=form.email.data,
                               reset=True)
    return conditional_form("accounts/forgot_password.html", form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = SetPasswordForm()
    try:
        operations.user_for_reset_token(token)
    except OperationError as error:
        if form.validate_on_submit() and operations.reset_repeated(token, form.password.data):
            return _password_reset(operations.PASSWORD_ALREADY_CHANGED, "info")
        return render_template("accounts/link_problem.html", message=error.message), 400
    if form.validate_on_submit():
        try:
            operations.reset_password(token, form.password.data)
        except AlreadyDone as done:
            return _password_reset(done.message, "info")
        except OperationError as error:
            form.add_operation_error(error)
        else:
            return _password_reset(_("Your password is changed. Sign in with the new one."),
                                   "success")
    return render_form("accounts/reset_password.html", form)


def _password_reset(message, category: str):
    logout_user()
    flash(str(message), category)
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@policy_required(is_signed_in)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_password(current_user, form.current_password.data,
                                       form.password.data)
        except AlreadyDone as done:
            login_user(current_user._get_current_object())
            flash(str(done.message), "info")
            return redirect(url_for("accounts.profile"))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            # Keep this session: re-issue it with the new session version.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other devices have been signed out."),
                  "success")
            return redirect(url_for("accounts.profile"))
    return render_form("accounts/change_password.html", form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """An administrator's invitation. An account without a password sets one here; an
    account with one accepts signed in as itself. The roles are granted only now."""
    signed_in = current_user if current_user.is_authenticated else None
    try:
        invitation = operations.invitation_for_token(token)
    except OperationError as error:
        return _invitation_link_problem(token, error, signed_in)
    invited = invitation.user
    needs_password = invited.password_hash is None
    if not needs_password and not (current_user.is_authenticated
                                   and current_user.id == invited.id):
        return _sign_in_to_accept(invitation)
    form = SetPasswordForm() if needs_password else BaseForm()
    if form.validate_on_submit():
        try:
            user = operations.accept_invitation(
                token, form.password.data if needs_password else None,
                signed_in=None if needs_password else current_user)
        except AlreadyDone as done:
            return _invitation_accepted(done.existing, done.message, "info")
        except OperationError as error:
            form.add_operation_error(error)
        else:
            return _invitation_accepted(
                user, _("Welcome! Your account is ready.") if needs_password
                else _("The invitation is accepted: your new roles are ready."), "success")
    return render_form("accounts/accept_invitation.html", form, invited=invited,
                       invitation=invitation)


def _invitation_link_problem(token: str, error: OperationError, signed_in):
    """A link that opens no invitation: the repeat of an acceptance just made (a double
    click) is answered as that one was; anything else is a link problem."""
    repeated = request.method == "POST" and operations.acceptance_repeated(
        token, SetPasswordForm().password.data, signed_in=signed_in)
    if repeated:
        return _invitation_accepted(repeated, operations.INVITATION_ALREADY_ACCEPTED, "info")
    return render_template("accounts/link_problem.html", message=error.message), 400


def _sign_in_to_accept(invitation):
    """An account that has a password accepts signed in as itself."""
    return render_template("accounts/accept_invitation.html", invited=invitation.user,
                           invitation=invitation, form=None,
                           sign_in_url=url_for("accounts.login", next=request.path))


def _invitation_accepted(user: User, message, category: str):
    _start_session(user)
    flash(str(message), category)
    return redirect(url_for("core.home"))


# Profile -----------------------------------------------------------------------------------

@bp.route("/account", methods=["GET", "POST"])
@policy_required(is_signed_in)
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET" and not current_user.locale:
        form.locale.data = _current_locale()
    if form.validate_on_submit():
        operations.update_profile(current_user, name=form.name.data, locale=form.locale.data)
        session["locale"] = form.locale.data
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_form("accounts/profile.html", form,
                          memberships=queries.memberships_of(current_user))


# Administration of users -------------------------------------------------------------------

@admin_bp.route("")
@policy_required(can_manage_users)
def list_users():
    search = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    role_filter = Role(role) if role in Role.__members__ else None
    page = db.paginate(queries.users_query(search=search, role=role_filter), per_page=50,
                       max_per_page=50)
    return render_template("accounts/admin/users.html", page=page, search=search,
                           role=role_filter, roles=list(Role))


@admin_bp.route("/invite", methods=["GET", "POST"])
@policy_required(can_manage_users)
def invite_user():
    form = InviteUserForm()
    if form.validate_on_submit():
        try:
            invitation = operations.invite_user(email=form.email.data, name=form.name.data,
                                                roles=form.roles.data, invited_by=current_user)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("users_admin.user_detail",
                                    user_id=done.existing.user_id))
        flash(_("Invitation sent to %(email)s. The roles are granted when they accept it.",
                email=invitation.user.email), "success")
        return redirect(url_for("users_admin.user_detail", user_id=invitation.user_id))
    return render_form("accounts/admin/invite.html", form)


@admin_bp.route("/<int:user_id>", methods=["GET", "POST"])
def user_detail(user_id: int):
    user = get_or_404(User, user_id)
    require(can_manage_users(current_user))
    form = RolesForm(data={"roles": [role.value for role in user.roles]})
    if form.validate_on_submit():
        new_roles = {Role(role) for role in form.roles.data}
        try:
            operations.set_roles(user, new_roles, actor=current_user)
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("Roles saved."), "success")
            return redirect(url_for("users_admin.user_detail", user_id=user.id))
    return render_form("accounts/admin/user.html", form, user=user,
                          toggle_form=BaseForm(),
                          memberships=queries.memberships_of(user),
                          invitations=queries.pending_invitations_of(user))


@admin_bp.route("/<int:user_id>/enabled", methods=["POST"])
def set_user_enabled(user_id: int):
    user = get_or_404(User, user_id)
    require(can_disable(current_user, user))
    enable = request.form.get("enable") == "1"
    operations.set_enabled(user, enable, actor=current_user)
    flash(_("Account enabled.") if enable else _("Account disabled and signed out."),
          "success")
    return redirect(url_for("users_admin.user_detail", user_id=user.id))
