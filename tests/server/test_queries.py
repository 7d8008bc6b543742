"""Shared query helpers: capped counts, literal text matching, and work-order text search."""

from __future__ import annotations

from sqlalchemy import select

from server.auth.models import User
from server.queries import contains_pattern, count_rows
from server.workorders.models import WorkOrder
from server.workorders.service import text_search
from tests.factories import make_user, make_work_order


def test_count_rows_stops_just_past_the_cap(session):
    for _ in range(5):
        make_user(session, role="agent")
    agents = select(User).where(User.role == "agent")
    assert count_rows(session, agents) == 5
    assert count_rows(session, agents, cap=2) == 3
    assert count_rows(session, agents, cap=10) == 5


def test_contains_pattern_takes_wildcards_literally():
    assert contains_pattern(" 50%_off ") == "%50\\%\\_off%"


def test_text_search_finds_chinese_words_english_any_case_and_numbers(session):
    leak = make_work_order(session, summary="卫生间漏水", description="Water LEAK under the sink")
    make_work_order(session, summary="空调不制冷", description="AC not cooling")

    def found(q):
        return set(session.scalars(select(WorkOrder.id).where(*text_search(q))))

    assert found("漏水") == {leak.id}
    assert found("leak") == {leak.id}
    assert found("水") == {leak.id}
    assert found(leak.number.lower()) == {leak.id}
    assert found("漏电") == set()
    assert found("%") == set()
