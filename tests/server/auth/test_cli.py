"""`flask users create --role ...`"""

from __future__ import annotations

from sqlalchemy import select

from server.auth.models import User
from server.auth.passwords import verify_password


def test_users_create_makes_a_user_with_the_role(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--name",
            "Ada",
            "--email",
            "Ada@Example.test",
            "--role",
            "warehouse",
            "--password",
            "a long password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "created warehouse ada@example.test" in result.output
    user = session.scalar(select(User).where(User.email == "ada@example.test"))
    assert user is not None
    assert user.role == "warehouse"
    assert verify_password(user.password_hash, "a long password")


def test_users_create_refuses_an_unknown_role(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--name",
            "X",
            "--email",
            "x@example.test",
            "--role",
            "king",
            "--password",
            "a long password",
        ]
    )
    assert result.exit_code != 0
    assert "king" in result.output


def test_users_create_refuses_a_taken_email_with_one_line(app, session):
    from tests.factories import make_user

    make_user(session, email="dup@example.test")
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--name",
            "X",
            "--email",
            "dup@example.test",
            "--role",
            "agent",
            "--password",
            "a long password",
        ]
    )
    assert result.exit_code != 0
    assert "email" in result.output
    assert "Traceback" not in result.output
