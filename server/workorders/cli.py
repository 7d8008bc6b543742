"""`flask workorders install-defaults`: the shipped category tree, triage rules, SLA calendars
and policies for a new installation (the demo seed does this too)."""

from __future__ import annotations

import click
from flask import Blueprint, current_app

from server.db import db
from server.workorders.settings import install_defaults

cli = Blueprint("workorders_cli", __name__, cli_group="workorders")


@cli.cli.command("install-defaults")
def install_defaults_command() -> None:
    """Add what is missing of the defaults; what exists is left as it is."""
    with db.unit_of_work() as session:
        counts = install_defaults(session, timezone=current_app.config["ORG_TIMEZONE"])
    click.echo(
        "installed: {categories} categories, {rules} triage rules, {calendars} calendars, "
        "{policies} SLA policies".format(**counts)
    )
