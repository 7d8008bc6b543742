"""`flask demo seed`: the demo city, created once and safe to run again."""

from __future__ import annotations

import click
from flask import Blueprint, current_app
from sqlalchemy import func, select

from server.auth.models import User
from server.db import db, utcnow
from server.demo.assets import seed_assets
from server.demo.orders import seed_orders
from server.demo.parts import seed_parts
from server.demo.seed import DEMO_HOLIDAYS, DEMO_WORKDAYS, seed_demo
from server.demo.territories import seed_territories
from server.workorders.settings import install_defaults

cli = Blueprint("demo_cli", __name__, cli_group="demo")


@cli.cli.command("seed")
@click.option(
    "--password",
    envvar="DEMO_PASSWORD",
    default="fieldline-demo",
    show_default=True,
    help="Password of every demo login (or DEMO_PASSWORD).",
)
@click.option("--seed", "random_seed", default=20261123, show_default=True, type=int)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option(
    "--open-orders", default=300, show_default=True, help="Open work orders on the board."
)
@click.option("--history-days", default=60, show_default=True, help="Days of closed history.")
def seed(
    password: str, random_seed: int, if_empty: bool, open_orders: int, history_days: int
) -> None:
    """Create the demo Shanghai operation: staff, 40 engineers, warehouses, 400 customers, a
    board of open work orders and weeks of closed history."""
    with db.unit_of_work() as session:
        if if_empty and session.scalar(select(func.count()).select_from(User)):
            click.echo("demo: the database already has users; not seeding")
            return
        report = seed_demo(session, password=password, seed=random_seed)
        click.echo(f"demo: {report}")
        defaults = install_defaults(
            session,
            timezone=current_app.config["ORG_TIMEZONE"],
            holidays=DEMO_HOLIDAYS,
            workdays=DEMO_WORKDAYS,
        )
        click.echo(f"demo: defaults {defaults}")
        orders = seed_orders(
            session,
            now=utcnow(),
            timezone=current_app.config["ORG_TIMEZONE"],
            open_orders=open_orders,
            history_days=history_days,
            seed=random_seed,
        )
        click.echo(f"demo: {orders.open} open and {orders.closed} closed work orders")
        click.echo(f"demo: {seed_territories(session, seed=random_seed)} territories")
        parts = seed_parts(session, now=utcnow(), seed=random_seed)
        click.echo(f"demo: {parts}")
        click.echo(f"demo: {seed_assets(session, now=utcnow(), seed=random_seed)}")
