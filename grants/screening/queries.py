"""Read helpers for screening: the application with everything the checklist reads, and the
checklist itself, computed from the data (never typed in)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core.extensions import db
from core.money import format_money
from grants.applications.endorsement_terms import is_bound_to_current
from grants.applications.models import Application, Attachment
from grants.applications.states import EndorsementState
from grants.calls.models import Call


def application_for_screening(application_id: int) -> Application | None:
    """The application with its call's lists, attachments, budget, endorsement and check
    loaded up front (a handful of queries, however long the checklist)."""
    return db.session.scalar(
        select(Application).where(Application.id == application_id).options(
            joinedload(Application.call).joinedload(Call.fund),
            joinedload(Application.call).selectinload(Call.eligibility_statements),
            joinedload(Application.call).selectinload(Call.required_documents),
            joinedload(Application.organisation),
            joinedload(Application.counterpart),
            selectinload(Application.affirmed_statements),
            selectinload(Application.attachments).joinedload(Attachment.stored_file),
            selectinload(Application.budget_lines),
            joinedload(Application.endorsement),
            joinedload(Application.eligibility_check),
        ))


def _item(key: str, kind: str, label: str, ok: bool, detail: str = "", **extra) -> dict:
    return {"key": key, "kind": kind, "label": label, "ok": bool(ok), "detail": detail,
            **extra}


def _statements(application: Application) -> list[dict]:
    affirmed = {statement.id for statement in application.affirmed_statements}
    return [_item(f"statement_{statement.id}", "statement", statement.text,
                  statement.id in affirmed,
                  _("Affirmed by the applicant.") if statement.id in affirmed
                  else _("Not affirmed by the applicant."))
            for statement in application.call.eligibility_statements]


def _documents(application: Application) -> list[dict]:
    by_document = {attachment.required_document_id: attachment
                   for attachment in application.attachments
                   if attachment.required_document_id is not None}
    items = []
    for document in application.call.required_documents:
        attachment = by_document.get(document.id)
        items.append(_item(
            f"document_{document.id}", "document",
            _("Document attached: %(document)s", document=document.name),
            attachment is not None,
            attachment.stored_file.original_name if attachment is not None
            else _("Not attached."),
            attachment_id=attachment.id if attachment is not None else None))
    return items


def _endorsement(application: Application) -> list[dict]:
    if not application.call.is_counterpart_required:
        return []
    endorsement = application.endorsement
    # Given for the application as it is (those stored before terms were kept bind to none).
    current = endorsement is not None and (
        not endorsement.terms_hash or is_bound_to_current(endorsement, application))
    if endorsement is None:
        detail = _("Not requested yet.")
    elif endorsement.state == EndorsementState.voided or not current:
        detail = _("No longer applies: the application changed after the counterpart was "
                   "asked.")
    elif endorsement.state == EndorsementState.pending:
        detail = _("Awaiting the counterpart's answer.")
    else:
        detail = _("%(answer)s by %(name)s (%(position)s).", answer=endorsement.state.title,
                   name=endorsement.responder_name, position=endorsement.responder_position)
    return [_item("endorsement", "endorsement",
                  _("Endorsement received from the government counterpart"),
                  current and endorsement.state == EndorsementState.endorsed, detail)]


def _organisation(application: Application) -> list[dict]:
    organisation = application.organisation
    return [_item("organisation", "organisation",
                  _("Applicant organisation verified"), organisation.is_verified,
                  _("%(name)s is verified.", name=organisation.name) if organisation.is_verified
                  else _("%(name)s is not verified yet.", name=organisation.name),
                  organisation_id=organisation.id)]


def _amount(application: Application) -> list[dict]:
    currency = application.currency
    award = application.call.award_amount
    requested = application.requested_amount
    total = application.budget_total
    within = requested is not None and Decimal("0") < requested <= award
    adds_up = requested is not None and bool(application.budget_lines) and total == requested
    detail = _("Requested %(requested)s; at most %(award)s; budget lines total %(total)s.",
               requested=format_money(requested, currency) if requested is not None else "—",
               award=format_money(award, currency), total=format_money(total, currency))
    return [_item("amount", "amount", _("Requested amount within the limits, and the budget "
                                        "adds up to it"), within and adds_up, detail)]


def build_checklist(application: Application) -> list[dict]:
    """The screening checklist, each item computed from the application and its call:
    ``{"key", "kind", "label", "ok", "detail", ...}``, in the order staff read them."""
    return [*_statements(application), *_documents(application),
            *_endorsement(application), *_organisation(application), *_amount(application)]


def failing_items(checklist: list[dict]) -> list[dict]:
    return [item for item in checklist if not item["ok"]]
