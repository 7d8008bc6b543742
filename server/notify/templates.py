"""What each message says, in zh-CN and en. Pure: a template name, a locale and the payload
the outbox row carries in; a subject, a plain text and a simple HTML body out.

A template is a subject, some lines and some links. The text body is the lines followed by the
links written out; the HTML body is the same lines as paragraphs and the links as buttons, so
the two never disagree. Lines are Jinja expressions over the payload (escaped in HTML), plus
`eta`, the ETA formatted for the reader in the organisation's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, StrictUndefined, Undefined, select_autoescape

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"


@dataclass(frozen=True)
class Text:
    subject: str
    lines: tuple[str, ...]
    # (label, payload key of the URL); a link whose URL is missing is left out.
    links: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


_ETA_ZH = "{% if eta %}预计上门时间：{{ eta }}。{% endif %}"
_ETA_EN = "{% if eta %}Expected arrival: {{ eta }}.{% endif %}"

TEMPLATES: dict[str, dict[str, Text]] = {
    # --- to customers (email; the acknowledgement also by SMS) -------------------------------
    "intake_acknowledgement": {
        "zh-CN": Text(
            "我们已收到您的报修（{{ number }}）",
            (
                "您好，我们已收到您的报修：{{ summary }}",
                "工单号：{{ number }}。",
                _ETA_ZH,
                "您可以随时通过下面的链接查看进度。",
            ),
            (("查看进度", "tracking_url"),),
        ),
        "en": Text(
            "We have received your request ({{ number }})",
            (
                "Hello, we have received your request: {{ summary }}",
                "Your reference number is {{ number }}.",
                _ETA_EN,
                "You can follow its progress at any time with the link below.",
            ),
            (("Track your request", "tracking_url"),),
        ),
    },
    "work_order_assigned": {
        "zh-CN": Text(
            "工程师已安排（{{ number }}）",
            ("您的工单 {{ number }} 已安排工程师{{ engineer }}处理。", _ETA_ZH),
            (("查看进度", "tracking_url"),),
        ),
        "en": Text(
            "An engineer is assigned ({{ number }})",
            ("{{ engineer }} will take care of your request {{ number }}.", _ETA_EN),
            (("Track your request", "tracking_url"),),
        ),
    },
    "engineer_on_the_way": {
        "zh-CN": Text(
            "工程师正在路上（{{ number }}）",
            ("工程师{{ engineer }}已出发前往您处（工单 {{ number }}）。", _ETA_ZH),
            (("查看进度", "tracking_url"),),
        ),
        "en": Text(
            "Your engineer is on the way ({{ number }})",
            ("{{ engineer }} is on the way to you (request {{ number }}).", _ETA_EN),
            (("Track your request", "tracking_url"),),
        ),
    },
    "eta_update": {
        "zh-CN": Text(
            "预计上门时间已更新（{{ number }}）",
            ("工单 {{ number }} 的预计上门时间有变化。", _ETA_ZH),
            (("查看进度", "tracking_url"),),
        ),
        "en": Text(
            "New arrival time ({{ number }})",
            ("The arrival time for your request {{ number }} has changed.", _ETA_EN),
            (("Track your request", "tracking_url"),),
        ),
    },
    "work_order_completed": {
        "zh-CN": Text(
            "维修已完成，请确认（{{ number }}）",
            (
                "工单 {{ number }} 的工作已完成。",
                "{% if resolution %}处理结果：{{ resolution }}{% endif %}",
                "请点击下面的链接确认完工；如有问题，也可以在该页面告诉我们。",
            ),
            (("确认完工", "confirm_url"),),
        ),
        "en": Text(
            "The work is done: please confirm ({{ number }})",
            (
                "The work on your request {{ number }} is done.",
                "{% if resolution %}Resolution: {{ resolution }}{% endif %}",
                "Please confirm with the link below, or tell us there if something is wrong.",
            ),
            (("Confirm the work", "confirm_url"),),
        ),
    },
    "work_order_closed": {
        "zh-CN": Text(
            "工单已关闭，欢迎评价（{{ number }}）",
            ("工单 {{ number }} 已关闭，感谢您的耐心。", "欢迎为本次服务打分。"),
            (("评价服务", "rating_url"),),
        ),
        "en": Text(
            "Your request is closed: how did we do? ({{ number }})",
            (
                "Your request {{ number }} is closed. Thank you for your patience.",
                "We would love to hear how we did.",
            ),
            (("Rate the service", "rating_url"),),
        ),
    },
    # --- to engineers (push) ---------------------------------------------------------------
    "job_assigned": {
        "zh-CN": Text(
            "新工单 {{ number }}", ("{{ summary }}", "{% if eta %}计划到达：{{ eta }}{% endif %}")
        ),
        "en": Text(
            "New job {{ number }}",
            ("{{ summary }}", "{% if eta %}Planned arrival: {{ eta }}{% endif %}"),
        ),
    },
    "job_reassigned_away": {
        "zh-CN": Text("工单 {{ number }} 已改派", ("该工单已改派给其他工程师。",)),
        "en": Text("Job {{ number }} reassigned", ("This job now goes to another engineer.",)),
    },
    "job_unassigned": {
        "zh-CN": Text("工单 {{ number }} 已撤回", ("该工单已从您的任务中移除。",)),
        "en": Text("Job {{ number }} withdrawn", ("This job was taken off your list.",)),
    },
    "job_cancelled": {
        "zh-CN": Text(
            "工单 {{ number }} 已取消", ("{% if reason %}原因：{{ reason }}{% endif %}",)
        ),
        "en": Text(
            "Job {{ number }} cancelled", ("{% if reason %}Reason: {{ reason }}{% endif %}",)
        ),
    },
    "job_schedule_changed": {
        "zh-CN": Text(
            "工单 {{ number }} 时间已调整", ("{% if start %}新的开始时间：{{ start }}{% endif %}",)
        ),
        "en": Text(
            "Job {{ number }} rescheduled", ("{% if start %}New start: {{ start }}{% endif %}",)
        ),
    },
    # --- to staff (in-app) ---------------------------------------------------------------------
    "comment_mention": {
        "zh-CN": Text("{{ by }} 在工单 {{ number }} 中提到了您", ("{{ body }}",)),
        "en": Text("{{ by }} mentioned you on {{ number }}", ("{{ body }}",)),
    },
    "sla_at_risk": {
        "zh-CN": Text("工单 {{ number }} 的 SLA 即将超时", ("请尽快处理。",)),
        "en": Text("SLA at risk on {{ number }}", ("Please act soon.",)),
    },
    "sla_breached": {
        "zh-CN": Text("工单 {{ number }} 的 SLA 已超时", ("已自动升级优先级。",)),
        "en": Text("SLA breached on {{ number }}", ("Its priority was raised.",)),
    },
}

_HTML = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: sans-serif; color: #222; max-width: 560px; margin: 0 auto;">
<h2 style="font-size: 18px;">{{ subject }}</h2>
{% for line in lines %}<p>{{ line }}</p>
{% endfor %}{% for label, url in links %}<p><a href="{{ url }}" style="display: inline-block; \
padding: 10px 16px; background: #1565c0; color: #fff; text-decoration: none; border-radius: 4px;">\
{{ label }}</a></p>
{% endfor %}<p style="color: #888; font-size: 12px;">Fieldline</p>
</body></html>
"""

_text_env = Environment(undefined=Undefined, autoescape=False)  # noqa: S701 - plain text and subjects
_html_env = Environment(undefined=StrictUndefined, autoescape=select_autoescape(default=True))
_html_layout = _html_env.from_string(_HTML)


def has_template(name: str) -> bool:
    return name in TEMPLATES


def format_time(value: str | datetime | None, locale: str, tz: str) -> str | None:
    """An instant for a reader: 12月1日 14:30 / 1 Dec 14:30, in the organisation's time zone."""
    if value is None or value == "":
        return None
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = at.astimezone(ZoneInfo(tz))
    if locale == "en":
        return f"{local.day} {local:%b %H:%M}"
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def render(name: str, locale: str, payload: dict[str, Any], *, tz: str) -> Rendered:
    """The message in `locale` (zh-CN for any other). Unknown templates raise KeyError."""
    texts = TEMPLATES[name]
    lang = locale if locale in LOCALES else DEFAULT_LOCALE
    text = texts[lang]
    context = {
        **payload,
        "eta": format_time(payload.get("eta_at"), lang, tz),
        "start": format_time(payload.get("scheduled_start_at"), lang, tz),
    }
    subject = _text_env.from_string(text.subject).render(context).strip()
    lines = [_text_env.from_string(line).render(context).strip() for line in text.lines]
    lines = [line for line in lines if line]
    links = [(label, str(payload[key])) for label, key in text.links if payload.get(key)]
    plain = "\n\n".join([*lines, *(f"{label}: {url}" for label, url in links)]) + "\n"
    html = _html_layout.render(lang=lang, subject=subject, lines=lines, links=links)
    return Rendered(subject=subject, text=plain, html=html)
