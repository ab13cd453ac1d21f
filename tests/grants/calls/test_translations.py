"""A call in each language of the programme: staff write it side by side, applicants read
their language (or the main one, told so), and an affirmation keeps the words affirmed."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from core.errors import OperationError
from core.extensions import db
from core.translations import falls_back, localized
from grants.applications.models import application_affirmations
from grants.calls import operations
from grants.calls.content import clean_translations
from grants.calls.models import Call
from tests.grants.calls.conftest import _call_form


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",))


SPANISH = {"title": "Pequeñas subvenciones 2026", "summary": "Para alianzas.",
           "body_markdown": "Con una **contraparte**.",
           "thematic_areas": ["Datos abiertos", "", "Educación"],
           "eligibility_statements": ["Somos una OSC registrada."],
           "required_documents": []}


def test_a_text_falls_back_to_the_main_language_and_says_so(app, grant_factories):
    call = grant_factories.call(title="Small grants")
    call.set_translation("es", {"summary": "Para alianzas."})
    with app.test_request_context():
        with force_locale("es"):
            assert localized(call, "title").text == "Small grants"
            assert localized(call, "title").is_fallback
            assert localized(call, "summary").text == "Para alianzas."
            assert falls_back(call)
        with force_locale("en"):
            assert not falls_back(call)
    assert call.missing_in("es") == ["title", "body_markdown"]


def test_translations_are_kept_line_for_line(app, staff, grant_factories, db_session):
    call = grant_factories.call(state=None)
    operations.update_call(call, staff, translations={"es": SPANISH})
    db_session.flush()
    db_session.expire_all()
    call = db_session.get(Call, call.id)
    assert call.text_in("title", "es") == "Pequeñas subvenciones 2026"
    areas = [area.text_in("name", "es") for area in call.thematic_areas]
    assert areas[:3] == ["Datos abiertos", "", "Educación"] and set(areas[3:]) == {""}
    assert call.eligibility_statements[0].text_in("text", "es") == "Somos una OSC registrada."


def test_more_lines_than_the_main_language_are_refused(app, staff, grant_factories):
    call = grant_factories.call(documents=["Budget"])
    with pytest.raises(OperationError) as refused:
        operations.update_call(call, staff, translations={"es": {
            **SPANISH, "required_documents": ["Presupuesto", "Carta"]}})
    assert refused.value.field == "translations_es-required_documents"


def test_only_the_programmes_other_languages_are_taken(app):
    with app.test_request_context(), pytest.raises(TypeError):
        clean_translations({"fr": {"title": "Subventions"}})
    with app.test_request_context(), pytest.raises(OperationError) as refused:
        clean_translations({"es": {**SPANISH, "title": "Bell\x07"}})
    assert refused.value.field == "translations_es-title"


def test_staff_write_the_call_in_both_languages_on_one_form(client, login_as,
                                                            grant_factories, db_session):
    fund = grant_factories.fund()
    login_as("staff")
    page = client.get("/staff/calls/new").get_data(as_text=True)
    assert "Title (English)" in page and "Title (Spanish)" in page
    assert 'id="translations_es-eligibility_statements"' in page
    data = _call_form(fund, **{"translations_es-title": "Subvenciones 2026",
                               "translations_es-thematic_areas": "Acceso a la información"})
    assert client.post("/staff/calls/new", data=data).status_code == 302
    call = db_session.scalar(select(Call))
    assert call.text_in("title", "es") == "Subvenciones 2026"
    assert call.thematic_areas[0].text_in("name", "es") == "Acceso a la información"
    detail = client.get(f"/staff/calls/{call.id}").get_data(as_text=True)
    assert "Not yet in Spanish" in detail and "not complete in every language" in detail
    form = client.get(f"/staff/calls/{call.id}/edit").get_data(as_text=True)
    assert "Subvenciones 2026" in form


def test_a_spanish_reader_sees_the_spanish_call(client, grant_factories):
    call = grant_factories.call(title="Small grants", areas=["Open data"])
    call.set_translation("es", {"title": "Pequeñas subvenciones"})
    db.session.flush()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    page = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Pequeñas subvenciones" in page and "Small grants" not in page
    assert "Disponible solo en inglés" in page  # the areas are in English only
    call.thematic_areas[0].set_translation("es", {"name": "Datos abiertos"})
    call.set_translation("es", {"title": "Pequeñas subvenciones",
                                "summary": call.summary and "Resumen",
                                "body_markdown": call.body_markdown and "Texto"})
    for item in [*call.eligibility_statements, *call.required_documents]:
        item.set_translation("es", {item.__translatable__[0]: "Traducido"})
    db.session.flush()
    page = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Datos abiertos" in page and "Disponible solo en" not in page


def test_an_affirmation_keeps_the_language_and_words_affirmed(app, grant_factories, factories,
                                                              db_session):
    from grants.applications.operations import save_declarations
    call = grant_factories.call()
    actor = factories.user()
    application = grant_factories.application(call, state="draft")
    statement = call.eligibility_statements[0]
    statement.set_translation("es", {"text": "Somos una OSC registrada."})
    with app.test_request_context(), force_locale("es"):
        save_declarations(application, actor, statements=[statement])
    row = db_session.execute(select(application_affirmations.c.language,
                                    application_affirmations.c.wording)).one()
    assert tuple(row) == ("es", "Somos una OSC registrada.")


def test_the_rubric_is_worded_in_each_language_even_after_submissions(
        client, login_as, grant_factories, db_session):
    call = grant_factories.call()
    grant_factories.application(call, state="submitted")
    criterion = call.criteria[0]
    login_as("staff")
    page = client.get(f"/staff/calls/{call.id}/rubric").get_data(as_text=True)
    assert "Criterion (Spanish)" in page
    data = {}
    for index, row in enumerate(call.criteria):
        data.update({f"criteria-{index}-criterion_id": str(row.id),
                     f"criteria-{index}-name": row.name, f"criteria-{index}-guidance": row.guidance,
                     f"criteria-{index}-weight": str(row.weight),
                     f"criteria-{index}-max_score": str(row.max_score)})
        if row.is_na_allowed:
            data[f"criteria-{index}-is_na_allowed"] = "y"
    data["criteria-0-translations_es-name"] = "Pertinencia"
    response = client.post(f"/staff/calls/{call.id}/rubric", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db_session.refresh(criterion)
    assert criterion.text_in("name", "es") == "Pertinencia"
    # Changing a score's rules is still refused.
    data["criteria-0-weight"] = "9"
    assert client.post(f"/staff/calls/{call.id}/rubric", data=data).status_code == 422


@pytest.mark.parametrize("template, context", [
    ("grants/reviews/assigned", lambda call, application: {
        "call": call, "applications": [application], "panel": None,
        "workspace_url": "http://localhost/reviews"}),
    ("grants/applications/submitted", lambda call, application: {
        "application": application, "url": "http://localhost/applications/1"}),
])
def test_emails_name_the_call_in_the_recipients_language(app, grant_factories, factories,
                                                         template, context):
    from core.outbox.operations import render_mail
    call = grant_factories.call(title="Small grants 2026")
    call.set_translation("es", {"title": "Pequeñas subvenciones 2026"})
    application = grant_factories.application(call=call)
    user = factories.user()
    values = {"user": user, **context(call, application)}
    with app.test_request_context():
        spanish_subject, spanish_body = render_mail(template, "es", **values)
        english_subject, english_body = render_mail(template, "en", **values)
    assert "Pequeñas subvenciones 2026" in spanish_subject + spanish_body
    assert "Small grants 2026" not in spanish_subject + spanish_body
    assert "Small grants 2026" in english_subject + english_body
