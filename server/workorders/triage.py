"""Triage rules in the database, applied by the pure engine in `rules.py`.

Admins keep an ordered list of rules; intake classifies every new request with the active ones.
A new installation that has never stored a rule uses the shipped dictionary
(`default_rules.DEFAULT_RULES`) until `install_defaults` copies it into the table, where it can
be edited. Rules are retired (`active = false`), not deleted: orders keep naming the rules that
fired for them.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.errors import NotFound, ValidationFailed
from server.queries import flush_or_conflict
from server.technicians.models import Skill
from server.workorders import rules
from server.workorders.default_rules import DEFAULT_RULES
from server.workorders.models import Category, TriageRule


@functools.cache
def shipped_rules() -> tuple[rules.Rule, ...]:
    return tuple(rules.parse_rule(data) for data in DEFAULT_RULES)


def _as_rule(row: TriageRule) -> rules.Rule:
    return rules.parse_rule({**row.definition, "id": row.code, "name": row.name})


def active_rules(session: Session) -> list[rules.Rule]:
    rows = session.scalars(select(TriageRule).order_by(TriageRule.position, TriageRule.code)).all()
    if not rows:
        return list(shipped_rules())
    return [_as_rule(row) for row in rows if row.active]


def classify(session: Session, *, text: str, channel: str, tier: str) -> rules.Triage:
    return rules.classify(
        rules.Request(text=text, channel=channel, tier=tier or "standard"), active_rules(session)
    )


def triage_request(session: Session, *, text: str, channel: str, tier: str) -> dict[str, Any]:
    """The fields a new work order takes from triage, and why (`triage` column).

    A category or skill a rule names but the catalogue lacks (renamed, retired) is left out
    and said in `triage.ignored`, rather than refusing the customer's request."""
    result = classify(session, text=text, channel=channel, tier=tier)
    explained = result.explain()
    ignored: list[str] = []
    category_id = None
    if result.category:
        category_id = session.scalar(
            select(Category.id).where(Category.code == result.category, Category.active)
        )
        if category_id is None:
            ignored.append(f"category:{result.category}")
    known = set(
        session.scalars(
            select(Skill.code).where(Skill.code.in_([code for code, _ in result.skills]))
        )
    )
    skills = []
    for code, level in result.skills:
        if code in known:
            skills.append({"code": code, "level": level})
        else:
            ignored.append(f"skill:{code}")
    if ignored:
        explained["ignored"] = ignored
    return {
        "priority": result.priority,
        "type": result.type,
        "category_id": category_id,
        "required_skills": skills,
        "duration_minutes": result.duration_minutes,
        "triage": explained,
    }


# --- administration -------------------------------------------------------------------------


def list_rules(session: Session) -> list[TriageRule]:
    return list(session.scalars(select(TriageRule).order_by(TriageRule.position, TriageRule.code)))


def _validated(data: dict[str, Any], *, code: str, name: str) -> dict[str, Any]:
    try:
        rule = rules.parse_rule({**data, "id": code, "name": name})
    except rules.RuleError as exc:
        raise ValidationFailed(exc.errors) from exc
    definition = rules.rule_to_dict(rule)
    definition.pop("id", None)
    definition.pop("name", None)
    return definition


def create_rule(
    session: Session,
    *,
    code: str,
    name: str,
    definition: dict[str, Any],
    position: int | None = None,
) -> TriageRule:
    _materialise_shipped(session)
    if position is None:
        position = (session.scalar(select(func.max(TriageRule.position))) or 0) + 10
    row = TriageRule(
        code=code,
        name=name,
        position=position,
        definition=_validated(definition, code=code, name=name),
        active=True,
    )
    session.add(row)
    flush_or_conflict(session)
    return row


def get_rule(session: Session, *, rule_id: uuid.UUID) -> TriageRule:
    row = session.get(TriageRule, rule_id)
    if row is None:
        raise NotFound()
    return row


def update_rule(session: Session, *, rule_id: uuid.UUID, changes: dict[str, Any]) -> TriageRule:
    row = get_rule(session, rule_id=rule_id)
    name = changes.get("name", row.name)
    if "definition" in changes or "name" in changes:
        row.definition = _validated(changes.get("definition", row.definition), code=row.code,
                                    name=name)  # fmt: skip
    row.name = name
    for key in ("position", "active"):
        if key in changes:
            setattr(row, key, changes[key])
    session.flush()
    return row


def _materialise_shipped(session: Session) -> None:
    """The first admin change turns the shipped dictionary into rows, so that adding one rule
    does not silently drop all the defaults the installation was using."""
    if session.scalar(select(func.count()).select_from(TriageRule)) == 0:
        install_rules(session)


def install_rules(session: Session) -> int:
    """The shipped rules as rows (by code, so running it again adds only what is missing)."""
    existing = set(session.scalars(select(TriageRule.code)))
    added = 0
    for position, data in enumerate(DEFAULT_RULES, start=1):
        if data["id"] in existing:
            continue
        rule = rules.parse_rule(data)
        definition = rules.rule_to_dict(rule)
        definition.pop("id", None)
        definition.pop("name", None)
        session.add(
            TriageRule(code=rule.id, name=rule.name, position=position * 10, definition=definition)
        )
        added += 1
    session.flush()
    return added
