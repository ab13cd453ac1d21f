from __future__ import annotations

from datetime import datetime, timedelta

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

from core import navigation
from core.access import policy_required, require
from core.audit import queries as audit_queries
from core.extensions import db
from core.outbox.models import OutboxMessage
from core.outbox.operations import retry_dead_letter
from core.outbox.queries import outbox_counts, outbox_messages
from core.outbox.states import MessageState
from core.outbox.worker import smtp_configured
from core.policies import can_manage_outbox, can_view_audit_log
from core.security import is_safe_redirect
from core.timeutil import from_programme_time

bp = Blueprint("core", __name__)
admin_bp = Blueprint("platform_admin", __name__, url_prefix="/admin")

PER_PAGE = 50


navigation.register(
    admin_bp,
    navigation.NavEntry(_l("Audit log"), "platform_admin.audit_log", can_view_audit_log,
                        order=90),
    navigation.NavEntry(_l("Outbox"), "platform_admin.outbox", can_manage_outbox, order=95),
)


@bp.route("/")
def home():
    return render_template("core/home.html")


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


def _parse_day(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return from_programme_time(datetime.strptime(value, "%Y-%m-%d"))
    except ValueError:
        abort(400)


@admin_bp.route("/audit")
@policy_required(can_view_audit_log)
def audit_log():
    args = request.args
    until = _parse_day(args.get("to"))
    actor = args.get("actor", "")
    query = audit_queries.audit_entries(
        object_type=args.get("object_type") or None,
        object_id=args.get("object_id") or None,
        action=args.get("action") or None,
        actor_id=int(actor) if actor.isdigit() else None,
        since=_parse_day(args.get("from")),
        until=until + timedelta(days=1) if until else None,
    )
    page = db.paginate(query, per_page=PER_PAGE, max_per_page=PER_PAGE)
    return render_template("core/audit_log.html", page=page,
                           object_types=audit_queries.object_types())


@admin_bp.route("/outbox")
@policy_required(can_manage_outbox)
def outbox():
    state = request.args.get("state") or None
    if state is not None and state not in MessageState.__members__:
        abort(400)
    page = db.paginate(outbox_messages(state=state), per_page=PER_PAGE, max_per_page=PER_PAGE)
    return render_template("core/outbox.html", page=page, counts=outbox_counts(),
                           states=list(MessageState), state=state,
                           smtp_configured=smtp_configured())


@admin_bp.route("/outbox/<int:message_id>")
@policy_required(can_manage_outbox)
def outbox_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("core/outbox_message.html", message=message)


@admin_bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
def retry_outbox_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    require(can_manage_outbox(current_user))
    if message.state != MessageState.dead:
        abort(409)
    retry_dead_letter(message)
    flash(_("The message is queued again."), "success")
    return redirect(url_for("platform_admin.outbox_message", message_id=message.id))
