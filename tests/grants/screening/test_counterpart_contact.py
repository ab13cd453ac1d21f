"""Staff screening an application see who the counterpart contact is, a warning when the
contact's address is not at the counterpart's domain, and no endorsement of another version
counted as met."""

from __future__ import annotations

from grants.applications.endorsement_terms import bind
from grants.applications.models import EndorsementState


def _url(application) -> str:
    return f"/staff/applications/{application.id}/screening"


def test_the_contact_is_shown_with_a_warning_for_another_domain(client, db_session, login_as,
                                                                application):
    application.counterpart.website = "https://www.publicservice.gov.bz"
    application.counterpart_contact_email = "maria.chen@gmail.com"
    db_session.flush()
    login_as("staff")
    page = client.get(_url(application)).get_data(as_text=True)
    assert "Maria Chen" in page and "maria.chen@gmail.com" in page
    assert application.counterpart.name in page
    assert 'id="contact-warning"' in page and "publicservice.gov.bz" in page


def test_no_warning_for_the_counterparts_own_domain(client, db_session, login_as,
                                                    application):
    application.counterpart.email = "info@gov.example.bz"
    db_session.flush()
    login_as("staff")
    page = client.get(_url(application)).get_data(as_text=True)
    assert application.counterpart_contact_email in page
    assert 'id="contact-warning"' not in page


def test_an_endorsement_of_other_terms_is_not_met(client, db_session, login_as, application):
    endorsement = application.endorsement
    bind(endorsement, application)
    application.title = "Another project altogether"
    db_session.flush()
    assert endorsement.state is EndorsementState.endorsed
    login_as("staff")
    page = client.get(_url(application)).get_data(as_text=True)
    assert "Not met" in page and "No longer applies" in page


def test_an_unverified_counterpart_and_shared_members_are_flagged(client, db_session,
                                                                  factories, login_as,
                                                                  application):
    from tests.fixtures.applications import applicant_member

    application.counterpart.email = "info@gov.example.bz"
    application.counterpart.is_verified = False
    factories.member(application.counterpart, applicant_member(application), "owner")
    db_session.flush()
    login_as("staff")
    page = client.get(_url(application)).get_data(as_text=True)
    assert "is not verified in the directory" in page
    assert "also belongs to" in page
