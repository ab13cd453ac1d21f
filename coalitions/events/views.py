"""Capacity-building events, the people who attend them and attendance imports. Staff only:
the attendance lists and people records hold personal data."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_number, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from accounts.organisations.forms import country_name
from core import navigation
from core.access import policy_required, require
from core.errors import OperationError
from core.extensions import db
from core.forms import BaseForm, render_form
from core.loading import get_or_404
from core.locking import AlreadyDone
from core.spreadsheets import Column, Workbook, send_workbook
from core.uploads.responses import send_stored_file
from core.uploads.storage import max_upload_bytes

from . import attendance_sheet, import_job, importer, operations, personal_data, queries
from .forms import EventForm, ImportForm, MergePeopleForm
from .models import AttendanceRole, Event, Person, Sex
from .policies import (
    can_erase_people,
    can_import_attendance,
    can_manage_events,
    can_merge_people,
    can_view_people,
)

bp = Blueprint("events", __name__, url_prefix="/staff/events")

PER_PAGE = 25
MAX_SEARCH = 100
#: Errors listed on the page; the downloadable sheet has them all.
ERRORS_SHOWN = 200
#: Errors carried (signed) to the error-sheet download; beyond this, upload the file again.
ERRORS_IN_TOKEN = 5000
_ERRORS_SALT = "ogb.events.import-errors"
_ERRORS_MAX_AGE = 24 * 3600

navigation.register(
    bp, navigation.NavEntry(_l("Events"), "events.list_events", can_manage_events, order=55,
                            group=navigation.COALITIONS))


@bp.context_processor
def _event_helpers():
    return {"country_name": country_name,
            "import_limits": lambda: {"threshold": format_number(import_job.threshold()),
                                      "limit": format_number(attendance_sheet.MAX_PEOPLE)}}


@bp.url_value_preprocessor
def _larger_attendance_sheets(endpoint, _values):
    """An attendance sheet may be larger than other uploads (up to MAX_PEOPLE people). Set
    before the request's body is read, which the CSRF check does first."""
    if endpoint == "events.import_attendance":
        request.max_content_length = import_job.max_upload_bytes() + 1024 * 1024


def _load(event_id: int) -> Event:
    event = queries.event_detail(event_id)
    if event is None:
        abort(404)
    return event


def _clean_search(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_SEARCH or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        abort(400)
    return value


# Events ------------------------------------------------------------------------------------

@bp.route("")
@policy_required(can_manage_events)
def list_events():
    search = _clean_search(request.args.get("q", ""))
    page = db.paginate(queries.events_query(search), per_page=PER_PAGE,
                       max_per_page=PER_PAGE)
    counts = queries.attendance_counts(event.id for event in page.items)
    return render_template("coalitions/events/list.html", page=page, search=search,
                           counts=counts)


@bp.route("/new", methods=["GET", "POST"])
@policy_required(can_manage_events)
def new():
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = operations.create_event(current_user, agenda=form.agenda.data,
                                            **form.event_fields())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("events.detail", event_id=done.existing.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The event is added."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_form("coalitions/events/form.html", form, event=None)


@bp.route("/<int:event_id>")
def detail(event_id: int):
    event = _load(event_id)
    require(can_view_people(current_user))
    attendance = queries.attendance_of(event)
    return render_template("coalitions/events/detail.html", event=event, attendance=attendance,
                           attended=sum(1 for a in attendance if a.attended))


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    event = _load(event_id)
    require(can_manage_events(current_user))
    form = EventForm(obj=event)
    if request.method == "GET":
        form.organiser_id.data = str(event.organiser_id) if event.organiser_id else ""
        form.partner_ids.data = [str(org.id) for org in event.partners]
    if form.validate_on_submit():
        try:
            changes = operations.update_event(event, current_user, agenda=form.agenda.data,
                                              **form.event_fields())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("events.detail", event_id=done.existing.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The changes are saved.") if changes else _("Nothing was changed."),
                  "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_form("coalitions/events/form.html", form, event=event)


@bp.route("/<int:event_id>/agenda")
def agenda(event_id: int):
    event = _load(event_id)
    require(can_manage_events(current_user))
    if event.agenda_file is None:
        abort(404)
    return send_stored_file(event.agenda_file)


# Attendance import -------------------------------------------------------------------------

def _read_upload(file_storage, limit: int | None = None) -> bytes | None:
    """The uploaded bytes, or None when the file is larger than ``limit`` (by default the
    upload limit)."""
    limit = max_upload_bytes() if limit is None else limit
    data = file_storage.stream.read(limit + 1)
    return None if len(data) > limit else data


def _errors_serializer() -> URLSafeTimedSerializer:
    from flask import current_app
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_ERRORS_SALT)


def _errors_token(event: Event, errors: list[importer.RowError]) -> str | None:
    if len(errors) > ERRORS_IN_TOKEN:
        return None
    return _errors_serializer().dumps(
        {"event": event.id, "errors": [[e.row, e.column, e.message, e.value] for e in errors]})


@bp.route("/<int:event_id>/import", methods=["GET", "POST"])
def import_attendance(event_id: int):
    event = _load(event_id)
    require(can_import_attendance(current_user))
    form = ImportForm()
    if not form.validate_on_submit():
        return render_form("coalitions/events/import.html", form, event=event, plan=None)
    upload = form.file.data
    data = _read_upload(upload, import_job.max_upload_bytes())
    if data is None:
        return _refuse_file(form, event, _(
            "This file is larger than the upload limit. Split the sheet into smaller files."))
    dry_run = bool(form.dry_run.data)
    queued = _queue_if_large(form, event, data, upload.filename or "", dry_run)
    if queued is not None:
        return queued
    try:
        plan = operations.import_attendance(event, current_user, data, upload.filename or "",
                                            dry_run=dry_run)
    except AlreadyDone as done:
        flash(str(done.message), "info")
        return redirect(url_for("events.detail", event_id=event.id))
    if plan.errors:
        return _render_plan_errors(form, event, plan, upload.filename)
    summary = plan.summary()
    if dry_run:
        return render_template("coalitions/events/import.html", form=form, event=event,
                               plan=plan, summary=summary, dry_run=True,
                               filename=upload.filename)
    flash(_import_message(summary), "success")
    return redirect(url_for("events.detail", event_id=event.id))


def _refuse_file(form: ImportForm, event: Event, message: str):
    form.file.errors = [*form.file.errors, message]
    return render_form("coalitions/events/import.html", form, event=event, plan=None)


def _queue_if_large(form: ImportForm, event: Event, data: bytes, filename: str,
                    dry_run: bool):
    """A sheet of more people than ``ATTENDANCE_JOB_THRESHOLD``: its import (or dry run)
    queued and the page that follows it, or its refusal when it holds too many people (a CSV
    file is counted here; a workbook, slower to read, by the job). None for a smaller sheet,
    or one whose header has problems: those are imported, or refused, at once as before."""
    threshold = import_job.threshold()
    workbook = attendance_sheet.is_workbook(data)
    sheet = attendance_sheet.count_people(data, filename,
                                          stop_after=threshold if workbook else None)
    if sheet.errors or sheet.people <= threshold:
        return None
    if sheet.people > attendance_sheet.MAX_PEOPLE:
        return _refuse_file(form, event, attendance_sheet.too_many_people(
            sheet.people).message)
    job = import_job.queue_import(event, current_user, data, filename, dry_run=dry_run,
                                  locale=str(get_locale()))
    flash(_("The sheet is large: it is checked and imported in the background. This page "
            "shows how far it has gone.") if not dry_run else _(
        "The sheet is large: it is checked in the background. This page shows how far it "
        "has gone."), "success")
    return redirect(url_for("jobs.show", job_id=job.id))


def _render_plan_errors(form: ImportForm, event: Event, plan, filename: str | None):
    # 422: nothing is written (and the transaction is rolled back).
    return render_template(
        "coalitions/events/import.html", form=form, event=event, plan=plan,
        errors=plan.errors[:ERRORS_SHOWN], errors_token=_errors_token(event, plan.errors),
        download_form=BaseForm(), filename=filename), 422


def _import_message(summary: dict) -> str:
    message = _("%(rows)s rows imported: %(created)s people added, %(matched)s matched, "
                "%(merged)s completed with new details; %(organisations)s organisations added.",
                rows=summary["rows"], created=summary["people_created"],
                matched=summary["people_matched"], merged=summary["people_merged"],
                organisations=summary["organisations_created"])
    if summary["blank_rows"]:
        message += " " + ngettext("%(num)d blank row was skipped.",
                                  "%(num)d blank rows were skipped.", summary["blank_rows"])
    return message


@bp.route("/<int:event_id>/import/errors.xlsx", methods=["POST"])
def import_errors(event_id: int):
    """The error report as a sheet: from the signed list of errors shown on the import page,
    or by checking an uploaded file again (stateless either way)."""
    event = _load(event_id)
    require(can_import_attendance(current_user))
    if not BaseForm().validate_on_submit():
        abort(400)
    errors = None
    token = request.form.get("errors", "")
    if token:
        try:
            payload = _errors_serializer().loads(token, max_age=_ERRORS_MAX_AGE)
        except (BadSignature, ValueError, TypeError):
            abort(400)
        if not isinstance(payload, dict) or payload.get("event") != event.id:
            abort(400)
        errors = [importer.RowError(*item) for item in payload["errors"]]
    elif request.files.get("file") and request.files["file"].filename:
        upload = request.files["file"]
        data = _read_upload(upload)
        if data is None:
            abort(413)
        if attendance_sheet.count_people(data, upload.filename, stop_after=import_job
                                         .threshold()).people > import_job.threshold():
            abort(413)  # a large sheet's problems are on its job's page
        errors = importer.build_plan(event, data, upload.filename).errors
    if errors is None:
        abort(400)
    return send_workbook(import_job.error_workbook(errors),
                         f"attendance-errors-event-{event.id}.xlsx")


@bp.route("/template.xlsx")
@policy_required(can_import_attendance)
def template():
    workbook = Workbook()
    workbook.add_sheet(_("Attendance"), [Column(title) for title in importer.HEADER], [])
    accepted = [
        (importer.TITLES["full_name"], _("Required. Plain text: not starting with = + - @, "
                                         "without < or >.")),
        (importer.TITLES["email"], _("Optional. The same email is the same person.")),
        (importer.TITLES["sex"], ", ".join(str(s.title) for s in Sex) + " "
         + _("or blank (not recorded).")),
        (importer.TITLES["birth_year"], _("Optional. Four digits, from 1900 to this year.")),
        (importer.TITLES["organisation"], _("Optional. Matched by name; a new organisation "
                                            "needs its sector.")),
        (importer.TITLES["sector"], ", ".join(str(s.title) for s in importer.Sector)),
        (importer.TITLES["role"], ", ".join(str(r.title) for r in AttendanceRole) + " "
         + _("(blank means participant).")),
        (importer.TITLES["country"], _("The country's name or two-letter code; blank means "
                                       "the programme's country.")),
        (importer.TITLES["attended"], _("Yes or No; blank means yes.")),
        (importer.TITLES["consent"], _("Optional column. Yes or No: whether the person "
                                       "consents to the programme keeping their data; blank "
                                       "means not asked.")),
    ]
    workbook.add_sheet(_("Accepted values"), [Column(_("Column"), width=18),
                                              Column(_("Accepted values"), width=90)], accepted)
    return send_workbook(workbook, "attendance-template.xlsx")


# People ------------------------------------------------------------------------------------

def _render_people(merge_form: MergePeopleForm, status: int = 200):
    search = _clean_search(request.args.get("q", ""))
    page = db.paginate(queries.people_query(search), per_page=PER_PAGE, max_per_page=PER_PAGE)
    return render_template("coalitions/events/people.html", page=page, search=search,
                           counts=queries.event_counts(person.id for person in page.items),
                           duplicates=queries.likely_duplicates(), form=merge_form,
                           may_merge=can_merge_people(current_user)[0]), status


@bp.route("/people")
@policy_required(can_view_people)
def people():
    return _render_people(MergePeopleForm(formdata=None))


@bp.route("/people/<int:person_id>")
@policy_required(can_view_people)
def person(person_id: int):
    person = get_or_404(Person, person_id)
    return render_template("coalitions/events/person.html", person=person,
                           attendances=queries.person_attendances(person),
                           form=BaseForm(), may_erase=can_erase_people(current_user)[0])


@bp.route("/people/<int:person_id>/data.json")
@policy_required(can_view_people)
def person_data(person_id: int):
    """What the programme holds about the person, given to them on request."""
    person = get_or_404(Person, person_id)
    response = jsonify(personal_data.person_data(person))
    response.headers["Content-Disposition"] = (
        f'attachment; filename="person-{person.id}-data.json"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/people/<int:person_id>/erase", methods=["POST"])
@policy_required(can_erase_people)
def erase_person(person_id: int):
    person = get_or_404(Person, person_id)
    form = BaseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        personal_data.erase_person(person, current_user)
    except AlreadyDone as done:
        flash(str(done.message), "info")
    else:
        flash(_("The person's name, email and year of birth are erased. Their attendance "
                "still counts, anonymously."), "success")
    return redirect(url_for("events.person", person_id=person_id))


@bp.route("/people/merge", methods=["POST"])
@policy_required(can_merge_people)
def merge_people():
    form = MergePeopleForm()
    if form.validate_on_submit():
        kept = db.session.get(Person, form.kept_id.data)
        duplicate = db.session.get(Person, form.duplicate_id.data)
        try:
            if kept is None:
                raise OperationError(_l("No person has this number."), field="kept_id")
            if duplicate is None and operations.person_merged_into(form.duplicate_id.data,
                                                                   kept):
                raise AlreadyDone(operations.PERSON_ALREADY_MERGED)
            operations.merge_people(kept, duplicate, current_user)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("events.people"))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The duplicate is merged into %(name)s.", name=kept.full_name), "success")
            return redirect(url_for("events.people"))
    return _render_people(form, status=422)
