"""Organisations, users, their roles and memberships."""

from __future__ import annotations

from datetime import UTC, datetime

from accounts.models import Role
from accounts.organisations.models import MemberRole, Sector
from bench.data.context import Context
from grants.applications.models import DISTRICTS

STAFF_EMAIL = "staff@bench.example.org"
STAFF_PASSWORD = "bench-staff-password"
CREATED_AT = datetime(2017, 11, 1, 14, 0, tzinfo=UTC)

PLACES = ["Belize", "Cayo", "Toledo", "Corozal", "Orange Walk", "Stann Creek", "Belmopan",
          "Placencia", "San Pedro", "Dangriga", "Punta Gorda"]
THEMES = ["Transparency", "Open Data", "Youth", "Women's Rights", "Budget", "Civic",
          "Integrity", "Digital Rights", "Education", "Community", "Farmers", "Heritage"]
FORMS = {
    Sector.civil_society: ["Network", "Collective", "Alliance", "Forum", "Trust", "Council"],
    Sector.government: ["Department", "Unit", "Office", "Authority", "Council", "Ministry"],
    Sector.private: ["Consulting Ltd", "Data Solutions", "Print and Design", "Legal Services"],
    Sector.academic: ["Junior College", "Institute", "University", "Training Centre"],
    Sector.international: ["Embassy", "Agency", "Foundation"],
}


def _name(sector: Sector, index: int) -> str:
    """A unique, readable name: place, theme and form vary fastest to slowest."""
    forms = FORMS[sector]
    place = PLACES[index % len(PLACES)]
    theme = THEMES[(index // len(PLACES)) % len(THEMES)]
    combos = len(PLACES) * len(THEMES)
    form = forms[(index // combos) % len(forms)]
    round_ = index // (combos * len(forms))
    return f"{place} {theme} {form}" + (f" {round_ + 1}" if round_ else "")


def build(context: Context, *, password_hash: str) -> None:
    _organisations(context)
    _users(context, password_hash)


def _organisations(context: Context) -> None:
    scale = context.scale
    wanted = [(Sector.civil_society, scale.civil_society_organisations + 1),
              (Sector.government, scale.government_organisations),
              (Sector.private, scale.private_organisations),
              (Sector.academic, scale.academic_organisations),
              (Sector.international, 4)]
    rows, next_id = [], 1
    for sector, count in wanted:
        ids = []
        for index in range(count):
            rows.append(_organisation(next_id, sector, index))
            ids.append(next_id)
            next_id += 1
        context.organisations[sector.value] = ids
    # The first civil-society organisation manages the funds; it never applies.
    context.managing_organisation_id = context.organisations["civil_society"].pop(0)
    rows[0]["name"] = "Regional Open Government Foundation"
    context.donor_organisation_ids = context.organisations["international"][:3]
    context.writer.insert("organisations", rows)


def _organisation(id_: int, sector: Sector, index: int) -> dict:
    registered = sector == Sector.government and index % 10 == 0
    return {
        "id": id_, "name": _name(sector, index), "acronym": None, "sector": sector,
        "country": "BZ", "district": DISTRICTS[index % len(DISTRICTS)],
        "registration_number": f"REG-{id_:06d}" if sector != Sector.government else None,
        "org_id": f"BZ-COA-BENCH{id_:05d}" if registered else None,
        "website": None, "email": f"office{id_}@org.bench.example.org", "phone": None,
        "address": None, "is_verified": True, "verified_at": CREATED_AT,
        "created_at": CREATED_AT, "updated_at": CREATED_AT,
    }


def _user(id_: int, email: str, name: str, password_hash: str | None = None) -> dict:
    return {"id": id_, "email": email, "name": name, "password_hash": password_hash,
            "locale": "en", "email_confirmed_at": CREATED_AT, "is_enabled": True,
            "session_version": 1, "failed_login_count": 0, "locked_until": None,
            "last_login_at": None, "created_at": CREATED_AT, "updated_at": CREATED_AT}


def _users(context: Context, password_hash: str) -> None:
    users = [_user(1, "admin@bench.example.org", "Alicia Admin"),
             _user(2, STAFF_EMAIL, "Samuel Staff", password_hash),
             _user(3, "finance@bench.example.org", "Fiona Finance"),
             _user(4, "donor@bench.example.org", "Diana Donor")]
    roles = [(1, Role.admin), (2, Role.staff), (3, Role.finance), (4, Role.donor)]
    members = [(context.managing_organisation_id, 1), (context.managing_organisation_id, 2),
               (context.managing_organisation_id, 3), (context.donor_organisation_ids[0], 4)]
    context.admin_id, context.staff_id, context.finance_id = 1, 2, 3
    academic = context.organisations["academic"]
    for number in range(context.scale.reviewers):
        id_ = len(users) + 1
        users.append(_user(id_, f"reviewer{number + 1}@bench.example.org",
                           f"Reviewer {number + 1}"))
        roles.append((id_, Role.reviewer))
        members.append((academic[number % len(academic)], id_))
        context.reviewer_ids.append(id_)
    for number, organisation_id in enumerate(context.organisations["civil_society"]):
        id_ = len(users) + 1
        users.append(_user(id_, f"applicant{number + 1}@bench.example.org",
                           f"Applicant {number + 1}"))
        roles.append((id_, Role.applicant))
        members.append((organisation_id, id_))
        context.applicant_by_organisation[organisation_id] = id_
    context.writer.insert("users", users)
    context.writer.insert("user_roles", ({"user_id": user_id, "role": role,
                                          "granted_at": CREATED_AT} for user_id, role in roles))
    context.writer.insert("organisation_members", (
        {"id": number, "organisation_id": organisation_id, "user_id": user_id,
         "role": MemberRole.owner, "joined_at": CREATED_AT}
        for number, (organisation_id, user_id) in enumerate(members, start=1)))
