"""Technician and skill use cases against the database, and the invariants kept by the tables."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.auth.models import User
from server.db import utcnow
from server.errors import ValidationFailed
from server.geo import to_geography
from server.inventory.models import StockLocation
from server.technicians import service as technicians_service
from server.technicians.models import TechnicianSkill
from tests.factories import SHANGHAI, make_skill, make_technician, make_user


def _refused(session, change):
    """`change` (a callable) breaks a table rule: the flush fails and is undone."""
    savepoint = session.begin_nested()
    change()
    with pytest.raises(IntegrityError):
        session.flush()
    savepoint.rollback()


def _adding(session, obj):
    return lambda: session.add(obj)


def test_list_technicians_without_paging_returns_everyone_for_dispatch(session):
    made = [make_technician(session, skills={"hvac": 3}) for _ in range(3)]
    make_technician(session, skills={"hvac": 1})
    rows, total = technicians_service.list_technicians(session, skill=[("hvac", 2)], active=True)
    assert total == 3
    assert {t.id for t in rows} == {t.id for t in made}
    # Loaded with what dispatch needs, without further queries per technician.
    assert all(t.user.name and t.skills[0].level == 3 for t in rows)


def test_list_technicians_by_ids_and_status(session):
    first = make_technician(session, status="available")
    make_technician(session, status="available")
    make_technician(session, status="busy")
    rows, _ = technicians_service.list_technicians(
        session, technician_ids=[first.id], status="available"
    )
    assert [t.id for t in rows] == [first.id]
    rows, total = technicians_service.list_technicians(
        session, status="available", page=2, page_size=1
    )
    assert (len(rows), total) == (1, 2)


def test_find_technician_for_user(session):
    technician = make_technician(session)
    found = technicians_service.find_technician_for_user(session, user_id=technician.user_id)
    assert found is technician
    assert (
        technicians_service.find_technician_for_user(session, user_id=make_user(session).id) is None
    )


def test_a_refused_creation_leaves_no_user_in_the_session(session):
    make_skill(session, code="hvac")
    with pytest.raises(ValidationFailed) as caught:
        technicians_service.create_technician(
            session,
            user={"name": "N", "email": "half@example.test", "password": "long enough"},
            home=SHANGHAI,
            skills=[{"code": "nope", "level": 1}],
        )
    assert caught.value.errors == {"json": {"skills": {0: {"code": ["unknown_skill"]}}}}
    # Even if the caller went on and flushed, the user created half-way is gone.
    session.flush()
    assert session.scalar(select(User).where(User.email == "half@example.test")) is None


def test_create_technician_checks_working_hours_given_to_the_service(session):
    with pytest.raises(ValidationFailed) as caught:
        technicians_service.create_technician(
            session,
            user_id=make_user(session, role="technician").id,
            home=SHANGHAI,
            working_hours={"mon": [["17:00", "08:00"]]},
        )
    assert caught.value.errors == {
        "json": {"working_hours": {"mon": {0: ["shift_end_before_start"]}}}
    }


def test_update_skill_renames(session):
    make_skill(session, code="hvac", name_en="HVAC")
    skill = technicians_service.update_skill(
        session, code="hvac", changes={"name_en": " Heating ", "active": False}
    )
    assert (skill.name_en, skill.active) == ("Heating", False)


def test_tables_refuse_what_the_api_refuses(session):
    technician = make_technician(session)
    make_skill(session, code="hvac")
    _refused(
        session,
        _adding(session, TechnicianSkill(technician_id=technician.id, skill_code="hvac", level=6)),
    )
    _refused(
        session,
        _adding(session, TechnicianSkill(technician_id=technician.id, skill_code="ghost", level=1)),
    )
    _refused(session, lambda: setattr(technician, "max_jobs_per_day", 0))
    # A position without the time it was taken.
    _refused(session, lambda: setattr(technician, "last_position", to_geography(31.0, 121.0)))
    technician.last_position = to_geography(31.0, 121.0)
    technician.last_position_at = utcnow()
    session.flush()


def test_stock_locations_vans_and_warehouses(session):
    technician = make_technician(session)
    warehouse = StockLocation(
        type="warehouse", name="浦东仓", code="WH-PD", location=to_geography(31.22, 121.54)
    )
    van = StockLocation(type="van", name="Van 1", code="VAN-1", technician_id=technician.id)
    session.add_all([warehouse, van])
    session.flush()
    refused = [
        # A van without its engineer, a warehouse without a place or with an engineer.
        StockLocation(type="van", name="V", code="VAN-X"),
        StockLocation(type="warehouse", name="W", code="WH-X"),
        StockLocation(
            type="warehouse",
            name="W",
            code="WH-Y",
            location=to_geography(31.0, 121.0),
            technician_id=make_technician(session).id,
        ),
        # One van per engineer, one location per code, only known types.
        StockLocation(type="van", name="V2", code="VAN-2", technician_id=technician.id),
        StockLocation(type="warehouse", name="W", code="WH-PD", location=to_geography(31, 121)),
        StockLocation(type="shelf", name="S", code="S-1", location=to_geography(31, 121)),
    ]
    for location in refused:
        _refused(session, _adding(session, location))
