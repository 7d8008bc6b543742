"""The skills catalogue and technicians: look-ups, lists and changes.

Technicians are never deleted, only deactivated: their jobs, stock moves and positions stay
attributed to them. `get_technician` and `list_technicians` are what dispatch reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, contains_eager

from server.auth import service as auth_service
from server.auth.models import Role, User
from server.errors import NotFound, ValidationFailed
from server.geo import to_geography
from server.queries import count_rows, flush_or_conflict, matches_any, one_page
from server.technicians.hours import WorkingHoursError, default_working_hours, normalise_week
from server.technicians.models import Skill, Technician, TechnicianSkill, TechnicianStatus

# --- skills -------------------------------------------------------------------------------


def get_skill(session: Session, *, code: str) -> Skill:
    skill = session.get(Skill, code)
    if skill is None:
        raise NotFound()
    return skill


def list_skills(
    session: Session, *, active: bool | None = None, page: int, page_size: int
) -> tuple[list[Skill], int]:
    stmt = select(Skill)
    if active is not None:
        stmt = stmt.where(Skill.active.is_(active))
    total = count_rows(session, stmt)
    rows = session.scalars(
        one_page(stmt.order_by(Skill.code), page=page, page_size=page_size)
    ).all()
    return list(rows), total


def create_skill(
    session: Session, *, code: str, name_zh: str, name_en: str, active: bool = True
) -> Skill:
    if session.get(Skill, code) is not None:
        raise ValidationFailed({"code": ["duplicate"]})
    skill = Skill(code=code, name_zh=name_zh.strip(), name_en=name_en.strip(), active=active)
    session.add(skill)
    flush_or_conflict(session)
    return skill


def update_skill(session: Session, *, code: str, changes: dict[str, Any]) -> Skill:
    skill = get_skill(session, code=code)
    for key, value in changes.items():
        setattr(skill, key, value.strip() if isinstance(value, str) else value)
    session.flush()  # updated_at for the response
    return skill


# --- technicians --------------------------------------------------------------------------


def get_technician(session: Session, *, technician_id: uuid.UUID) -> Technician:
    technician = session.get(Technician, technician_id)
    if technician is None:
        raise NotFound()
    return technician


def find_technician_for_user(session: Session, *, user_id: uuid.UUID) -> Technician | None:
    """The technician profile of a user (the mobile API's caller), if there is one."""
    return session.scalar(select(Technician).where(Technician.user_id == user_id))


def technician_id_for_user(session: Session, *, user_id: uuid.UUID) -> uuid.UUID | None:
    """The id alone of a user's technician profile, if there is one: what every request of an
    engineer asks, without loading the profile with its skills."""
    return session.scalar(select(Technician.id).where(Technician.user_id == user_id))


def list_technicians(
    session: Session,
    *,
    skill: Iterable[tuple[str, int]] = (),
    active: bool | None = None,
    status: str | None = None,
    q: str | None = None,
    technician_ids: Collection[uuid.UUID] | None = None,
    page: int | None = None,
    page_size: int | None = None,
) -> tuple[list[Technician], int]:
    """Technicians with every skill in `skill` (code, minimum level), by name. Without
    `page_size`, all of them (dispatch plans over the whole crew)."""
    stmt = select(Technician).join(Technician.user).options(contains_eager(Technician.user))
    for code, min_level in skill:
        stmt = stmt.where(
            exists().where(
                TechnicianSkill.technician_id == Technician.id,
                TechnicianSkill.skill_code == code,
                TechnicianSkill.level >= min_level,
            )
        )
    if active is not None:
        stmt = stmt.where(Technician.active.is_(active))
    if status:
        stmt = stmt.where(Technician.status == status)
    if technician_ids is not None:
        stmt = stmt.where(Technician.id.in_(list(technician_ids)))
    if q:
        stmt = stmt.where(matches_any(q, User.name, User.email, User.phone))
    total = count_rows(session, stmt)
    stmt = stmt.order_by(User.name, Technician.id)
    if page_size is not None:
        stmt = one_page(stmt, page=page or 1, page_size=page_size)
    return list(session.scalars(stmt).all()), total


def create_technician(
    session: Session,
    *,
    home: dict[str, float],
    user_id: uuid.UUID | None = None,
    user: dict[str, Any] | None = None,
    skills: Iterable[dict[str, Any]] = (),
    working_hours: dict[str, list[list[str]]] | None = None,
    max_jobs_per_day: int = 8,
    active: bool = True,
) -> Technician:
    """A technician for an existing user with the technician role (`user_id`), or for a new
    user created here with that role (`user`: name, email, phone, password)."""
    if (user_id is None) == (user is None):
        raise ValidationFailed({"user_id": ["user_id_or_user"], "user": ["user_id_or_user"]})
    # A refusal half-way (a taken email, an unknown skill) must leave no user without its
    # technician, whatever the caller does with the session afterwards.
    with session.begin_nested():
        errors: dict[str, Any] = {}
        skill_rows, skill_errors = _skill_rows(session, items=list(skills), held=())
        if skill_errors:
            errors["skills"] = skill_errors
        owner_id = user_id
        if user is not None:
            try:
                account = auth_service.create_user(session, **user, role=Role.TECHNICIAN)
            except ValidationFailed as exc:
                errors["user"] = (exc.errors or {}).get("json", {})
            else:
                owner_id = account.id
        elif user_id is not None:
            problem = _user_problem(session, user_id=user_id)
            if problem:
                errors["user_id"] = [problem]
        if errors:
            raise ValidationFailed(errors)
        technician = Technician(
            user_id=owner_id,
            home=to_geography(**home),
            working_hours=_week(
                default_working_hours() if working_hours is None else working_hours
            ),
            max_jobs_per_day=max_jobs_per_day,
            active=active,
            status=TechnicianStatus.OFF_DUTY,
        )
        technician.skills = sorted(skill_rows, key=lambda row: row.skill_code)
        session.add(technician)
        flush_or_conflict(session)
    return technician


def update_technician(
    session: Session, *, technician_id: uuid.UUID, changes: dict[str, Any]
) -> Technician:
    technician = get_technician(session, technician_id=technician_id)
    for key, value in changes.items():
        if key == "skills":
            _replace_skills(session, technician, value)
        elif key == "home":
            technician.home = to_geography(**value)
        elif key == "working_hours":
            technician.working_hours = _week(value)
        else:
            setattr(technician, key, value)
    if changes.get("active") is False:
        technician.status = TechnicianStatus.OFF_DUTY
    session.flush()  # updated_at for the response
    return technician


def deactivate_technician(session: Session, *, technician_id: uuid.UUID) -> None:
    update_technician(session, technician_id=technician_id, changes={"active": False})


def _week(value: object) -> dict[str, list[list[str]]]:
    try:
        return normalise_week(value)
    except WorkingHoursError as exc:
        raise ValidationFailed({"working_hours": exc.errors}) from exc  # type: ignore[dict-item]


def _user_problem(session: Session, *, user_id: uuid.UUID) -> str | None:
    account = session.get(User, user_id)
    if account is None:
        return "unknown_user"
    if account.role != Role.TECHNICIAN:
        return "user_not_technician"
    if find_technician_for_user(session, user_id=user_id) is not None:
        return "technician_exists"
    return None


def _skill_rows(
    session: Session, *, items: list[dict[str, Any]], held: Collection[str]
) -> tuple[list[TechnicianSkill], dict[int, dict[str, list[str]]]]:
    """Rows for `items` ([{code, level}]), or errors by item index. A retired (inactive) skill
    may be kept by a technician who holds it, but not newly given."""
    codes = {item["code"] for item in items}
    known = {s.code: s for s in session.scalars(select(Skill).where(Skill.code.in_(codes)))}
    rows: list[TechnicianSkill] = []
    errors: dict[int, dict[str, list[str]]] = {}
    seen: set[str] = set()
    for index, item in enumerate(items):
        code = item["code"]
        skill = known.get(code)
        if skill is None:
            errors[index] = {"code": ["unknown_skill"]}
        elif code in seen:
            errors[index] = {"code": ["duplicate_skill"]}
        elif not skill.active and code not in held:
            errors[index] = {"code": ["skill_inactive"]}
        else:
            rows.append(TechnicianSkill(skill_code=code, level=item["level"]))
        seen.add(code)
    return rows, errors


def _replace_skills(session: Session, technician: Technician, items: list[dict[str, Any]]) -> None:
    current = {row.skill_code: row for row in technician.skills}
    rows, errors = _skill_rows(session, items=items, held=current.keys())
    if errors:
        raise ValidationFailed({"skills": errors})  # type: ignore[dict-item]  # by item index
    # Keep the rows that stay (a level change is an update), so no key is deleted and re-added.
    replaced: list[TechnicianSkill] = []
    for row in rows:
        existing = current.get(row.skill_code)
        if existing is not None:
            existing.level = row.level
            replaced.append(existing)
        else:
            replaced.append(row)
    # In the order a reload would give, so that this response equals a later GET.
    technician.skills = sorted(replaced, key=lambda row: row.skill_code)


def record_position(
    session: Session,
    *,
    technician_id: uuid.UUID,
    lat: float,
    lon: float,
    at: Any,
    min_interval_s: int,
) -> bool:
    """The engineer's latest position (what the board and ETAs use). Pings closer together
    than `min_interval_s`, or older than the one we have, are ignored: True if it was kept."""
    technician = get_technician(session, technician_id=technician_id)
    last = technician.last_position_at
    if last is not None and (at - last).total_seconds() < min_interval_s:
        return False
    technician.last_position = to_geography(lat, lon)
    technician.last_position_at = at
    return True
