"""Titled enums: one mapping per enum gives every member its translated title."""

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from core.enums import TitledEnum


class Colour(TitledEnum):
    red = "red"
    green = "green"

    __titles__ = {red: _l("Red"), green: _l("Green")}


def test_each_member_has_its_title(app):
    with app.test_request_context():
        assert Colour.red.title == "Red"
        assert [str(title) for title in Colour.titles().values()] == ["Red", "Green"]
        assert list(Colour.titles()) == [Colour.red, Colour.green]


def test_the_mapping_is_not_a_member():
    assert [member.value for member in Colour] == ["red", "green"]


def test_titles_are_translated(app):
    from accounts.states import Role
    with app.test_request_context(), force_locale("es"):
        assert Role.admin.title == "Administrador"


def _every_titled_enum(cls=TitledEnum):
    for sub in cls.__subclasses__():
        yield sub
        yield from _every_titled_enum(sub)


def test_every_member_of_every_titled_enum_has_a_title(app):
    enums = [cls for cls in _every_titled_enum() if cls is not Colour]
    assert len(enums) >= 20
    assert {cls.__qualname__: cls.untitled() for cls in enums if cls.untitled()} == {}


def test_one_english_word_takes_its_meaning_from_its_context(app):
    from grants.applications.states import ApplicationState
    from grants.monitoring.states import ReportState
    with app.test_request_context(), force_locale("es"):
        # A report is "informe" (masculine); "Due" is its state, not a date's heading.
        assert (ReportState.submitted.title, ApplicationState.submitted.title) == \
            ("Enviado", "Enviada")
        assert ReportState.due.title == "Pendiente"
