"""SLA calendars and policies as admins keep them, and the defaults a new installation gets
(category tree, triage rules, calendars, policies): `flask workorders install-defaults`.

Orders copy their targets when their clocks start (`clocks.start`), so editing a policy
changes the promise for new orders, not for those already made.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.errors import Conflict, NotFound, ValidationFailed
from server.queries import flush_or_conflict
from server.technicians import hours
from server.workorders import sla, triage
from server.workorders.default_rules import DEFAULT_CATEGORIES
from server.workorders.models import Category, SlaCalendar, SlaPolicy

# Mon-Fri 09:00-18:00 with an hour for lunch: the usual office day in China.
OFFICE_HOURS: dict[str, list[list[str]]] = {
    **{day: [["09:00", "12:00"], ["13:00", "18:00"]] for day in hours.DAYS[:5]},
    "sat": [],
    "sun": [],
}


# --- calendars ------------------------------------------------------------------------------


def list_calendars(session: Session) -> list[SlaCalendar]:
    return list(session.scalars(select(SlaCalendar).order_by(SlaCalendar.name)))


def _checked_calendar(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    working_hours = values.get("working_hours")
    if working_hours is not None:
        try:
            values["working_hours"] = hours.normalise_week(working_hours)
        except hours.WorkingHoursError as exc:
            errors["working_hours"] = exc.errors
    if not errors:
        try:
            sla.Calendar.from_config(
                tz=values["timezone"],
                working_hours=values.get("working_hours"),
                holidays=values.get("holidays", ()),
                workdays=values.get("workdays", ()),
            )
        except ValueError as exc:
            reason = str(exc)
            if "time zone" in reason:
                errors["timezone"] = ["unknown_timezone"]
            elif "holiday" in reason:
                errors["workdays"] = ["invalid"]
            else:
                errors["working_hours"] = ["calendar_has_no_time"]
    if errors:
        raise ValidationFailed(errors)
    return values


def create_calendar(
    session: Session,
    *,
    name: str,
    timezone: str,
    working_hours: dict[str, Any] | None = None,
    holidays: list[date] | None = None,
    workdays: list[date] | None = None,
) -> SlaCalendar:
    values = _checked_calendar(
        {
            "timezone": timezone,
            "working_hours": working_hours,
            "holidays": sorted(set(holidays or [])),
            "workdays": sorted(set(workdays or [])),
        }
    )
    row = SlaCalendar(name=name, **values)
    session.add(row)
    flush_or_conflict(session)
    return row


def update_calendar(
    session: Session, *, calendar_id: uuid.UUID, changes: dict[str, Any]
) -> SlaCalendar:
    row = session.get(SlaCalendar, calendar_id)
    if row is None:
        raise NotFound()
    merged = {
        "timezone": changes.get("timezone", row.timezone),
        "working_hours": changes.get("working_hours", row.working_hours),
        "holidays": sorted(set(changes.get("holidays", row.holidays) or [])),
        "workdays": sorted(set(changes.get("workdays", row.workdays) or [])),
    }
    for key, value in _checked_calendar(merged).items():
        setattr(row, key, value)
    if "name" in changes:
        row.name = changes["name"]
    flush_or_conflict(session)
    return row


# --- policies -------------------------------------------------------------------------------


def list_policies(session: Session) -> list[SlaPolicy]:
    order = {p: i for i, p in enumerate(("urgent", "high", "medium", "low"))}
    rows = session.scalars(select(SlaPolicy)).all()
    return sorted(rows, key=lambda p: (order[p.priority], p.tier or ""))


def _check_calendar(session: Session, calendar_id: uuid.UUID) -> None:
    if session.get(SlaCalendar, calendar_id) is None:
        raise ValidationFailed({"calendar_id": ["unknown_calendar"]})


def create_policy(
    session: Session,
    *,
    priority: str,
    tier: str | None,
    response_minutes: int,
    resolve_minutes: int,
    calendar_id: uuid.UUID,
) -> SlaPolicy:
    _check_calendar(session, calendar_id)
    row = SlaPolicy(
        priority=priority,
        tier=tier,
        response_minutes=response_minutes,
        resolve_minutes=resolve_minutes,
        calendar_id=calendar_id,
    )
    session.add(row)
    flush_or_conflict(session)
    return row


def update_policy(session: Session, *, policy_id: uuid.UUID, changes: dict[str, Any]) -> SlaPolicy:
    row = session.get(SlaPolicy, policy_id)
    if row is None:
        raise NotFound()
    if "calendar_id" in changes:
        _check_calendar(session, changes["calendar_id"])
    for key in ("response_minutes", "resolve_minutes", "calendar_id"):
        if key in changes:
            setattr(row, key, changes[key])
    if row.resolve_minutes < row.response_minutes:
        raise ValidationFailed({"resolve_minutes": ["resolve_before_response"]})
    session.flush()
    return row


def delete_policy(session: Session, *, policy_id: uuid.UUID) -> None:
    """Orders already promised keep their copied targets; new ones fall back to the policy for
    every tier, or run without a clock."""
    row = session.get(SlaPolicy, policy_id)
    if row is None:
        raise NotFound()
    session.delete(row)
    session.flush()


def delete_calendar(session: Session, *, calendar_id: uuid.UUID) -> None:
    row = session.get(SlaCalendar, calendar_id)
    if row is None:
        raise NotFound()
    used = session.scalar(
        select(func.count()).select_from(SlaPolicy).where(SlaPolicy.calendar_id == calendar_id)
    )
    if used:
        raise Conflict("calendar_in_use")
    session.delete(row)
    session.flush()


# --- defaults -------------------------------------------------------------------------------


def install_defaults(
    session: Session, *, timezone: str, holidays: list[date] | None = None,
    workdays: list[date] | None = None,
) -> dict[str, int]:  # fmt: skip
    """The shipped category tree, triage rules, calendars and policies; what exists (by code or
    name) is left as it is, so running this again only fills gaps."""
    counts = {"categories": _install_categories(session)}
    counts["rules"] = triage.install_rules(session)
    calendars = {c.name: c for c in list_calendars(session)}
    added_calendars = 0
    for name, working_hours in (
        (sla.CALENDAR_24X7, None),
        (sla.CALENDAR_BUSINESS, OFFICE_HOURS),
    ):
        if name not in calendars:
            calendars[name] = create_calendar(
                session,
                name=name,
                timezone=timezone,
                working_hours=working_hours,
                holidays=holidays if working_hours else None,
                workdays=workdays if working_hours else None,
            )
            added_calendars += 1
    counts["calendars"] = added_calendars
    existing = {(p.priority, p.tier) for p in list_policies(session)}
    added_policies = 0
    for policy in sla.DEFAULT_POLICIES:
        if (policy.priority, policy.tier) in existing:
            continue
        create_policy(
            session,
            priority=policy.priority,
            tier=policy.tier,
            response_minutes=int(policy.response.total_seconds() // 60),
            resolve_minutes=int(policy.resolve.total_seconds() // 60),
            calendar_id=calendars[policy.calendar].id,
        )
        added_policies += 1
    counts["policies"] = added_policies
    return counts


def _install_categories(session: Session) -> int:
    by_code = {c.code: c for c in session.scalars(select(Category))}
    added = 0
    for position, item in enumerate(DEFAULT_CATEGORIES):
        if item["code"] in by_code:
            continue
        parent = by_code[item["parent"]] if item["parent"] else None
        row = Category(
            code=item["code"],
            parent_id=parent.id if parent else None,
            level=(parent.level + 1) if parent else 1,
            name_zh=item["zh"],
            name_en=item["en"],
            sort_order=position,
        )
        session.add(row)
        session.flush()
        by_code[row.code] = row
        added += 1
    return added
