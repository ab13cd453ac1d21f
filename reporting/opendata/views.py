"""The public open-data page, the 360Giving downloads (JSON and spreadsheet) and the IATI
activity file."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, make_response, render_template, request
from flask_babel import lazy_gettext as _l

from core import navigation
from core.access import policy_required
from core.conditional import conditional_page, not_modified, page_etag
from core.errors import render_error
from core.freshness import PROJECTS, current_version
from core.params import arg_id
from core.spreadsheets import XLSX_MIMETYPE
from core.timeutil import to_programme_time, utcnow
from core.uploads.responses import DOWNLOAD_CSP
from reporting.iati.validation import VERSION as IATI_VERSION
from reporting.limits import explain_download_limits, limit_public_download
from reporting.opendata import package, queries, store
from reporting.opendata.grants import grant_identifier, prefix, vocabulary
from reporting.opendata.models import OpenDataFile
from reporting.opendata.policies import can_view_open_data
from reporting.opendata.validation import SCHEMA_VERSION

bp = Blueprint("opendata", __name__, url_prefix="/open-data")
explain_download_limits(bp)

navigation.register(
    bp, navigation.NavEntry(_l("Open data"), "opendata.index", can_view_open_data, order=90,
                            group=navigation.REPORTS))

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


def _filename(fund, extension: str, built_at, standard: str = "360giving") -> str:
    """e.g. 360giving-ogbz-fund-2-2026-03-01.json (the day the file was built, in the
    programme's zone)."""
    parts = [standard, _FILENAME_UNSAFE.sub("-", prefix()).strip("-") or "data"]
    if fund is not None:
        parts.append(f"fund-{fund.id}")
    parts.append(to_programme_time(built_at or utcnow()).date().isoformat())
    return "-".join(parts) + extension


def _nothing_to_publish():
    return render_error(404, _l("No grants are published as open data yet. Projects appear "
                                "here once their grant agreement is signed and staff publish "
                                "them with their amount, award date and organisation."))


def _files(fund) -> OpenDataFile:
    try:
        return store.files_for(fund.id if fund else None)
    except store.NotReadyYet:
        # 409 "not possible right now": the first build of these files is still running.
        response, status = render_error(409, _l(
            "The open data is being prepared. Try again in a minute."))
        abort(make_response(response, status, {"Retry-After": "60"}))


@bp.route("")
@policy_required(can_view_open_data)
def index():
    """The counts come with the stored files; the page's validator is the version they were
    built from and the current one (the fund menu follows the data at once)."""
    fund = _chosen_fund()
    files = _files(fund)
    return conditional_page(
        lambda: page_etag(files.data_version, current_version(PROJECTS)),
        lambda: render_template(
            "reporting/opendata/index.html", fund=fund, funds=queries.funds(),
            records=files, fund_args=_fund_args(fund), last_change=files.last_change,
            left_out_titles=LEFT_OUT_TITLES, schema_version=SCHEMA_VERSION,
            license_url=package.LICENSE, grant_prefix=grant_identifier(""),
            organisation_prefix=f"360G-{prefix()}-ORG-", vocabulary=vocabulary(),
            iati_version=IATI_VERSION))


@bp.route("/360giving.json")
@policy_required(can_view_open_data)
@limit_public_download
def download_json():
    return _download(_chosen_fund(), ".json")


@bp.route("/360giving.xlsx")
@policy_required(can_view_open_data)
@limit_public_download
def download_xlsx():
    return _download(_chosen_fund(), ".xlsx")


@bp.route("/iati.xml")
@policy_required(can_view_open_data)
@limit_public_download
def download_iati():
    """The IATI activity file: the last one built that passed the schema."""
    fund = _chosen_fund()
    files = _files(fund)
    if not files.iati_etag:
        return render_error(404, _l("There is no IATI file yet: it is published once a fund "
                                    "names its donor or managing organisation."))
    return _stored_file(fund, ".xml", files.iati_etag, files.iati_built_at,
                        lambda: files.iati_body, standard="iati",
                        gzipped=lambda: files.iati_gzip)


_MIMETYPES = {".json": "application/json", ".xlsx": XLSX_MIMETYPE, ".xml": "application/xml"}


def _download(fund, extension: str):
    """The stored file; its body is read only when the client's copy is not current."""
    files = _files(fund)
    if not files.grant_count:
        return _nothing_to_publish()
    kind = extension.lstrip(".")
    gzipped = (lambda: files.json_gzip) if kind == "json" else None
    return _stored_file(fund, extension, getattr(files, f"{kind}_etag"), files.built_at,
                        lambda: getattr(files, f"{kind}_body"), gzipped=gzipped)


def _stored_file(fund, extension: str, etag: str, built_at, body, standard: str = "360giving",
                 gzipped=None):
    """``body()`` (or ``gzipped()``, its stored compressed copy, for a client that accepts
    gzip) is read only when the client's copy is not current."""
    response = Response(mimetype=_MIMETYPES[extension])
    held = not_modified(etag, built_at)
    response.set_etag(held or etag)
    response.last_modified = built_at
    if held is not None:
        response.status_code = 304
        return _download_headers(response)
    packed = gzipped() if gzipped is not None and request.accept_encodings["gzip"] else None
    if packed is not None:
        # Sent as stored; the compression leaves a response with a coding alone. The tag
        # names the coding, as the compression's own do (core/conditional.py).
        response.set_data(packed)
        response.headers["Content-Encoding"] = "gzip"
        response.set_etag(f"{etag}:gzip")
    else:
        response.set_data(body())
    # The name is ASCII letters, digits and hyphens only (see _filename).
    response.headers["Content-Disposition"] = (
        f"attachment; filename={_filename(fund, extension, built_at, standard)}")
    return _download_headers(response)


def _download_headers(response):
    # Public data, but it changes whenever staff publish: always ask again.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return response
