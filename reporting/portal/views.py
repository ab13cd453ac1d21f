"""The public project portal: the funded projects, each project's permanent page with its QR
code and printable sheet, and staff's publication settings.

What of an award is public is decided by ``reporting.portal.queries`` alone; these views only
show the ``PublicProject`` objects it builds.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import freshness, navigation
from core.access import Decision, require
from core.conditional import client_tag, conditional_page, page_etag
from core.errors import OperationError
from core.forms import render_form
from core.loading import get_or_404
from core.params import arg_id, parse_int
from core.translations import main_language, reader_language
from grants.awards.models import Award
from grants.awards.states import AwardState
from reporting.limits import explain_download_limits, limit_public_download
from reporting.policies import can_manage_publication, can_view_portal
from reporting.portal import listing, operations, qr, queries
from reporting.portal.forms import PublicationForm, publication_form
from reporting.portal.models import PUBLIC_PARTS, ProjectPublication

bp = Blueprint("portal", __name__)
explain_download_limits(bp)


navigation.register(
    bp, navigation.NavEntry(_l("Funded projects"), "portal.projects", can_view_portal,
                            order=7, group=navigation.REPORTS))

# Award references are short codes (OGB-G-2018-003); anything else is not a project.
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,29}$")
_FILTER_MAX = 200
#: Projects per page of the public list (a multiple of 2 and 3 for the card grid).
PER_PAGE = 24
#: The QR images only encode the project's public address, which depends on the reference
#: and PUBLIC_BASE_URL alone (never on the request): shared caches may keep them for a day.
QR_MAX_AGE = 24 * 3600


@bp.app_template_global("can_manage_publication")
def _can_manage_publication(user) -> Decision:
    """For the award page's link to the settings (that template belongs to grants)."""
    return can_manage_publication(user)


@bp.app_template_filter("project_text")
def project_text(project, name: str) -> str | None:
    """A project's public title or summary in the reader's language (else the main one)."""
    return project.text_in(name, reader_language())


@bp.app_template_global("project_falls_back")
def project_falls_back(project) -> bool:
    language = reader_language()
    return language != main_language() and project.lacks(language)


@bp.app_template_filter("portal_percent")
def _percent(share: Decimal | None) -> str:
    return "" if share is None else format_percent(share, format="#,##0.#%")


@bp.app_template_filter("portal_bar")
def _bar_value(share: Decimal | None) -> str:
    """The ``value`` of a progress bar out of 100, clamped (a reversal may overshoot)."""
    share = min(max(share or Decimal(0), Decimal(0)), Decimal(1))
    return f"{share * 100:.1f}"


# Loading -------------------------------------------------------------------------------------

def _project(reference: str) -> queries.PublicProject:
    if not _REFERENCE.match(reference):
        abort(404)
    project = queries.public_project(reference)
    if project is None:
        abort(404)
    return project


def _text_filter(name: str) -> str | None:
    raw = request.args.get(name, "").strip()
    if len(raw) > _FILTER_MAX or any(ord(ch) < 32 for ch in raw):
        abort(400)
    return raw or None


def _fund_filter() -> int | None:
    return arg_id("fund")


def _requested_page() -> int:
    """The asked-for page (brought within range by the list: a stale or hand-typed link
    still shows a page)."""
    return parse_int(request.args.get("page", "").strip(), minimum=1) or 1


def _page_links(page: int, pages: int) -> list[int | None]:
    """The page numbers to link: the first, the last and two either side of ``page``;
    ``None`` marks a gap."""
    wanted = sorted({1, pages, *range(max(page - 2, 1), min(page + 2, pages) + 1)})
    links: list[int | None] = []
    for number in wanted:
        if links and number - links[-1] > 1:
            links.append(None)
        links.append(number)
    return links


# Public pages --------------------------------------------------------------------------------

def _projects_etag() -> str | None:
    return page_etag(freshness.current_version(freshness.PROJECTS))


@bp.route("/projects")
def projects():
    return conditional_page(_projects_etag, _projects_page)


def _projects_page():
    filters = {"fund_id": _fund_filter(), "area": _text_filter("area"),
               "district": _text_filter("district")}
    shown = listing.project_list(**filters, page=_requested_page(), per_page=PER_PAGE)
    return render_template(
        "reporting/portal/projects.html",
        projects=shown.projects, total=shown.count, page=shown.page, pages=shown.pages,
        page_links=_page_links(shown.page, shown.pages),
        first_number=(shown.page - 1) * PER_PAGE + 1, options=shown.options, filters=filters,
        is_filtered=any(value is not None for value in filters.values()),
        unknown=_unknown_filters(filters, shown.options), totals=shown.totals,
        amounts_held_back=shown.amounts_held_back)


def _unknown_filters(filters: dict, options: queries.FilterOptions) -> bool:
    """Whether a filter asks for a value no published project has (a stale or mistyped
    link), to say so instead of showing a bare empty list."""
    return ((filters["fund_id"] is not None and filters["fund_id"] not in dict(options.funds))
            or (filters["area"] is not None and filters["area"] not in options.areas)
            or (filters["district"] is not None
                and filters["district"] not in options.districts))


def _project_page(reference: str, template: str):
    """A project's page or sheet; the data version covers the project's existence too, so a
    current copy is answered with 304 before anything is loaded."""
    def build():
        project = _project(reference)
        return render_template(template, project=project,
                               page_url=qr.project_url(project.reference))

    return conditional_page(
        lambda: page_etag(freshness.current_version(freshness.PROJECTS), template), build)


@bp.route("/projects/<reference>")
def project(reference: str):
    return _project_page(reference, "reporting/portal/project.html")


@bp.route("/projects/<reference>/sheet")
@limit_public_download
def project_sheet(reference: str):
    return _project_page(reference, "reporting/portal/sheet.html")


def _qr_response(reference: str, kind: str, mimetype: str) -> Response:
    """The code of the project's address: the same for every visitor, so it may be kept by
    shared caches, and revalidated by its ETag (a hash of what it encodes)."""
    project = _project(reference)
    url = qr.project_url(project.reference)
    etag = qr.etag(kind, url)
    held = client_tag(etag)
    if held is not None:
        response = Response(status=304)
    else:
        response = Response(qr.image_bytes(kind, url), mimetype=mimetype)
    response.set_etag(held or etag)
    response.headers["Cache-Control"] = f"public, max-age={QR_MAX_AGE}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.args.get("download") == "1":
        filename = re.sub(r"[^A-Za-z0-9._-]", "_", project.reference)
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{filename}-qr.{kind}"')
    return response


@bp.route("/projects/<reference>/qr.png")
@limit_public_download
def qr_png(reference: str):
    return _qr_response(reference, "png", "image/png")


@bp.route("/projects/<reference>/qr.svg")
@limit_public_download
def qr_svg(reference: str):
    return _qr_response(reference, "svg", "image/svg+xml")


# Staff settings ------------------------------------------------------------------------------

def _award(award_id: int) -> Award:
    award = get_or_404(Award, award_id)
    return award


def _preview_publication(award: Award, form: PublicationForm) -> ProjectPublication:
    """Unsaved settings from the form, for the preview (never added to the session)."""
    choices = form.choices()
    translations = {language: {name: text for name, text in texts.items() if text}
                    for language, texts in choices.get("translations", {}).items()}
    return ProjectPublication(
        award_id=award.id, is_published=bool(choices["is_published"]),
        public_title=choices["public_title"], public_summary=choices["public_summary"],
        translations={language: texts for language, texts in translations.items() if texts},
        **{f"is_{part}_public": bool(choices[part]) for part in PUBLIC_PARTS})


@bp.route("/staff/awards/<int:award_id>/publication", methods=["GET", "POST"])
def edit_publication(award_id: int):
    award = _award(award_id)
    require(can_manage_publication(current_user))
    if request.method == "GET":
        form = publication_form(queries.publication_of(award))
    else:
        form = publication_form()
        if form.validate_on_submit() and request.form.get("action") != "preview":
            try:
                operations.update_publication(award, current_user, **form.choices())
            except OperationError as error:
                form.add_operation_error(error)
            else:
                flash(_("The publication settings of %(reference)s are saved.",
                        reference=award.reference), "success")
                return redirect(url_for("portal.edit_publication", award_id=award.id))
    preview = queries.preview_project(award, _preview_publication(award, form))
    return render_form(
        "reporting/portal/edit_publication.html", form, award=award, preview=preview,
        page_url=qr.project_url(award.reference),
        is_signed=award.state != AwardState.pending_signature,
        is_listed=award.state in queries.PUBLISHABLE_STATES)
