from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import freshness, navigation, work
from core.access import policy_required, require
from core.audit import queries as audit_queries
from core.audit import visibility as audit_visibility
from core.conditional import conditional_page, page_etag
from core.extensions import db
from core.loading import get_or_404
from core.locking import AlreadyDone
from core.outbox.models import OutboxMessage
from core.outbox.operations import retry_dead_letter
from core.outbox.queries import outbox_counts, outbox_messages
from core.outbox.redaction import redact_secret_links
from core.outbox.states import MessageState
from core.outbox.worker import smtp_configured
from core.params import arg_choice, arg_day, arg_id
from core.policies import can_manage_outbox, can_view_audit_log
from core.security import is_safe_redirect
from core.timeutil import from_programme_time, programme_today

bp = Blueprint("core", __name__)
admin_bp = Blueprint("platform_admin", __name__, url_prefix="/admin")

PER_PAGE = 50


navigation.register(
    admin_bp,
    navigation.NavEntry(_l("Audit log"), "platform_admin.audit_log", can_view_audit_log,
                        order=90, group=navigation.ADMINISTRATION),
    navigation.NavEntry(_l("Outbox"), "platform_admin.outbox", can_manage_outbox, order=95,
                        group=navigation.ADMINISTRATION),
)


#: The anonymous home page's validator changes at least this often (seconds): the open
#: calls it lists close with the clock.
HOME_VALIDATOR_PERIOD = 300


@bp.route("/")
def home():
    """A signed-in person's home lists their own work, read from everywhere: never kept. The
    public one shows the open calls and links, validated by the public data versions."""
    today = programme_today()

    def build():
        return render_template("core/home.html", today=today, days_left=work.days_left,
                               sections=work.sections_for(current_user, today))

    if current_user.is_authenticated:
        return build()
    return conditional_page(
        lambda: page_etag(freshness.current_version(freshness.CALLS),
                          freshness.current_version(freshness.PROJECTS), today,
                          period=HOME_VALIDATOR_PERIOD), build)


@bp.route("/health")
def health():
    db.session.execute(db.select(1))
    return {"status": "ok"}


@bp.route("/language", methods=["POST"])
def set_language():
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        current_user.locale = locale
    target = request.form.get("next")
    return redirect(target if is_safe_redirect(target) else url_for("core.home"))


def _day_start(name: str) -> datetime | None:
    """The start of a day given in the query string, in the programme's time zone."""
    day = arg_day(name)
    return from_programme_time(datetime.combine(day, time())) if day else None


@admin_bp.route("/audit")
@policy_required(can_view_audit_log)
def audit_log():
    args = request.args
    until = _day_start("to")
    query = audit_queries.audit_entries(
        object_type=args.get("object_type") or None,
        object_id=args.get("object_id") or None,
        action=args.get("action") or None,
        actor_id=arg_id("actor"),
        since=_day_start("from"),
        until=until + timedelta(days=1) if until else None,
    )
    page = db.paginate(query, per_page=PER_PAGE, max_per_page=PER_PAGE)
    return render_template("core/audit_log.html", page=page,
                           object_types=audit_queries.object_types(),
                           redacted=audit_visibility.redactions(page.items, current_user))


@admin_bp.route("/outbox")
@policy_required(can_manage_outbox)
def outbox():
    state = arg_choice("state", MessageState.__members__)
    page = db.paginate(outbox_messages(state=state), per_page=PER_PAGE, max_per_page=PER_PAGE)
    return render_template("core/outbox.html", page=page, counts=outbox_counts(),
                           states=list(MessageState), state=state,
                           smtp_configured=smtp_configured())


@admin_bp.route("/outbox/<int:message_id>")
@policy_required(can_manage_outbox)
def outbox_message(message_id: int):
    message = get_or_404(OutboxMessage, message_id)
    # Admins read what was sent, never a working reset, invitation or endorsement link.
    return render_template("core/outbox_message.html", message=message,
                           body=redact_secret_links(message.body_text))


@admin_bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
def retry_outbox_message(message_id: int):
    message = get_or_404(OutboxMessage, message_id)
    require(can_manage_outbox(current_user))
    if message.state == MessageState.queued:
        # Queued again by a click that came first (a double click): answered alike.
        flash(_("The message is queued again."), "success")
        return redirect(url_for("platform_admin.outbox_message", message_id=message.id))
    if message.state != MessageState.dead:
        abort(409)
    try:
        retry_dead_letter(message)
    except AlreadyDone:
        pass  # queued by a click that came first: answered alike
    flash(_("The message is queued again."), "success")
    return redirect(url_for("platform_admin.outbox_message", message_id=message.id))
