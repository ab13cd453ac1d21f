"""Kinds of event and how people take part in them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.enums import TitledEnum


class EventType(TitledEnum):
    training = "training"
    workshop = "workshop"
    roundtable = "roundtable"
    hackathon = "hackathon"
    forum = "forum"
    webinar = "webinar"
    other = "other"

    __titles__ = {
        training: _l("Training seminar"),
        workshop: _l("Workshop"),
        roundtable: _l("Roundtable discussion"),
        hackathon: _l("Hackathon"),
        forum: _l("Forum or conference"),
        webinar: _l("Webinar"),
        other: _l("Other"),
    }


class Sex(TitledEnum):
    female = "female"
    male = "male"
    other = "other"
    undisclosed = "undisclosed"  # prefer not to say
    # None in the column: not recorded

    __titles__ = {
        female: _l("Female"),
        male: _l("Male"),
        other: _l("Other"),
        undisclosed: _l("Prefer not to say"),
    }


class AttendanceRole(TitledEnum):
    participant = "participant"
    trainer = "trainer"
    expert = "expert"
    organiser = "organiser"

    __titles__ = {
        participant: _l("Participant"),
        trainer: _l("Trainer"),
        expert: _l("Expert"),
        organiser: _l("Organiser"),
    }
