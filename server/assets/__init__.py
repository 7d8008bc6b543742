"""Assets: the installed base, its meters, checklists and preventive maintenance (DESIGN §3).

The domain's messages join the shared table when the domain is imported (the app factory
imports every domain's routes)."""

from server.i18n import MESSAGES

ASSET_MESSAGES: dict[str, dict[str, str]] = {
    "checklist_not_editable": {
        "zh-CN": "只有在现场作业中（进行中或暂停）才能填写检查清单。",
        "en": "The checklist can be filled in only on site (in progress or on hold).",
    },
    "checklist_item_not_found": {
        "zh-CN": "该工单没有这个检查项。",
        "en": "This work order has no such checklist item.",
    },
    "reading_conflict": {
        "zh-CN": "该表计在同一时刻已有不同的读数。",
        "en": "This meter already has a different reading at that moment.",
    },
    "occurrence_open": {
        "zh-CN": "该计划在此设备上已有未完成的保养工单。",
        "en": "This plan already has an open maintenance order on this asset.",
    },
    "not_next_occurrence": {
        "zh-CN": "只能跳过下一次保养，日期见 next_due_on。",
        "en": "Only the next occurrence can be skipped; see next_due_on.",
    },
    "code_taken": {"zh-CN": "该编码已被使用。", "en": "This code is already in use."},
    "invalid_key": {
        "zh-CN": "编码只能包含小写字母、数字、下划线和连字符。",
        "en": "Use lower-case letters, digits, underscores and hyphens.",
    },
    "duplicate_key": {"zh-CN": "检查项编码重复。", "en": "Two items have the same key."},
    "range_only_for_numbers": {
        "zh-CN": "只有数值检查项才能设置范围和单位。",
        "en": "Only number items have a range and a unit.",
    },
    "max_below_min": {
        "zh-CN": "上限不能小于下限。",
        "en": "The maximum is below the minimum.",
    },
    "follow_up_needs_a_check": {
        "zh-CN": "只有是/否或数值检查项可以触发后续工单。",
        "en": "Only yes/no and number items can open a follow-up.",
    },
    "unknown_checklist_template": {
        "zh-CN": "检查清单模板不存在或已停用。",
        "en": "No such checklist template.",
    },
    "duplicate_meter": {"zh-CN": "表计编码重复。", "en": "Two meters have the same code."},
    "model_taken": {
        "zh-CN": "该厂商的此型号已存在。",
        "en": "This manufacturer already has this model.",
    },
    "serial_taken": {
        "zh-CN": "该序列号已登记。",
        "en": "An asset with this serial number exists.",
    },
    "unknown_asset_model": {
        "zh-CN": "设备型号不存在或已停用。",
        "en": "No such equipment model.",
    },
    "warranty_before_install": {
        "zh-CN": "保修截止日期不能早于安装日期。",
        "en": "The warranty cannot end before the installation.",
    },
    "parent_at_other_site": {
        "zh-CN": "上级设备必须在同一地址。",
        "en": "The parent asset must be at the same site.",
    },
    "parent_cycle": {
        "zh-CN": "设备不能成为自身的组件。",
        "en": "An asset cannot be a component of itself.",
    },
    "asset_at_other_site": {
        "zh-CN": "该设备不在此工单的地址。",
        "en": "This asset is not at the work order's site.",
    },
    "unknown_meter": {"zh-CN": "该设备没有这个表计。", "en": "This asset has no such meter."},
    "wrong_unit": {"zh-CN": "单位不正确。", "en": "Wrong unit."},
    "reading_in_future": {
        "zh-CN": "读数时间不能晚于当前时间。",
        "en": "A reading cannot be in the future.",
    },
    "counter_went_down": {
        "zh-CN": "累计表计的读数不能减少。",
        "en": "A counter cannot go down.",
    },
    "number_required": {"zh-CN": "请输入数字。", "en": "Enter a number."},
    "value_out_of_range": {
        "zh-CN": "数值超出范围或小数位过多（最多三位）。",
        "en": "The number is too large or has more than three decimals.",
    },
    "yes_or_no_required": {"zh-CN": "请选择是或否。", "en": "Answer yes or no."},
    "text_required": {"zh-CN": "请填写内容。", "en": "Enter some text."},
    "text_too_long": {"zh-CN": "内容过长。", "en": "The text is too long."},
    "upload_required": {
        "zh-CN": "请先上传照片或签名，并填写其 sha256。",
        "en": "Upload the photo or signature first and give its sha256.",
    },
    "unknown_item_kind": {"zh-CN": "未知的检查项类型。", "en": "Unknown kind of item."},
    "required_for_time_plans": {
        "zh-CN": "按时间的计划必须填写此项。",
        "en": "Time-based plans need this.",
    },
    "required_for_meter_plans": {
        "zh-CN": "按表计的计划必须填写此项。",
        "en": "Meter-based plans need this.",
    },
    "window_incomplete": {
        "zh-CN": "时间段需要同时填写开始和结束。",
        "en": "A time window needs both a start and an end.",
    },
    "window_end_before_start": {
        "zh-CN": "时间段的结束必须晚于开始。",
        "en": "The window must end after it starts.",
    },
    "asset_or_model_required": {
        "zh-CN": "请指定设备或设备型号（二选一）。",
        "en": "Give either an asset or a model, not both.",
    },
    "asset_not_in_plan": {
        "zh-CN": "该设备不在此计划范围内。",
        "en": "This asset is not covered by the plan.",
    },
}

for _key, _entry in ASSET_MESSAGES.items():
    MESSAGES.setdefault(_key, _entry)
