"""The reservation life cycle and quantity rules, table-driven (pure)."""

from __future__ import annotations

import pytest

from server.inventory import states

ROLES = ("admin", "warehouse", "dispatcher", "agent", "manager", "technician", "customer")
STATUSES = ("requested", "reserved", "issued", "consumed", "released", "returned")
ALLOWED = {
    ("requested", "reserve"): ("reserved", {"admin", "warehouse"}),
    ("requested", "release"): ("released", {"admin", "warehouse", "dispatcher", "agent"}),
    ("reserved", "issue"): ("issued", {"admin", "warehouse"}),
    ("reserved", "release"): ("released", {"admin", "warehouse", "dispatcher", "agent"}),
    ("issued", "consume"): ("consumed", {"admin", "warehouse", "technician"}),
    ("issued", "return"): ("returned", {"admin", "warehouse"}),
}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", states.ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_every_step_for_every_role(status, action, role):
    expected = ALLOWED.get((status, action))
    if expected is None:
        with pytest.raises(states.Refused) as refused:
            states.decide(status, action, role)
        assert (refused.value.error, refused.value.forbidden) == ("invalid_transition", False)
    elif role in expected[1]:
        assert states.decide(status, action, role) == expected[0]
    else:
        with pytest.raises(states.Refused) as refused:
            states.decide(status, action, role)
        assert (refused.value.error, refused.value.forbidden) == ("forbidden", True)


@pytest.mark.parametrize("status", STATUSES)
def test_the_system_may_take_every_existing_step(status):
    for action in states.allowed_actions(status, "system"):
        assert states.decide(status, action, "system") == ALLOWED[(status, action)][0]


def test_allowed_actions_follow_the_table():
    assert states.allowed_actions("reserved", "warehouse") == ["issue", "release"]
    assert states.allowed_actions("reserved", "dispatcher") == ["release"]
    assert states.allowed_actions("issued", "technician") == ["consume"]
    assert states.allowed_actions("consumed", "admin") == []


@pytest.mark.parametrize(
    ("unit", "value", "error"),
    [
        ("pcs", "1", None),
        ("pcs", "0", "quantity_not_positive"),
        ("pcs", "-2", "quantity_not_positive"),
        ("pcs", "1.5", "quantity_whole_units"),
        ("set", "2.0", None),
        ("m", "1.5", None),
        ("m", "0.001", None),
        ("m", "0.0005", "quantity_too_precise"),
        ("kg", "100001", "quantity_too_large"),
        ("l", "NaN", "quantity_not_positive"),
        ("l", "Infinity", "quantity_not_positive"),
        ("pcs", "abc", "quantity_invalid"),
    ],
)
def test_quantities(unit, value, error):
    assert states.quantity_error(unit, value) == error
