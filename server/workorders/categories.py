"""The admin-managed, three-level category tree (e.g. 暖通 HVAC > 空调 Air conditioning >
不制冷 Not cooling). Categories are retired, never deleted: work orders keep naming them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import NotFound, ValidationFailed
from server.queries import flush_or_conflict
from server.workorders.models import Category


def list_categories(session: Session, *, active: bool | None = None) -> list[Category]:
    stmt = select(Category)
    if active is not None:
        stmt = stmt.where(Category.active.is_(active))
    return list(session.scalars(stmt.order_by(Category.level, Category.sort_order, Category.code)))


def get_category(session: Session, *, category_id: uuid.UUID) -> Category:
    category = session.get(Category, category_id)
    if category is None:
        raise NotFound()
    return category


def find_by_code(session: Session, *, code: str) -> Category | None:
    return session.scalar(select(Category).where(Category.code == code))


def create_category(
    session: Session,
    *,
    code: str,
    name_zh: str,
    name_en: str,
    parent_id: uuid.UUID | None = None,
    sort_order: int = 0,
) -> Category:
    level = 1
    if parent_id is not None:
        parent = session.get(Category, parent_id)
        if parent is None:
            raise ValidationFailed({"parent_id": ["unknown_category"]})
        if parent.level >= 3:
            raise ValidationFailed({"parent_id": ["category_too_deep"]})
        level = parent.level + 1
    if find_by_code(session, code=code) is not None:
        raise ValidationFailed({"code": ["duplicate"]})
    category = Category(
        code=code,
        name_zh=name_zh.strip(),
        name_en=name_en.strip(),
        parent_id=parent_id,
        level=level,
        sort_order=sort_order,
        active=True,
    )
    session.add(category)
    flush_or_conflict(session)
    return category


def update_category(
    session: Session, *, category_id: uuid.UUID, changes: dict[str, Any]
) -> Category:
    """Names, order and `active`; a category's place in the tree and its code do not move."""
    category = get_category(session, category_id=category_id)
    for key in ("name_zh", "name_en", "sort_order", "active"):
        if key in changes:
            setattr(category, key, changes[key])
    return category
