"""The 360Giving package: valid against the standard's schema (checked offline), holding only
published projects and none of their held-back parts."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from grants.awards.models import Award
from grants.calls.models import Call, ThematicArea
from reporting.opendata.grants import duration_in_months, slug, timestamp
from reporting.opendata.package import NothingToPublish, build_package, collect, dumps
from reporting.opendata.validation import InvalidPackage, package_errors, validate_package
from reporting.portal.models import ProjectPublication
from reporting.portal.queries import public_projects
from tests.fixtures.demo_numbers import (
    CURRENT_PROJECTS,
    PUBLIC_PROJECTS,
    REFERENCE_PROJECTS,
    reference_projects,
)
from tests.reporting.conftest import set_publication

HOSTILE = ("=HYPERLINK(\"http://evil.example\", \"click\") <script>alert(1)</script> "
           "{{ 7*7 }} \x01\x07\x1b\x0b\x0c\x7f\x85 \u202e\ufeff 😀 line\r\nbreak\rend\ttab")
_FORBIDDEN_IN_JSON = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _publish(award_id: int, **choices) -> None:
    from core.extensions import db
    set_publication(db.session, award_id, **choices)
    db.session.flush()


def _all_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _all_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _all_strings(item)


def test_the_demo_programme_gives_a_valid_package(demo_programme):
    package = build_package(collect())
    assert package_errors(package) == []
    assert len(package["grants"]) == PUBLIC_PROJECTS
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert package["publisher"]["name"]
    # What is written (ints and floats, not Decimals) is valid too.
    written = json.loads(dumps(package))
    assert package_errors(written) == []
    grant = next(grant for grant in written["grants"]
                 if grant["id"] == f"360G-ogbz-{reference_projects()[0].reference}")
    assert grant["amountAwarded"] == 5000 and grant["currency"] == "USD"
    assert grant["fromOpenCall"] == "Yes"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", grant["awardDate"])
    assert grant["dateModified"].endswith("Z")
    assert datetime.fromisoformat(grant["dateModified"].replace("Z", "+00:00")).tzinfo
    assert grant["plannedDates"][0]["duration"] == 6
    assert grant["beneficiaryLocation"][0]["countryCode"] == "BZ"
    assert "geoCode" not in grant["beneficiaryLocation"][0]
    assert grant["classifications"][0]["vocabulary"] == "ogbz-thematic-areas"


def test_the_validator_rejects_a_broken_grant(demo_programme):
    valid = build_package(collect())

    def broken(change):
        package = copy.deepcopy(valid)
        change(package["grants"][0])
        return package

    without_amount = broken(lambda grant: grant.pop("amountAwarded"))
    assert package_errors(without_amount)
    with pytest.raises(InvalidPackage):
        validate_package(without_amount)
    assert package_errors(broken(lambda grant: grant.update(awardDate="2019-13-01")))
    assert package_errors(broken(lambda grant: grant.update(awardDate="10/01/2019")))
    assert package_errors(broken(lambda grant: grant.update(fromOpenCall="Maybe")))
    assert package_errors(broken(lambda grant: grant.update(currency="DOLLARS")))
    assert package_errors(broken(lambda grant: grant.update(dateModified="yesterday")))
    assert package_errors(broken(lambda grant: grant["recipientOrganization"][0].pop("id")))
    assert package_errors(broken(lambda grant: grant.update(amountAwarded="5000")))
    # A plain date and a full date-time are both accepted where the standard allows them.
    assert package_errors(broken(lambda grant: grant.update(
        awardDate="2019-01-10T12:00:00Z"))) == []
    # The standard wants at least one grant in a package.
    assert package_errors({**valid, "grants": []})


def test_identifiers(demo_programme, app, db_session, monkeypatch):
    project = reference_projects()[0]
    award = db_session.get(Award, project.award_id)
    recipient = award.application.organisation
    recipient.org_id = "BZ-COA-12345"
    db_session.flush()
    grants = {grant["id"]: grant for grant in build_package(collect())["grants"]}
    grant = grants[f"360G-ogbz-{project.reference}"]
    assert grant["recipientOrganization"] == [{
        "id": "BZ-COA-12345", "name": recipient.name,
        "location": [{"name": f"{recipient.district} District", "countryCode": "BZ"}]}]
    funder = award.application.call.fund.manager
    assert grant["fundingOrganization"] == [{"id": f"360G-ogbz-ORG-{funder.id}",
                                             "name": funder.name}]
    assert grant["grantProgramme"] == [{"code": f"call-{project.call_id}",
                                        "title": project.call_title}]
    # The others: their organisation's registered identifier, else the programme's own.
    organisations = {award.application.organisation.name: award.application.organisation
                     for award in db_session.query(Award)}
    for other in (g for g in grants.values() if g is not grant):
        recipient = other["recipientOrganization"][0]
        registered = organisations[recipient["name"]].org_id
        assert recipient["id"] == (registered or
                                   f"360G-ogbz-ORG-{organisations[recipient['name']].id}")
    assert len(grants) == PUBLIC_PROJECTS  # identifiers are unique

    monkeypatch.setitem(app.config, "OPEN_DATA_PREFIX", "testprefix")
    package = build_package(collect())
    assert package_errors(package) == []
    assert {g["id"] for g in package["grants"]} == {
        identifier.replace("360G-ogbz-", "360G-testprefix-") for identifier in grants}
    assert package["grants"][0]["classifications"][0]["vocabulary"] == \
        "testprefix-thematic-areas"


def test_only_published_projects_and_no_held_back_part(demo_programme, db_session):
    projects = public_projects()
    partners = {project.partner_name for project in projects if project.partner_name}
    assert partners
    # The project held back by organisation is one of an organisation with no other project.
    names = [project.organisation_name for project in projects]
    projects.sort(key=lambda project: names.count(project.organisation_name) > 1)
    by_part = dict(zip(["organisation", "amount_partner", "dates", "summary", "district",
                        "area", "progress"], projects, strict=False))
    _publish(by_part["amount_partner"].award_id, is_amount_public=False,
             is_partner_public=False)
    _publish(by_part["organisation"].award_id, is_organisation_public=False)
    _publish(by_part["dates"].award_id, is_dates_public=False)
    _publish(by_part["summary"].award_id, is_summary_public=False)
    _publish(by_part["district"].award_id, is_district_public=False)
    _publish(by_part["area"].award_id, is_area_public=False)
    _publish(by_part["progress"].award_id, is_progress_public=False,
             public_title="A title for the public")
    records = collect()
    assert records.left_out == {"amount": 1, "award_date": 1, "organisation": 1}
    package = build_package(records)
    assert package_errors(package) == []
    text = dumps(package).decode()
    grants = {grant["id"].removeprefix("360G-ogbz-"): grant for grant in package["grants"]}
    held_back = {by_part[key].reference for key in ("amount_partner", "organisation", "dates")}
    assert set(grants) == {project.reference for project in projects} - held_back
    for key in ("amount_partner", "organisation", "dates"):
        assert by_part[key].reference not in text
    # The partner is never a party of a grant (the demo's own titles do mention partners).
    parties = {organisation["name"] for grant in package["grants"]
               for organisation in grant["recipientOrganization"] + grant["fundingOrganization"]}
    assert not parties & partners
    assert by_part["organisation"].organisation_name not in text

    summary = grants[by_part["summary"].reference]
    assert summary["description"] == summary["title"]
    assert grants[by_part["district"].reference]["beneficiaryLocation"] == [
        {"name": "Belize", "countryCode": "BZ"}]
    assert "classifications" not in grants[by_part["area"].reference]
    progress = grants[by_part["progress"].reference]
    assert "amountDisbursed" not in progress
    assert progress["title"] == "A title for the public"
    assert "amountDisbursed" in summary

    # A withdrawn page leaves the open data entirely (it is not even counted as left out).
    publication = db_session.query(ProjectPublication).filter_by(
        award_id=by_part["summary"].award_id).one()
    publication.is_published = False
    db_session.flush()
    records = collect()
    assert records.projects == PUBLIC_PROJECTS - 1
    assert by_part["summary"].reference not in dumps(build_package(records)).decode()


def test_an_empty_database_gives_no_package(db_session):
    records = collect()
    assert records.grants == [] and records.projects == 0
    with pytest.raises(NothingToPublish):
        build_package(records)


def test_a_fund_filter_keeps_its_own_grants(demo_programme, db_session):
    project = reference_projects()[0]
    assert len(collect(project.fund_id).grants) == REFERENCE_PROJECTS
    from tests.fixtures.grants import GrantFactories
    other = GrantFactories(db_session).fund(name="Another fund")
    assert collect(other.id).grants == []


def test_hostile_text_gives_a_valid_package(demo_programme, db_session):
    project = public_projects()[0]
    award = db_session.get(Award, project.award_id)
    application = award.application
    application.title = HOSTILE[:200]
    application.summary = HOSTILE + "x" * 100_000
    application.districts = ["<b>Cayo</b>\x07", "Cayo", "\x01", "Toledo"]
    application.organisation.name = ("-2+3 " + HOSTILE)[:200]
    call = db_session.get(Call, project.call_id)
    call.title = "@SUM(A1) " + HOSTILE[:150]
    area = ThematicArea(call=call, name="Participación ciudadana", position=90)
    odd_area = ThematicArea(call=call, name="\u0627\u0644\u0634\u0641\u0627\u0641\u064a\u0629",
                            position=91)
    db_session.add_all([area, odd_area])
    application.thematic_areas = [*application.thematic_areas, area, odd_area]
    db_session.flush()

    package = build_package(collect())
    assert package_errors(package) == []
    written = dumps(package).decode("utf-8")
    loaded = json.loads(written)
    assert package_errors(loaded) == []
    for text in _all_strings(loaded):
        assert not _FORBIDDEN_IN_JSON.search(text), repr(text[:80])
    grant = next(g for g in loaded["grants"] if g["id"].endswith(project.reference))
    assert grant["title"].startswith("=HYPERLINK") and "<script>" in grant["title"]
    assert "line\nbreak\nend\ttab" in grant["title"]
    assert len(grant["description"]) > 100_000  # the JSON keeps long texts whole
    assert [location["name"] for location in grant["beneficiaryLocation"]] == [
        "<b>Cayo</b>", "Cayo District", "Toledo District"]
    codes = [item["code"] for item in grant["classifications"]]
    assert "participacion-ciudadana" in codes
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[a-z0-9-]+", code) for code in codes)


@pytest.mark.parametrize("starts, ends, months", [
    (date(2018, 6, 1), date(2019, 5, 31), 12),
    (date(2019, 1, 15), date(2019, 7, 15), 6),
    (date(2018, 6, 15), date(2018, 12, 14), 6),
    (date(2018, 1, 31), date(2018, 2, 27), 1),
    (date(2018, 6, 1), date(2018, 6, 1), 0),
    (date(2018, 6, 1), date(2018, 5, 1), None),
])
def test_duration_in_months(starts, ends, months):
    assert duration_in_months(starts, ends) == months


def test_codes_and_numbers():
    assert slug("Digital/online requests") == "digital-online-requests"
    assert slug("E-government") == "e-government"
    assert slug("  Fight against corruption ") == "fight-against-corruption"
    assert slug("Participación ciudadana") == "participacion-ciudadana"
    assert slug("\u0634\u0641") != slug("\u0634\u0642")
    assert re.fullmatch(r"[a-z0-9-]+", slug("\u0634\u0641"))
    assert timestamp(datetime(2026, 3, 1, 14, 5, 7, 123, tzinfo=UTC)) == "2026-03-01T14:05:07Z"
    assert timestamp(datetime(2026, 3, 1, 14, 5)) == "2026-03-01T14:05:00Z"  # naive is UTC
    body = dumps({"a": Decimal("1234.56"), "b": Decimal("5000.00"), "c": Decimal("0.10"),
                  "d": Decimal("9999999999.99")})
    assert json.loads(body) == {"a": 1234.56, "b": 5000, "c": 0.1, "d": 9999999999.99}
    assert b'"a": 1234.56' in body and b'"b": 5000' in body and b'"d": 9999999999.99' in body


def test_a_project_without_funder_is_left_out(demo_programme, db_session):
    project = reference_projects()[0]
    fund = db_session.get(Award, project.award_id).application.call.fund
    fund.manager = None
    fund.donor = None
    db_session.flush()
    records = collect()
    assert records.left_out == {"funder": REFERENCE_PROJECTS}
    assert len(records.grants) == CURRENT_PROJECTS
    assert not any("2018" in grant["id"] for grant in records.grants)


def test_the_validator_rejects_repeated_grants(demo_programme):
    valid = build_package(collect())
    first = valid["grants"][0]
    twice = {**valid, "grants": [first, copy.deepcopy(first)]}
    assert any("duplicate" in error for error in package_errors(twice))
    with pytest.raises(InvalidPackage):
        validate_package(twice)
    # Two different grants under one id are rejected too.
    same_id = {**valid, "grants": [first, {**valid["grants"][1], "id": first["id"]}]}
    assert any("already used" in error for error in package_errors(same_id))


def test_many_grants_are_validated_and_a_repeated_one_is_found(demo_programme):
    valid = json.loads(dumps(build_package(collect())))
    template = valid["grants"][0]
    grants = [{**template, "id": f"{template['id']}-{number}"} for number in range(2000)]
    package = {**valid, "grants": grants}
    assert validate_package(package) is package
    grants.append(copy.deepcopy(grants[1234]))
    errors = package_errors(package)
    assert any("duplicate" in error for error in errors)
    assert any(error.startswith("grants/2000/id:") and "already used by grant 1234" in error
               for error in errors)
    grants[-1] = {**grants[-1], "amountAwarded": "5000"}
    assert any(error.startswith("grants/2000/amountAwarded:")
               for error in package_errors(package))


def test_recipients_carry_their_location_and_the_publisher_its_identifiers(
        demo_programme, app, db_session, monkeypatch):
    project = reference_projects()[0]
    recipient = db_session.get(Award, project.award_id).application.organisation
    recipient.district = None
    db_session.flush()
    package = build_package(collect())
    assert package_errors(package) == []
    for grant in package["grants"]:
        location = grant["recipientOrganization"][0]["location"]
        assert len(location) == 1 and location[0]["countryCode"] == "BZ"
    grant = next(grant for grant in package["grants"]
                 if grant["id"] == f"360G-ogbz-{project.reference}")
    # No district recorded: the country stands for it.
    assert grant["recipientOrganization"][0]["location"] == [
        {"name": "Belize", "countryCode": "BZ"}]
    # The publisher: the programme's prefix, and the one funding organisation's identifier.
    funders = {grant["fundingOrganization"][0]["id"] for grant in package["grants"]}
    assert package["publisher"]["prefix"] == "360G-ogbz"
    assert [package["publisher"]["identifier"]] == list(funders)

    monkeypatch.setitem(app.config, "OPEN_DATA_PUBLISHER_ID", "BZ-COA-MPSGR")
    recipient.country = "GT"
    recipient.district = "Petén"
    db_session.flush()
    package = build_package(collect())
    assert package_errors(package) == []
    assert package["publisher"]["identifier"] == "BZ-COA-MPSGR"
    grant = next(grant for grant in package["grants"]
                 if grant["id"] == f"360G-ogbz-{project.reference}")
    # Abroad, the country: Belize's districts mean nothing there.
    assert grant["recipientOrganization"][0]["location"] == [
        {"name": "Guatemala", "countryCode": "GT"}]


def test_a_country_the_standard_does_not_list_gives_no_location(
        demo_programme, db_session):
    project = reference_projects()[0]
    recipient = db_session.get(Award, project.award_id).application.organisation
    recipient.country = "XK"
    db_session.flush()
    package = build_package(collect())
    assert package_errors(package) == []
    grant = next(grant for grant in package["grants"]
                 if grant["id"] == f"360G-ogbz-{project.reference}")
    assert "location" not in grant["recipientOrganization"][0]


def test_the_award_date_is_the_day_of_the_decision_in_the_programme_zone(
        demo_programme, db_session):
    project = reference_projects()[0]
    award = db_session.get(Award, project.award_id)
    # 03:00 UTC on 15 December is still 14 December in Belize (UTC-6); signed much later.
    award.application.decided_at = datetime(2018, 12, 15, 3, 0, tzinfo=UTC)
    award.signed_on = date(2019, 1, 20)
    db_session.flush()
    grant = next(grant for grant in build_package(collect())["grants"]
                 if grant["id"] == f"360G-ogbz-{project.reference}")
    assert grant["awardDate"] == "2018-12-14"
    # Without a decision time: the day the award was created.
    award.application.decided_at = None
    award.created_at = datetime(2018, 12, 20, 18, 0, tzinfo=UTC)
    db_session.flush()
    grant = next(grant for grant in build_package(collect())["grants"]
                 if grant["id"] == f"360G-ogbz-{project.reference}")
    assert grant["awardDate"] == "2018-12-20"
