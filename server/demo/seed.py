"""Writes the demo city through the domain services. Idempotent: what exists (by its natural key)
is left alone, what is missing is created, so a second run changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.auth import service as auth_service
from server.auth.passwords import hash_password
from server.customers import service as customers_service
from server.customers.models import Customer
from server.demo.city import SKILLS, WAREHOUSES, generate
from server.inventory import service as inventory_service
from server.technicians import service as technicians_service
from server.technicians.models import Skill

# The demo's business calendar: an example of mainland public holidays and make-up working
# days. Holiday dates change every year by State Council notice; an administrator keeps the
# real calendar under /api/v1/sla/calendars.
DEMO_HOLIDAYS = [
    *(date(2026, 1, d) for d in (1, 2, 3)),
    *(date(2026, 2, d) for d in range(15, 24)),
    *(date(2026, 5, d) for d in range(1, 6)),
    *(date(2026, 10, d) for d in range(1, 9)),
    *(date(2027, 1, d) for d in (1, 2, 3)),
]
DEMO_WORKDAYS = [date(2026, 2, 14), date(2026, 2, 28), date(2026, 10, 10)]

STAFF = (
    ("admin", "admin@fieldline.demo", "系统管理员 Admin"),
    ("dispatcher", "dispatcher@fieldline.demo", "调度员 王芳"),
    ("agent", "agent@fieldline.demo", "客服 李娜"),
    ("warehouse", "warehouse@fieldline.demo", "仓管 赵强"),
    ("manager", "manager@fieldline.demo", "经理 陈静"),
)


@dataclass
class SeedReport:
    users: int = 0
    skills: int = 0
    technicians: int = 0
    warehouses: int = 0
    vans: int = 0
    customers: int = 0
    sites: int = 0

    def __str__(self) -> str:
        return (
            f"created {self.users} staff users, {self.skills} skills, {self.technicians} "
            f"technicians, {self.warehouses} warehouses, {self.vans} vans, {self.customers} "
            f"customers, {self.sites} sites"
        )


def seed_demo(session: Session, *, password: str, seed: int = 20261123) -> SeedReport:
    report = SeedReport()
    technicians, customers = generate(seed)
    # argon2 is slow by design: every demo login shares one password, so hash it once.
    shared_hash = hash_password(password)

    for role, email, name in STAFF:
        if auth_service.find_user_by_login(session, login=email) is None:
            auth_service.create_user(
                session,
                name=name,
                email=email,
                password_hash=shared_hash,
                role=role,
                locale="zh-CN",
            )
            report.users += 1

    known_skills = set(session.scalars(select(Skill.code)))
    for code, name_zh, name_en in SKILLS:
        if code not in known_skills:
            technicians_service.create_skill(session, code=code, name_zh=name_zh, name_en=name_en)
            report.skills += 1

    for code, name, address, lat, lon in WAREHOUSES:
        if inventory_service.find_location_by_code(session, code=code) is None:
            inventory_service.create_location(
                session,
                type="warehouse",
                name=name,
                code=code,
                address=address,
                location={"lat": lat, "lon": lon},
            )
            report.warehouses += 1

    for tech in technicians:
        email = f"tech{tech.number}@fieldline.demo"
        user = auth_service.find_user_by_login(session, login=email)
        technician = (
            technicians_service.find_technician_for_user(session, user_id=user.id) if user else None
        )
        if technician is None:
            account = (
                {"user_id": user.id}
                if user
                else {
                    "user": {
                        "name": tech.name,
                        "email": email,
                        "phone": tech.phone,
                        "password_hash": shared_hash,
                    }
                }
            )
            technician = technicians_service.create_technician(
                session,
                home={"lat": tech.lat, "lon": tech.lon},
                skills=[{"code": code, "level": level} for code, level in tech.skills],
                working_hours=tech.working_hours,
                max_jobs_per_day=tech.max_jobs_per_day,
                **account,
            )
            report.technicians += 1
        van_code = f"VAN-T{tech.number:02d}"
        if inventory_service.find_location_by_code(session, code=van_code) is None:
            inventory_service.create_location(
                session,
                type="van",
                name=f"{tech.name}的工具车 / van of tech{tech.number}",
                code=van_code,
                technician_id=technician.id,
            )
            report.vans += 1

    existing_phones = set(session.scalars(select(Customer.phone)))
    for customer in customers:
        if customer.phone in existing_phones:
            continue
        created = customers_service.create_customer(
            session,
            name=customer.name,
            tier=customer.tier,
            phone=customer.phone,
            email=customer.email,
            contacts=[{"name": customer.contact_name, "phone": customer.phone, "is_primary": True}],
        )
        report.customers += 1
        for site in customer.sites:
            customers_service.create_site(
                session,
                customer_id=created.id,
                name=site.name,
                address=site.address,
                location={"lat": site.lat, "lon": site.lon},
                district=site.district,
                access_notes=site.access_notes or None,
            )
            report.sites += 1
    return report
