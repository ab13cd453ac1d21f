"""Kinds of organisation and the roles of their members."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Sector(enum.StrEnum):
    civil_society = "civil_society"
    government = "government"
    international = "international"
    private = "private"
    academic = "academic"
    media = "media"
    other = "other"

    @property
    def title(self) -> str:
        return str(SECTOR_TITLES[self])


SECTOR_TITLES = {
    Sector.civil_society: _l("Civil society"),
    Sector.government: _l("Government"),
    Sector.international: _l("International organisation"),
    Sector.private: _l("Private sector"),
    Sector.academic: _l("Academic"),
    Sector.media: _l("Media"),
    Sector.other: _l("Other"),
}


class MemberRole(enum.StrEnum):
    owner = "owner"
    member = "member"

    @property
    def title(self) -> str:
        return str(_l("Owner") if self is MemberRole.owner else _l("Member"))
