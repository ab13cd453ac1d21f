"""The results framework's pages through the client: who may do what, refusals, bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reporting.results import operations
from reporting.results.models import Indicator, Result


@pytest.fixture
def logframe(factories):
    staff = factories.user(roles=("staff",))
    outcome = operations.create_result(staff, level="outcome", code="1", title="Reforms")
    output = operations.create_result(staff, level="output", parent=outcome, code="1.1",
                                      title="CSOs trained")
    manual = operations.create_indicator(output, staff, code="1.1a", title="Requests answered",
                                         unit="%", kind="manual", sums_actuals=False)
    target, _ = operations.set_target(manual, staff, starts_on=date(2019, 1, 1),
                                      ends_on=date(2019, 12, 31), value="60")
    return {"outcome": outcome, "output": output, "manual": manual, "target": target}


def test_staff_build_the_logframe_through_the_pages(client, login_as, db_session):
    login_as("staff")
    assert client.get("/staff/results/outcomes/new").status_code == 200
    response = client.post("/staff/results/outcomes/new",
                           data={"code": "1", "title": "Reforms co-created",
                                 "translations_es-title": "Reformas co-creadas"})
    assert response.status_code == 302
    outcome = db_session.query(Result).one()
    assert outcome.text_in("title", "es") == "Reformas co-creadas"
    response = client.post(f"/staff/results/{outcome.id}/outputs/new",
                           data={"code": "1.1", "title": "CSOs trained"})
    assert response.status_code == 302
    output = outcome.outputs[0]
    response = client.post(f"/staff/results/{output.id}/indicators/new", data={
        "code": "1.1a", "title": "People trained", "unit": "people", "kind": "computed",
        "measure": "people_trained", "disaggregation": ["sex", "age"], "baseline": ""})
    assert response.status_code == 302
    indicator = db_session.query(Indicator).one()
    assert indicator.disaggregation == ["sex", "age"] and indicator.baseline == 0
    response = client.post(f"/staff/results/indicators/{indicator.id}/targets",
                           data={"target-year": "2019", "target-value": "200"})
    assert response.status_code == 302
    assert [(t.starts_on, t.ends_on, t.value) for t in indicator.targets] == [
        (date(2019, 1, 1), date(2019, 12, 31), Decimal("200.00"))]
    page = client.get("/reports/results?from=2019-01-01&to=2019-12-31")
    assert page.status_code == 200 and b"People trained" in page.data
    assert client.get(f"/staff/results/indicators/{indicator.id}").status_code == 200


def test_manual_actuals_are_entered_and_removed(client, login_as, logframe, db_session):
    login_as("staff")
    manual = logframe["manual"]
    response = client.post(f"/staff/results/indicators/{manual.id}/actuals", data={
        "actual-starts_on": "2019-01-01", "actual-ends_on": "2019-12-31",
        "actual-value": "55", "actual-source": "Annual report"})
    assert response.status_code == 302
    actual = manual.actuals[0]
    assert actual.value == Decimal("55.00") and actual.source == "Annual report"
    assert client.post(f"/staff/results/actuals/{actual.id}/remove").status_code == 302
    assert client.post(f"/staff/results/targets/{logframe['target'].id}/remove"
                       ).status_code == 302
    db_session.expire_all()
    assert manual.actuals == [] and manual.targets == []


@pytest.mark.parametrize("role", ["donor", "finance"])
def test_readers_read_but_do_not_write(client, login_as, logframe, role):
    login_as(role)
    page = client.get("/reports/results")
    assert page.status_code == 200 and b"Requests answered" in page.data
    assert b"/staff/results/" not in page.data  # no links to the staff pages
    manual = logframe["manual"]
    for url in ("/staff/results/outcomes/new", f"/staff/results/{logframe['output'].id}/edit",
                f"/staff/results/indicators/{manual.id}"):
        assert client.get(url).status_code == 403
    assert client.post(f"/staff/results/indicators/{manual.id}/targets",
                       data={"target-year": "2020", "target-value": "1"}).status_code == 403
    assert client.post(f"/staff/results/targets/{logframe['target'].id}/remove"
                       ).status_code == 403


def test_others_are_refused(client, login_as, logframe):
    assert client.get("/reports/results").status_code == 302  # to sign in
    login_as("applicant")
    assert client.get("/reports/results").status_code == 403


def test_missing_objects_are_404(client, login_as, logframe):
    login_as("staff")
    assert client.get("/staff/results/999999/edit").status_code == 404
    assert client.get("/staff/results/indicators/999999").status_code == 404
    assert client.post("/staff/results/targets/999999/remove").status_code == 404
    # Outputs hang from outcomes only.
    assert client.get(f"/staff/results/{logframe['output'].id}/outputs/new").status_code == 404


def test_bad_input_is_422_with_the_message_by_the_field(client, login_as, logframe):
    login_as("staff")
    output, manual = logframe["output"], logframe["manual"]
    cases = [
        (f"/staff/results/{output.id}/indicators/new",
         {"title": "People", "kind": "computed", "measure": ""},
         "Choose what the indicator counts."),
        (f"/staff/results/{output.id}/indicators/new",
         {"title": "People", "kind": "manual", "baseline": "-3"},
         "The amount cannot be negative."),
        (f"/staff/results/{output.id}/indicators/new",
         {"title": "Money", "kind": "computed", "measure": "amount_disbursed", "unit": "$"},
         "currency code"),
        (f"/staff/results/{output.id}/indicators/new", {"title": "x" * 301, "kind": "manual"},
         "300 characters"),
        ("/staff/results/outcomes/new", {"code": "1", "title": ""},
         "Enter the result&#39;s title."),
        (f"/staff/results/indicators/{manual.id}/targets",
         {"target-year": "2019", "target-value": "lots"}, "Enter a number"),
        (f"/staff/results/indicators/{manual.id}/targets", {"target-value": "3"},
         "Enter a year, or the first and last days of the period."),
        (f"/staff/results/indicators/{manual.id}/targets",
         {"target-starts_on": "2019-12-31", "target-ends_on": "2019-01-01",
          "target-value": "3"}, "The period cannot end before it starts."),
        (f"/staff/results/indicators/{manual.id}/actuals",
         {"actual-year": "3000", "actual-value": "3"}, "Enter a year between"),
    ]
    for url, data, message in cases:
        response = client.post(url, data=data)
        assert response.status_code == 422, (url, data)
        assert message in response.get_data(as_text=True), (url, data)
        assert 'class="error-message"' in response.get_data(as_text=True)


def test_a_computed_indicator_has_no_form_for_actuals(client, login_as, logframe):
    login_as("staff")
    indicator = operations.create_indicator(logframe["output"], None, title="Events",
                                            kind="computed", measure="events_held")
    page = client.get(f"/staff/results/indicators/{indicator.id}").get_data(as_text=True)
    assert "actual-value" not in page
    response = client.post(f"/staff/results/indicators/{indicator.id}/actuals",
                           data={"actual-year": "2019", "actual-value": "3"})
    assert response.status_code == 422
    assert "computed from the records" in response.get_data(as_text=True)


def test_a_bad_period_on_the_results_page_is_400(client, login_as, logframe):
    login_as("donor")
    assert client.get("/reports/results?from=yesterday").status_code == 400
    assert client.get("/reports/results?from=2019-12-31&to=2019-01-01").status_code == 400


def test_forms_need_their_token(client, login_as, logframe, csrf_enabled):
    login_as("staff")
    manual = logframe["manual"]
    for url, data in ((f"/staff/results/indicators/{manual.id}/targets",
                       {"target-year": "2020", "target-value": "70"}),
                      (f"/staff/results/targets/{logframe['target'].id}/remove", {}),
                      ("/staff/results/outcomes/new", {"title": "Forged"})):
        assert client.post(url, data=data).status_code == 400
    page = client.get(f"/staff/results/indicators/{manual.id}").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 3
