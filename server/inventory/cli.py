"""`flask inventory check`: every stock level recomputed from the ledger and the reservations;
any difference is printed and the command exits 1 (there must never be one)."""

from __future__ import annotations

import sys

import click
from flask import Blueprint

from server.db import db
from server.inventory.service import check_ledger

cli = Blueprint("inventory_cli", __name__, cli_group="inventory")


@cli.cli.command("check")
def check_command() -> None:
    """Compare stock levels with the ledger."""
    with db.unit_of_work() as session:
        differences = check_ledger(session)
        for d in differences:
            click.echo(
                f"part {d.part_id} at {d.location_id}: on hand {d.on_hand} "
                f"(ledger {d.on_hand_from_ledger}), reserved {d.reserved} "
                f"(reservations {d.reserved_from_reservations})"
            )
    if differences:
        click.echo(f"{len(differences)} level(s) differ from the ledger")
        sys.exit(1)
    click.echo("stock levels agree with the ledger")
