"""`flask assets generate`: create the maintenance orders now due (the worker does this every
hour; this is for a new installation or after a long outage). Safe to run at any time: each
occurrence becomes an order once."""

from __future__ import annotations

import click
from flask import Blueprint, current_app

from server.assets import generation
from server.db import db, utcnow

cli = Blueprint("assets_cli", __name__, cli_group="assets")


@cli.cli.command("generate")
def generate_command() -> None:
    """Create the work order of each maintenance occurrence within its lead time."""
    with db.unit_of_work() as session:
        result = generation.generate_due(
            session, now=utcnow(), timezone=current_app.config["ORG_TIMEZONE"]
        )
    click.echo(f"maintenance: {len(result.created)} orders created, {len(result.failed)} refused")
    for failure in result.failed:
        click.echo(f"  plan {failure['plan_id']} asset {failure['asset_id']}: {failure['error']}")
