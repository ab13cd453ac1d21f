"""Staff's publication settings: the form, its operation and its audit entry."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.audit.models import AuditEntry
from core.errors import OperationError
from grants.awards.states import AwardState
from reporting.portal import operations
from reporting.portal.models import PUBLIC_PARTS, ProjectPublication
from reporting.portal.queries import public_project
from tests.reporting.test_portal_pages import main_html, make_project

ALL_PARTS = {f"show_{part}": "y" for part in PUBLIC_PARTS}


def url(award) -> str:
    return f"/staff/awards/{award.id}/publication"


def settings(db_session, award):
    return db_session.scalar(select(ProjectPublication)
                             .where(ProjectPublication.award_id == award.id))


def audit_entries(db_session, award):
    return db_session.scalars(select(AuditEntry)
                              .where(AuditEntry.action.like("publication.%"))
                              .order_by(AuditEntry.id)).all()


# The page ------------------------------------------------------------------------------------

def test_staff_see_the_defaults_a_preview_and_the_privacy_note(client, login_as, db_session,
                                                                factories, call):
    award = make_project(db_session, factories, call, title="Budget data for Cayo")
    login_as("staff")
    response = client.get(url(award))
    assert response.status_code == 200
    html = main_html(response)
    for part in ("published", *(f"show_{p}" for p in PUBLIC_PARTS)):
        assert re.search(rf'<input[^>]*checked[^>]*id="(is_)?{part}"', html), part
    assert "Preview: what the public will see" in html
    assert "Budget data for Cayo" in html
    assert "Personal data is never published" in html
    assert "email addresses" in html
    assert settings(db_session, award) is None  # looking changes nothing


def test_staff_save_the_settings_and_the_public_page_follows(client, login_as, db_session,
                                                             factories, call):
    award = make_project(db_session, factories, call, partner="Ministry of Budgets")
    staff = login_as("staff")
    data = {**ALL_PARTS, "is_published": "y", "public_title": "Open budgets, explained",
            "public_summary": "What the public should know."}
    del data["show_amount"], data["show_partner"]
    response = client.post(url(award), data=data)
    assert response.status_code == 302
    assert response.location.endswith(url(award))
    stored = settings(db_session, award)
    assert stored.public_title == "Open budgets, explained"
    assert not stored.is_amount_public and not stored.is_partner_public
    assert stored.is_summary_public and stored.is_published
    assert stored.updated_by_id == staff.id

    entry, = audit_entries(db_session, award)
    assert entry.action == "publication.create" and entry.actor_id == staff.id
    assert entry.data["after"]["amount"] is False and entry.data["before"] is None
    assert award.reference in entry.summary

    page = main_html(client.get(f"/projects/{award.reference}"))
    assert "Open budgets, explained" in page and "What the public should know." in page
    assert "Ministry of Budgets" not in page and "$5,000.00" not in page


def test_saving_again_updates_the_same_row_and_audits_the_change(client, login_as,
                                                                 db_session, factories, call):
    award = make_project(db_session, factories, call)
    login_as("staff")
    client.post(url(award), data={**ALL_PARTS, "is_published": "y"})
    response = client.post(url(award), data=ALL_PARTS)  # unticked: withdrawn
    assert response.status_code == 302
    assert db_session.scalars(select(ProjectPublication)).all() == [settings(db_session, award)]
    assert settings(db_session, award).is_published is False
    first, second = audit_entries(db_session, award)
    assert second.action == "publication.update"
    assert second.data["before"]["is_published"] is True
    assert second.data["after"]["is_published"] is False
    assert client.get(f"/projects/{award.reference}").status_code == 404


def test_the_preview_button_saves_nothing(client, login_as, db_session, factories, call):
    award = make_project(db_session, factories, call, partner="Ministry of Budgets")
    login_as("staff")
    data = {**ALL_PARTS, "is_published": "y", "action": "preview"}
    del data["show_partner"]
    response = client.post(url(award), data=data)
    assert response.status_code == 200
    preview = main_html(response).split("Preview: what the public will see")[1]
    assert "Ministry of Budgets" not in preview
    assert settings(db_session, award) is None
    assert audit_entries(db_session, award) == []


@pytest.mark.parametrize("field, value", [("public_title", "x" * 201),
                                          ("public_summary", "y" * 3001),
                                          ("public_title", "Tab\tin a title")])
def test_bad_input_is_refused_next_to_the_field(client, login_as, db_session, factories, call,
                                                 field, value):
    award = make_project(db_session, factories, call)
    login_as("staff")
    response = client.post(url(award), data={**ALL_PARTS, "is_published": "y", field: value})
    assert response.status_code == 422
    html = main_html(response)
    assert re.search(rf'<p class="error-message" id="{field}-error">[^<]+</p>', html)
    assert settings(db_session, award) is None
    assert audit_entries(db_session, award) == []


def test_hostile_text_is_saved_as_text_and_escaped_in_the_preview(client, login_as,
                                                                   db_session, factories,
                                                                   call):
    award = make_project(db_session, factories, call)
    login_as("staff")
    hostile = '<script>alert("x")</script>'
    client.post(url(award), data={**ALL_PARTS, "is_published": "y", "public_title": hostile})
    assert settings(db_session, award).public_title == hostile
    html = main_html(client.get(url(award)))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html


def test_a_pending_award_can_be_configured_with_a_note(client, login_as, db_session,
                                                       factories, call):
    award = make_project(db_session, factories, call, state=AwardState.pending_signature)
    login_as("staff")
    html = main_html(client.get(url(award)))
    assert "will appear on the public pages once the agreement is signed" in html
    assert f'href="/projects/{award.reference}"' not in html
    response = client.post(url(award), data={**ALL_PARTS, "is_published": "y",
                                             "public_title": "Ready for signature"})
    assert response.status_code == 302
    assert settings(db_session, award).public_title == "Ready for signature"
    assert client.get(f"/projects/{award.reference}").status_code == 404


@pytest.mark.parametrize("role", ["donor", "applicant", "finance", "reviewer"])
def test_other_roles_are_refused(client, login_as, db_session, factories, call, role):
    award = make_project(db_session, factories, call)
    login_as(role)
    assert client.get(url(award)).status_code == 403
    assert client.post(url(award), data={**ALL_PARTS}).status_code == 403
    assert settings(db_session, award) is None


def test_anonymous_visitors_are_sent_to_sign_in(client, db_session, factories, call):
    award = make_project(db_session, factories, call)
    response = client.get(url(award))
    assert response.status_code == 302 and response.location.startswith("/login")


def test_unknown_award_is_not_found(client, login_as):
    login_as("staff")
    assert client.get("/staff/awards/999999/publication").status_code == 404


def test_the_form_needs_its_csrf_token(client, login_as, db_session, factories, call,
                                       csrf_enabled):
    award = make_project(db_session, factories, call)
    login_as("staff")
    page = client.get(url(award)).get_data(as_text=True)
    assert 'name="csrf_token"' in page[page.index("<main"):]
    response = client.post(url(award), data={**ALL_PARTS, "public_title": "No token"})
    assert response.status_code == 400
    assert settings(db_session, award) is None


def test_award_page_links_to_the_settings_for_staff_only(client, login_as, db_session,
                                                        factories, call):
    award = make_project(db_session, factories, call)
    login_as("staff")
    assert f'href="{url(award)}"' in client.get(f"/awards/{award.id}").get_data(as_text=True)
    login_as("finance")
    page = client.get(f"/awards/{award.id}")
    assert page.status_code == 200 and f'href="{url(award)}"' not in page.get_data(as_text=True)


# The operation -------------------------------------------------------------------------------

def test_operation_keeps_what_is_not_given_and_flushes_only(db_session, factories, call,
                                                           monkeypatch):
    award = make_project(db_session, factories, call)
    staff = factories.user(roles=("staff",))

    def no_commit():
        raise AssertionError("operations flush; the request commits")

    monkeypatch.setattr(db_session, "commit", no_commit)
    publication = operations.update_publication(award, staff, amount=False)
    assert publication.id is not None and publication in db_session
    assert publication.is_published and publication.is_partner_public
    assert not publication.is_amount_public
    operations.update_publication(award, staff, public_title="  Spaced  ")
    assert publication.public_title == "Spaced" and not publication.is_amount_public
    assert public_project(award.reference).amount is None


def test_operation_refuses_non_staff_and_bad_values(db_session, factories, call):
    award = make_project(db_session, factories, call)
    donor = factories.user(roles=("donor",))
    staff = factories.user(roles=("staff",))
    with pytest.raises(OperationError):
        operations.update_publication(award, donor, amount=False)
    with pytest.raises(OperationError) as error:
        operations.update_publication(award, staff, public_title="t" * 201)
    assert error.value.field == "public_title"
    with pytest.raises(OperationError) as error:
        operations.update_publication(award, staff, amount="no")
    assert error.value.field == "show_amount"
    with pytest.raises(ValueError):
        operations.update_publication(award, staff, contacts=True)
    assert settings(db_session, award) is None


def test_the_public_wording_is_written_in_each_language_and_read_in_the_readers(
        client, login_as, db_session, factories, call):
    award = make_project(db_session, factories, call, title="Budget data for Cayo",
                         summary="Opening budget data with the council.")
    login_as("staff")
    page = main_html(client.get(url(award)))
    assert 'id="translations_es-public_title"' in page
    data = {**ALL_PARTS, "is_published": "y", "public_title": "", "public_summary": "",
            "translations_es-public_title": "Datos presupuestarios para Cayo"}
    assert client.post(url(award), data=data).status_code == 302
    stored = settings(db_session, award)
    assert stored.text_in("public_title", "es") == "Datos presupuestarios para Cayo"
    entry, = audit_entries(db_session, award)
    assert entry.data["after"]["translations"] == {
        "es": {"public_title": "Datos presupuestarios para Cayo"}}

    reader = client.application.test_client()  # a visitor whose browser asks for Spanish
    reader.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    spanish = main_html(reader.get(f"/projects/{award.reference}"))
    assert "Datos presupuestarios para Cayo" in spanish
    assert "Budget data for Cayo" not in spanish
    # The summary is in English only, and the page says so.
    assert "Opening budget data with the council." in spanish
    assert "Disponible solo en inglés" in spanish
    reader.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    english = main_html(reader.get(f"/projects/{award.reference}"))
    assert "Budget data for Cayo" in english and "Available in" not in english


def test_a_projects_areas_are_named_in_the_readers_language(client, db_session, factories,
                                                            call):
    award = make_project(db_session, factories, call)
    area = award.application.thematic_areas[0]
    area.set_translation("es", {"name": "Zona traducida"})
    db_session.flush()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    assert "Zona traducida" in main_html(client.get(f"/projects/{award.reference}"))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = main_html(client.get(f"/projects/{award.reference}"))
    assert area.name in page and "Zona traducida" not in page
