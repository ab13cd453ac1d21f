"""The public open-data page and the 360Giving downloads (JSON and spreadsheet)."""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import lazy_gettext as _l

from core import navigation
from core.access import policy_required
from core.errors import render_error
from core.params import arg_id
from core.spreadsheets import send_workbook
from core.timeutil import to_programme_time, utcnow
from core.uploads.responses import DOWNLOAD_CSP
from reporting.opendata import package, queries
from reporting.opendata.grants import Records, grant_identifier, prefix, vocabulary
from reporting.opendata.policies import can_view_open_data
from reporting.opendata.spreadsheet import build_workbook
from reporting.opendata.validation import SCHEMA_VERSION

bp = Blueprint("opendata", __name__, url_prefix="/open-data")

navigation.register(
    bp, navigation.NavEntry(_l("Open data"), "opendata.index", can_view_open_data, order=90))

#: Why a published project is not in the open data, as the page explains it.
LEFT_OUT_TITLES = {
    "amount": _l("its amount is not public"),
    "award_date": _l("its award date is not public"),
    "organisation": _l("its organisation is not public"),
    "funder": _l("its funding organisation is not known"),
}

_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def _chosen_fund():
    """The fund of ``?fund=``: ``None`` for all funds, 400 when malformed, 404 when unknown."""
    fund_id = arg_id("fund")
    if fund_id is None:
        return None
    fund = queries.fund(fund_id)
    if fund is None:
        abort(404)
    return fund


def _fund_args(fund) -> dict:
    return {"fund": fund.id} if fund is not None else {}


def _last_change(records: Records) -> datetime | None:
    if not records.grants:
        return None
    latest = max(grant["dateModified"] for grant in records.grants)
    return datetime.fromisoformat(latest.replace("Z", "+00:00"))


def _filename(fund, extension: str) -> str:
    """e.g. 360giving-ogbz-fund-2-2026-03-01.json (the day in the programme's zone)."""
    parts = ["360giving", _FILENAME_UNSAFE.sub("-", prefix()).strip("-") or "data"]
    if fund is not None:
        parts.append(f"fund-{fund.id}")
    parts.append(to_programme_time(utcnow()).date().isoformat())
    return "-".join(parts) + extension


def _nothing_to_publish():
    return render_error(404, _l("No grants are published as open data yet. Projects appear "
                                "here once their grant agreement is signed and staff publish "
                                "them with their amount, award date and organisation."))


@bp.route("")
@policy_required(can_view_open_data)
def index():
    fund = _chosen_fund()
    records = package.collect(fund.id if fund else None)
    return render_template(
        "reporting/opendata/index.html", fund=fund, funds=queries.funds(),
        records=records, fund_args=_fund_args(fund), last_change=_last_change(records),
        left_out_titles=LEFT_OUT_TITLES, schema_version=SCHEMA_VERSION,
        license_url=package.LICENSE, grant_prefix=grant_identifier(""),
        organisation_prefix=f"360G-{prefix()}-ORG-", vocabulary=vocabulary())


@bp.route("/360giving.json")
@policy_required(can_view_open_data)
def download_json():
    fund = _chosen_fund()
    records = package.collect(fund.id if fund else None)
    if not records.grants:
        return _nothing_to_publish()
    body = package.dumps(package.build_package(records, fund_id=fund.id if fund else None))
    response = send_file(BytesIO(body), mimetype="application/json", as_attachment=True,
                         download_name=_filename(fund, ".json"), conditional=False,
                         etag=False, max_age=None)
    response.content_length = len(body)
    return _download_headers(response)


@bp.route("/360giving.xlsx")
@policy_required(can_view_open_data)
def download_xlsx():
    fund = _chosen_fund()
    records = package.collect(fund.id if fund else None)
    if not records.grants:
        return _nothing_to_publish()
    # The package is validated first: the spreadsheet is the same data, flattened.
    grants = package.build_package(records, fund_id=fund.id if fund else None)["grants"]
    response = send_workbook(build_workbook(grants), _filename(fund, ".xlsx"))
    return _download_headers(response)


def _download_headers(response):
    # Public data, but it changes whenever staff publish: always ask again.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return response
