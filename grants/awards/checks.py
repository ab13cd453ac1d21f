"""What the operations on grant agreements (``grants.awards.operations``) and on their ledger
(``grants.ledger.operations``) share: limits, the checks of typed values, the row lock of an
award, the transition tables' guards and the emails.

``lock_award`` locks the award's row until the transaction ends (``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite the write transaction that ``BEGIN IMMEDIATE`` opened already serialises
writers) and reloads it: every operation that changes the ledger or an award's state calls it
before it sums the ledger, so two requests never both pass a balance check on stale sums.
"""

from __future__ import annotations

import re
import secrets
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.policies import is_staff
from core.errors import OperationError
from core.extensions import db
from core.money import format_money
from core.outbox.operations import queue_email
from core.urls import external_url
from core.validation import clean_amount as _check_amount  # noqa: F401 (used by the ledger)
from core.validation import clean_date as _check_date
from core.validation import clean_text
from grants.applications.models import Application
from grants.applications.operations import require_disinterested
from grants.awards import queries
from grants.awards.models import Award, Disbursement
from grants.awards.policies import is_finance
from grants.awards.states import (
    award_active,
)

#: Signed agreements are scans or signed PDFs.
AGREEMENT_KINDS = ("pdf", "jpg", "png")
CONDITIONS_MAX = 10_000
REASON_MAX = 2000
PAYEE_REFERENCE_MAX = 120
BANK_REFERENCE_MAX = 120
#: The final report is due this many days after the award ends.
FINAL_REPORT_DAYS = 30
#: The largest amount a Numeric(12, 2) column holds, and the largest Numeric(14, 6) rate.
MAX_AMOUNT = Decimal("9999999999.99")
MAX_RATE = Decimal("99999999.999999")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")

PAYMENT_METHODS = {
    "bank_transfer": _l("Bank transfer"),
    "cheque": _l("Cheque"),
    "mobile_money": _l("Mobile money"),
    "other": _l("Other"),
}

_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_idempotency_key() -> str:
    """A key for a new request form (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def is_idempotency_key(value) -> bool:
    return isinstance(value, str) and bool(_KEY.match(value))


# Checks ------------------------------------------------------------------------------------

def _require_staff(actor, application: Application) -> None:
    if not is_staff(actor):
        raise OperationError(_l("Only programme staff can manage grant agreements."))
    require_disinterested(actor, application)


def _require_finance(actor, award: Award) -> None:
    if not is_finance(actor):
        raise OperationError(_l("Only finance can do this."))
    require_disinterested(actor, award.application)


def _clean_text(value, *, field: str, max_length: int, required=None) -> str:
    return clean_text(value, field=field, max_length=max_length, required=required,
                      multiline=True)


def _check_dates(starts_on, ends_on) -> None:
    _check_date(starts_on, field="starts_on", required=_l("Enter the start date."))
    _check_date(ends_on, field="ends_on", required=_l("Enter the end date."))
    if ends_on <= starts_on:
        raise OperationError(_l("The award must end after it starts."), field="ends_on")


def _check_key(idempotency_key) -> str:
    if not is_idempotency_key(idempotency_key):
        raise OperationError(_l("This form has expired. Reload the page and submit it "
                                "again."))
    return idempotency_key


def lock_award(award: Award) -> Award:
    """Lock ``award``'s row until the transaction ends and reload it, so that what follows
    sees its current state and no other transaction changes the award or its ledger
    meanwhile. Called before the ledger is summed."""
    return db.session.execute(
        select(Award).where(Award.id == award.id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()


def _reload(disbursement: Disbursement) -> Disbursement:
    """The entry as committed now (another request may have decided it meanwhile)."""
    return db.session.execute(
        select(Disbursement).where(Disbursement.id == disbursement.id)
        .execution_options(populate_existing=True)).scalar_one()


def _require_active(award: Award) -> None:
    active, reason = award_active(award)
    if not active:
        raise OperationError(reason)


def _money(amount: Decimal, award: Award) -> str:
    return format_money(amount, award.currency)


# Notifications -----------------------------------------------------------------------------

def _award_url(award: Award) -> str:
    return external_url("awards.detail", award_id=award.id)


def _notify_grantee(award: Award, template: str, **context) -> None:
    url = _award_url(award)
    for membership in award.application.organisation.members:
        user = membership.user
        if user.is_enabled:
            queue_email(user.email, template, locale=user.locale, user=user, award=award,
                        application=award.application, award_url=url, **context)


def _notify_finance(entry: Disbursement, actor) -> None:
    url = external_url("awards.finance_queue")
    for user in queries.finance_users():
        if user.id != actor.id:
            queue_email(user.email, "grants/awards/disbursement_requested", locale=user.locale,
                        user=user, entry=entry, award=entry.award, requester=actor,
                        queue_url=url)


def _notify_requester(entry: Disbursement, template: str, actor) -> None:
    requester = entry.requested_by
    if requester is not None and requester.is_enabled:
        queue_email(requester.email, template, locale=requester.locale, user=requester,
                    entry=entry, award=entry.award, decided_by=actor,
                    award_url=_award_url(entry.award))
