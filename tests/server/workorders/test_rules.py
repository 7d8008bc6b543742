"""Triage rules: matching (bilingual, negation, full-width), how fired rules decide, the checks on
admin-written rules, and the shipped defaults. No database, no Flask."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.workorders.default_rules import DEFAULT_CATEGORIES, DEFAULT_RULES
from server.workorders.rules import (
    CATEGORY_CODE,
    MAX_TEXT,
    PRIORITIES,
    Effect,
    Request,
    Rule,
    RuleError,
    classify,
    normalise_text,
    parse_rule,
    rule_to_dict,
    unsafe_pattern,
)

RULES = [parse_rule(data) for data in DEFAULT_RULES]
DEMO_SKILLS = {"hvac", "electrical", "plumbing", "appliance", "network", "elevator"}


def full_width(text: str) -> str:
    """ASCII letters and digits as a Chinese keyboard types them in full-width mode."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


FULL_WIDTH_LEAK = full_width("LEAK")


def triage(text: str, channel: str = "web", tier: str = "standard") -> Any:
    return classify(Request(text=text, channel=channel, tier=tier), RULES)


def fires(keyword: str, text: str) -> bool:
    rule = Rule(id="r", name="r", keywords=(keyword,), effect=Effect(priority="urgent"))
    return bool(classify(Request(text, "web"), [rule]).fired)


# --- the shipped rules on real requests -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "channel", "priority", "type_", "category", "credited"),
    [
        ("客厅空调漏水，地板都湿了", "web", "urgent", "repair", "hvac.leak", "aircon_leak"),
        ("Water leaking from the ceiling in the kitchen", "web", "urgent", "repair",
         "plumbing.leak", "leak"),
        ("配电箱冒烟有焦味", "web", "urgent", "repair", "electrical.hazard.smoke", "smoke_fire"),
        ("The dishwasher won't power on", "web", "high", "repair", "appliance.no_power",
         "wont_power_on"),
        ("The dishwasher won\u2019t power on", "email", "high", "repair", "appliance.no_power",
         "wont_power_on"),
        ("冰箱无法开机", "web", "high", "repair", "appliance.no_power", "wont_power_on"),
        ("空调无法开机", "web", "high", "repair", "hvac.cooling.wont_start", "aircon_wont_start"),
        # A question about maintenance is booked as maintenance: that rule comes first.
        ("请问保养多久做一次？", "web", "low", "maintenance", "general.maintenance",
         "maintenance"),
        ("Quick question about my invoice", "email", "low", "consultation",
         "general.consultation", "consultation"),
        # 漏水 is negated; the noise is what the customer reports.
        ("没有漏水，只是有点异响", "web", "medium", "repair", None, "noise"),
        ("电梯里有人被困", "phone", "urgent", "repair", "elevator.trapped", "elevator_trapped"),
        (FULL_WIDTH_LEAK, "web", "urgent", "repair", "plumbing.leak", "leak"),
        # The fault rule comes before the consultation rule, so it stays a repair.
        ("咨询一下，配电箱冒烟了", "web", "urgent", "repair", "electrical.hazard.smoke",
         "smoke_fire"),
        ("ALM-0042 sensor threshold exceeded", "iot", "high", "repair", None, "iot_alarm"),
        ("空调不制冷，出风是热的", "web", "high", "repair", "hvac.cooling.not_cooling",
         "not_cooling"),
        ("Breaker keeps tripping", "api", "high", "repair", "electrical.breaker", "breaker"),
        ("办公室网络中断", "web", "high", "repair", "network.no_connection", "no_connection"),
        ("电梯运行有异响", "web", "high", "repair", "elevator.fault", "elevator_fault"),
        ("Install a new dishwasher", "web", "medium", "install", "appliance", "install"),
        ("新装洗碗机", "web", "medium", "install", "appliance", "install"),
        ("照明线路检查", "web", "medium", "inspection", "electrical", "default"),
        ("The AC is not leaking but noisy", "web", "medium", "repair", "hvac.noise",
         "aircon_noise"),
        ("smoke detector beeping", "web", "medium", "repair", None, "default"),
        ("年度空调保养", "maintenance", "low", "maintenance", "hvac", "maintenance"),
    ],
)  # fmt: skip
def test_default_rules_on_real_requests(text, channel, priority, type_, category, credited):
    result = triage(text, channel)
    assert (result.priority, result.type, result.category) == (priority, type_, category)
    assert result.explain()["priority_from"] == credited


def test_a_trapped_passenger_stops_the_reading():
    result = triage("电梯里有人被困，轿厢还冒烟")
    assert result.priority == "urgent"
    assert result.category == "elevator.trapped"
    assert [f.rule_id for f in result.fired] == ["elevator_trapped"]
    assert result.skills == (("elevator", 3),)


def test_an_iot_alarm_is_at_least_high_but_an_urgent_text_stays_urgent():
    assert triage("ALM-0042 sensor threshold exceeded", "web").priority == "medium"
    assert triage("ALM-0042 sensor threshold exceeded", "iot").priority == "high"
    assert triage("漏水报警 water leak detected", "iot").priority == "urgent"


def test_rule_order_cannot_hide_a_more_urgent_rule():
    # The consultation rule comes long before the IoT floor and sets low; high still wins,
    # while the type stays with the first rule that set one.
    result = triage("Question: how do I reset the alarm?", "iot")
    assert (result.priority, result.type) == ("high", "consultation")
    assert result.explain()["priority_from"] == "iot_alarm"


# --- matching -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keyword", "text", "expected"),
    [
        ("漏水", "卫生间漏水", True),
        ("漏水", "没有漏水", False),
        ("漏水", "没漏水", False),
        ("漏水", "不漏水了", False),
        ("漏水", "并未漏水", False),
        ("漏水", "无漏水", False),
        ("漏水", "没有 漏水", False),
        ("漏水", "没有漏水，但墙角又漏水了", True),
        ("漏水", "一直不停漏水", True),
        ("无法开机", "空调无法开机", True),
        ("不制冷", "空调不制冷", True),
        ("leak", "a leak under the sink", True),
        ("leak", "it leaks", True),
        ("leak", "LEAKING badly", True),
        ("leak", FULL_WIDTH_LEAK, True),
        ("leak", "空调leak了", True),
        ("leak", "the outlook is bleak", False),
        ("leak", "there is no leak", False),
        ("leak", "it is not leaking", False),
        ("leak", "fixed without leaks", False),
        ("leak", "the tap doesn't leak", False),
        ("leak", "no leak here, but a new leak there", True),
        ("leak", "casino leak", True),
        ("no power", "there is no power in the flat", True),
        ("won't power on", "It won\u2019t power on", True),
        ("won't power on", "it WONT  power\non", True),
        ("won't power on", "it won't power-on", True),
        ("won't power on", "it will power on", False),
        ("wi-fi", "the wifi is down", True),
        ("wi-fi", full_width("Wi-Fi") + " is down", True),
        ("how do i", "How   do I reset it?", True),
    ],
)
def test_keyword_matching(keyword, text, expected):
    assert fires(keyword, text) is expected


def test_matching_reads_only_the_first_5000_characters():
    assert fires("leak", "x " * (MAX_TEXT // 2 - 10) + "leak")
    assert not fires("leak", "x " * MAX_TEXT + "leak")


def test_a_pattern_matches_the_normalised_text_and_reports_what_it_matched():
    rule = Rule(id="p", name="p", pattern=r"e\d{2,3}", effect=Effect(category="appliance"))
    result = classify(Request(f"洗衣机显示 {full_width('E21')} 报错", "web"), [rule])
    assert result.fired[0].matched == "e21"
    assert result.category == "appliance"


def test_the_reported_keyword_is_spelt_as_the_rule_spells_it():
    rule = Rule(id="k", name="k", keywords=("Burst Pipe",), effect=Effect(priority="urgent"))
    assert classify(Request("a burst pipe", "web"), [rule]).fired[0].matched == "Burst Pipe"


def test_a_pattern_that_does_not_compile_never_matches_and_never_raises():
    rule = Rule(id="bad", name="bad", pattern="(", effect=Effect(priority="urgent"))
    assert classify(Request("(", "web"), [rule]).fired == ()


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        (full_width("LEAK") + "\u3000in\u3000" + full_width("ROOM 3"), "leak in room 3"),
        ("  Won\u2019t\n\tpower   on ", "won't power on"),
        ("空调\u200b漏水", "空调漏水"),
        ("Straße", "strasse"),
    ],
)
def test_normalise_text(raw, normal):
    assert normalise_text(raw) == normal


@given(st.text(max_size=200))
def test_normalising_twice_changes_nothing(text):
    assert normalise_text(normalise_text(text)) == normalise_text(text)


@given(
    st.text(max_size=300),
    st.sampled_from(["web", "iot", "email"]),
    st.sampled_from(["vip", "standard"]),
)
def test_any_text_gets_a_valid_triage(text, channel, tier):  # fmt: skip
    result = classify(Request(text, channel, tier), RULES)
    assert result.priority in PRIORITIES
    json.dumps(result.explain())


# --- how fired rules decide -----------------------------------------------------------------


def _rule(rule_id: str, keyword: str | None = None, **effect: Any) -> Rule:
    stop = effect.pop("stop", False)
    return Rule(
        id=rule_id,
        name=rule_id.upper(),
        keywords=(keyword,) if keyword else (),
        effect=Effect(**effect),
        stop=stop,
    )


def test_no_rules_give_the_defaults():
    result = classify(Request("anything", "web"), [])
    assert (result.priority, result.type, result.category) == ("medium", "repair", None)
    assert (result.skills, result.duration_minutes, result.fired) == ((), 60, ())
    assert result.explain() == {"rules": [], "vip_raised": False, "priority_from": "default"}


def test_fields_no_rule_sets_come_from_the_given_defaults():
    defaults = Effect(priority="low", type="inspection", category="general",
                      skills=(("hvac", 1),), duration_minutes=30)  # fmt: skip
    result = classify(Request("x", "web"), [_rule("a", "x", priority="high")], defaults)
    assert (result.priority, result.type, result.category) == ("high", "inspection", "general")
    assert (result.skills, result.duration_minutes) == ((("hvac", 1),), 30)


def test_the_most_urgent_priority_wins_and_the_first_rule_setting_it_is_credited():
    rules = [
        _rule("calm", "alpha", priority="low"),
        _rule("alarm", "beta", priority="urgent"),
        _rule("again", "gamma", priority="urgent"),
    ]
    result = classify(Request("alpha beta gamma", "web"), rules)
    assert result.priority == "urgent"
    assert [f.decided for f in result.fired] == [(), ("priority",), ()]
    assert result.explain()["priority_from"] == "alarm"


def test_type_category_and_duration_come_from_the_first_rule_that_sets_them():
    rules = [
        _rule("first", "alpha", category="hvac.leak"),
        _rule("second", "beta", category="plumbing.leak", type="install", duration_minutes=90),
        _rule("third", "gamma", type="inspection", duration_minutes=30),
    ]
    result = classify(Request("alpha beta gamma", "web"), rules)
    assert (result.category, result.type, result.duration_minutes) == ("hvac.leak", "install", 90)
    decided = {f.rule_id: f.decided for f in result.fired}
    assert decided == {
        "first": ("category",),
        "second": ("type", "duration_minutes"),
        "third": (),
    }


def test_skills_add_up_keeping_the_highest_level_in_first_seen_order():
    rules = [
        _rule("a", "alpha", skills=(("hvac", 1), ("electrical", 2))),
        _rule("b", "beta", skills=(("plumbing", 1), ("hvac", 3))),
        _rule("c", "gamma", skills=(("electrical", 1),)),
    ]
    result = classify(Request("alpha beta gamma", "web"), rules)
    assert result.skills == (("hvac", 3), ("electrical", 2), ("plumbing", 1))
    assert [f.decided for f in result.fired] == [("skills",), ("skills",), ()]


def test_a_rule_that_stops_hides_every_later_rule_even_an_urgent_one():
    rules = [
        _rule("miss", "nothing here", priority="urgent", stop=True),
        _rule("stopper", "alpha", priority="high", stop=True),
        _rule("later", "alpha", priority="urgent", category="x"),
    ]
    result = classify(Request("alpha", "web"), rules)
    assert [f.rule_id for f in result.fired] == ["stopper"]
    assert (result.priority, result.category) == ("high", None)


def test_channel_and_tier_conditions():
    rules = [
        Rule(id="mail", name="m", channels=frozenset({"email"}), effect=Effect(type="inspection")),
        Rule(id="vip", name="v", tiers=frozenset({"vip"}), effect=Effect(category="general")),
    ]
    assert [f.rule_id for f in classify(Request("x", "web"), rules).fired] == []
    assert [f.rule_id for f in classify(Request("x", "email"), rules).fired] == ["mail"]
    fired = classify(Request("x", "email", "vip"), rules).fired
    assert [(f.rule_id, f.matched) for f in fired] == [("mail", None), ("vip", None)]


@pytest.mark.parametrize(
    ("set_priority", "expected", "raised"),
    [
        ("low", "medium", True),
        ("medium", "high", True),
        ("high", "urgent", True),
        ("urgent", "urgent", False),
        (None, "high", True),
    ],
)
def test_vip_customers_go_one_level_up(set_priority, expected, raised):
    rules = [_rule("r", "alpha", priority=set_priority, type="repair")]
    vip = classify(Request("alpha", "web", "vip"), rules)
    assert (vip.priority, vip.vip_raised) == (expected, raised)
    assert vip.explain()["vip_raised"] is raised
    standard = classify(Request("alpha", "web", "standard"), rules)
    assert standard.priority == (set_priority or "medium")
    assert standard.vip_raised is False


def test_explain_is_json_and_answers_why_urgent():
    result = triage("配电箱冒烟了，另外咨询一下发票")
    explained = json.loads(json.dumps(result.explain()))
    assert explained["priority_from"] == "smoke_fire"
    assert explained["vip_raised"] is False
    assert explained["rules"][0] == {
        "id": "smoke_fire",
        "name": "冒烟起火 / Smoke, fire or sparks",
        "matched": "冒烟",
        "decided": ["priority", "type", "category", "skills", "duration_minutes"],
    }
    assert [r["id"] for r in explained["rules"]] == [
        "smoke_fire",
        "device_electrical",
        "consultation",
    ]
    assert triage("水管爆了", tier="vip").explain()["priority_from"] == "burst_pipe"
    assert triage("灯不亮", tier="vip").explain()["priority_from"] == "vip"


# --- parse_rule -----------------------------------------------------------------------------

VALID: dict[str, Any] = {
    "id": "leak",
    "name": "漏水 / Leak",
    "keywords": ["漏水", "leak"],
    "pattern": None,
    "channels": ["web", "email"],
    "tiers": ["vip"],
    "set": {
        "priority": "urgent",
        "type": "repair",
        "category": "plumbing.leak",
        "skills": [{"code": "plumbing", "level": 2}],
        "duration_minutes": 90,
    },
    "stop": False,
}


def test_parse_rule_reads_the_full_shape():
    rule = parse_rule(VALID)
    assert rule == Rule(
        id="leak",
        name="漏水 / Leak",
        keywords=("漏水", "leak"),
        channels=frozenset({"web", "email"}),
        tiers=frozenset({"vip"}),
        effect=Effect("urgent", "repair", "plumbing.leak", (("plumbing", 2),), 90),
    )
    assert rule_to_dict(rule) == {**VALID, "channels": ["email", "web"]}


def test_parse_rule_tidies_what_it_may():
    rule = parse_rule(
        {"id": " a ", "name": " A ", "keywords": [" leak ", FULL_WIDTH_LEAK, "Leak"],
         "pattern": "  ", "set": {"priority": "high"}, "stop": None}
    )  # fmt: skip
    assert (rule.id, rule.name, rule.keywords, rule.pattern, rule.stop) == (
        "a", "A", ("leak",), None, False
    )  # fmt: skip


def test_a_rule_that_only_stops_is_allowed():
    rule = parse_rule({"id": "spam", "name": "Test messages", "keywords": ["test"], "stop": True})
    assert rule.stop
    assert rule.effect == Effect()


def _with(path: str, value: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(VALID))
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[key]
    if value is _MISSING:
        del target[last]
    else:
        target[last] = value
    return data


_MISSING = object()


@pytest.mark.parametrize(
    ("path", "value", "errors"),
    [
        ("id", _MISSING, {"id": ["required"]}),
        ("id", "  ", {"id": ["required"]}),
        ("id", 7, {"id": ["invalid"]}),
        ("id", "x" * 65, {"id": ["invalid"]}),
        ("name", "x" * 121, {"name": ["invalid"]}),
        ("name", None, {"name": ["required"]}),
        ("keywords", "leak", {"keywords": ["invalid"]}),
        ("keywords", ["leak", ""], {"keywords": ["invalid"]}),
        ("keywords", ["leak", 3], {"keywords": ["invalid"]}),
        ("keywords", ["x" * 51], {"keywords": ["invalid"]}),
        ("keywords", [f"k{n}" for n in range(51)], {"keywords": ["too_many"]}),
        ("pattern", "(unclosed", {"pattern": ["invalid_pattern"]}),
        ("pattern", "[[a]", {"pattern": ["invalid_pattern"]}),
        ("pattern", "(a+)+$", {"pattern": ["unsafe_pattern"]}),
        ("pattern", "(.*a){10}", {"pattern": ["unsafe_pattern"]}),
        ("pattern", "a" * 201, {"pattern": ["too_long"]}),
        ("pattern", 5, {"pattern": ["invalid"]}),
        ("channels", ["web", "fax"], {"channels": ["unknown_value"]}),
        ("channels", "web", {"channels": ["invalid"]}),
        ("tiers", ["gold"], {"tiers": ["unknown_value"]}),
        ("stop", "yes", {"stop": ["invalid"]}),
        ("set", "urgent", {"set": ["invalid"]}),
        ("set.priority", "critical", {"set": {"priority": ["unknown_value"]}}),
        ("set.type", "fix", {"set": {"type": ["unknown_value"]}}),
        ("set.category", "Plumbing", {"set": {"category": ["invalid"]}}),
        ("set.category", "a.b.c.d", {"set": {"category": ["invalid"]}}),
        ("set.category", "plumbing.", {"set": {"category": ["invalid"]}}),
        ("set.skills", "plumbing", {"set": {"skills": ["invalid"]}}),
        ("set.skills", [{"code": "plumbing", "level": 6}], {"set": {"skills": ["invalid"]}}),
        ("set.skills", [{"code": "plumbing", "level": 0}], {"set": {"skills": ["invalid"]}}),
        ("set.skills", [{"code": "plumbing", "level": True}], {"set": {"skills": ["invalid"]}}),
        ("set.skills", [{"code": "plumbing"}], {"set": {"skills": ["invalid"]}}),
        ("set.skills", [{"code": "Plumbing", "level": 2}], {"set": {"skills": ["invalid"]}}),
        ("set.skills", [{"code": "hvac", "level": 1}, {"code": "hvac", "level": 2}],
         {"set": {"skills": ["invalid"]}}),
        ("set.duration_minutes", 4, {"set": {"duration_minutes": ["out_of_range"]}}),
        ("set.duration_minutes", 1441, {"set": {"duration_minutes": ["out_of_range"]}}),
        ("set.duration_minutes", "60", {"set": {"duration_minutes": ["invalid"]}}),
        ("set.duration_minutes", True, {"set": {"duration_minutes": ["invalid"]}}),
        ("set.priorty", "high", {"set": {"priorty": ["unknown_field"]}}),
    ],
)  # fmt: skip
def test_parse_rule_refuses_each_invalid_field(path, value, errors):
    with pytest.raises(RuleError) as caught:
        parse_rule(_with(path, value))
    assert caught.value.errors == errors


def test_parse_rule_reports_every_field_at_once():
    with pytest.raises(RuleError) as caught:
        parse_rule({"keywords": [""], "set": {"priority": "now", "duration_minutes": 0}})
    assert caught.value.errors == {
        "id": ["required"],
        "name": ["required"],
        "keywords": ["invalid"],
        "set": {"priority": ["unknown_value"], "duration_minutes": ["out_of_range"]},
    }


@pytest.mark.parametrize(
    "data",
    [
        {"id": "a", "name": "A"},
        {"id": "a", "name": "A", "keywords": ["leak"], "channels": ["web"], "set": {}},
        {"id": "a", "name": "A", "pattern": "leak", "set": {"skills": []}},
    ],
)
def test_a_rule_that_could_change_nothing_is_refused(data):
    with pytest.raises(RuleError) as caught:
        parse_rule(data)
    assert caught.value.errors == {"_schema": ["rule_does_nothing"]}


def test_parse_rule_wants_a_mapping():
    with pytest.raises(RuleError) as caught:
        parse_rule(["leak"])  # type: ignore[arg-type]
    assert caught.value.errors == {"_schema": ["invalid"]}


@pytest.mark.parametrize(
    "pattern",
    [r"(a+)+", r"(a*)*", r"(.*a){10}", r"(\w+\s?)+$", r".*a.*b", r"(a|aa)+", r"(x+x+)+y",
     r"(a?){20}a{20}", r"((ab)*)+", r"(?:a{1,3})+", r"([^,]+,)*x"],
)  # fmt: skip
def test_unsafe_patterns(pattern):
    assert unsafe_pattern(pattern)


@pytest.mark.parametrize(
    "pattern",
    [r"空调.{0,10}漏水", r"\bleak(s|ing)?\b", r"(ab)+", r"a{2,5}", r".*leak", r"(a|b)+",
     r"(?:a{2})+", r"(\d+\.)?\d+", r"\(a+\)+", r"[(]a+[)]+", r"(?i)e\d+",
     r"(?P<n>a)(?P=n)+", r"(?:error|fault) code [a-z]\d+"],
)  # fmt: skip
def test_safe_patterns(pattern):
    assert not unsafe_pattern(pattern)
    assert parse_rule({"id": "p", "name": "p", "pattern": pattern, "set": {"priority": "low"}})


# --- the shipped defaults -------------------------------------------------------------------


def test_every_default_rule_round_trips_through_its_dict_shape():
    for data, rule in zip(DEFAULT_RULES, RULES, strict=True):
        shape = rule_to_dict(rule)
        assert parse_rule(json.loads(json.dumps(shape))) == rule
        assert shape["set"] == data["set"]
        assert shape["keywords"] == data.get("keywords", [])
        assert shape["stop"] == data.get("stop", False)


def test_default_categories_form_a_three_level_tree():
    codes = [c["code"] for c in DEFAULT_CATEGORIES]
    assert 30 <= len(codes) <= 45
    assert len(set(codes)) == len(codes)
    seen: set[str] = set()
    for category in DEFAULT_CATEGORIES:
        code, parent = category["code"], category["parent"]
        assert CATEGORY_CODE.match(code), code
        assert parent == (code.rsplit(".", 1)[0] if "." in code else None), code
        assert parent is None or parent in seen, f"{code} comes before its parent"
        assert re.search(r"[\u4e00-\u9fff]", category["zh"]), code
        assert category["en"].isascii(), code
        assert category["en"].strip(), code
        seen.add(code)
    assert {c for c in codes if "." not in c} == DEMO_SKILLS | {"general"}


def test_default_rules_name_only_known_categories_and_skills():
    codes = {c["code"] for c in DEFAULT_CATEGORIES}
    assert 25 <= len(RULES) <= 40
    assert len({r.id for r in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.effect.category is None or rule.effect.category in codes, rule.id
        assert {code for code, _ in rule.effect.skills} <= DEMO_SKILLS, rule.id


def test_default_rules_speak_both_languages():
    for rule in RULES:
        if not rule.keywords and not rule.pattern:
            continue
        words = " ".join(rule.keywords) + (rule.pattern or "")
        assert re.search(r"[\u4e00-\u9fff]", words), rule.id
        assert re.search(r"[a-z]{3}", words), rule.id


def test_no_default_rule_stops_before_a_more_urgent_one():
    for index, rule in enumerate(RULES):
        if not rule.stop:
            continue
        assert rule.effect.priority is not None, rule.id
        level = PRIORITIES.index(rule.effect.priority)
        for later in RULES[index + 1 :]:
            if later.effect.priority is not None:
                assert PRIORITIES.index(later.effect.priority) >= level, (rule.id, later.id)


def test_the_iot_floor_is_the_last_rule():
    assert RULES[-1].channels == frozenset({"iot"})
    assert (RULES[-1].keywords, RULES[-1].pattern, RULES[-1].effect) == (
        (), None, Effect(priority="high")
    )  # fmt: skip


def test_default_rules_stay_fast_on_long_adversarial_text():
    # Every default pattern is searched in 5,000 characters built from its own trigger words.
    text = ("空调 air con lift 电梯 冰箱 fridge " * 300)[:MAX_TEXT]
    started = time.perf_counter()
    classify(Request(text, "web"), RULES)
    # Generous for a slow CI machine; a backtracking pattern would take minutes.
    assert time.perf_counter() - started < 5
