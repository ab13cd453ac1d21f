"""Kinds of event and how people take part in them."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class EventType(enum.StrEnum):
    training = "training"
    workshop = "workshop"
    roundtable = "roundtable"
    hackathon = "hackathon"
    forum = "forum"
    webinar = "webinar"
    other = "other"

    @property
    def title(self) -> str:
        return str({EventType.training: _l("Training seminar"),
                    EventType.workshop: _l("Workshop"),
                    EventType.roundtable: _l("Roundtable discussion"),
                    EventType.hackathon: _l("Hackathon"),
                    EventType.forum: _l("Forum or conference"),
                    EventType.webinar: _l("Webinar"), EventType.other: _l("Other")}[self])


class Sex(enum.StrEnum):
    female = "female"
    male = "male"
    other = "other"
    undisclosed = "undisclosed"  # prefer not to say
    # None in the column: not recorded

    @property
    def title(self) -> str:
        return str({Sex.female: _l("Female"), Sex.male: _l("Male"), Sex.other: _l("Other"),
                    Sex.undisclosed: _l("Prefer not to say")}[self])


class AttendanceRole(enum.StrEnum):
    participant = "participant"
    trainer = "trainer"
    expert = "expert"
    organiser = "organiser"

    @property
    def title(self) -> str:
        return str({AttendanceRole.participant: _l("Participant"),
                    AttendanceRole.trainer: _l("Trainer"), AttendanceRole.expert: _l("Expert"),
                    AttendanceRole.organiser: _l("Organiser")}[self])
