"""Demo spare parts: about 200 parts across the demo skills, stock received into the three
warehouses and loaded onto vans through the ledger, and parts requested, reserved and issued
for some of the open demo work orders, so the warehouse screen has a queue to work."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.actors import Actor
from server.errors import Conflict
from server.inventory import reservations, service
from server.inventory.models import Part, StockLocation
from server.workorders.models import WorkOrder

# (skill, sku stem, zh, en, unit, unit cost) families; sizes or ratings make the variants.
FAMILIES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("hvac", "CAP", "压缩机启动电容", "Compressor run capacitor", "pcs", "28"),
    ("hvac", "FAN", "室内风机电机", "Indoor fan motor", "pcs", "260"),
    ("hvac", "CMP", "变频压缩机", "Inverter compressor", "pcs", "1850"),
    ("hvac", "R32", "R32 制冷剂", "R32 refrigerant", "kg", "95"),
    ("hvac", "CU", "紫铜管", "Copper pipe", "m", "36"),
    ("hvac", "FLT", "空调滤网", "Air filter", "pcs", "18"),
    ("hvac", "PCB", "空调主控板", "AC main control board", "pcs", "420"),
    ("hvac", "DRN", "冷凝水排水泵", "Condensate drain pump", "pcs", "150"),
    ("electrical", "MCB", "微型断路器", "Miniature circuit breaker", "pcs", "45"),
    ("electrical", "RCD", "漏电保护器", "Residual-current device", "pcs", "120"),
    ("electrical", "CBL", "铜芯电缆", "Copper cable", "m", "8"),
    ("electrical", "SKT", "五孔插座", "Wall socket", "pcs", "22"),
    ("electrical", "LED", "LED 灯管", "LED tube", "pcs", "35"),
    ("electrical", "CNT", "交流接触器", "AC contactor", "pcs", "88"),
    ("plumbing", "VLV", "角阀", "Angle valve", "pcs", "30"),
    ("plumbing", "PPR", "PPR 水管", "PPR pipe", "m", "12"),
    ("plumbing", "SEAL", "密封圈套装", "Seal kit", "set", "15"),
    ("plumbing", "TRP", "下水存水弯", "Drain trap", "pcs", "40"),
    ("plumbing", "HTR", "热水器加热管", "Water heater element", "pcs", "160"),
    ("plumbing", "FLX", "不锈钢软管", "Braided hose", "pcs", "25"),
    ("appliance", "THM", "冰箱温控器", "Fridge thermostat", "pcs", "65"),
    ("appliance", "PSU", "电源板", "Power board", "pcs", "210"),
    ("appliance", "PMP", "洗碗机排水泵", "Dishwasher drain pump", "pcs", "180"),
    ("appliance", "GSK", "门封条", "Door gasket", "pcs", "70"),
    ("appliance", "HTE", "烤箱发热管", "Oven heating element", "pcs", "120"),
    ("network", "SFP", "SFP 光模块", "SFP transceiver", "pcs", "240"),
    ("network", "PC", "网线跳线", "Patch cable", "pcs", "10"),
    ("network", "AP", "无线接入点", "Wireless access point", "pcs", "680"),
    ("network", "SW", "8 口交换机", "8-port switch", "pcs", "320"),
    ("elevator", "DRL", "门机皮带", "Door operator belt", "pcs", "260"),
    ("elevator", "BTN", "召唤按钮", "Call button", "pcs", "90"),
    ("elevator", "LCK", "厅门门锁", "Landing door lock", "pcs", "380"),
    ("elevator", "ROL", "导靴滚轮", "Guide shoe roller", "pcs", "75"),
)
VARIANTS = ("A", "B", "C", "D", "E", "F")


@dataclass
class PartsReport:
    parts: int = 0
    requests: int = 0

    def __str__(self) -> str:
        return f"{self.parts} parts, {self.requests} part requests on work orders"


def seed_parts(session: Session, *, now: datetime, seed: int = 20261123) -> PartsReport:
    report = PartsReport()
    if session.scalar(select(func.count()).select_from(Part)):
        return report
    rng = random.Random(seed)
    keeper = Actor(kind="user", role="warehouse", name="仓管 赵敏")
    parts: list[Part] = []
    for skill, stem, zh, en, unit, cost in FAMILIES:
        for variant in VARIANTS[: rng.randint(5, 6)]:
            base = Decimal(cost) * Decimal(rng.choice(("0.8", "1", "1.2", "1.5")))
            parts.append(
                service.create_part(
                    session,
                    sku=f"{stem}-{variant}{rng.randint(10, 99)}",
                    name_zh=f"{zh} {variant} 型",
                    name_en=f"{en}, type {variant}",
                    unit=unit,
                    unit_cost=base.quantize(Decimal("0.01")),
                    reorder_point=Decimal(rng.choice((2, 5, 10))),
                    reorder_quantity=Decimal(rng.choice((10, 20, 50))),
                    skill_code=skill,
                )
            )
    report.parts = len(parts)
    warehouses = list(
        session.scalars(select(StockLocation).where(StockLocation.type == "warehouse"))
    )
    vans = list(session.scalars(select(StockLocation).where(StockLocation.type == "van")))
    # Goods in: most parts in every warehouse, a few deliberately short (the low-stock list).
    received_at = now - timedelta(days=30)
    for warehouse in warehouses:
        lines = [
            {"part_id": p.id, "quantity": _amount(rng, p, rng.choice((0, 1, 3, 8, 15, 30, 60)))}
            for p in parts
        ]
        service.receive(
            session,
            location_id=warehouse.id,
            lines=[x for x in lines if x["quantity"]],
            actor=keeper,
            now=received_at,
            reason="期初入库 opening stock",
        )
    # Each van carries a few common parts, loaded from the nearest warehouse by code order.
    for n, van in enumerate(vans):
        source = warehouses[n % len(warehouses)]
        picks = rng.sample(parts, k=6)
        for part in picks:
            try:
                service.transfer(
                    session, from_location_id=source.id, to_location_id=van.id,
                    lines=[{"part_id": part.id, "quantity": _amount(rng, part, 2)}],
                    actor=keeper, now=received_at + timedelta(hours=2), reason="车载备货 van stock",
                )  # fmt: skip
            except Conflict:
                continue  # that warehouse is short of it; the van goes without
    report.requests = _requests(session, rng, parts, keeper, now)
    return report


def _amount(rng: random.Random, part: Part, pieces: int) -> Decimal:
    if part.unit in ("m", "kg", "l") and pieces:
        return Decimal(pieces) * Decimal(rng.choice(("1", "2.5", "5")))
    return Decimal(pieces)


def _requests(
    session: Session, rng: random.Random, parts: list[Part], keeper: Actor, now: datetime
) -> int:
    """Parts for some open orders: new ones wait for parts or have them reserved, orders on
    their way have them issued to the engineer's van."""
    orders = list(
        session.scalars(
            select(WorkOrder)
            .where(WorkOrder.status.in_(("new", "assigned", "accepted")))
            .order_by(WorkOrder.number)
        )
    )
    by_skill: dict[str, list[Part]] = {}
    for part in parts:
        by_skill.setdefault(part.skill_code or "", []).append(part)
    office = Actor(kind="user", role="dispatcher", name="调度员 王芳")
    made = 0
    for order in orders:
        if rng.random() > 0.3:
            continue
        skill = order.required_skills[0]["code"] if order.required_skills else "hvac"
        part = rng.choice(by_skill.get(skill) or parts)
        at = order.created_at + timedelta(minutes=5)
        requested = reservations.request_parts(
            session, work_order_id=order.id, part_id=part.id,
            quantity=_amount(rng, part, rng.choice((1, 1, 2))), actor=office, now=at,
        )  # fmt: skip
        made += 1
        if order.status == "new" and rng.random() < 0.5:
            continue  # waiting for the warehouse
        try:
            reservations.reserve(session, reservation_id=requested.id, actor=keeper,
                                 now=at + timedelta(minutes=10))  # fmt: skip
        except Conflict:
            continue  # out of stock: it waits, and shows on the low-stock list
        if order.status in ("assigned", "accepted") and service.van_of(session, order.assignee_id):
            reservations.issue(session, reservation_id=requested.id, actor=keeper,
                               now=at + timedelta(minutes=30))  # fmt: skip
    return made
