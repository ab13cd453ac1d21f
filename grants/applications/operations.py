"""Every change to an application. Operations flush and never commit."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from accounts.organisations import queries as organisation_queries
from accounts.organisations.models import Organisation
from accounts.organisations.states import Sector
from core import contributions
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, lock
from core.outbox.operations import queue_email
from core.references import next_reference
from core.timeutil import utcnow
from core.translations import localized, reader_language
from core.urls import external_url
from grants.applications import endorsement_terms as terms
from grants.applications.models import (
    Activity,
    Application,
    BudgetLine,
    ExpectedResult,
    application_affirmations,
)
from grants.applications.policies import check_disinterested
from grants.applications.states import (
    ACTIVE_STATES,
    APPLICATION_WORKFLOW,
    DECIDED_STATES,
    ApplicationState,
    EndorsementState,
)

# Separation of duties ----------------------------------------------------------------------

def require_disinterested(actor, application: Application) -> None:
    """Refuse the operation to a member of the applicant or counterpart organisation (the
    rule is ``policies.check_disinterested``; the operations enforce it whoever calls)."""
    allowed, reason = check_disinterested(actor, application)
    if not allowed:
        raise OperationError(reason)


# Workflow ----------------------------------------------------------------------------------

#: Who hears about each state an application reaches (the applicant's members, always).
NOTIFIED_STATES = {
    ApplicationState.submitted: "grants/applications/submitted",
    ApplicationState.eligible: "grants/applications/eligible",
    ApplicationState.ineligible: "grants/applications/ineligible",
    ApplicationState.in_review: "grants/applications/in_review",
    ApplicationState.awarded: "grants/applications/decided",
    ApplicationState.waitlisted: "grants/applications/decided",
    ApplicationState.declined: "grants/applications/decided",
    ApplicationState.withdrawn: "grants/applications/withdrawn",
}


def transition(application: Application, target: ApplicationState, actor, *,
               note: str = "") -> None:
    """Move the application to ``target`` if the workflow allows ``actor`` to; audit it and
    tell the applicant organisation's members.

    The row is locked and reloaded first: the same transition sent twice at once is done
    (audited, emailed) once; the second finds it done (``AlreadyDone``)."""
    lock_application(application)
    if application.state == target:
        raise AlreadyDone(_l("The application is already “%(state)s”.",
                             state=application.state.title))
    step = APPLICATION_WORKFLOW.check(application, target, actor)
    source = application.state
    application.state = target
    now = utcnow()
    if target == ApplicationState.withdrawn:
        application.withdrawn_at = now
    if target in DECIDED_STATES:
        application.decided_at = now
    db.session.flush()
    record(step.audit, application, actor=actor,
           summary=f"{application.display_reference}: {source.value} → {target.value}",
           data={"from": source.value, "to": target.value, "note": note})
    notify_applicant(application, NOTIFIED_STATES.get(target), note=note)


def notify_applicant(application: Application, template: str | None, **context) -> None:
    if template is None:
        return
    url = external_url("applications.detail", application_id=application.id)
    for membership in application.organisation.members:
        user = membership.user
        if user.is_enabled:
            queue_email(user.email, template, locale=user.locale, user=user,
                        application=application, application_url=url, **context)


# Drafts ------------------------------------------------------------------------------------

def active_application(call, organisation) -> Application | None:
    return db.session.scalar(select(Application).where(
        Application.call_id == call.id, Application.organisation_id == organisation.id,
        Application.state.in_(ACTIVE_STATES)).limit(1))


def start_application(call, organisation: Organisation, actor) -> Application:
    if not call.is_open():
        raise OperationError(_l("This call is not open for applications."))
    if organisation.sector != Sector.civil_society:
        raise OperationError(_l("Only civil-society organisations can apply."))
    if call.is_one_application_per_organisation:
        # Two starts at once (a double click) would both find none: the organisation's row
        # makes the second wait and then find the first one's draft.
        lock(organisation)
        existing = active_application(call, organisation)
        if existing is not None:
            # The user's own draft just started (a double click) is the same action done.
            refusal = AlreadyDone if (existing.state == ApplicationState.draft
                                      and existing.created_by_id == actor.id) else OperationError
            raise refusal(_l("%(organisation)s already has an application for this call "
                             "(%(reference)s).", organisation=organisation.name,
                             reference=existing.display_reference))
    application = Application(call=call, organisation=organisation, created_by=actor,
                              state=ApplicationState.draft, districts=[])
    db.session.add(application)
    db.session.flush()
    record("application.start", application, actor=actor,
           summary=f"{organisation.name} started an application to {call.title}")
    return application


def lock_application(application: Application) -> Application:
    """Lock the application's row until the transaction ends and reload it, so that the
    checks that follow see its current state: a concurrent save, submission or endorsement
    waits for this one."""
    return lock(application)


def _require_editable(application: Application) -> None:
    lock_application(application)
    if not application.is_editable:
        raise OperationError(_l("A submitted application can no longer be changed."))


def _section_values(application: Application, section: str):
    """What a section's form saves, to tell a save that changes nothing (the same form sent
    twice) from one that does."""
    a = application
    if section == "project":
        return (a.title, a.summary, a.problem, a.objectives, a.duration_months,
                sorted(area.id for area in a.thematic_areas))
    if section == "plan":
        return ([(x.description, x.starts_on, x.ends_on, x.milestone) for x in a.activities],
                [(r.result, r.indicator, r.target) for r in a.results])
    if section == "beneficiaries":
        return (a.beneficiaries_total, a.beneficiaries_women, a.beneficiaries_youth,
                a.beneficiaries_description, sorted(a.districts or []))
    if section == "budget":
        return (a.requested_amount,
                [(line.category, line.description, line.amount) for line in a.budget_lines])
    if section == "counterpart":
        return (a.counterpart.id if a.counterpart else None, a.counterpart_contact_name,
                a.counterpart_contact_position, a.counterpart_contact_email)
    return sorted(statement.id for statement in a.affirmed_statements)


def _audit_section(application: Application, section: str, actor, before) -> None:
    if _section_values(application, section) == before:
        return  # nothing changed (the same form sent again): nothing to record
    record("application.save_section", application, actor=actor,
           summary=f"{application.display_reference}: saved {section}",
           data={"section": section})


def save_project(application: Application, actor, *, title: str, summary: str, problem: str,
                 objectives: str, duration_months: int | None, thematic_areas) -> bool:
    """Save the project section; return whether this voided the endorsement."""
    _require_editable(application)
    previous = _section_values(application, "project")
    before = terms.endorsement_terms(application)
    allowed = {area.id for area in application.call.thematic_areas}
    if any(area.id not in allowed for area in thematic_areas):
        raise OperationError(_l("Choose the thematic areas from this call's list."),
                             field="thematic_areas")
    application.title = title
    application.summary = summary
    application.problem = problem
    application.objectives = objectives
    application.duration_months = duration_months
    application.thematic_areas = list(thematic_areas)
    _audit_section(application, "project", actor, previous)
    return void_stale_endorsement(application, actor, before=before)


def save_plan(application: Application, actor, *, activities: list[dict],
              results: list[dict]) -> None:
    _require_editable(application)
    previous = _section_values(application, "plan")
    for activity in activities:
        if (activity["starts_on"] and activity["ends_on"]
                and activity["ends_on"] < activity["starts_on"]):
            raise OperationError(_l("An activity cannot end before it starts."),
                                 field="activities")
    application.activities = [Activity(position=i, **a) for i, a in enumerate(activities)]
    application.results = [ExpectedResult(position=i, **r) for i, r in enumerate(results)]
    _audit_section(application, "plan", actor, previous)


def save_beneficiaries(application: Application, actor, *, total: int | None,
                       women: int | None, youth: int | None, description: str,
                       districts: list[str]) -> None:
    _require_editable(application)
    previous = _section_values(application, "beneficiaries")
    for part, field in ((women, "beneficiaries_women"), (youth, "beneficiaries_youth")):
        if part is not None and total is not None and part > total:
            raise OperationError(_l("This cannot be more than the total number of "
                                    "beneficiaries."), field=field)
    application.beneficiaries_total = total
    application.beneficiaries_women = women
    application.beneficiaries_youth = youth
    application.beneficiaries_description = description
    application.districts = sorted(set(districts))
    _audit_section(application, "beneficiaries", actor, previous)


def save_budget(application: Application, actor, *, requested_amount: Decimal | None,
                lines: list[dict]) -> bool:
    """Budget lines are saved even when they do not add up yet (a draft is never lost);
    the submit step refuses a budget whose lines do not sum to the requested amount.
    Return whether this voided the endorsement."""
    _require_editable(application)
    previous = _section_values(application, "budget")
    before = terms.endorsement_terms(application)
    award = application.call.award_amount
    if requested_amount is not None:
        if requested_amount <= 0:
            raise OperationError(_l("The requested amount must be more than zero."),
                                 field="requested_amount")
        if requested_amount > award:
            raise OperationError(_l("The requested amount cannot be more than the award "
                                    "amount."), field="requested_amount")
    if any(line["amount"] <= 0 for line in lines):
        raise OperationError(_l("Every budget line needs an amount above zero."),
                             field="lines")
    application.requested_amount = requested_amount
    application.budget_lines = [BudgetLine(position=i, **line) for i, line in enumerate(lines)]
    _audit_section(application, "budget", actor, previous)
    return void_stale_endorsement(application, actor, before=before)


def save_counterpart(application: Application, actor, *, organisation: Organisation | None,
                     proposed_name: str, contact_name: str, contact_position: str,
                     contact_email: str) -> bool:
    """The counterpart is a government organisation from the directory, or a new one proposed
    by the applicant (added to the directory unverified, for staff to check). The contact
    may not be a member of the applicant organisation. Return whether this voided the
    endorsement."""
    _require_editable(application)
    previous = _section_values(application, "counterpart")
    conflict = terms.contact_conflict(application, contact_email, actor)
    if conflict is not None:
        raise OperationError(conflict, field="contact_email")
    before = terms.endorsement_terms(application)
    if organisation is None and proposed_name:
        organisation = _find_or_propose_government_body(proposed_name, actor)
    if organisation is not None and organisation.sector != Sector.government:
        raise OperationError(_l("The counterpart must be a government organisation."),
                             field="organisation_id")
    application.counterpart = organisation
    application.counterpart_contact_name = contact_name
    application.counterpart_contact_position = contact_position
    application.counterpart_contact_email = contact_email
    _audit_section(application, "counterpart", actor, previous)
    return void_stale_endorsement(application, actor, before=before)


def _find_or_propose_government_body(name: str, actor) -> Organisation:
    existing = organisation_queries.by_name(name)
    if existing is not None:
        return existing
    organisation = Organisation(name=name.strip(), sector=Sector.government, country="BZ",
                                is_verified=False)
    db.session.add(organisation)
    db.session.flush()
    record("organisation.propose", organisation, actor=actor,
           summary=f"{organisation.name} proposed as a government counterpart")
    return organisation


def save_declarations(application: Application, actor, *, statements) -> None:
    _require_editable(application)
    previous = _section_values(application, "declarations")
    allowed = {s.id for s in application.call.eligibility_statements}
    affirmed = [s for s in statements if s.id in allowed]
    application.affirmed_statements = affirmed
    db.session.flush()
    # Each affirmation keeps the language and the words the applicant read.
    language = reader_language()
    for statement in affirmed:
        shown = localized(statement, "text", language)
        db.session.execute(
            update(application_affirmations)
            .where(application_affirmations.c.application_id == application.id,
                   application_affirmations.c.statement_id == statement.id)
            .values(language=shown.language, wording=shown.text))
    _audit_section(application, "declarations", actor, previous)


# Attachments -------------------------------------------------------------------------------

def attach_document(application: Application, actor, *, file_storage,
                    required_document=None):
    """Store the upload and attach it; a file for the same required document replaces the
    previous one."""
    from core.uploads.operations import store_upload
    from grants.applications.models import Attachment

    _require_editable(application)
    if required_document is not None and required_document.call_id != application.call_id:
        raise OperationError(_l("Choose a document from this call's list."),
                             field="required_document_id")
    stored = store_upload(file_storage, uploaded_by=actor, field="file")
    if required_document is not None:
        for old in [a for a in application.attachments
                    if a.required_document_id == required_document.id]:
            application.attachments.remove(old)
        db.session.flush()
    attachment = Attachment(application=application, required_document=required_document,
                            stored_file=stored, uploaded_by_id=actor.id)
    db.session.add(attachment)
    db.session.flush()
    record("application.attach", application, actor=actor,
           summary=f"{application.display_reference}: attached {stored.original_name}",
           data={"attachment_id": attachment.id, "file_id": stored.id})
    return attachment


def remove_attachment(application: Application, actor, attachment) -> None:
    _require_editable(application)
    if attachment not in application.attachments:
        raise AlreadyDone(_l("The document is already removed."))
    name = attachment.stored_file.original_name
    application.attachments.remove(attachment)
    db.session.flush()
    record("application.detach", application, actor=actor,
           summary=f"{application.display_reference}: removed {name}")


# Endorsement binding -----------------------------------------------------------------------

def void_stale_endorsement(application: Application, actor, *,
                           before: dict | None = None) -> bool:
    """Void the endorsement, asked for or given, when the terms it binds to (counterpart,
    contact, title, summary, budget total, period) are no longer the application's: the
    application needs the endorsement again, its members and the contact who was asked
    are told, and a pending link stops accepting answers. ``before`` is the terms before the
    change, for an endorsement stored before terms were kept. Return whether it voided."""
    endorsement = application.endorsement
    if endorsement is None or endorsement.is_voided:
        return False
    current = terms.current_fingerprint(application)
    reference = endorsement.terms_hash or (terms.fingerprint(before) if before else "")
    if reference == current:
        return False
    previous = endorsement.state
    changed = terms.changed_terms(endorsement, application) if endorsement.terms else []
    endorsement.state = EndorsementState.voided
    endorsement.voided_at = utcnow()
    db.session.flush()
    record("endorsement.void", application, actor=actor,
           summary=f"{application.display_reference}: {previous.value} endorsement voided, "
                   f"the application changed ({', '.join(changed) or 'terms'})",
           data={"endorsement_id": endorsement.id, "previous_state": previous.value,
                 "recipient": endorsement.recipient_email, "changed": changed,
                 "endorsed_terms": endorsement.terms, "endorsed_hash": endorsement.terms_hash,
                 "current_hash": current})
    notify_applicant(application, "grants/endorsements/voided", endorsement=endorsement,
                     previous_state=previous)
    if endorsement.recipient_email:
        queue_email(endorsement.recipient_email, "grants/endorsements/voided_counterpart",
                    locale=current_app.config["BABEL_DEFAULT_LOCALE"],
                    application=application, endorsement=endorsement,
                    previous_state=previous)
    return True


# Submission --------------------------------------------------------------------------------

def submit(application: Application, actor) -> None:
    """Check everything (deadline on the server clock included), give the reference number,
    lock the application and ask the counterpart to endorse it.

    Under the row lock: the contact is nobody of the applicant organisation nor the
    submitting user, and an endorsement travels with the submission only if it was given
    (or asked) for the application as it is now; any other is voided here and the current
    contact is asked instead."""
    lock_application(application)
    if application.state != ApplicationState.draft and application.submitted_at is not None:
        # A second click on "submit": the first one's reference stands, none is taken.
        raise AlreadyDone(_l("This application is already submitted. Its reference is "
                             "%(reference)s.", reference=application.display_reference))
    APPLICATION_WORKFLOW.check(application, ApplicationState.submitted, actor)
    conflict = terms.contact_conflict(application, application.counterpart_contact_email,
                                      actor)
    if conflict is not None:
        raise OperationError(conflict)
    void_stale_endorsement(application, actor)
    now = utcnow()
    application.submitted_at = now
    application.reference = next_reference(application.call.reference_prefix, now.year)
    transition(application, ApplicationState.submitted, actor)
    if application.call.is_counterpart_required:
        if application.endorsement is None or not application.endorsement.is_answered:
            contributions.ask("application.request_endorsement", application, actor)


def withdraw(application: Application, actor, *, reason: str = "") -> None:
    transition(application, ApplicationState.withdrawn, actor, note=reason)
