import re

from sqlalchemy import func, select

from accounts.models import Role, User
from accounts.organisations.models import Organisation


def _logins(output: str) -> dict[str, tuple[str, str]]:
    rows = re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", output, re.MULTILINE)
    return {role: (email, password) for role, email, password in rows}


def test_demo_load_is_idempotent_and_every_printed_login_works(app, client, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    users = db_session.scalar(select(func.count()).select_from(User))
    organisations = db_session.scalar(select(func.count()).select_from(Organisation))
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert db_session.scalar(select(func.count()).select_from(User)) == users
    assert db_session.scalar(select(func.count()).select_from(Organisation)) == organisations

    logins = _logins(second.output)
    assert set(logins) == {role.value for role in Role}
    assert logins == _logins(first.output)  # the same passwords are printed again
    for role, (email, password) in logins.items():
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, role
        user = db_session.scalar(select(User).where(User.email == email))
        assert user.has_role(role)
        client.post("/logout")


def test_demo_load_if_empty_leaves_a_real_database_alone(app, factories, db_session):
    factories.user(email="someone@real.example")
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    assert "not loaded" in result.output
    assert db_session.scalar(select(func.count()).select_from(User)) == 1
