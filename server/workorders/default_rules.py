"""The category tree and triage rules a new installation starts with. Plain data: a seed loads
them into the database, where admins change them; `rules.parse_rule` checks every rule.

Order matters (see `rules`): priority is the most urgent of all fired rules, but type,
category and duration come from the first rule that sets them. Hence:
- hazards and faults come first and set `type: repair` and a duration, so "咨询一下，配电箱
  冒烟了" stays a repair of 90 minutes rather than a 15-minute consultation;
- a device-specific rule ("空调漏水") comes before the generic one ("漏水") and stops, because
  skills add up across fired rules and an AC leak should not also ask for a plumber;
- a rule that stops is at least as urgent as any rule after it, so stopping never hides a
  more urgent sign (tested);
- device mentions without a symptom only set a category and a basic skill;
- the kind of visit (install, maintenance, inspection, consultation) comes last, and the IoT
  floor (an alarm from a connected device is at least high) is the very last rule.
Patterns carry their own negation lookbehinds because negation is applied to keywords only.
"""

from __future__ import annotations

from typing import Any

DEFAULT_CATEGORIES: list[dict[str, Any]] = [
    {"code": "hvac", "parent": None, "zh": "暖通空调", "en": "HVAC"},
    {"code": "hvac.cooling", "parent": "hvac", "zh": "制冷故障", "en": "Cooling failure"},
    {
        "code": "hvac.cooling.not_cooling",
        "parent": "hvac.cooling",
        "zh": "不制冷",
        "en": "Not cooling",
    },
    {
        "code": "hvac.cooling.wont_start",
        "parent": "hvac.cooling",
        "zh": "空调无法开机",
        "en": "Unit won't start",
    },
    {"code": "hvac.leak", "parent": "hvac", "zh": "空调漏水", "en": "Air conditioner leak"},
    {"code": "hvac.leak.indoor", "parent": "hvac.leak", "zh": "室内机漏水", "en": "Indoor unit"},
    {"code": "hvac.leak.outdoor", "parent": "hvac.leak", "zh": "室外机漏水", "en": "Outdoor unit"},
    {"code": "hvac.noise", "parent": "hvac", "zh": "异响", "en": "Noise"},
    {"code": "hvac.heating", "parent": "hvac", "zh": "制热故障", "en": "Heating failure"},
    {"code": "electrical", "parent": None, "zh": "电气", "en": "Electrical"},
    {"code": "electrical.outage", "parent": "electrical", "zh": "停电", "en": "Power outage"},
    {"code": "electrical.breaker", "parent": "electrical", "zh": "跳闸", "en": "Tripping breaker"},
    {"code": "electrical.lighting", "parent": "electrical", "zh": "照明", "en": "Lighting"},
    {
        "code": "electrical.socket",
        "parent": "electrical",
        "zh": "插座与开关",
        "en": "Sockets and switches",
    },
    {"code": "electrical.hazard", "parent": "electrical", "zh": "用电险情", "en": "Hazard"},
    {
        "code": "electrical.hazard.smoke",
        "parent": "electrical.hazard",
        "zh": "冒烟/焦味",
        "en": "Smoke or burning smell",
    },
    {
        "code": "electrical.hazard.shock",
        "parent": "electrical.hazard",
        "zh": "漏电/触电",
        "en": "Electric shock",
    },
    {"code": "plumbing", "parent": None, "zh": "给排水", "en": "Plumbing"},
    {"code": "plumbing.leak", "parent": "plumbing", "zh": "漏水", "en": "Leak"},
    {
        "code": "plumbing.leak.burst_pipe",
        "parent": "plumbing.leak",
        "zh": "水管爆裂",
        "en": "Burst pipe",
    },
    {"code": "plumbing.blockage", "parent": "plumbing", "zh": "堵塞", "en": "Blockage"},
    {
        "code": "plumbing.blockage.toilet",
        "parent": "plumbing.blockage",
        "zh": "马桶堵塞",
        "en": "Blocked toilet",
    },
    {
        "code": "plumbing.blockage.drain",
        "parent": "plumbing.blockage",
        "zh": "下水道堵塞",
        "en": "Blocked drain",
    },
    {"code": "plumbing.no_water", "parent": "plumbing", "zh": "停水/水压低", "en": "No water"},
    {"code": "plumbing.water_heater", "parent": "plumbing", "zh": "热水器", "en": "Water heater"},
    {"code": "appliance", "parent": None, "zh": "家用电器", "en": "Appliances"},
    {"code": "appliance.no_power", "parent": "appliance", "zh": "无法开机", "en": "Won't power on"},
    {"code": "appliance.error_code", "parent": "appliance", "zh": "故障代码", "en": "Error code"},
    {
        "code": "appliance.not_cooling",
        "parent": "appliance",
        "zh": "冰箱冰柜不制冷",
        "en": "Fridge or freezer not cooling",
    },
    {
        "code": "appliance.not_working",
        "parent": "appliance",
        "zh": "功能异常",
        "en": "Not working properly",
    },
    {"code": "network", "parent": None, "zh": "网络通信", "en": "Networking"},
    {"code": "network.no_connection", "parent": "network", "zh": "断网", "en": "No connection"},
    {"code": "network.slow", "parent": "network", "zh": "网速慢", "en": "Slow connection"},
    {"code": "network.wifi", "parent": "network", "zh": "无线网络", "en": "Wi-Fi"},
    {"code": "elevator", "parent": None, "zh": "电梯", "en": "Elevators"},
    {"code": "elevator.trapped", "parent": "elevator", "zh": "困人", "en": "Person trapped"},
    {"code": "elevator.fault", "parent": "elevator", "zh": "运行故障", "en": "Fault"},
    {"code": "elevator.door", "parent": "elevator", "zh": "门故障", "en": "Door fault"},
    {"code": "general", "parent": None, "zh": "综合服务", "en": "General"},
    {"code": "general.consultation", "parent": "general", "zh": "咨询", "en": "Question"},
    {"code": "general.installation", "parent": "general", "zh": "安装", "en": "Installation"},
    {"code": "general.maintenance", "parent": "general", "zh": "保养", "en": "Maintenance"},
    {"code": "general.inspection", "parent": "general", "zh": "检查", "en": "Inspection"},
]

# Shared pieces of patterns. A device word, then at most 25 characters within the same clause
# (bounded, so the search stays linear), then the symptom not directly after a negation.
_AC = r"(?:空调|冷气|室内机|室外机|air ?con\w*|\ba/?c\b)"
_FRIDGE = r"(?:冰箱|冰柜|冷柜|fridge|refrigerator|freezer)"
_LIFT = r"(?:电梯|扶梯|轿厢|\blift|elevator|escalator)"
_CLAUSE = r"[^,.;!?。]{0,25}?"
_NOT = r"(?<![没不无未])(?<!没有)(?<!not )(?<!no )(?<!n't )"


def _skill(code: str, level: int) -> list[dict[str, Any]]:
    return [{"code": code, "level": level}]


DEFAULT_RULES: list[dict[str, Any]] = [
    # --- hazards: urgent whatever else is said --------------------------------------------
    {
        "id": "elevator_trapped",
        "name": "电梯困人 / Person trapped in a lift",
        "keywords": ["被困", "困在", "困人", "关在电梯", "trapped", "stuck in the lift",
                     "stuck in a lift", "stuck in the elevator", "stuck in an elevator"],
        "set": {"priority": "urgent", "type": "repair", "category": "elevator.trapped",
                "skills": _skill("elevator", 3), "duration_minutes": 60},
        "stop": True,
    },
    {
        "id": "smoke_fire",
        "name": "冒烟起火 / Smoke, fire or sparks",
        "keywords": ["冒烟", "起火", "着火", "失火", "冒火", "火花", "打火", "焦味", "烧焦",
                     "焦糊", "糊味", "sparks", "sparking", "burning smell", "smells burning",
                     "smell of burning", "on fire", "caught fire"],
        # Smoke detectors and alarms are mentioned far more often than smoke itself.
        "pattern": r"(?<![没不无未])烟雾(?!报警|探测|感应)"
        r"|(?<!no )(?<!not )\bsmok(?:e|ing)\b(?! (?:detector|alarm|sensor))",
        "set": {"priority": "urgent", "type": "repair", "category": "electrical.hazard.smoke",
                "skills": _skill("electrical", 3), "duration_minutes": 90},
    },
    {
        "id": "electric_shock",
        "name": "漏电触电 / Electric shock",
        "keywords": ["漏电", "触电", "电到人", "麻手", "electric shock", "got a shock",
                     "exposed wire", "live wire"],
        "set": {"priority": "urgent", "type": "repair", "category": "electrical.hazard.shock",
                "skills": _skill("electrical", 3), "duration_minutes": 90},
    },
    {
        "id": "power_outage",
        "name": "停电 / Power outage",
        "keywords": ["停电", "断电", "没电", "全部没电", "power outage", "power cut",
                     "power failure", "no power", "blackout", "power is out", "power went out",
                     "power's out"],
        "set": {"priority": "urgent", "type": "repair", "category": "electrical.outage",
                "skills": _skill("electrical", 2), "duration_minutes": 90},
    },
    {
        "id": "burst_pipe",
        "name": "水管爆裂 / Burst pipe",
        "keywords": ["爆管", "水管爆裂", "水管破裂", "水管爆了", "管道爆裂", "burst pipe",
                     "pipe burst", "pipe has burst", "burst water main"],
        "set": {"priority": "urgent", "type": "repair", "category": "plumbing.leak.burst_pipe",
                "skills": _skill("plumbing", 3), "duration_minutes": 120},
    },
    {
        "id": "aircon_leak",
        "name": "空调漏水 / Air conditioner leaking",
        "keywords": ["leaking from the air con", "dripping from the air con"],
        "pattern": _AC + _CLAUSE + _NOT + r"(?:漏水|滴水|渗水|leak|drip)",
        "set": {"priority": "urgent", "type": "repair", "category": "hvac.leak",
                "skills": _skill("hvac", 2), "duration_minutes": 90},
        "stop": True,
    },
    {
        "id": "leak",
        "name": "漏水 / Water leak",
        "keywords": ["漏水", "渗水", "积水", "水漫", "淹水", "跑水", "水浸", "leak", "flood",
                     "water everywhere", "water on the floor", "water coming through"],
        "set": {"priority": "urgent", "type": "repair", "category": "plumbing.leak",
                "skills": _skill("plumbing", 2), "duration_minutes": 90},
    },
    # --- faults: high ---------------------------------------------------------------------
    {
        "id": "elevator_door",
        "name": "电梯门故障 / Lift door fault",
        "keywords": ["电梯门", "轿门", "厅门", "lift door", "elevator door"],
        "set": {"priority": "high", "type": "repair", "category": "elevator.door",
                "skills": _skill("elevator", 2), "duration_minutes": 90},
    },
    {
        "id": "elevator_fault",
        "name": "电梯故障 / Lift fault",
        "pattern": _LIFT + _CLAUSE + r"(?:故障|停运|停了|不动|坏了|异响|急停|抖动|下坠"
        r"|out of order|not working|broken|stopped|nois|shak|grinding|won'?t)",
        "set": {"priority": "high", "type": "repair", "category": "elevator.fault",
                "skills": _skill("elevator", 2), "duration_minutes": 120},
        "stop": True,
    },
    {
        "id": "aircon_wont_start",
        "name": "空调无法开机 / Air conditioner won't start",
        "pattern": _AC + _CLAUSE + r"(?:无法开机|不开机|开不了机|不能开机|无法启动|不启动"
        r"|won'?t (?:turn|power) on|won'?t start|(?:does not|doesn'?t) (?:start|turn on))",
        "set": {"priority": "high", "type": "repair", "category": "hvac.cooling.wont_start",
                "skills": _skill("hvac", 2), "duration_minutes": 90},
        "stop": True,
    },
    {
        "id": "fridge_not_cooling",
        "name": "冰箱不制冷 / Fridge or freezer not cooling",
        "pattern": _FRIDGE + _CLAUSE + _NOT + r"(?:不制冷|不冷|制冷差|化冻|not cooling"
        r"|not cold|warm)",
        "set": {"priority": "high", "type": "repair", "category": "appliance.not_cooling",
                "skills": _skill("appliance", 2), "duration_minutes": 90},
        "stop": True,
    },
    {
        "id": "not_cooling",
        "name": "空调不制冷 / Not cooling",
        "keywords": ["不制冷", "不凉", "不冷", "制冷差", "制冷效果差", "吹热风", "出热风",
                     "not cooling", "no cooling", "isn't cooling", "doesn't cool",
                     "blowing warm air", "blowing hot air"],
        "set": {"priority": "high", "type": "repair", "category": "hvac.cooling.not_cooling",
                "skills": _skill("hvac", 2), "duration_minutes": 90},
    },
    {
        "id": "water_heater",
        "name": "没有热水 / No hot water",
        "keywords": ["没有热水", "没热水", "不出热水", "热水器坏", "热水器不", "热水器故障",
                     "no hot water", "hot water not working", "water heater not",
                     "water heater is broken", "water heater broken", "boiler"],
        "set": {"priority": "medium", "type": "repair", "category": "plumbing.water_heater",
                "skills": _skill("plumbing", 2), "duration_minutes": 90},
    },
    {
        "id": "no_heating",
        "name": "暖气不热 / No heating",
        "keywords": ["不制热", "暖气不热", "没有暖气", "地暖不热", "no heating", "not heating",
                     "heating not working", "heating is broken", "radiator"],
        "set": {"priority": "high", "type": "repair", "category": "hvac.heating",
                "skills": _skill("hvac", 2), "duration_minutes": 90},
    },
    {
        "id": "breaker",
        "name": "跳闸 / Tripping breaker",
        "keywords": ["跳闸", "跳电", "空开跳", "总闸跳", "tripping", "tripped", "trips the",
                     "breaker trip", "breaker keeps"],
        "set": {"priority": "high", "type": "repair", "category": "electrical.breaker",
                "skills": _skill("electrical", 2), "duration_minutes": 60},
    },
    {
        "id": "wont_power_on",
        "name": "无法开机 / Won't power on",
        "keywords": ["无法开机", "不开机", "开不了机", "不能开机", "无法启动", "不启动",
                     "开机没反应", "won't power on", "won't turn on", "will not turn on",
                     "will not power on", "doesn't turn on", "does not turn on", "won't start",
                     "doesn't start", "does not start", "not turning on"],
        "set": {"priority": "high", "type": "repair", "category": "appliance.no_power",
                "skills": _skill("appliance", 2), "duration_minutes": 60},
    },
    {
        "id": "no_water",
        "name": "停水 / No water",
        "keywords": ["停水", "没水", "没有水", "不出水", "水压低", "水压小", "no water",
                     "low water pressure", "water is off", "water's off"],
        "set": {"priority": "high", "type": "repair", "category": "plumbing.no_water",
                "skills": _skill("plumbing", 2), "duration_minutes": 90},
    },
    {
        "id": "no_connection",
        "name": "断网 / No connection",
        "keywords": ["网络中断", "断网", "上不了网", "没有网", "网断了", "无法上网", "连不上网",
                     "网络故障", "网络不通", "no internet", "internet down", "internet is down",
                     "network down", "network is down", "offline", "no connection",
                     "can't connect", "cannot connect"],
        "set": {"priority": "high", "type": "repair", "category": "network.no_connection",
                "skills": _skill("network", 2), "duration_minutes": 60},
    },
    # --- faults: medium -------------------------------------------------------------------
    {
        "id": "slow_network",
        "name": "网速慢 / Slow connection",
        "keywords": ["网速慢", "网很慢", "网络慢", "网络卡", "卡顿", "slow internet",
                     "slow network", "slow connection", "internet is slow", "network is slow"],
        "set": {"priority": "medium", "type": "repair", "category": "network.slow",
                "skills": _skill("network", 1), "duration_minutes": 45},
    },
    {
        "id": "toilet_blocked",
        "name": "马桶堵塞 / Blocked toilet",
        "keywords": ["马桶堵", "马桶不通", "马桶冲不下去", "toilet blocked", "toilet clogged",
                     "toilet is blocked", "blocked toilet", "clogged toilet"],
        "set": {"priority": "medium", "type": "repair", "category": "plumbing.blockage.toilet",
                "skills": _skill("plumbing", 1), "duration_minutes": 60},
    },
    {
        "id": "blockage",
        "name": "堵塞 / Blockage",
        "keywords": ["堵塞", "堵了", "堵住", "下水慢", "排水慢", "疏通", "blocked", "clogged",
                     "blockage", "slow drain", "backed up"],
        "set": {"priority": "medium", "type": "repair", "category": "plumbing.blockage",
                "skills": _skill("plumbing", 1), "duration_minutes": 60},
    },
    {
        "id": "lighting_fault",
        "name": "灯不亮 / Lights not working",
        "keywords": ["灯不亮", "灯坏了", "灯闪", "灯一直闪", "照明不亮", "lights out",
                     "light not working", "lights not working", "light is out", "flickering"],
        "set": {"priority": "medium", "type": "repair", "category": "electrical.lighting",
                "skills": _skill("electrical", 1), "duration_minutes": 45},
    },
    {
        "id": "error_code",
        "name": "故障代码 / Error code",
        "keywords": ["故障代码", "故障码", "错误代码", "错误码", "报错", "error code",
                     "fault code", "error message", "showing error", "displays error"],
        "set": {"priority": "medium", "type": "repair", "category": "appliance.error_code",
                "skills": _skill("appliance", 2), "duration_minutes": 60},
    },
    {
        "id": "aircon_noise",
        "name": "空调异响 / Air conditioner noise",
        "pattern": _AC + _CLAUSE + r"(?:异响|噪音|噪声|响声|nois|rattl|grinding|squeak|buzz)",
        "set": {"priority": "medium", "type": "repair", "category": "hvac.noise",
                "skills": _skill("hvac", 1), "duration_minutes": 60},
    },
    {
        "id": "noise",
        "name": "异响 / Noise",
        "keywords": ["异响", "噪音", "噪声", "声音很大", "响声大", "noise", "noisy", "rattling",
                     "grinding", "squeak", "buzzing"],
        "set": {"priority": "medium", "type": "repair", "duration_minutes": 60},
    },
    # --- the device, when no symptom above named the category -----------------------------
    {
        "id": "device_hvac",
        "name": "空调设备 / HVAC equipment",
        "keywords": ["空调", "冷气", "中央空调", "新风", "暖气", "地暖", "air con", "hvac",
                     "heat pump", "ventilation"],
        "set": {"category": "hvac", "skills": _skill("hvac", 1)},
    },
    {
        "id": "device_appliance",
        "name": "家用电器 / Household appliance",
        "keywords": ["冰箱", "冰柜", "洗衣机", "洗碗机", "烘干机", "微波炉", "烤箱", "油烟机",
                     "燃气灶", "电视", "fridge", "refrigerator", "freezer", "washing machine",
                     "dishwasher", "dryer", "oven", "microwave", "range hood", "cooker hood",
                     "television"],
        "set": {"category": "appliance", "skills": _skill("appliance", 1)},
    },
    {
        "id": "device_elevator",
        "name": "电梯设备 / Lift or escalator",
        "keywords": ["电梯", "扶梯", "轿厢", "lift", "elevator", "escalator"],
        "set": {"category": "elevator", "skills": _skill("elevator", 1)},
    },
    {
        "id": "device_plumbing",
        "name": "给排水设施 / Plumbing fixture",
        "keywords": ["水管", "水龙头", "马桶", "下水道", "洗手盆", "地漏", "热水器", "faucet",
                     "toilet", "sink", "pipe", "drain", "water heater"],
        "set": {"category": "plumbing", "skills": _skill("plumbing", 1)},
    },
    {
        "id": "device_electrical",
        "name": "电气设施 / Electrical installation",
        "keywords": ["配电箱", "电箱", "电路", "线路", "电线", "插座", "开关", "照明", "socket",
                     "outlet", "power point", "switch", "wiring", "circuit", "lighting"],
        "set": {"category": "electrical", "skills": _skill("electrical", 1)},
    },
    {
        "id": "device_network",
        "name": "网络设备 / Network equipment",
        "keywords": ["网络", "路由器", "无线网", "宽带", "网线", "wifi", "wlan", "router",
                     "network", "internet", "broadband"],
        "set": {"category": "network", "skills": _skill("network", 1)},
    },
    # --- the kind of visit ----------------------------------------------------------------
    {
        "id": "install",
        "name": "安装 / Installation",
        "keywords": ["安装", "新装", "加装", "装一台", "install", "set up", "mount"],
        "set": {"priority": "medium", "type": "install", "category": "general.installation",
                "duration_minutes": 120},
    },
    {
        "id": "maintenance",
        "name": "保养 / Maintenance",
        "keywords": ["保养", "维护", "清洗", "年检", "maintenance", "servicing",
                     "annual service", "tune-up", "cleaning"],
        "set": {"priority": "low", "type": "maintenance", "category": "general.maintenance",
                "duration_minutes": 90},
    },
    {
        "id": "inspection",
        "name": "检查 / Inspection",
        "keywords": ["检查", "检测", "巡检", "排查", "inspection", "inspect", "check-up",
                     "survey"],
        "set": {"type": "inspection", "category": "general.inspection", "duration_minutes": 60},
    },
    {
        "id": "consultation",
        "name": "咨询 / Question",
        "keywords": ["咨询", "请问", "问一下", "想问", "了解一下", "发票", "账单", "question",
                     "how do i", "how to", "enquiry", "inquiry", "invoice", "billing"],
        "set": {"priority": "low", "type": "consultation", "category": "general.consultation",
                "duration_minutes": 15},
    },
    # --- by channel -----------------------------------------------------------------------
    {
        "id": "planned_maintenance",
        "name": "计划保养 / Planned maintenance",
        "channels": ["maintenance"],
        "set": {"priority": "low", "type": "maintenance", "category": "general.maintenance",
                "duration_minutes": 90},
    },
    {
        "id": "iot_alarm",
        "name": "设备告警 / Device alarm",
        "channels": ["iot"],
        "set": {"priority": "high"},
    },
]  # fmt: skip
