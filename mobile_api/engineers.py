"""The caller of the engineer app's API as the services see them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.actors import Actor
from server.auth.models import Role, User
from server.technicians.models import Technician


def engineer_actor(session: Session, *, user: User, locale: str) -> Actor:
    """The signed-in user with their technician id (None for anyone else). Every phone request
    asks this: the id alone, not the technician with their skills and user."""
    technician_id = None
    if user.role == Role.TECHNICIAN:
        technician_id = session.scalar(select(Technician.id).where(Technician.user_id == user.id))
    return Actor(
        kind="user",
        role=user.role,
        user_id=user.id,
        technician_id=technician_id,
        name=user.name,
        locale=locale,
    )
