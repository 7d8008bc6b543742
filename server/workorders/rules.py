"""Triage rules: what an incoming service request (web form, email, API, IoT alarm) is about, how
urgent it is, and why. Pure: a request and an ordered list of rules in, a `Triage` out.

Admins keep the rules in the database (the platform ships `default_rules`); `parse_rule` checks
the dict shape that the database and the API use, and `rule_to_dict` writes it back.

When a rule fires
    Rules are read in the order given (the caller sorts by position). A rule fires when its
    channel and tier conditions hold (empty = any) and either it has no keywords and no pattern,
    or one of its keywords is found, or its pattern matches. After a rule with `stop` fires, no
    later rule is read.

How text is matched
    The request and the keywords are compared after `normalise_text`: NFKC (full-width letters
    read as ASCII), casefold, curly apostrophes straightened, whitespace collapsed. Only the
    first 5,000 characters of a request are read.
    A keyword with CJK characters matches anywhere (Chinese puts no spaces between words). Any
    other keyword matches at the start of a word, so "leak" finds "leaks" and "leaking" but not
    "bleak"; spaces or hyphens inside it match any run of them or none ("wi-fi" finds "wifi"),
    and an apostrophe is optional ("won't" finds "wont" and the typographic U+2019 spelling).
    Negation: an occurrence right after 不, 没, 没有, 无 or 未 (CJK keyword) or after the word
    no, not, never, without or an n't contraction (other keywords) does not count. Only text
    before the occurrence is looked at, so a keyword that itself starts with 无 ("无法开机")
    still matches "空调无法开机". One plain occurrence is enough.
    A pattern is a regular expression searched case-insensitively in the same normalised text,
    taken literally: no negation handling (write a lookbehind where it matters).

What the fired rules decide
    priority: the most urgent one set by any fired rule, so rule order cannot hide smoke behind
    a harmless first match; credited to the first rule that set it.
    type, category, duration_minutes: the first fired rule that sets the field.
    skills: the union over fired rules, the highest level per code, in first-seen order.
    Whatever no rule set comes from `defaults`. Then a VIP customer's priority goes one level up
    (never above urgent); `vip_raised` says whether that changed anything.

Error messages are message keys of `server.i18n`, nested like a marshmallow error tree.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PRIORITIES = ("urgent", "high", "medium", "low")
TYPES = ("repair", "install", "maintenance", "inspection", "consultation")
CHANNELS = ("web", "api", "email", "iot", "phone", "maintenance")
TIERS = ("standard", "vip")
VIP = "vip"

MAX_TEXT = 5_000
MAX_PATTERN = 200
MAX_KEYWORDS = 50
MAX_KEYWORD = 50
# The `triage_rules` columns: code String(64), name String(120).
MAX_ID = 64
MAX_NAME = 120
SKILL_LEVELS = range(1, 6)
DURATION_MINUTES = range(5, 1441)
CATEGORY_CODE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*){0,2}$")
# Same format as a technician's skill code (technicians/schemas.py).
SKILL_CODE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
EFFECT_FIELDS = ("priority", "type", "category", "skills", "duration_minutes")


@dataclass(frozen=True)
class Effect:
    priority: str | None = None
    type: str | None = None
    category: str | None = None
    skills: tuple[tuple[str, int], ...] = ()
    duration_minutes: int | None = None

    def fields_set(self) -> tuple[str, ...]:
        return tuple(name for name in EFFECT_FIELDS if getattr(self, name) not in (None, ()))


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    keywords: tuple[str, ...] = ()
    pattern: str | None = None
    channels: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    effect: Effect = field(default_factory=Effect)
    stop: bool = False


@dataclass(frozen=True)
class Request:
    text: str
    channel: str
    tier: str = "standard"


@dataclass(frozen=True)
class Fired:
    rule_id: str
    name: str
    # The keyword as the rule spells it, or the text the pattern matched; None when only the
    # rule's conditions (or nothing) had to hold.
    matched: str | None
    decided: tuple[str, ...]


@dataclass(frozen=True)
class Triage:
    priority: str
    type: str
    category: str | None
    skills: tuple[tuple[str, int], ...]
    duration_minutes: int
    fired: tuple[Fired, ...]
    vip_raised: bool

    def explain(self) -> dict[str, Any]:
        """JSON for the work order's `triage` column: the answer to "why is this urgent?".
        `priority_from` names the rule credited with the priority, or "vip" when the VIP raise
        made it, or "default" when no rule set one."""
        if self.vip_raised:
            priority_from = "vip"
        else:
            priority_from = next(
                (f.rule_id for f in self.fired if "priority" in f.decided), "default"
            )
        return {
            "rules": [
                {"id": f.rule_id, "name": f.name, "matched": f.matched, "decided": list(f.decided)}
                for f in self.fired
            ],
            "vip_raised": self.vip_raised,
            "priority_from": priority_from,
        }


DEFAULTS = Effect(priority="medium", type="repair", duration_minutes=60)


class RuleError(ValueError):
    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__("invalid triage rule")
        self.errors = errors


# --- text -----------------------------------------------------------------------------------

# Phones and word processors type typographic apostrophes; NFKC leaves them alone. Zero-width
# characters come with pasted text and would split a keyword invisibly.
_TEXT_TABLE = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "`": "'", "\u00b4": "'"}
    | dict.fromkeys(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"], None)
)


def normalise_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text.translate(_TEXT_TABLE)).casefold()
    return " ".join(text.split())


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, kana, CJK unified ideographs and extension A
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= code <= 0x3FFFF  # extensions B and later
    )


def _is_latin_word_char(char: str) -> bool:
    # CJK characters are word characters to `\b`, which would stop "leak" matching in "空调leak".
    return (char.isalnum() or char == "_") and not _is_cjk(char)


_ZH_NEGATIONS = ("没有", "不", "没", "无", "未")
_EN_NEGATIONS = frozenset({"no", "not", "never", "without"})


@dataclass(frozen=True)
class _Keyword:
    regex: re.Pattern[str]
    cjk: bool
    # The keyword starts with a letter or digit, so it must start a word too.
    word_start: bool


@functools.lru_cache(maxsize=4096)
def _keyword(keyword: str) -> _Keyword | None:
    text = normalise_text(keyword)
    if not text:
        return None
    cjk = any(_is_cjk(c) for c in text)
    parts: list[str] = []
    for piece in re.split(r"([\s\-]+|')", text):
        if not piece:
            continue
        if piece == "'":
            parts.append("'?")
        elif set(piece) <= {" ", "-"}:
            parts.append(r"[\s\-]*")
        else:
            parts.append(re.escape(piece))
    return _Keyword(re.compile("".join(parts)), cjk, _is_latin_word_char(text[0]))


def _negated(text: str, start: int, cjk: bool) -> bool:
    before = text[:start].rstrip()
    if cjk:
        return before.endswith(_ZH_NEGATIONS)
    if before.endswith("n't"):
        return True
    word_start = len(before)
    while word_start > 0 and _is_latin_word_char(before[word_start - 1]):
        word_start -= 1
    return before[word_start:] in _EN_NEGATIONS


def _find_keyword(text: str, keyword: str) -> bool:
    compiled = _keyword(keyword)
    if compiled is None:
        return False
    for match in compiled.regex.finditer(text):
        start = match.start()
        if compiled.word_start and start > 0 and _is_latin_word_char(text[start - 1]):
            continue
        if not _negated(text, start, compiled.cjk):
            return True
    return False


@functools.lru_cache(maxsize=1024)
def _compiled_pattern(pattern: str) -> re.Pattern[str] | None:
    # parse_rule refuses a pattern that does not compile; a rule built some other way must not
    # stop a customer's request from being taken, so such a pattern simply never matches.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(pattern, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError):
        return None


def _match(rule: Rule, text: str) -> tuple[bool, str | None]:
    if not rule.keywords and not rule.pattern:
        return True, None
    for keyword in rule.keywords:
        if _find_keyword(text, keyword):
            return True, keyword
    if rule.pattern:
        compiled = _compiled_pattern(rule.pattern)
        found = compiled.search(text) if compiled is not None else None
        if found is not None:
            return True, found.group(0)
    return False, None


# --- classify -------------------------------------------------------------------------------


def classify(request: Request, rules: Sequence[Rule], defaults: Effect = DEFAULTS) -> Triage:
    text = normalise_text(request.text[:MAX_TEXT])[:MAX_TEXT]
    matched: list[tuple[Rule, str | None]] = []
    for rule in rules:
        if rule.channels and request.channel not in rule.channels:
            continue
        if rule.tiers and request.tier not in rule.tiers:
            continue
        fires, what = _match(rule, text)
        if not fires:
            continue
        matched.append((rule, what))
        if rule.stop:
            break

    decided: dict[int, list[str]] = {i: [] for i in range(len(matched))}
    effects = [rule.effect for rule, _ in matched]

    priority: str | None = None
    urgency = [PRIORITIES.index(e.priority) for e in effects if e.priority in PRIORITIES]
    if urgency:
        priority = PRIORITIES[min(urgency)]
        decided[next(i for i, e in enumerate(effects) if e.priority == priority)].append("priority")

    def first(name: str) -> Any:
        for i, effect in enumerate(effects):
            value = getattr(effect, name)
            if value is not None:
                decided[i].append(name)
                return value
        return None

    type_ = first("type")
    category = first("category")

    levels: dict[str, int] = {}
    credit: dict[str, int] = {}
    for i, effect in enumerate(effects):
        for code, level in effect.skills:
            if level > levels.get(code, 0):
                levels[code] = level
                credit[code] = i
    for i in sorted(set(credit.values())):
        decided[i].append("skills")

    duration = first("duration_minutes")

    final_priority = priority or defaults.priority or "medium"
    if final_priority not in PRIORITIES:
        final_priority = "medium"
    vip_raised = False
    if request.tier == VIP and final_priority != PRIORITIES[0]:
        final_priority = PRIORITIES[PRIORITIES.index(final_priority) - 1]
        vip_raised = True

    order = {name: n for n, name in enumerate(EFFECT_FIELDS)}
    fired = tuple(
        Fired(rule.id, rule.name, what, tuple(sorted(decided[i], key=order.__getitem__)))
        for i, (rule, what) in enumerate(matched)
    )
    return Triage(
        priority=final_priority,
        type=type_ or defaults.type or "repair",
        category=category if category is not None else defaults.category,
        skills=tuple(levels.items()) if levels else defaults.skills,
        duration_minutes=duration or defaults.duration_minutes or 60,
        fired=fired,
        vip_raised=vip_raised,
    )


# --- regular expressions that admins type ---------------------------------------------------

_GROUP_OPEN = re.compile(r"\((?:\?(?::|>|=|!|<=|<!|P?<\w+>|[aiLmsux-]*:|\(\w+\)))?")
_INLINE_FLAGS = re.compile(r"\(\?[aiLmsux-]+\)")
_COUNTED = re.compile(r"\{(\d*)(,?)(\d*)\}")
# Classes that match most of any text: two of them repeated without bound in one sequence make
# the search polynomial in the text's length (".*a.*b" on 5,000 characters is 10^11 steps).
_BROAD_ESCAPES = frozenset("SWwD")


@dataclass
class _Group:
    has_repeat: bool = False
    broad: int = 0
    max_broad: int = 0
    branch_start: int = 0
    branches: list[str] = field(default_factory=list)


def unsafe_pattern(pattern: str) -> bool:
    """A heuristic for patterns that backtrack catastrophically: a repeated group containing a
    variable repetition ("(a+)+", "(a*)*", "(.*a){10}", "(a?){20}"), a repeated alternation
    whose branches overlap ("(a|aa)+"), or two unbounded broad repetitions in one sequence
    (".*a.*b", cubic in the text's length). It errs towards refusing: admins can write a bounded
    ".{0,20}" instead."""
    stack = [_Group()]
    last: _Group | str | None = None  # the atom a quantifier would apply to
    i = 0
    while i < len(pattern):
        char = pattern[i]
        current = stack[-1]
        if char == "\\":
            last = "broad" if pattern[i + 1 : i + 2] in _BROAD_ESCAPES else "narrow"
            i += 2
            continue
        if char == "[":
            j = i + 1
            negated = pattern[j : j + 1] == "^"
            j += 1 if negated else 0
            j += 1 if pattern[j : j + 1] == "]" else 0
            while j < len(pattern) and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            last = "broad" if negated else "narrow"
            i = j + 1
            continue
        if char == "(":
            if pattern.startswith("(?#", i):
                i = pattern.find(")", i) + 1 or len(pattern)
                continue
            flags = _INLINE_FLAGS.match(pattern, i)
            if flags or pattern.startswith("(?P=", i):
                last = None if flags else "narrow"
                i = flags.end() if flags else pattern.find(")", i) + 1 or len(pattern)
                continue
            opened = _GROUP_OPEN.match(pattern, i)
            end = opened.end() if opened else i + 1
            stack.append(_Group(branch_start=end))
            last = None
            i = end
            continue
        if char == ")" and len(stack) > 1:
            group = stack.pop()
            group.branches.append(pattern[group.branch_start : i])
            group.max_broad = max(group.max_broad, group.broad)
            parent = stack[-1]
            parent.has_repeat |= group.has_repeat
            parent.broad += group.max_broad
            if parent.broad >= 2:
                return True
            last = group
            i += 1
            continue
        if char == "|":
            current.branches.append(pattern[current.branch_start : i])
            current.max_broad = max(current.max_broad, current.broad)
            current.broad = 0
            current.branch_start = i + 1
            last = None
            i += 1
            continue
        counted = _COUNTED.match(pattern, i) if char == "{" else None
        if char in "*+?" or counted:
            if counted:
                low, comma, high = counted.groups()
                unbounded = bool(comma) and not high
                repeats = unbounded or int(high or low or "0") > 1
                variable = unbounded or (bool(comma) and int(low or "0") != int(high))
                i = counted.end()
            else:
                unbounded = char != "?"
                repeats = unbounded
                variable = True
                i += 1
            # Lazy and possessive suffixes change how, not how much.
            i += 1 if pattern[i : i + 1] in ("?", "+") else 0
            if last is not None:
                # A fixed count ("a{2}") gives the engine no choice to undo; "?" does.
                current.has_repeat |= variable
                if repeats and isinstance(last, _Group) and last.has_repeat:
                    return True
                if unbounded and isinstance(last, _Group) and _overlapping(last.branches):
                    return True
                if unbounded and last == "broad":
                    current.broad += 1
                    if current.broad >= 2:
                        return True
            last = None
            continue
        last = "broad" if char == "." else None if char in "^$" else "narrow"
        i += 1
    return False


def _overlapping(branches: list[str]) -> bool:
    if len(branches) < 2:
        return False
    for n, one in enumerate(branches):
        for other in branches[n + 1 :]:
            if one.startswith(other) or other.startswith(one):
                return True
    return False


def _pattern_errors(pattern: str) -> list[str]:
    if len(pattern) > MAX_PATTERN:
        return ["too_long"]
    try:
        # A warning (e.g. "possible nested set" for "[[") means the pattern reads two ways.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            re.compile(pattern, re.IGNORECASE)
    except (re.error, Warning, OverflowError, RecursionError):
        return ["invalid_pattern"]
    if unsafe_pattern(pattern):
        return ["unsafe_pattern"]
    return []


# --- the dict shape -------------------------------------------------------------------------


def _text(value: object, *, limit: int) -> tuple[str | None, list[str]]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ["required"]
    if not isinstance(value, str) or len(value.strip()) > limit:
        return None, ["invalid"]
    return value.strip(), []


def _string_list(value: object) -> list[str] | None:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return None
    return list(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_rule(data: Mapping[str, Any]) -> Rule:
    """A `Rule` from its dict shape, or RuleError. Keys other than the documented ones (a
    database row's position, timestamps) are ignored at the top level and refused in `set`,
    where a misspelt field would silently do nothing."""
    if not isinstance(data, Mapping):
        raise RuleError({"_schema": ["invalid"]})
    errors: dict[str, Any] = {}

    rule_id, problems = _text(data.get("id"), limit=MAX_ID)
    if problems:
        errors["id"] = problems
    name, problems = _text(data.get("name"), limit=MAX_NAME)
    if problems:
        errors["name"] = problems

    keywords: list[str] = []
    raw_keywords = _string_list(data.get("keywords"))
    if raw_keywords is None:
        errors["keywords"] = ["invalid"]
    elif len(raw_keywords) > MAX_KEYWORDS:
        errors["keywords"] = ["too_many"]
    else:
        seen: set[str] = set()
        for keyword in raw_keywords:
            normal = normalise_text(keyword)
            if not normal or len(keyword.strip()) > MAX_KEYWORD:
                errors["keywords"] = ["invalid"]
                break
            # Two spellings that normalise alike (full-width and ASCII) are one keyword.
            if normal not in seen:
                seen.add(normal)
                keywords.append(keyword.strip())

    pattern = data.get("pattern")
    if isinstance(pattern, str) and not pattern.strip():
        pattern = None
    if pattern is not None:
        if not isinstance(pattern, str):
            errors["pattern"] = ["invalid"]
        elif problems := _pattern_errors(pattern):
            errors["pattern"] = problems

    channels = _string_list(data.get("channels"))
    if channels is None:
        errors["channels"] = ["invalid"]
    elif set(channels) - set(CHANNELS):
        errors["channels"] = ["unknown_value"]
    tiers = _string_list(data.get("tiers"))
    if tiers is None:
        errors["tiers"] = ["invalid"]
    elif set(tiers) - set(TIERS):
        errors["tiers"] = ["unknown_value"]

    stop = data.get("stop", False)
    if stop is None:
        stop = False
    if not isinstance(stop, bool):
        errors["stop"] = ["invalid"]

    effect = Effect()
    raw_effect = data.get("set")
    if raw_effect is not None and not isinstance(raw_effect, Mapping):
        errors["set"] = ["invalid"]
    else:
        try:
            effect = _parse_effect(raw_effect or {})
        except RuleError as exc:
            errors["set"] = exc.errors

    if errors or rule_id is None or name is None:
        raise RuleError(errors)
    if not effect.fields_set() and not stop:
        # Whatever it matched, such a rule could not change a triage.
        raise RuleError({"_schema": ["rule_does_nothing"]})
    return Rule(
        id=rule_id,
        name=name,
        keywords=tuple(keywords),
        pattern=pattern,
        channels=frozenset(channels or ()),
        tiers=frozenset(tiers or ()),
        effect=effect,
        stop=stop,
    )


def _parse_effect(data: Mapping[str, Any]) -> Effect:
    errors: dict[str, list[str]] = {}
    for key in data:
        if key not in EFFECT_FIELDS:
            errors[str(key)] = ["unknown_field"]

    priority = data.get("priority")
    if priority is not None and priority not in PRIORITIES:
        errors["priority"] = ["unknown_value"]
    type_ = data.get("type")
    if type_ is not None and type_ not in TYPES:
        errors["type"] = ["unknown_value"]
    category = data.get("category")
    if category is not None and not (isinstance(category, str) and CATEGORY_CODE.match(category)):
        errors["category"] = ["invalid"]

    skills: list[tuple[str, int]] = []
    raw_skills = data.get("skills")
    if raw_skills is not None:
        if not isinstance(raw_skills, list | tuple):
            errors["skills"] = ["invalid"]
        else:
            for item in raw_skills:
                if not (
                    isinstance(item, Mapping)
                    and set(item) == {"code", "level"}
                    and isinstance(item["code"], str)
                    and SKILL_CODE.match(item["code"])
                    and _is_int(item["level"])
                    and item["level"] in SKILL_LEVELS
                    and item["code"] not in {code for code, _ in skills}
                ):
                    errors["skills"] = ["invalid"]
                    break
                skills.append((item["code"], item["level"]))

    duration = data.get("duration_minutes")
    if duration is not None:
        if not _is_int(duration):
            errors["duration_minutes"] = ["invalid"]
        elif duration not in DURATION_MINUTES:
            errors["duration_minutes"] = ["out_of_range"]

    if errors:
        raise RuleError(errors)
    return Effect(
        priority=priority,
        type=type_,
        category=category,
        skills=tuple(skills),
        duration_minutes=duration,
    )


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """The dict shape of `parse_rule`; `set` holds only the fields the rule sets."""
    effect = rule.effect
    settings: dict[str, Any] = {}
    if effect.priority is not None:
        settings["priority"] = effect.priority
    if effect.type is not None:
        settings["type"] = effect.type
    if effect.category is not None:
        settings["category"] = effect.category
    if effect.skills:
        settings["skills"] = [{"code": code, "level": level} for code, level in effect.skills]
    if effect.duration_minutes is not None:
        settings["duration_minutes"] = effect.duration_minutes
    return {
        "id": rule.id,
        "name": rule.name,
        "keywords": list(rule.keywords),
        "pattern": rule.pattern,
        # Sorted so that a stored rule does not change with set iteration order.
        "channels": sorted(rule.channels),
        "tiers": sorted(rule.tiers),
        "set": settings,
        "stop": rule.stop,
    }
