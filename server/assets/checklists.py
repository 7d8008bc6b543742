"""Checklist items: what each kind accepts, and whether an answer passes (pure).

A template's items are copied onto a work order when it is created; each copy is answered once
or more (the last answer counts). A failed yes/no item or a number outside its range may raise
a follow-up work order, when the item says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

KINDS = ("yes_no", "number", "text", "photo", "signature")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_TEXT = 2000


@dataclass(frozen=True)
class ItemSpec:
    kind: str
    required: bool = True
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    unit: str | None = None
    # A failed answer opens a follow-up work order.
    follow_up: bool = False


@dataclass(frozen=True)
class Answer:
    # What is stored: a bool, a number as a string (exact), a text, or an upload's sha256.
    value: Any
    # False: a failed check or a reading out of range; None: nothing to pass or fail.
    passed: bool | None


class Unacceptable(ValueError):
    """The value does not fit the item; `error` is the field message slug."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def evaluate(item: ItemSpec, value: Any, *, unit: str | None = None) -> Answer:
    if item.kind == "yes_no":
        if not isinstance(value, bool):
            raise Unacceptable("yes_or_no_required")
        return Answer(value, value)
    if item.kind == "number":
        number = as_number(value)
        if unit is not None and item.unit is not None and unit != item.unit:
            raise Unacceptable("wrong_unit")
        within = (item.min_value is None or number >= item.min_value) and (
            item.max_value is None or number <= item.max_value
        )
        return Answer(str(number), within)
    if item.kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise Unacceptable("text_required")
        if len(value) > MAX_TEXT:
            raise Unacceptable("text_too_long")
        return Answer(value.strip(), None)
    if item.kind in ("photo", "signature"):
        if not isinstance(value, str) or not SHA256.match(value.lower()):
            raise Unacceptable("upload_required")
        return Answer(value.lower(), None)
    raise Unacceptable("unknown_item_kind")


def as_number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise Unacceptable("number_required")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise Unacceptable("number_required") from exc
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise Unacceptable("number_required")
    return number


def needs_follow_up(item: ItemSpec, answer: Answer) -> bool:
    return item.follow_up and answer.passed is False
