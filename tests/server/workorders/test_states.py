"""The life cycle table: every transition and every guard, allowed and refused, per role."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.i18n import MESSAGES
from server.workorders.states import (
    TRANSITIONS,
    Action,
    Facts,
    Refusal,
    Status,
    allowed_actions,
    decide,
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ROLES = ("admin", "dispatcher", "agent", "technician", "warehouse", "manager", "customer", "system")

# Facts under which every guard passes, so that only role and table decide.
GOOD = Facts(
    role="dispatcher",
    is_assignee=True,
    target_technician_active=True,
    reason="customer asked",
    resolution="replaced the valve",
    signature_present=True,
    signer_name="王先生",
    closed_at=NOW - timedelta(days=1),
    now=NOW,
    merge_target_problem=None,
    is_merged=True,
)


def test_the_table_is_exactly_the_designed_life_cycle():
    edges = {(f.value, a.value): r.to.value for (f, a), r in TRANSITIONS.items()}
    assert edges == {
        ("new", "assign"): "assigned",
        ("assigned", "assign"): "assigned",
        ("accepted", "assign"): "assigned",
        ("assigned", "unassign"): "new",
        ("accepted", "unassign"): "new",
        ("assigned", "accept"): "accepted",
        ("assigned", "decline"): "new",
        ("accepted", "start_travel"): "en_route",
        ("en_route", "arrive"): "in_progress",
        ("in_progress", "hold"): "on_hold",
        ("on_hold", "resume"): "in_progress",
        ("in_progress", "complete"): "completed",
        ("completed", "sign_off"): "closed",
        ("completed", "customer_confirm"): "closed",
        ("completed", "customer_reject"): "in_progress",
        ("completed", "auto_close"): "closed",
        ("new", "cancel"): "cancelled",
        ("assigned", "cancel"): "cancelled",
        ("accepted", "cancel"): "cancelled",
        ("closed", "reopen"): "new",
        ("new", "merge"): "cancelled",
        ("assigned", "merge"): "cancelled",
        ("accepted", "merge"): "cancelled",
        ("cancelled", "unmerge"): "new",
    }


def test_only_unmerge_leaves_cancelled_and_nothing_cancels_once_travel_started():
    for status in (Status.EN_ROUTE, Status.IN_PROGRESS, Status.ON_HOLD, Status.COMPLETED):
        with pytest.raises(Refusal) as refused:
            decide(status, Action.CANCEL, replace(GOOD, role="dispatcher"))
        assert refused.value.error == "invalid_transition"
    for action in Action:
        if action == Action.UNMERGE:
            continue
        with pytest.raises(Refusal):
            decide(Status.CANCELLED, action, replace(GOOD, role="admin"))
    with pytest.raises(Refusal) as refused:
        decide(Status.CANCELLED, Action.UNMERGE, replace(GOOD, role="agent", is_merged=False))
    assert refused.value.error == "not_merged"


@given(st.sampled_from(list(Status)), st.sampled_from(list(Action)), st.sampled_from(ROLES))
def test_pairs_outside_the_table_are_invalid_transitions(status, action, role):
    facts = replace(GOOD, role=role)
    if (status, action) in TRANSITIONS:
        return
    with pytest.raises(Refusal) as refused:
        decide(status, action, facts)
    assert refused.value.error == "invalid_transition"


@pytest.mark.parametrize(("pair", "rule"), list(TRANSITIONS.items()), ids=lambda v: str(v))
def test_each_transition_allowed_for_its_roles_and_refused_for_every_other(pair, rule):
    status, action = pair
    for role in ROLES:
        facts = replace(GOOD, role=role)
        if role in rule.roles:
            assert decide(status, action, facts).to_status == rule.to
        else:
            with pytest.raises(Refusal) as refused:
                decide(status, action, facts)
            assert refused.value.error == "forbidden"
            assert refused.value.forbidden


@pytest.mark.parametrize(
    ("status", "action"),
    [(f, a) for (f, a), r in TRANSITIONS.items() if r.assignee_only],
)
def test_only_the_assignee_moves_an_assigned_job_forward(status, action):
    with pytest.raises(Refusal) as refused:
        decide(status, action, replace(GOOD, role="technician", is_assignee=False))
    assert refused.value.error == "not_assignee"


@pytest.mark.parametrize(
    ("status", "action", "change", "error"),
    [
        (Status.NEW, Action.ASSIGN, {"target_technician_active": None}, "technician_required"),
        (Status.NEW, Action.ASSIGN, {"target_technician_active": False}, "technician_inactive"),
        (Status.NEW, Action.ASSIGN, {"missing_skills": ("hvac",)}, "skill_mismatch"),
        (Status.NEW, Action.ASSIGN, {"waiting_for_parts": True}, "waiting_for_parts"),
        (Status.ASSIGNED, Action.ASSIGN, {"target_is_current_assignee": True}, "already_assigned"),
        (Status.ASSIGNED, Action.DECLINE, {"reason": "  "}, "reason_required"),
        (Status.IN_PROGRESS, Action.HOLD, {"reason": None}, "reason_required"),
        (Status.IN_PROGRESS, Action.COMPLETE, {"resolution": ""}, "resolution_required"),
        (
            Status.IN_PROGRESS,
            Action.COMPLETE,
            {"checklist_complete": False},
            "checklist_incomplete",
        ),
        (Status.IN_PROGRESS, Action.COMPLETE, {"parts_recorded": False}, "parts_not_recorded"),
        (Status.COMPLETED, Action.SIGN_OFF, {"signature_present": False}, "signature_required"),
        (Status.COMPLETED, Action.SIGN_OFF, {"signer_name": " "}, "signer_name_required"),
        (Status.COMPLETED, Action.CUSTOMER_REJECT, {"reason": None}, "reason_required"),
        (Status.NEW, Action.CANCEL, {"reason": None}, "reason_required"),
        (Status.NEW, Action.MERGE, {"merge_target_problem": "merge_into_self"}, "merge_into_self"),
        (
            Status.CLOSED,
            Action.REOPEN,
            {"closed_at": NOW - timedelta(days=31)},
            "reopen_window_passed",
        ),
    ],
)
def test_each_guard_refuses_with_its_own_slug(status, action, change, error):
    rule = TRANSITIONS[(status, action)]
    role = sorted(rule.roles)[0]
    facts = replace(GOOD, role=role, **change)
    with pytest.raises(Refusal) as refused:
        decide(status, action, facts)
    assert refused.value.error == error
    assert not refused.value.forbidden
    # The API answers with a message for every slug, in both languages.
    assert set(MESSAGES[error]) == {"zh-CN", "en"}


def test_role_and_table_refusals_have_messages():
    for slug in ("invalid_transition", "forbidden", "not_assignee"):
        assert set(MESSAGES[slug]) == {"zh-CN", "en"}


def test_reopen_just_inside_the_window_is_allowed():
    facts = replace(GOOD, role="agent", closed_at=NOW - timedelta(days=30))
    assert decide(Status.CLOSED, Action.REOPEN, facts).to_status == Status.NEW


def test_unknown_status_or_action_is_an_invalid_transition():
    with pytest.raises(Refusal) as refused:
        decide("teleported", "assign", GOOD)
    assert refused.value.error == "invalid_transition"
    with pytest.raises(Refusal):
        decide("new", "teleport", GOOD)


def _outcome(status, action, facts):
    try:
        decide(status, action, facts)
    except Refusal as refusal:
        return refusal.error
    return "ok"


@given(st.sampled_from(list(Status)), st.sampled_from(ROLES), st.booleans())
def test_allowed_actions_are_exactly_those_that_pass_role_checks(status, role, is_assignee):
    listed = set(allowed_actions(status, role=role, is_assignee=is_assignee))
    facts = replace(GOOD, role=role, is_assignee=is_assignee)
    passing = {a.value for a in Action if _outcome(status, a, facts) == "ok"}
    assert listed == passing
