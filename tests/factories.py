"""Test data. Factories flush (so ids exist), never commit."""

from __future__ import annotations

import itertools
import json
import time
from decimal import Decimal
from functools import cache
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from server.actors import Actor
from server.auth import apikeys, tokens
from server.auth.models import User
from server.auth.passwords import hash_password
from server.customers.models import Customer, Site
from server.db import utcnow
from server.geo import to_geography
from server.inventory.models import Part, StockLocation
from server.technicians.hours import default_working_hours
from server.technicians.models import Skill, Technician, TechnicianSkill
from server.workorders.models import WorkOrder

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


@cache
def _password_hash() -> str:
    # argon2 is slow on purpose; one hash serves every factory user.
    return hash_password(PASSWORD)


def make_user(session: Session, *, role: str = "dispatcher", **fields: Any) -> User:
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"User {n}",
        "email": f"user{n}@example.test",
        "phone": None,
        "role": role,
        "password_hash": _password_hash(),
        "active": True,
    }
    values.update(fields)
    user = User(**values)
    session.add(user)
    session.flush()
    return user


def signed(
    gateway: Any, body: Any, *, ts: str | None = None, secret: str | None = None
) -> tuple[bytes, dict[str, str]]:
    """An integration's request: the JSON body and its signed headers (`secret` to sign it
    wrong, `ts` for a stale or future timestamp)."""
    ts = ts or str(int(time.time()))
    raw = json.dumps(body).encode()
    signature = apikeys.sign(secret or gateway.api_key.signing_secret, ts, raw)
    return raw, {
        "Authorization": f"Bearer {gateway.key}",
        "X-Timestamp": ts,
        "X-Signature": f"sha256={signature}",
        "Content-Type": "application/json",
    }


def bearer(app: Flask, user: User, *, ttl_s: int | None = None, **headers: str) -> dict[str, str]:
    token = tokens.issue_access_token(
        user_id=user.id,
        role=user.role,
        secret=app.config["SECRET_KEY"],
        ttl_s=app.config["ACCESS_TOKEN_TTL_S"] if ttl_s is None else ttl_s,
        now=utcnow(),
    )
    return {"Authorization": f"Bearer {token}", **headers}


# --- reference data: customers, sites, skills, technicians --------------------------------

SHANGHAI = {"lat": 31.2304, "lon": 121.4737}


def make_customer(session: Session, **fields: Any) -> Customer:
    n = next(_seq)
    values: dict[str, Any] = {"name": f"Customer {n}", "tier": "standard", "active": True}
    values.update(fields)
    customer = Customer(**values)
    session.add(customer)
    session.flush()
    return customer


def make_site(
    session: Session,
    *,
    customer: Customer | None = None,
    location: dict[str, float] | None = None,
    **fields: Any,
) -> Site:
    n = next(_seq)
    point = location or SHANGHAI
    values: dict[str, Any] = {
        "customer_id": (customer or make_customer(session)).id,
        "address": f"{n} Nanjing East Road, Shanghai",
        "location": to_geography(point["lat"], point["lon"]),
        "active": True,
    }
    values.update(fields)
    site = Site(**values)
    session.add(site)
    session.flush()
    return site


def make_skill(session: Session, *, code: str | None = None, **fields: Any) -> Skill:
    n = next(_seq)
    values: dict[str, Any] = {
        "code": code or f"skill{n}",
        "name_zh": f"技能 {n}",
        "name_en": f"Skill {n}",
        "active": True,
    }
    values.update(fields)
    skill = Skill(**values)
    session.add(skill)
    session.flush()
    return skill


def make_technician(
    session: Session,
    *,
    user: User | None = None,
    skills: dict[str, int] | None = None,
    home: dict[str, float] | None = None,
    **fields: Any,
) -> Technician:
    """`skills` maps codes to levels; missing skills are added to the catalogue."""
    point = home or SHANGHAI
    values: dict[str, Any] = {
        "user_id": (user or make_user(session, role="technician")).id,
        "home": to_geography(point["lat"], point["lon"]),
        "working_hours": default_working_hours(),
        "max_jobs_per_day": 8,
        "active": True,
        "status": "off_duty",
    }
    values.update(fields)
    technician = Technician(**values)
    for code, level in (skills or {}).items():
        if session.get(Skill, code) is None:
            make_skill(session, code=code)
        technician.skills.append(TechnicianSkill(skill_code=code, level=level))
    session.add(technician)
    session.flush()
    return technician


def make_work_order(session: Session, *, status: str = "new", **fields: Any) -> WorkOrder:
    """A work order through the service (numbered, with its creation event); `status` and other
    columns are then set directly for arranging a test, as a migration of old data would."""
    from server.workorders import service as workorders_service

    customer = fields.pop("customer", None) or make_customer(session)
    site = fields.pop("site", None)
    if site is None and fields.pop("with_site", True):
        site = make_site(session, customer=customer)
    creator = Actor(kind="user", role="agent", name="factory")
    required_skills = fields.pop("required_skills", [])
    for need in required_skills:
        if session.get(Skill, need["code"]) is None:
            make_skill(session, code=need["code"])
    order = workorders_service.create_work_order(
        session,
        actor=creator,
        customer_id=customer.id,
        site_id=site.id if site else None,
        summary=fields.pop("summary", "空调不制冷 / AC not cooling"),
        now=fields.pop("now", utcnow()),
        timezone="Asia/Shanghai",
        required_skills=required_skills,
    )
    order.status = status
    for key, value in fields.items():
        setattr(order, key, value)
    session.flush()
    return order


def actor_for(user: User, technician: Technician | None = None) -> Actor:
    return Actor(
        kind="user",
        role=user.role,
        user_id=user.id,
        technician_id=technician.id if technician else None,
        name=user.name,
    )


def make_part(session: Session, **fields: Any) -> Part:
    n = next(_seq)
    values: dict[str, Any] = {
        "sku": f"P-{n:05d}",
        "name_zh": f"备件 {n}",
        "name_en": f"Part {n}",
        "unit": "pcs",
        "unit_cost": Decimal("12.50"),
        "reorder_point": Decimal(0),
        "reorder_quantity": Decimal(0),
        "active": True,
    }
    values.update(fields)
    part = Part(**values)
    session.add(part)
    session.flush()
    return part


def make_warehouse(
    session: Session, *, location: dict[str, float] | None = None, **fields: Any
) -> StockLocation:
    n = next(_seq)
    point = location or SHANGHAI
    row = StockLocation(
        type="warehouse",
        code=fields.pop("code", f"WH-{n}"),
        name=fields.pop("name", f"仓库 {n}"),
        address="上海",
        location=to_geography(point["lat"], point["lon"]),
        active=True,
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def make_van(session: Session, *, technician: Technician) -> StockLocation:
    row = StockLocation(
        type="van",
        code=f"VAN-{next(_seq)}",
        name="工具车",
        technician_id=technician.id,
        active=True,
    )
    session.add(row)
    session.flush()
    return row


def stock(session: Session, *, part: Part, location: StockLocation, quantity: int | str) -> None:
    """Stock that arrived through the ledger (a receipt), as the service would record it."""
    from server.inventory import service as inventory_service

    inventory_service.receive(
        session,
        location_id=location.id,
        lines=[{"part_id": part.id, "quantity": Decimal(str(quantity))}],
        actor=Actor(kind="user", role="warehouse", name="factory"),
        now=utcnow(),
    )
