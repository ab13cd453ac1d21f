"""The Reconciliation sheet: the awards of the workbook against the 360Giving open data.

Every award of the Awards sheet is either a grant of the 360Giving file or listed here with
why the open data leaves it out, by the open data's own rules
(:mod:`reporting.opendata.reconciliation`). Counts and amounts are side by side per currency
so that, to the cent: awards of the workbook = in the file + left out, and grants in the file
= in the file + those of awards outside this workbook (decided outside its period).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from accounts.organisations.models import Organisation
from core.extensions import db
from core.spreadsheets import Block, Column
from grants.applications.models import Application
from grants.awards.models import Award
from grants.ledger.money import label as money_label
from reporting.opendata import reconciliation as opendata
from reporting.opendata.reconciliation import Totals
from reporting.workbook import queries
from reporting.workbook.queries import AwardMoney, Scope


def reason_titles() -> dict[str, str]:
    """Why an award is not a grant of the 360Giving file."""
    return {
        opendata.NOT_YET_PUBLIC: _("Not yet public: the grant agreement is not signed"),
        opendata.WITHDRAWN: _("Publication withdrawn by staff"),
        "amount": _("Its amount is not public"),
        "award_date": _("Its award date is not public"),
        "organisation": _("Its organisation is not public"),
        "funder": _("Its funding organisation is not known"),
    }


def reconciliation_blocks(scope: Scope, positions: dict[int, AwardMoney]) -> list[Block]:
    """``positions`` is ``queries.award_money(scope)``, the Awards sheet's money."""
    status = opendata.open_data_status(queries.awards_in_scope(scope), fund_id=scope.fund_id)
    titles = reason_titles()
    workbook: dict[str, Totals] = {}
    in_file: dict[str, Totals] = {}
    left: dict[str, Totals] = {}
    by_reason: dict[tuple[str, str], Totals] = {}
    for award_id, award in positions.items():
        currency = award.currency
        workbook[currency] = workbook.get(currency, Totals()).plus(award.awarded)
        if award_id in status.in_file:
            in_file[currency] = in_file.get(currency, Totals()).plus(award.awarded)
        else:
            left[currency] = left.get(currency, Totals()).plus(award.awarded)
            key = (status.left_out[award_id][0], currency)
            by_reason[key] = by_reason.get(key, Totals()).plus(award.awarded)
    currencies = sorted(set(workbook) | set(status.file))
    lines = [
        (_("Awards on the Awards sheet"), workbook),
        (_("of which grants in the 360Giving file"), in_file),
        (_("of which left out of the 360Giving file (listed below)"), left),
        (_("Grants in the 360Giving file of awards not on the Awards sheet (decided outside "
           "the period)"), status.elsewhere),
        (_("Grants in the 360Giving file"), status.file),
    ]
    number, amount = Column(_("Number"), "integer"), Column(money_label("awarded"), "money")
    currency_column = Column(_("Currency"), width=9)
    return [
        Block(_("Awards and the 360Giving file"),
              [Column(_("Item"), width=60, wrap=True), currency_column, number, amount],
              [(title, code, totals.get(code, Totals()).count,
                totals.get(code, Totals()).amount)
               for code in currencies for title, totals in lines],
              note=_("The 360Giving file is the open data of %(scope)s, as published now. "
                     "Awards on the sheet = grants in the file + left out; grants in the "
                     "file = those of the sheet's awards + the others.",
                     scope=_("this fund") if scope.fund_id is not None else _("every fund"))),
        Block(_("Why awards are left out of the 360Giving file"),
              [Column(_("Reason"), width=60, wrap=True), currency_column, number, amount],
              [(titles[reason], code, by_reason[reason, code].count,
                by_reason[reason, code].amount)
               for reason in opendata.REASONS for code in currencies
               if (reason, code) in by_reason]),
        Block(_("Awards left out of the 360Giving file"),
              [Column(_("Award"), width=18), Column(_("Grantee"), width=32),
               Column(_("State"), width=16), Column(money_label("awarded"), "money"),
               currency_column, Column(_("Why"), width=60, wrap=True)],
              _left_out_rows(status, positions, titles)),
    ]


def _left_out_rows(status: opendata.OpenDataStatus, positions: dict[int, AwardMoney],
                   titles: dict[str, str]) -> list[tuple]:
    grantees = dict(db.session.execute(
        select(Award.id, Organisation.name)
        .join(Application, Award.application_id == Application.id)
        .join(Organisation, Application.organisation_id == Organisation.id)
        .where(Award.id.in_(list(status.left_out)))).tuples().all())
    rows = []
    for award_id, award in positions.items():  # by reference, as on the Awards sheet
        if award_id not in status.left_out:
            continue
        reason, state = status.left_out[award_id]
        rows.append((award.reference, grantees.get(award_id), state.title, award.awarded,
                     award.currency, titles[reason]))
    return rows
