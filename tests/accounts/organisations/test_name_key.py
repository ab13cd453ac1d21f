"""Organisations are compared by a name key that ignores case, accents and spacing; the key
is stored (indexed) and kept in step with the name however an organisation is created or
renamed, so both databases match names alike."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import select

from accounts.organisations import merging, operations, queries
from accounts.organisations.models import (
    NAME_KEY_LENGTH,
    Organisation,
    Sector,
    organisation_name_key,
)

SAME_NAMES = [
    ("Fundación Acceso", "fundacion acceso"),
    ("Fundación Acceso", "  FUNDACIÓN\u00a0 ACCESO "),
    ("Acceso,Belize", "acceso , belize"),
    ("Acción-Ciudadana", "accion - ciudadana"),
    ("Straße Fund", "STRASSE FUND"),
    ("ﬁnance", "Finance"),
]
DIFFERENT_NAMES = [
    ("Fundación Acceso", "Fundación Accesos"),
    ("Acceso Belize", "Acceso, Belize"),
    ("A.B.C.", "ABC"),
]


def _stored_key(session, org) -> str:
    session.flush()
    return session.scalar(select(Organisation.name_key).where(Organisation.id == org.id))


@pytest.mark.parametrize(("one", "other"), SAME_NAMES)
def test_names_differing_in_case_accents_or_spacing_share_a_key(one, other):
    assert organisation_name_key(one) == organisation_name_key(other)


@pytest.mark.parametrize(("one", "other"), DIFFERENT_NAMES)
def test_names_differing_otherwise_do_not(one, other):
    assert organisation_name_key(one) != organisation_name_key(other)


def test_a_long_decomposing_name_still_fits_the_column():
    key = organisation_name_key("\ufdfa" * 200)  # each expands to 18 letters
    assert len(key) <= NAME_KEY_LENGTH
    assert key != organisation_name_key("\ufdfa" * 199)


def test_creating_and_renaming_keep_the_key(factories, db_session):
    owner = factories.user()
    org = operations.create_organisation(owner, name="Fundación Acceso",
                                         sector="civil_society", country="BZ")
    assert _stored_key(db_session, org) == "fundacion acceso"
    operations.update_organisation(org, owner, name="Acción Ciudadana")
    assert _stored_key(db_session, org) == "accion ciudadana"


def test_merging_with_the_duplicates_name_keeps_the_key(factories, db_session):
    staff = factories.user(roles=("staff",))
    kept = factories.organisation(name="Fundacion Acceso")
    duplicate = factories.organisation(name="Fundación Acceso Belice")
    merging.merge_organisations(kept, duplicate, staff, take=["name"])
    assert kept.name == "Fundación Acceso Belice"
    assert _stored_key(db_session, kept) == "fundacion acceso belice"


def test_rows_inserted_without_the_orm_get_their_key(db_session):
    db_session.execute(sa.insert(Organisation.__table__), [
        {"name": "Fundación Acceso", "sector": Sector.civil_society, "country": "BZ",
         "is_verified": False},
        {"name": "Acción Ciudadana", "sector": Sector.civil_society, "country": "BZ",
         "is_verified": False}])
    keys = set(db_session.scalars(select(Organisation.name_key)))
    assert keys == {"fundacion acceso", "accion ciudadana"}


def test_directory_lookups_ignore_accents_case_and_spacing(factories, db_session):
    org = factories.organisation(name="Fundación Acceso")
    look_alike = factories.organisation(name="FUNDACION  ACCESO")
    assert queries.by_name("fundacion acceso") == org  # the oldest of the two
    assert queries.by_name("Fundación Accesos") is None
    assert queries.likely_duplicates(org) == [look_alike]
    assert queries.likely_duplicates(look_alike) == [org]


def test_a_proposed_counterpart_matches_the_directory_ignoring_accents(factories, db_session):
    from grants.applications.operations import _find_or_propose_government_body

    ministry = factories.organisation(name="Ministerio de Educación", sector=Sector.government)
    found = _find_or_propose_government_body("MINISTERIO DE EDUCACION", factories.user())
    assert found == ministry


def _migration():
    path = next(Path(__file__).resolve().parents[3].glob(
        "migrations/versions/*_organisation_name_key_*.py"))
    spec = importlib.util.spec_from_file_location("organisation_name_key_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_backfills_the_key_with_the_same_rule(tmp_path):
    migration = _migration()
    for one, other in SAME_NAMES + DIFFERENT_NAMES + [("\ufdfa" * 200, "")]:
        assert migration._name_key(one) == organisation_name_key(one)
        assert migration._name_key(other) == organisation_name_key(other)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'before.db'}")
    metadata = sa.MetaData()
    table = sa.Table("organisations", metadata, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("name", sa.String(200), nullable=False))
    metadata.create_all(engine)
    names = ["Fundación Acceso", "fundacion acceso", *(f"Org {n}" for n in range(1500))]
    with engine.begin() as connection:
        connection.execute(table.insert(), [{"name": name} for name in names])
        with Operations.context(MigrationContext.configure(connection)):
            migration.upgrade()
        rows = connection.execute(sa.text("SELECT name, name_key FROM organisations")).all()
        assert all(key == organisation_name_key(name) for name, key in rows)
        assert len(rows) == len(names)
        indexes = {index["name"] for index in sa.inspect(connection).get_indexes(
            "organisations")}
        assert "ix_organisations_name_key" in indexes
        with Operations.context(MigrationContext.configure(connection)):
            migration.downgrade()
        columns = {column["name"] for column in sa.inspect(connection).get_columns(
            "organisations")}
        assert columns == {"id", "name"}
    engine.dispose()


def test_directory_search_ignores_accents(factories, db_session):
    org = factories.organisation(name="Fundación Acceso")
    factories.organisation(name="Open Data Belize")
    assert list(db_session.scalars(queries.directory_query("fundacion acc"))) == [org]
    assert list(db_session.scalars(queries.directory_query("FUNDACIÓN"))) == [org]


def test_every_organisation_of_the_demo_programme_has_its_key(app, db_session):
    # The demo creates organisations in several places (directory, applicants, attendance
    # imports, counterparts): whichever way, the stored key must follow the name.
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    rows = db_session.execute(select(Organisation.name, Organisation.name_key)).all()
    assert len(rows) > 10
    assert [name for name, key in rows if key != organisation_name_key(name)] == []
