"""Hostile values in every query parameter a page reads and in every field of every form:
never a 5xx. PostgreSQL refuses what SQLite lets through (a NUL in text, integers beyond the
column's type), so this walk is run on PostgreSQL too.

``QUERY_PARAMETERS`` names the parameters each GET route reads; a parameter read in a views
module without an entry here fails ``test_every_query_parameter_read_is_listed``. Form fields
are found by instantiating the route's forms (every form derives from ``core.forms.BaseForm``),
plus ``RAW_FORM_VALUES``, the few values views read from ``request.form`` directly. POST
routes and who may send them come from the CSRF check's ``POSTS``.

The test app propagates exceptions, so a value that would be a 500 fails the test with the
exception itself.
"""

from __future__ import annotations

import inspect
import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.foreign_routes import ROUTES
from tests.security.routes import row_counts, rules, sign_in, undone
from tests.security.test_csrf import POSTS, _user
from tests.security.test_headers import PUBLIC_URLS

#: endpoint -> the query parameters its view reads (directly or through a helper).
QUERY_PARAMETERS: dict[str, tuple[str, ...]] = {
    "accounts.login": ("next",),
    "users_admin.list_users": ("q", "role", "page"),
    "organisations.directory": ("q", "sector", "verified", "country", "page"),
    "organisations.merge": ("duplicate",),
    "platform_admin.audit_log": ("object_type", "object_id", "action", "actor", "from", "to",
                                 "page"),
    "platform_admin.outbox": ("state", "page"),
    "jobs.mine": ("page",),
    "applications_admin.list_applications": ("state", "endorsement", "q", "call_id",
                                             "area_id", "district", "sort", "page"),
    "calls_admin.calls": ("state",),
    "calls_admin.new_call": ("fund_id",),
    "panels.new": ("call_id",),
    "ranking.ranking": ("method", "page"),
    "awards.list_awards": ("state",),
    "monitoring.report": ("version",),
    "consultations.proposals": ("area", "institution", "status", "sort", "page"),
    "consultations.new": ("plan",),
    "events.list_events": ("q", "page"),
    "forum.repository": ("q", "kind", "year", "page"),
    "events.people": ("q", "page"),
    "indicators.overview": ("from", "to", "fund_id"),
    "indicators.detail": ("from", "to", "fund_id", "type", "sex", "age", "expert", "sector",
                          "reason", "currency"),
    "dashboards.overview": ("from", "to", "fund_id"),
    "workbook.form": ("from", "to", "fund"),
    "opendata.index": ("fund",),
    "opendata.download_json": ("fund",),
    "opendata.download_xlsx": ("fund",),
    "opendata.download_iati": ("fund",),
    "portal.projects": ("fund", "area", "district", "page"),
    "portal.qr_png": ("download",),
    "portal.qr_svg": ("download",),
}

#: endpoint -> values its view reads from ``request.form`` itself, outside a form class.
RAW_FORM_VALUES: dict[str, tuple[str, ...]] = {
    "core.set_language": ("locale", "next"),
    "users_admin.set_user_enabled": ("enable",),
    "organisations.verify": ("verified",),
    "calls_admin.transition_call": ("target",),
    "applications.edit_section": ("then",),
    "applications_admin.transition": ("target", "note"),
    "reviews.review": ("action",),
    "ranking.decide": ("page",),
    "monitoring.edit_report": ("action",),
    "events.import_errors": ("errors",),
    "portal.edit_publication": ("action",),
}

TWENTY_FIVE_DIGITS = "9" * 25

#: Sent to every query parameter (as the raw, already percent-encoded query string).
HOSTILE_QUERY_VALUES = (
    TWENTY_FIVE_DIGITS, "-1", "0", str(2**31), "%00", "%00x", "x" * 5000, "9999-12-31",
    "0001-01-01", "2026-02-30", "%FF%FE", "%C2%B2", "%E2%80%AEabc",
)

#: Sent to every form field.
HOSTILE_FORM_VALUES = (
    TWENTY_FIVE_DIGITS, "-1", "0", "\x00", "x" * 5000, "9999-12-31", "0001-01-01", "²",
    "\u202eabc",
)


def _rule_of(app, endpoint):
    return next(rule for rule in rules(app) if rule.endpoint == endpoint)


def _get_url(app, world, endpoint: str) -> str:
    rule = _rule_of(app, endpoint)
    if not rule.arguments:
        return rule.rule
    if endpoint in PUBLIC_URLS:
        return PUBLIC_URLS[endpoint](world)[0]
    case = ROUTES[endpoint]
    return case.own(world) if getattr(case, "own", None) else case.urls(world)[0]


def _readers(world) -> list:
    """Who asks: an administrator (who may do all that staff may, and the administration
    pages besides) and an applicant (owner of organisation Alpha)."""
    return [world.admin, world.alpha.owner]


# The lists stay complete -------------------------------------------------------------------

_READ = re.compile(
    r"(?:args\.get|values\.get|arg_id|arg_int|arg_day|arg_choice|_text_filter|_choice|_day)"
    r"\(\s*\"([a-z_]+)\"")


def test_every_query_parameter_read_is_listed(app):
    by_module: dict[str, set[str]] = {}
    for endpoint, view in app.view_functions.items():
        module = inspect.unwrap(view).__module__
        by_module.setdefault(module, set()).update(QUERY_PARAMETERS.get(endpoint, ()))
        by_module[module].update(RAW_FORM_VALUES.get(endpoint, ()))
    missing = []
    for module, listed in by_module.items():
        source = inspect.getsource(sys.modules[module])
        read = set(_READ.findall(source))
        if "paginate(" in source:
            read.add("page")
        missing += [f"{module}: {name}" for name in sorted(read - listed)]
    assert not missing, f"query parameters read but not listed in QUERY_PARAMETERS: {missing}"
    stale = sorted(set(QUERY_PARAMETERS) - set(app.view_functions))
    assert not stale, stale


# GET: every parameter, every hostile value -------------------------------------------------

def _status(client, url: str) -> int:
    response = client.get(url)
    response.close()
    return response.status_code


@pytest.mark.parametrize("blueprint", sorted({name.split(".")[0] for name in QUERY_PARAMETERS}))
def test_hostile_query_values_never_give_a_server_error(blueprint, app, client, world,
                                                        db_session):
    problems = []
    endpoints = sorted(e for e in QUERY_PARAMETERS if e.split(".")[0] == blueprint)
    for user in _readers(world):
        sign_in(client, user)
        for endpoint in endpoints:
            base = _get_url(app, world, endpoint)
            joiner = "&" if "?" in base else "?"
            for name in QUERY_PARAMETERS[endpoint]:
                for value in HOSTILE_QUERY_VALUES:
                    url = f"{base}{joiner}{name}={value}"
                    with undone(db_session):
                        status = _status(client, url)
                    if status >= 500:
                        problems.append(f"{user.name} {url[:120]}: {status}")
    assert not problems, problems


_HYPOTHESIS = settings(max_examples=40, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture,
                                              HealthCheck.too_slow])


@_HYPOTHESIS
@given(case=st.sampled_from(sorted((endpoint, name) for endpoint, names
                                   in QUERY_PARAMETERS.items() for name in names)),
       value=st.text(max_size=60))
def test_arbitrary_query_text_never_gives_a_server_error(app, client, world, db_session, case,
                                                         value):
    from urllib.parse import quote

    endpoint, name = case
    sign_in(client, world.admin)
    base = _get_url(app, world, endpoint)
    joiner = "&" if "?" in base else "?"
    with undone(db_session):
        assert _status(client, f"{base}{joiner}{name}={quote(value, safe='')}") < 500


# POST: every form field --------------------------------------------------------------------

def _field_names(form) -> list[str]:
    names = []
    for field in form:
        if field.type == "CSRFTokenField":
            continue
        entries = getattr(field, "entries", None)
        if entries is not None:  # FieldList: its first entry's names stand for all
            names += _field_names(entries[0]) if entries and hasattr(entries[0], "__iter__") \
                else [f"{field.name}-0"]
        elif field.type == "FormField":
            names += _field_names(field)
        else:
            names.append(field.name)
    return names


def _forms_of(app, client, db_session, monkeypatch, endpoint: str, url: str) -> list[str]:
    """The names of the fields of the forms the route builds, found by sending it an empty
    form (undone afterwards)."""
    from core.forms import BaseForm

    built = []
    original = BaseForm.__init__

    def recording(self, *args, **kwargs):
        original(self, *args, **kwargs)
        built.append(self)

    monkeypatch.setattr(BaseForm, "__init__", recording)
    with undone(db_session):
        client.post(url, data={}).close()
    monkeypatch.setattr(BaseForm, "__init__", original)
    names = [name for form in built for name in _field_names(form)]
    return list(dict.fromkeys(names + list(RAW_FORM_VALUES.get(endpoint, ()))))


@pytest.mark.parametrize("blueprint", sorted({name.split(".")[0] for name in POSTS}))
def test_hostile_form_values_never_give_a_server_error(blueprint, app, client, world,
                                                       db_session, monkeypatch):
    problems = []
    for endpoint in sorted(name for name in POSTS if name.split(".")[0] == blueprint):
        who, url = POSTS[endpoint]
        url = url(world)
        sign_in(client, _user(world, who))
        fields = _forms_of(app, client, db_session, monkeypatch, endpoint, url)
        for name in fields:
            for value in HOSTILE_FORM_VALUES:
                with undone(db_session):
                    response = client.post(url, data={name: value})
                    response.close()
                if response.status_code >= 500:
                    problems.append(f"{endpoint} {name}={value[:30]!r}: {response.status_code}")
        # Every field hostile at once (what one field's validator lets through reaches the
        # others'), including a value that is not UTF-8; refused, it writes nothing.
        with undone(db_session):
            before = row_counts(db_session)
            response = client.post(
                url, data="&".join(f"{name}=%FF%FE%C2%B2" for name in fields) or "x=%FF",
                content_type="application/x-www-form-urlencoded")
            response.close()
            if 400 <= response.status_code < 500 and row_counts(db_session) != before:
                problems.append(f"{endpoint} (every field): refused but wrote")
        if response.status_code >= 500:
            problems.append(f"{endpoint} (every field): {response.status_code}")
    assert not problems, problems
