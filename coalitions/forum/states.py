"""How a forum meeting is held."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.enums import TitledEnum


class MeetingFormat(TitledEnum):
    in_person = "in_person"
    online = "online"
    hybrid = "hybrid"

    __titles__ = {
        in_person: _l("In person"),
        online: _l("Online"),
        hybrid: _l("In person and online"),
    }
