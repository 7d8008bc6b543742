"""Demo work orders: a live board (about 300 open orders in every state) and months of closed
history, made through the same services and life-cycle actions as real ones."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.actors import Actor
from server.customers.models import Customer, Site
from server.technicians.models import Technician
from server.workorders import clocks, triage
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrder

# Requests as customers word them; triage (the shipped rules) decides priority, category,
# skills and duration, as it does for real ones.
PROBLEMS = (
    ("空调不制冷，出风是热的", "AC blowing warm air", "hvac"),
    ("卫生间漏水，地面有积水", "Water leak in the bathroom", "plumbing"),
    ("配电箱频繁跳闸", "Breaker keeps tripping", "electrical"),
    ("冰箱无法开机", "Fridge will not power on", "appliance"),
    ("办公室网络中断", "Office network down", "network"),
    ("电梯运行有异响", "Lift makes a grinding noise", "elevator"),
    ("热水器不出热水", "No hot water from the heater", "plumbing"),
    ("年度空调保养", "Annual AC maintenance", "hvac"),
    ("新装洗碗机", "Install a new dishwasher", "appliance"),
    ("照明线路检查", "Lighting circuit inspection", "electrical"),
    ("配电箱冒烟，有焦味", "Smoke and a burning smell from the fuse box", "electrical"),
    ("请问空调多久保养一次？", "How often should the AC be serviced?", "hvac"),
)
# How the open board is spread over the life cycle (the rest of 300 are new).
OPEN_PATHS = {
    "assigned": ("assign",),
    "accepted": ("assign", "accept"),
    "en_route": ("assign", "accept", "start_travel"),
    "in_progress": ("assign", "accept", "start_travel", "arrive"),
    "on_hold": ("assign", "accept", "start_travel", "arrive", "hold"),
    "completed": ("assign", "accept", "start_travel", "arrive", "complete"),
}
CLOSED_PATH = ("assign", "accept", "start_travel", "arrive", "complete", "sign_off")


@dataclass
class OrdersReport:
    open: int = 0
    closed: int = 0


def seed_orders(
    session: Session,
    *,
    now: datetime,
    timezone: str,
    open_orders: int = 300,
    history_days: int = 120,
    per_day: int = 10,
    seed: int = 20261123,
) -> OrdersReport:
    report = OrdersReport()
    if session.scalar(select(func.count()).select_from(WorkOrder)):
        return report  # the demo board already exists
    rng = random.Random(seed)
    sites = list(session.scalars(select(Site).where(Site.active.is_(True)).order_by(Site.id)))
    technicians = list(session.scalars(select(Technician).order_by(Technician.id)))
    if not sites or not technicians:
        return report
    office = Actor(kind="user", role="dispatcher", name="调度员 王芳")
    tiers = {row.id: row.tier for row in session.execute(select(Customer.id, Customer.tier))}

    def qualified(needs: list[dict[str, Any]]) -> list[Technician]:
        return [
            t
            for t in technicians
            if all(
                any(s.skill_code == n["code"] and s.level >= n["level"] for s in t.skills)
                for n in needs
            )
        ]

    def make(created_at: datetime, path: tuple[str, ...], step_minutes: int) -> WorkOrder:
        site = rng.choice(sites)
        zh, en, skill = rng.choice(PROBLEMS)
        channel = rng.choice(("web", "phone", "phone", "email", "api"))
        summary = f"{zh} / {en}"
        triaged = triage.triage_request(
            session, text=summary, channel=channel, tier=tiers[site.customer_id]
        )
        if not triaged["required_skills"]:
            triaged["required_skills"] = [{"code": skill, "level": 1}]
        engineers = qualified(triaged["required_skills"])
        if not engineers:
            # The demo city is small: ask for the basic level when nobody has more.
            triaged["required_skills"] = [
                {"code": n["code"], "level": 1} for n in triaged["required_skills"]
            ]
            engineers = qualified(triaged["required_skills"]) or technicians
        order = workorders_service.create_work_order(
            session,
            actor=office,
            customer_id=site.customer_id,
            site_id=site.id,
            summary=summary,
            channel=channel,
            now=created_at,
            timezone=timezone,
            **triaged,
        )
        engineer = rng.choice(engineers)
        as_engineer = Actor(
            kind="user", role="technician", technician_id=engineer.id, name=engineer.user.name
        )
        at = created_at
        for action in path:
            at += timedelta(minutes=rng.randint(step_minutes // 2, step_minutes))
            workorders_service.apply_transition(
                session,
                work_order_id=order.id,
                actor=office if action == "assign" else as_engineer,
                change=workorders_service.TransitionInput(
                    action=action,
                    technician_id=engineer.id if action == "assign" else None,
                    reason="等客户回复 waiting for the customer" if action == "hold" else None,
                    hold_for="customer" if action == "hold" else None,
                    resolution="已处理 fixed and tested" if action == "complete" else None,
                    signature_sha256=rng.randbytes(32).hex() if action == "sign_off" else None,
                    signer_name="客户 customer" if action == "sign_off" else None,
                ),
                now=at,
                timezone=timezone,
            )
        return order

    states = list(OPEN_PATHS)
    # A third of the board is new (waiting for dispatch); the rest cycles through the states.
    for n in range(open_orders):
        status = "new" if n % 3 == 0 else states[(n - n // 3 - 1) % len(states)]
        make(now - timedelta(minutes=rng.randint(10, 600)), OPEN_PATHS.get(status, ()), 20)
        report.open += 1
    for day in range(history_days, 0, -1):
        for _ in range(rng.randint(per_day // 2, per_day)):
            start = now - timedelta(days=day, hours=rng.randint(0, 10))
            make(start, CLOSED_PATH, 90)
            report.closed += 1
    # The clocks as of now: what the worker's first check would find (warnings, breaches).
    clocks.check_clocks(session, now=now, limit=10 * open_orders)
    return report
