"""`flask users create --role ...`"""

from __future__ import annotations

import click
from flask import Blueprint

from server.auth import service as auth_service
from server.auth.models import ROLE_VALUES
from server.db import db
from server.errors import DomainError

cli = Blueprint("users_cli", __name__, cli_group="users")


@cli.cli.command("create")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--phone", default=None)
@click.option("--role", required=True, type=click.Choice(ROLE_VALUES))
@click.option("--locale", default=None, type=click.Choice(["zh-CN", "en"]))
@click.password_option(help="Asked for when not given.")
def create_user(
    name: str, email: str, phone: str | None, role: str, locale: str | None, password: str
) -> None:
    """Create a user with a role."""
    try:
        with db.unit_of_work() as session:
            user = auth_service.create_user(
                session,
                name=name,
                email=email,
                phone=phone,
                password=password,
                role=role,
                locale=locale,
            )
            click.echo(f"created {user.role} {user.email} ({user.id})")
    except DomainError as exc:
        fields = exc.errors.get("json", {}) if exc.errors else {}
        detail = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in fields.items())
        raise click.ClickException(detail or exc.error) from exc
