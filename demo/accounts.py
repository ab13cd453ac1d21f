"""Demo users (one per role) and the first organisations of the Belize programme."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from accounts.models import User, UserRole
from accounts.organisations.models import Organisation, OrganisationMember
from accounts.organisations.states import MemberRole, Sector
from accounts.states import Role
from core.audit.operations import record
from core.extensions import db
from core.timeutil import utcnow

FOUNDATION = "Regional Open Government Foundation"
DEMO_USERS = [
    # (role, email, name, organisation name)
    (Role.admin, "admin@demo.example.org", "Alicia Admin", FOUNDATION),
    (Role.staff, "staff@demo.example.org", "Samuel Staff", FOUNDATION),
    (Role.finance, "finance@demo.example.org", "Fiona Finance", FOUNDATION),
    (Role.reviewer, "reviewer@demo.example.org", "Rosa Reviewer", "University of Belize"),
    (Role.applicant, "applicant@demo.example.org", "Andrés Applicant",
     "Citizens for Transparency Belize"),
    (Role.donor, "donor@demo.example.org", "Diana Donor", "Embassy of the Donor Country"),
]

DEMO_ORGANISATIONS = [
    # (name, acronym, sector, district, org_id). BZ-COA is org-id.guide's list of Belize
    # government agencies by their code in the government's budget (Chart of Accounts); no
    # codes have been published for Belize yet, so the demo's are made up. Real data holds
    # one only where the directory has it.
    ("Regional Open Government Foundation", "ROGF", Sector.civil_society, "Belize", None),
    ("Embassy of the Donor Country", None, Sector.international, "Belize", None),
    ("Citizens for Transparency Belize", "CTB", Sector.civil_society, "Belize", None),
    ("Ministry of Public Service, Governance Reform and E-Governance", "MPSGR",
     Sector.government, "Cayo", "BZ-COA-MPSGR"),
    ("Ministry of Education", "MOE", Sector.government, "Belize", "BZ-COA-MOE"),
    ("Office of the Ombudsman", None, Sector.government, "Belize", "BZ-COA-OMB"),
    ("University of Belize", "UB", Sector.academic, "Cayo", None),
    ("Belize Chamber of Commerce and Industry", "BCCI", Sector.private, "Belize", None),
    ("Toledo Youth Voices", None, Sector.civil_society, "Toledo", None),
    ("Amandala", None, Sector.media, "Belize", None),
]


def _logins_file() -> Path:
    return Path(current_app.instance_path) / "demo_logins.json"


def _saved_passwords() -> dict[str, str]:
    try:
        return json.loads(_logins_file().read_text())
    except (OSError, ValueError):
        return {}


def _save_passwords(passwords: dict[str, str]) -> None:
    path = _logins_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(passwords, handle, indent=2)


def load_organisations() -> dict[str, Organisation]:
    existing = {org.name: org for org in db.session.scalars(select(Organisation))}
    for name, acronym, sector, district, org_id in DEMO_ORGANISATIONS:
        if name not in existing:
            org = Organisation(name=name, acronym=acronym, sector=sector, district=district,
                               org_id=org_id, country="BZ", is_verified=True,
                               verified_at=utcnow())
            db.session.add(org)
            existing[name] = org
    db.session.flush()
    return existing


def load_users(organisations: dict[str, Organisation]) -> list[tuple[str, str, str]]:
    """Create or refresh the demo users; returns (role, email, password) to print.

    Passwords are random, kept in instance/demo_logins.json so that reloading prints the same
    ones; a password that no longer matches (or was never saved here) is replaced.
    """
    saved = _saved_passwords()
    method = current_app.config["PASSWORD_HASH_METHOD"]
    logins = []
    for role, email, name, org_name in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, locale="en", session_version=1,
                        failed_login_count=0, is_enabled=True, email_confirmed_at=utcnow())
            user.role_rows.append(UserRole(role=role))
            db.session.add(user)
            db.session.flush()
            record("demo.create_user", user, summary=f"Demo {role.value} {email}")
        password = saved.get(email)
        if not (password and user.password_hash
                and check_password_hash(user.password_hash, password)):
            password = secrets.token_urlsafe(12)
            user.password_hash = generate_password_hash(password, method=method)
        user.failed_login_count = 0
        user.locked_until = None
        user.is_enabled = True
        saved[email] = password
        organisation = organisations[org_name]
        if not any(m.organisation_id == organisation.id for m in user.memberships):
            db.session.add(OrganisationMember(organisation=organisation, user=user,
                                              role=MemberRole.owner))
        logins.append((role.value, email, password))
    db.session.flush()
    _save_passwords(saved)
    return logins


def demo_users_exist() -> bool:
    emails = [email for _role, email, _name, _org in DEMO_USERS]
    return db.session.scalar(select(User.id).where(User.email.in_(emails)).limit(1)) is not None
