"""Field engineers, the skills they hold, and the skills catalogue."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import User
from server.db import Base, Timestamps, UuidPk


class TechnicianStatus(StrEnum):
    OFF_DUTY = "off_duty"
    AVAILABLE = "available"
    BUSY = "busy"


STATUS_VALUES = tuple(s.value for s in TechnicianStatus)
MAX_JOBS_PER_DAY = 30


class Skill(Timestamps, Base):
    """A skill in the catalogue. The code is the key: work orders and filters name skills by it,
    so it never changes; a skill that is no longer used is deactivated."""

    __tablename__ = "skills"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True, server_default="true")


class Technician(UuidPk, Timestamps, Base):
    __tablename__ = "technicians"
    __table_args__ = (
        CheckConstraint("status IN ('off_duty','available','busy')", name="status_known"),
        CheckConstraint(
            f"max_jobs_per_day BETWEEN 1 AND {MAX_JOBS_PER_DAY}", name="max_jobs_per_day_range"
        ),
        CheckConstraint(
            "(last_position IS NULL) = (last_position_at IS NULL)", name="last_position_has_time"
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), unique=True)
    # Where the engineer's day starts and ends (the optimizer's depot for this engineer).
    home: Mapped[Any] = mapped_column(Geography("POINT", srid=4326), nullable=False)
    # {"mon": [["08:00", "17:00"]], ..., "sun": []} in the organisation's time zone; see hours.py.
    working_hours: Mapped[dict[str, list[list[str]]]] = mapped_column(JSONB)
    max_jobs_per_day: Mapped[int] = mapped_column(SmallInteger, default=8, server_default="8")
    active: Mapped[bool] = mapped_column(default=True, server_default="true")
    status: Mapped[str] = mapped_column(
        String(16),
        default=TechnicianStatus.OFF_DUTY,
        server_default=TechnicianStatus.OFF_DUTY.value,
    )
    # Written by every location ping: no spatial index to keep up; the board reads them all.
    last_position: Mapped[Any | None] = mapped_column(
        Geography("POINT", srid=4326, spatial_index=False), nullable=True
    )
    last_position_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    skills: Mapped[list[TechnicianSkill]] = relationship(
        back_populates="technician",
        cascade="all, delete-orphan",
        order_by="TechnicianSkill.skill_code",
        lazy="selectin",
    )


class TechnicianSkill(Base):
    __tablename__ = "technician_skills"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),)

    technician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("technicians.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed on its own: "who can do hvac?" looks up by skill, not by technician.
    skill_code: Mapped[str] = mapped_column(ForeignKey("skills.code"), primary_key=True, index=True)
    level: Mapped[int] = mapped_column(SmallInteger)

    technician: Mapped[Technician] = relationship(back_populates="skills")
