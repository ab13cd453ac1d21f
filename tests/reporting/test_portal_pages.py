"""The public project portal: the list with its filters and totals, a project's page, its
QR codes and its printable sheet, for anonymous visitors."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import event

from accounts.organisations.models import Sector
from core.extensions import db
from grants.awards.models import Award, Disbursement
from grants.awards.states import AwardState, DisbursementState
from grants.monitoring.models import ProgressReport
from grants.monitoring.states import ReportKind, ReportState
from reporting.portal.models import ProjectPublication
from reporting.portal.queries import public_projects
from tests.fixtures.demo_numbers import CURRENT_AWARDED, PUBLIC_PROJECTS
from tests.fixtures.grants import GrantFactories

_numbers = itertools.count(1)


def make_project(session, factories, call, *, state=AwardState.active, title=None,
                 summary="Opening budget data with the council.", districts=("Cayo",),
                 areas=None, partner="Cayo Town Council", paid=None, reports=(),
                 amount=Decimal("5000.00"), reference=None):
    """An awarded application and its award (signed unless ``state`` says otherwise)."""
    n = next(_numbers)
    grants = GrantFactories(session, factories)
    counterpart = factories.organisation(name=f"{partner} {n}", sector=Sector.government) \
        if partner else None
    application = grants.application(
        call, organisation=factories.organisation(name=f"Civic Group {n}"), state="awarded",
        title=title or f"Open budgets {n}", summary=summary, districts=list(districts),
        counterpart=counterpart, counterpart_contact_name="Jane Contact",
        counterpart_contact_email=f"jane{n}@council.example.org",
        areas=call.thematic_areas[:1] if areas is None else areas)
    award = Award(application=application, reference=reference or f"TST-G-2019-{n:03d}",
                  amount=amount, currency="USD", starts_on=date(2019, 1, 15),
                  ends_on=date(2019, 7, 15), state=state,
                  signed_on=None if state == AwardState.pending_signature else date(2019, 1, 10))
    session.add(award)
    session.flush()
    if paid is not None:
        session.add(Disbursement(award_id=award.id, state=DisbursementState.paid, amount=paid,
                                 planned_on=date(2019, 1, 20), idempotency_key=f"key-{n:020d}",
                                 payment_method="bank_transfer", paid_on=date(2019, 1, 20),
                                 paid_currency="USD", paid_amount=paid,
                                 exchange_rate=Decimal("1"), usd_equivalent=paid))
    for kind, report_state in reports:
        session.add(ProgressReport(award=award, kind=kind, due_on=date(2019, 5, 1),
                                   state=report_state))
    session.flush()
    return award


def hold_back(session, award, **fields):
    session.add(ProjectPublication(award_id=award.id, **fields))
    session.flush()


def main_html(response) -> str:
    """The page's main content (the menu and footer left out)."""
    text = response.get_data(as_text=True)
    return text[text.index("<main"):text.index("</main>")]


# The list ------------------------------------------------------------------------------------

def test_demo_programme_lists_its_signed_projects(demo_programme, client):
    response = client.get("/projects")
    assert response.status_code == 200
    html = main_html(response)
    assert len(re.findall(r'<article class="card project-card"', html)) == PUBLIC_PROJECTS
    assert f"<dd>{PUBLIC_PROJECTS}</dd>" in html
    total = sum(project.amount for project in public_projects())
    assert total == Decimal("40000.00") + CURRENT_AWARDED  # 8 × US$5,000 and this cycle's
    assert f"${total:,.2f}" in html
    assert html.count("<progress ") == PUBLIC_PROJECTS


def test_list_shows_the_public_facts_and_progress(client, db_session, factories, call):
    award = make_project(db_session, factories, call, title="Budget data for Cayo",
                         paid=Decimal("2000.00"),
                         reports=[(ReportKind.midterm, ReportState.accepted),
                                  (ReportKind.final, ReportState.due)])
    html = main_html(client.get("/projects"))
    assert "Budget data for Cayo" in html
    assert f'href="/projects/{award.reference}"' in html
    assert award.application.organisation.name in html
    assert award.application.counterpart.name in html
    assert "Open data" in html and "Cayo" in html and "Active" in html
    assert "$5,000.00" in html
    assert 'max="100" value="40.0"' in html and "40%" in html
    assert "1 of 2 reports accepted" in html
    assert "<dd>1</dd>" in html


def test_pending_and_withdrawn_awards_are_not_listed(client, db_session, factories, call):
    make_project(db_session, factories, call, title="Signed project")
    make_project(db_session, factories, call, title="Waiting project",
                 state=AwardState.pending_signature)
    withdrawn = make_project(db_session, factories, call, title="Withdrawn project")
    hold_back(db_session, withdrawn, is_published=False)
    html = main_html(client.get("/projects"))
    assert "Signed project" in html
    assert "Waiting project" not in html and "Withdrawn project" not in html


def test_filters_by_area_district_and_fund(client, db_session, factories, call):
    other_call = GrantFactories(db_session, factories).call(
        fund=GrantFactories(db_session, factories).fund(name="Second Fund"), areas=["Education"],
        statements=[], documents=[], criteria=[])
    make_project(db_session, factories, call, title="Data in Cayo", districts=["Cayo"])
    make_project(db_session, factories, call, title="Voices of Toledo", districts=["Toledo"],
                 areas=call.thematic_areas[1:2])
    make_project(db_session, factories, other_call, title="Schools in Corozal",
                 districts=["Corozal"])

    def titles(query):
        response = client.get("/projects" + query)
        assert response.status_code == 200
        html = main_html(response)
        return {t for t in ("Data in Cayo", "Voices of Toledo", "Schools in Corozal")
                if t in html}

    assert titles("") == {"Data in Cayo", "Voices of Toledo", "Schools in Corozal"}
    assert titles("?district=Toledo") == {"Voices of Toledo"}
    assert titles("?area=Open+data") == {"Data in Cayo"}
    assert titles(f"?fund={other_call.fund_id}") == {"Schools in Corozal"}
    assert titles(f"?fund={call.fund_id}&district=Cayo") == {"Data in Cayo"}


def test_filter_on_a_held_back_district_does_not_reveal_the_project(client, db_session,
                                                                   factories, call):
    award = make_project(db_session, factories, call, title="Quiet project",
                         districts=["Toledo"])
    hold_back(db_session, award, is_district_public=False)
    assert "Quiet project" not in main_html(client.get("/projects?district=Toledo"))


@pytest.mark.parametrize("query", ["?district=Atlantis", "?area=Unknown", "?fund=999999"])
def test_unknown_filter_values_give_an_empty_list_with_a_message(client, db_session,
                                                                 factories, call, query):
    make_project(db_session, factories, call, title="Some project")
    response = client.get("/projects" + query)
    assert response.status_code == 200
    html = main_html(response)
    assert "Some project" not in html
    assert "No funded project has the fund, thematic area or district" in html


@pytest.mark.parametrize("query", ["?fund=abc", "?fund=-1", "?fund=1.5",
                                   "?district=" + "x" * 300, "?area=a%00b"])
def test_malformed_filters_are_a_bad_request(client, query):
    assert client.get("/projects" + query).status_code == 400


def test_totals_leave_out_held_back_amounts(client, db_session, factories, call):
    make_project(db_session, factories, call, amount=Decimal("5000.00"))
    make_project(db_session, factories, call, amount=Decimal("2500.50"))
    hidden = make_project(db_session, factories, call, amount=Decimal("1234.00"))
    hold_back(db_session, hidden, is_amount_public=False)
    html = main_html(client.get("/projects"))
    assert "<dd>3</dd>" in html
    assert "$7,500.50" in html
    assert "1,234" not in html
    assert "The amount of 1 project is not published" in html


def _statements_for(client, url: str) -> list[str]:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return statements


def _make_projects(session, factories, call, count: int) -> None:
    for _ in range(count):
        make_project(session, factories, call, paid=Decimal("100.00"),
                     reports=[(ReportKind.midterm, ReportState.accepted)])


def test_list_queries_do_not_grow_with_the_projects(client, db_session, factories, call):
    _make_projects(db_session, factories, call, 2)
    with_two = _statements_for(client, "/projects")
    _make_projects(db_session, factories, call, 28)
    with_thirty = _statements_for(client, "/projects")
    assert len(with_two) == len(with_thirty)
    # The areas of the page's projects come from one statement and the filter menu's from
    # another, not one per batch of awards.
    assert sum("thematic_areas" in statement for statement in with_thirty) == 2


def _cards(html: str) -> int:
    return len(re.findall(r'<article class="card project-card"', html))


def test_list_is_paginated_with_totals_over_every_project(client, db_session, factories,
                                                         call):
    _make_projects(db_session, factories, call, 30)
    first = main_html(client.get("/projects"))
    assert _cards(first) == 24
    assert "<dd>30</dd>" in first and "$150,000.00" in first
    assert '<nav class="pagination" aria-label="Pages of funded projects">' in first
    assert 'href="/projects?page=1" aria-current="page"' in first
    assert 'href="/projects?page=2" rel="next"' in first
    second = main_html(client.get("/projects?page=2"))
    assert _cards(second) == 6
    assert "<dd>30</dd>" in second and "$150,000.00" in second
    assert 'href="/projects?page=2" aria-current="page"' in second
    for query, cards in (("?page=abc", 24), ("?page=0", 24), ("?page=-3", 24),
                         ("?page=" + "9" * 40, 24), ("?page=99", 6), ("?page=1.5", 24)):
        response = client.get("/projects" + query)
        assert response.status_code == 200, query
        assert _cards(main_html(response)) == cards, query


def test_page_links_keep_the_filters(client, db_session, factories, call):
    _make_projects(db_session, factories, call, 25)
    html = main_html(client.get(f"/projects?fund={call.fund_id}&district=Cayo&page=2"))
    assert _cards(html) == 1
    assert (f'href="/projects?fund={call.fund_id}&amp;district=Cayo&amp;page=1" rel="prev"'
            in html)


def test_a_single_page_has_no_page_links(client, db_session, factories, call):
    _make_projects(db_session, factories, call, 3)
    assert 'class="pagination"' not in main_html(client.get("/projects"))


# One project ---------------------------------------------------------------------------------

def test_project_page_for_anonymous_visitors(client, db_session, factories, call):
    award = make_project(db_session, factories, call, title="Budget data for Cayo")
    response = client.get(f"/projects/{award.reference}")
    assert response.status_code == 200
    html = main_html(response)
    assert "Budget data for Cayo" in html
    assert "Opening budget data with the council." in html
    assert f'src="/projects/{award.reference}/qr.svg"' in html
    assert f"/projects/{award.reference}/qr.png?download=1" in html
    assert f"/projects/{award.reference}/qr.svg?download=1" in html
    assert f'href="/projects/{award.reference}/sheet"' in html
    assert "Friendly Embassy" in html


def test_unknown_pending_and_withdrawn_projects_are_not_found(client, db_session, factories,
                                                               call):
    pending = make_project(db_session, factories, call, state=AwardState.pending_signature)
    withdrawn = make_project(db_session, factories, call)
    hold_back(db_session, withdrawn, is_published=False)
    for reference in ("OGB-G-1999-999", pending.reference, withdrawn.reference,
                      "x" * 80, "bad%20ref"):
        for suffix in ("", "/sheet", "/qr.png", "/qr.svg"):
            assert client.get(f"/projects/{reference}{suffix}").status_code == 404, \
                (reference, suffix)


def test_held_back_parts_are_not_in_any_page(client, db_session, factories, call):
    award = make_project(db_session, factories, call, partner="Secret Ministry",
                         amount=Decimal("4321.00"), summary="A summary to keep back.")
    hold_back(db_session, award, is_amount_public=False, is_partner_public=False,
              is_summary_public=False, is_progress_public=False)
    partner = award.application.counterpart.name
    for url in ("/projects", f"/projects/{award.reference}",
                f"/projects/{award.reference}/sheet"):
        html = main_html(client.get(url))
        assert award.application.title in html
        assert partner not in html and "Secret Ministry" not in html
        assert "4,321" not in html and "4321" not in html
        assert "A summary to keep back." not in html
        assert "<progress" not in html
        assert award.application.organisation.name in html  # still public


def test_personal_data_is_never_shown(client, db_session, factories, call):
    award = make_project(db_session, factories, call)
    for url in ("/projects", f"/projects/{award.reference}",
                f"/projects/{award.reference}/sheet"):
        html = client.get(url).get_data(as_text=True)
        assert "Jane Contact" not in html and "@council.example.org" not in html


def test_hostile_text_is_escaped(client, db_session, factories, call):
    award = make_project(db_session, factories, call,
                         title='<script>alert("t")</script>',
                         summary='<img src=x onerror=alert(1)> & "quotes"')
    hold_back(db_session, award, public_title='<b onmouseover="x()">Bold</b>')
    for url in ("/projects", f"/projects/{award.reference}",
                f"/projects/{award.reference}/sheet"):
        html = main_html(client.get(url))
        assert "<b onmouseover" not in html and "<img src=x" not in html
        assert "&lt;b onmouseover=" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_printable_sheet(client, db_session, factories, call):
    award = make_project(db_session, factories, call, title="Budget data for Cayo")
    response = client.get(f"/projects/{award.reference}/sheet")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "css/portal.css" in text
    assert "<script>" not in text and " style=" not in text
    html = main_html(response)
    assert "Budget data for Cayo" in html and award.reference in html
    assert f'src="/projects/{award.reference}/qr.svg"' in html
    assert f"http://localhost/projects/{award.reference}" in html
    assert "Print" in html


def test_portal_stylesheet_has_a_print_layout(client):
    response = client.get("/static/css/portal.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "@media print" in css and "A4" in css


# QR codes ------------------------------------------------------------------------------------

def _decode(png: bytes) -> list:
    return zxingcpp.read_barcodes(Image.open(BytesIO(png)))


def test_qr_png_decodes_to_the_absolute_project_url(app, client, db_session, factories, call,
                                                   monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://grants.example.org")
    award = make_project(db_session, factories, call)
    response = client.get(f"/projects/{award.reference}/qr.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=86400" in response.headers["Cache-Control"]
    assert "public" in response.headers["Cache-Control"]
    assert "Content-Disposition" not in response.headers
    results = _decode(response.data)
    assert [r.text for r in results] == [f"https://grants.example.org/projects/{award.reference}"]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    assert results[0].ec_level in {"M", "Q", "H"}
    image = Image.open(BytesIO(response.data))
    assert min(image.size) >= 400  # large enough to print
    # The quiet zone: the image's border (four modules) is white all round.
    pixels = image.convert("L")
    width, height = pixels.size
    assert all(pixels.getpixel((x, y)) == 255
               for x in range(width) for y in (0, 5, height - 1))
    assert all(pixels.getpixel((x, y)) == 255
               for y in range(height) for x in (0, 5, width - 1))


def test_qr_uses_the_request_host_without_a_public_base_url(client, db_session, factories,
                                                            call):
    award = make_project(db_session, factories, call)
    png = client.get(f"/projects/{award.reference}/qr.png").data
    assert [r.text for r in _decode(png)] == [f"http://localhost/projects/{award.reference}"]


def test_qr_svg_is_clean_xml(client, db_session, factories, call):
    award = make_project(db_session, factories, call)
    response = client.get(f"/projects/{award.reference}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=86400" in response.headers["Cache-Control"]
    root = ET.fromstring(response.data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = response.get_data(as_text=True).lower()
    assert "<script" not in text and "onload" not in text and "href" not in text


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_qr_download_is_an_attachment_named_after_the_reference(client, db_session, factories,
                                                                call, kind):
    award = make_project(db_session, factories, call, reference="OGB-G-2018-003")
    response = client.get(f"/projects/OGB-G-2018-003/qr.{kind}?download=1")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f'filename="OGB-G-2018-003-qr.{kind}"' in disposition
    assert award.reference == "OGB-G-2018-003"


def test_svg_on_the_page_is_the_same_code(client, db_session, factories, call):
    award = make_project(db_session, factories, call)
    # The page shows the SVG; its bitmap twin must carry the same address.
    svg = client.get(f"/projects/{award.reference}/qr.svg").data
    png = client.get(f"/projects/{award.reference}/qr.png").data
    assert b"<path" in svg
    assert _decode(png)[0].text.endswith(f"/projects/{award.reference}")


# Navigation and links ------------------------------------------------------------------------

def test_menu_and_home_link_to_the_funded_projects(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<nav class="main-nav".*href="/projects".*</nav>', html, re.S)
    assert "Funded projects" in html
    assert main_html(client.get("/")).count('href="/projects"') >= 1


def test_no_projects_yet(client):
    html = main_html(client.get("/projects"))
    assert "No project has been published yet." in html
    assert "<dd>0</dd>" in html


def test_dates_are_hidden_when_held_back(client, db_session, factories, call):
    award = make_project(db_session, factories, call)
    hold_back(db_session, award, is_dates_public=False)
    html = main_html(client.get(f"/projects/{award.reference}"))
    assert "2019" not in html.replace(award.reference, "")
    assert "Period" not in html and "Awarded on" not in html
