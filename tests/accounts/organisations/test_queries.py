from accounts.organisations.queries import organisation_choices


def test_organisation_choices_are_alphabetical_with_the_acronym(factories, db_session):
    zeta = factories.organisation(name="zeta Trust")
    alpha = factories.organisation(name="Alpha Network", acronym="AN")
    db_session.flush()
    choices = organisation_choices()
    assert (alpha.id, "Alpha Network (AN)") in choices and (zeta.id, "zeta Trust") in choices
    assert choices.index((alpha.id, "Alpha Network (AN)")) < choices.index((zeta.id, "zeta Trust"))
