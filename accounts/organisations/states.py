"""Kinds of organisation and the roles of their members."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.enums import TitledEnum


class Sector(TitledEnum):
    civil_society = "civil_society"
    government = "government"
    international = "international"
    private = "private"
    academic = "academic"
    media = "media"
    other = "other"

    __titles__ = {
        civil_society: _l("Civil society"),
        government: _l("Government"),
        international: _l("International organisation"),
        private: _l("Private sector"),
        academic: _l("Academic"),
        media: _l("Media"),
        other: _l("Other"),
    }


SECTOR_TITLES = Sector.titles()


class MemberRole(TitledEnum):
    owner = "owner"
    member = "member"

    __titles__ = {owner: _l("Owner"), member: _l("Member")}
