"""The life cycle of parts reserved for a work order, and what a quantity may be. Pure.

    requested --reserve(location)--> reserved --issue(van)--> issued --consume(used)--> consumed
    requested --release--> released        reserved --release--> released
    issued --return--> returned            (an unused part goes back to a warehouse)

Reserving and releasing change only `reserved` at the location; issuing, consuming and
returning move stock and are written to the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Units and whether they count whole pieces.
UNITS: dict[str, bool] = {"pcs": True, "set": True, "m": False, "kg": False, "l": False}
MAX_QUANTITY = Decimal("100000")

WAREHOUSE = frozenset({"admin", "warehouse"})
OFFICE = frozenset({"admin", "warehouse", "dispatcher", "agent"})


@dataclass(frozen=True)
class Step:
    to_status: str
    roles: frozenset[str]


TABLE: dict[tuple[str, str], Step] = {
    ("requested", "reserve"): Step("reserved", WAREHOUSE),
    ("requested", "release"): Step("released", OFFICE),
    ("reserved", "issue"): Step("issued", WAREHOUSE),
    ("reserved", "release"): Step("released", OFFICE),
    # The engineer records what was used; the warehouse may too (paper job sheets).
    ("issued", "consume"): Step("consumed", WAREHOUSE | {"technician"}),
    ("issued", "return"): Step("returned", WAREHOUSE),
}
ACTIONS = tuple(sorted({action for _, action in TABLE}))
OPEN = frozenset({"requested", "reserved", "issued"})


class Refused(Exception):
    def __init__(self, error: str, *, forbidden: bool = False) -> None:
        super().__init__(error)
        self.error = error
        self.forbidden = forbidden


def decide(status: str, action: str, role: str) -> str:
    """The next status, or Refused: `invalid_transition` when the step does not exist from
    here, `forbidden` when the role may not take it. The system (hooks) may take any step."""
    step = TABLE.get((status, action))
    if step is None:
        raise Refused("invalid_transition")
    if role != "system" and role not in step.roles:
        raise Refused("forbidden", forbidden=True)
    return step.to_status


def allowed_actions(status: str, role: str) -> list[str]:
    return [
        action
        for (from_status, action), step in sorted(TABLE.items())
        if from_status == status and (role == "system" or role in step.roles)
    ]


def quantity_error(unit: str, value: object) -> str | None:
    """A message key when `value` is not a valid quantity of `unit`, else None."""
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "quantity_invalid"
    if not quantity.is_finite() or quantity <= 0:
        return "quantity_not_positive"
    if quantity > MAX_QUANTITY:
        return "quantity_too_large"
    if quantity != quantity.quantize(Decimal("0.001")):
        return "quantity_too_precise"
    if UNITS.get(unit, True) and quantity != quantity.to_integral_value():
        return "quantity_whole_units"
    return None
