"""Messages a person reads, in zh-CN and en, and the choice between them.

Every error slug has a message here; validation messages from marshmallow are translated by
pattern, so a field error reads naturally in the caller's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"

MESSAGES: dict[str, dict[str, str]] = {
    # generic HTTP errors, by slug
    "bad_request": {"zh-CN": "请求无效。", "en": "The request is invalid."},
    "malformed_json": {
        "zh-CN": "请求体不是有效的 JSON。",
        "en": "The request body is not valid JSON.",
    },
    "unauthorized": {"zh-CN": "请先登录。", "en": "Authentication is required."},
    "token_expired": {"zh-CN": "登录已过期，请重新登录。", "en": "The access token has expired."},
    "invalid_token": {"zh-CN": "访问令牌无效。", "en": "The access token is invalid."},
    "forbidden": {"zh-CN": "您没有执行此操作的权限。", "en": "You are not allowed to do this."},
    "not_found": {"zh-CN": "未找到请求的资源。", "en": "The requested resource was not found."},
    "method_not_allowed": {"zh-CN": "不支持此请求方法。", "en": "This method is not allowed here."},
    "conflict": {"zh-CN": "与当前数据冲突。", "en": "The request conflicts with the current data."},
    "precondition_failed": {"zh-CN": "前置条件不满足。", "en": "A precondition failed."},
    "precondition_required": {
        "zh-CN": "此操作需要 If-Match 请求头。",
        "en": "This operation requires an If-Match header.",
    },
    "version_conflict": {
        "zh-CN": "数据已被他人修改，请刷新后重试。",
        "en": "Someone else changed this record; reload and try again.",
    },
    "payload_too_large": {"zh-CN": "上传内容过大。", "en": "The upload is too large."},
    "unsupported_media_type": {
        "zh-CN": "不支持的内容类型。",
        "en": "This content type is not supported.",
    },
    "validation_failed": {
        "zh-CN": "提交的数据有误，请检查标出的字段。",
        "en": "Some fields are invalid; see the field messages.",
    },
    "rate_limited": {
        "zh-CN": "请求过于频繁，请 {retry_after} 秒后再试。",
        "en": "Too many attempts; try again in {retry_after} seconds.",
    },
    "internal_error": {
        "zh-CN": "服务器内部错误，请稍后重试。",
        "en": "Something went wrong on our side; please try again.",
    },
    "service_unavailable": {"zh-CN": "服务暂不可用。", "en": "The service is unavailable."},
    # auth
    "invalid_credentials": {
        "zh-CN": "账号或密码错误。",
        "en": "The login or password is incorrect.",
    },
    "user_disabled": {"zh-CN": "该账号已停用。", "en": "This account is disabled."},
    "refresh_token_invalid": {
        "zh-CN": "刷新令牌无效，请重新登录。",
        "en": "The refresh token is invalid; please log in again.",
    },
    "refresh_token_expired": {
        "zh-CN": "刷新令牌已过期，请重新登录。",
        "en": "The refresh token has expired; please log in again.",
    },
    "refresh_token_reused": {
        "zh-CN": "刷新令牌已被使用，为安全起见已注销该会话，请重新登录。",
        "en": "This refresh token was already used; the session was ended for safety. "
        "Please log in again.",
    },
    "invalid_api_key": {
        "zh-CN": "API 密钥无效或已吊销。",
        "en": "The API key is missing, invalid or revoked.",
    },
    "request_signature_required": {
        "zh-CN": "缺少签名（X-Signature 与 X-Timestamp）。",
        "en": "This request must be signed (X-Signature and X-Timestamp).",
    },
    "bad_signature": {"zh-CN": "签名不正确。", "en": "The signature does not match."},
    "stale_request": {
        "zh-CN": "请求时间戳过期或无效。",
        "en": "The request timestamp is missing, invalid or too old.",
    },
    "replayed_request": {
        "zh-CN": "该请求已处理过，不能重放。",
        "en": "This signed request was already received; replays are refused.",
    },
    "customer_or_contact_required": {
        "zh-CN": "请提供客户编号，或客户的电话或邮箱。",
        "en": "Give the customer's id, or their phone or email.",
    },
    "sender_required": {"zh-CN": "邮件缺少发件人。", "en": "The mail has no sender."},
    "unknown_asset": {
        "zh-CN": "无法确定设备所属客户。",
        "en": "The equipment's customer is not known for this gateway.",
    },
    "duplicate": {"zh-CN": "该值已被使用。", "en": "This value is already in use."},
    "email_taken": {"zh-CN": "该邮箱已被使用。", "en": "This email is already in use."},
    "phone_taken": {"zh-CN": "该手机号已被使用。", "en": "This phone number is already in use."},
    "in_use": {
        "zh-CN": "该记录仍被引用，无法删除。",
        "en": "This record is still referenced and cannot be deleted.",
    },
    # triage rules (server/workorders/rules.py) and SLA settings
    "required": {"zh-CN": "此字段为必填项。", "en": "This field is required."},
    "invalid": {"zh-CN": "值无效。", "en": "The value is invalid."},
    "unknown_value": {"zh-CN": "不是允许的取值。", "en": "This is not one of the allowed values."},
    "out_of_range": {"zh-CN": "数值超出允许范围。", "en": "The number is out of range."},
    "too_long": {"zh-CN": "内容过长。", "en": "This is too long."},
    "too_many": {"zh-CN": "条目过多。", "en": "There are too many entries."},
    "unknown_field": {"zh-CN": "未知字段。", "en": "Unknown field."},
    "invalid_pattern": {
        "zh-CN": "正则表达式无法解析。",
        "en": "The regular expression does not compile.",
    },
    "unsafe_pattern": {
        "zh-CN": "正则表达式可能导致极慢的匹配（如嵌套重复），请改写，例如使用 .{0,20} 代替 .*。",
        "en": "The regular expression could take very long to match (e.g. nested repeats); "
        "rewrite it, e.g. with .{0,20} instead of .*.",
    },
    "rule_does_nothing": {
        "zh-CN": "规则既不设置任何字段也不终止后续规则。",
        "en": "The rule neither sets a field nor stops later rules.",
    },
    "resolve_before_response": {
        "zh-CN": "解决时限不能短于响应时限。",
        "en": "The resolution target cannot be shorter than the response target.",
    },
    "unknown_calendar": {"zh-CN": "日历不存在。", "en": "No such calendar."},
    "calendar_in_use": {
        "zh-CN": "仍有 SLA 策略使用此日历。",
        "en": "SLA policies still use this calendar.",
    },
    "unknown_timezone": {"zh-CN": "未知的时区。", "en": "Unknown time zone."},
    "calendar_has_no_time": {
        "zh-CN": "日历中没有任何工作时间。",
        "en": "The calendar has no working time at all.",
    },
    # the engineer app (mobile_api)
    "invalid_cursor": {
        "zh-CN": "同步游标无效，请重新完整同步。",
        "en": "The sync cursor is not valid; sync again without it.",
    },
    "hash_mismatch": {
        "zh-CN": "上传内容与其哈希值不符，请重新上传。",
        "en": "The bytes do not match their sha256; upload them again.",
    },
    "not_an_engineer": {
        "zh-CN": "此账号未关联工程师。",
        "en": "This account is not an engineer's.",
    },
    "reassigned": {
        "zh-CN": "该工单已改派给其他工程师。",
        "en": "This job has been given to another engineer.",
    },
    "upload_missing": {
        "zh-CN": "照片或签名尚未上传。",
        "en": "The photo or signature has not been uploaded yet.",
    },
    "checklist_not_available": {
        "zh-CN": "此工单没有检查清单。",
        "en": "This job has no checklist.",
    },
    # spare parts (server/inventory)
    "unknown_location": {"zh-CN": "库位不存在或已停用。", "en": "No such stock location."},
    "unknown_part": {"zh-CN": "备件不存在或已停用。", "en": "No such part."},
    "unknown_unit": {"zh-CN": "未知的计量单位。", "en": "Unknown unit."},
    "quantity_invalid": {"zh-CN": "数量不是有效的数字。", "en": "The quantity is not a number."},
    "quantity_not_positive": {
        "zh-CN": "数量必须大于零。",
        "en": "The quantity must be above zero.",
    },
    "quantity_too_large": {"zh-CN": "数量过大。", "en": "The quantity is too large."},
    "quantity_too_precise": {
        "zh-CN": "数量最多保留三位小数。",
        "en": "A quantity has at most three decimals.",
    },
    "quantity_whole_units": {
        "zh-CN": "此备件按件计数，数量必须是整数。",
        "en": "This part is counted in pieces: the quantity must be a whole number.",
    },
    "insufficient_stock": {
        "zh-CN": "库存不足，可用库存见 available。",
        "en": "Not enough stock; `available` lists where there is some.",
    },
    "same_location": {
        "zh-CN": "调出和调入库位不能相同。",
        "en": "Stock cannot move to where it already is.",
    },
    "work_order_closed": {
        "zh-CN": "工单已完成或已关闭，不能再申领备件。",
        "en": "The work order is finished; parts can no longer be requested for it.",
    },
    "no_van_to_issue_to": {
        "zh-CN": "工单尚未分派给配有工具车的工程师。",
        "en": "The work order has no engineer with a van to issue to.",
    },
    "not_a_van": {"zh-CN": "该库位不是工具车。", "en": "That location is not a van."},
    "not_a_warehouse": {"zh-CN": "该库位不是仓库。", "en": "That location is not a warehouse."},
    "no_warehouse": {"zh-CN": "没有可退回的仓库。", "en": "There is no warehouse to return to."},
    "more_than_issued": {
        "zh-CN": "使用数量不能超过领用数量。",
        "en": "More cannot be used than was issued.",
    },
    "not_for_this_action": {
        "zh-CN": "此操作不接受该字段。",
        "en": "This field does not belong to this action.",
    },
    "warehouse_needs_location": {
        "zh-CN": "仓库需要地图位置。",
        "en": "A warehouse needs its place on the map.",
    },
    "van_needs_technician": {
        "zh-CN": "工具车需要指定所属工程师。",
        "en": "A van belongs to an engineer.",
    },
    # dispatch runs (server/dispatch/runs.py)
    "run_not_ready": {
        "zh-CN": "该调度方案尚未完成，无法应用。",
        "en": "This dispatch run has no plan to apply yet.",
    },
    "date_to_before_date_from": {
        "zh-CN": "结束日期不能早于开始日期。",
        "en": "The end date is before the start date.",
    },
    "horizon_too_long": {"zh-CN": "最多规划 7 天。", "en": "A plan covers at most 7 days."},
    "work_order_has_no_location": {
        "zh-CN": "工单没有地图位置，无法推荐工程师。",
        "en": "The work order has no place on the map to plan from.",
    },
    # territories (server/dispatch/territories.py)
    "unknown_technician": {"zh-CN": "工程师不存在。", "en": "No such engineer."},
    "polygon_required": {
        "zh-CN": "需要 GeoJSON 多边形（Polygon 或 MultiPolygon）。",
        "en": "A GeoJSON Polygon or MultiPolygon is required.",
    },
    "invalid_geometry": {
        "zh-CN": "区域图形无效或为空。",
        "en": "The area is not a usable polygon.",
    },
    "geometry_too_complex": {
        "zh-CN": "区域顶点过多，请简化后再上传。",
        "en": "The area has too many vertices; simplify it first.",
    },
    "feature_collection_required": {
        "zh-CN": "需要 GeoJSON FeatureCollection。",
        "en": "A GeoJSON FeatureCollection is required.",
    },
    # uploads (server/workorders/uploads.py)
    "file_empty": {"zh-CN": "文件为空。", "en": "The file is empty."},
    "file_too_large": {
        "zh-CN": "文件超过了允许的大小。",
        "en": "The file is larger than the size allowed.",
    },
    "file_type_mismatch": {
        "zh-CN": "文件内容与文件名或类型不符。",
        "en": "The file's content does not match its name or kind.",
    },
    "file_type_unsupported": {
        "zh-CN": "仅支持 JPEG、PNG、WebP、GIF 图片和 PDF 文档。",
        "en": "Only JPEG, PNG, WebP and GIF images and PDF documents are accepted.",
    },
    "file_corrupt": {"zh-CN": "文件已损坏或不完整。", "en": "The file is damaged or incomplete."},
    "image_too_large": {
        "zh-CN": "图片像素过多，无法处理。",
        "en": "The image has too many pixels to process.",
    },
    # locations (server/geo.py)
    "latitude_out_of_range": {
        "zh-CN": "纬度必须在 -90 到 90 之间。",
        "en": "Latitude must be between -90 and 90.",
    },
    "longitude_out_of_range": {
        "zh-CN": "经度必须在 -180 到 180 之间。",
        "en": "Longitude must be between -180 and 180.",
    },
    "bbox_format": {
        "zh-CN": "bbox 应为四个数字：最小经度,最小纬度,最大经度,最大纬度。",
        "en": "bbox must be four numbers: minlon,minlat,maxlon,maxlat.",
    },
    "bbox_min_above_max": {
        "zh-CN": "bbox 的最小值不能大于最大值。",
        "en": "In bbox, a minimum cannot be greater than its maximum.",
    },
    # customers and sites
    "unknown_customer": {"zh-CN": "客户不存在。", "en": "There is no such customer."},
    "customer_inactive": {
        "zh-CN": "该客户已停用。",
        "en": "This customer is deactivated.",
    },
    "one_primary_contact": {
        "zh-CN": "只能有一位主要联系人。",
        "en": "Only one contact can be the primary contact.",
    },
    "unknown_contact": {
        "zh-CN": "该联系人不属于此客户。",
        "en": "This contact does not belong to this customer.",
    },
    # skills and technicians
    "skill_code_format": {
        "zh-CN": "技能代码须以小写字母开头，只含小写字母、数字、- 和 _，最长 32 个字符。",
        "en": "A skill code starts with a lowercase letter and has only lowercase letters, "
        "digits, - and _ (at most 32).",
    },
    "unknown_skill": {"zh-CN": "技能不存在。", "en": "There is no such skill."},
    "duplicate_skill": {"zh-CN": "该技能重复列出。", "en": "This skill is listed twice."},
    "skill_inactive": {
        "zh-CN": "该技能已停用，不能再分配。",
        "en": "This skill is retired and cannot be given any more.",
    },
    "skill_filter_format": {
        "zh-CN": "技能筛选应为 代码 或 代码:最低等级（1 到 5），例如 hvac:3。",
        "en": "A skill filter is a code or code:min_level (1 to 5), e.g. hvac:3.",
    },
    "user_id_or_user": {
        "zh-CN": "请提供 user_id（已有用户）或 user（新用户）中的一个。",
        "en": "Give either user_id (an existing user) or user (a new one), not both.",
    },
    "unknown_user": {"zh-CN": "用户不存在。", "en": "There is no such user."},
    "user_not_technician": {
        "zh-CN": "该用户的角色不是技术员。",
        "en": "This user does not have the technician role.",
    },
    "technician_exists": {
        "zh-CN": "该用户已有技术员档案。",
        "en": "This user already has a technician profile.",
    },
    "working_hours_format": {
        "zh-CN": "工作时间应按星期（mon 到 sun）列出 [开始, 结束] 时间段，每天最多 6 段。",
        "en": "Working hours list [start, end] ranges per weekday (mon to sun), at most 6 a day.",
    },
    "unknown_day": {
        "zh-CN": "未知的星期，应为 mon、tue、wed、thu、fri、sat、sun 之一。",
        "en": "Unknown day; use mon, tue, wed, thu, fri, sat or sun.",
    },
    "shift_format": {
        "zh-CN": '时间段应为 ["HH:MM", "HH:MM"]，例如 ["08:00", "17:00"]。',
        "en": 'A range is ["HH:MM", "HH:MM"], e.g. ["08:00", "17:00"].',
    },
    "shift_end_before_start": {
        "zh-CN": "结束时间必须晚于开始时间。",
        "en": "A range must end after it starts.",
    },
    "shift_overlap": {
        "zh-CN": "同一天的时间段不能重叠。",
        "en": "Ranges on the same day must not overlap.",
    },
    # work orders: life cycle refusals (server/workorders/states.py) and references
    "invalid_transition": {
        "zh-CN": "当前状态下不能执行此操作。",
        "en": "This action is not possible in the work order's current status.",
    },
    "not_assignee": {
        "zh-CN": "只有被指派的工程师可以执行此操作。",
        "en": "Only the assigned engineer can do this.",
    },
    "technician_required": {
        "zh-CN": "请选择一位工程师。",
        "en": "Choose an engineer to assign.",
    },
    "technician_inactive": {
        "zh-CN": "该工程师已停用，不能指派。",
        "en": "This engineer is inactive and cannot be assigned.",
    },
    "skill_mismatch": {
        "zh-CN": "该工程师不具备工单所需的技能等级。",
        "en": "This engineer lacks a skill (or skill level) the job requires.",
    },
    "already_assigned": {
        "zh-CN": "工单已指派给该工程师。",
        "en": "The work order is already assigned to this engineer.",
    },
    "waiting_for_parts": {
        "zh-CN": "工单在等待备件，备件预留后才能派工。",
        "en": "The work order is waiting for parts; dispatch it once they are reserved.",
    },
    "reason_required": {"zh-CN": "请填写原因。", "en": "A reason is required."},
    "resolution_required": {
        "zh-CN": "完工前请填写处理结果。",
        "en": "Describe the resolution before completing the job.",
    },
    "checklist_incomplete": {
        "zh-CN": "检查表还有必填项未完成。",
        "en": "Some required checklist items are not done yet.",
    },
    "parts_not_recorded": {
        "zh-CN": "请先登记使用的备件。",
        "en": "Record the parts used before completing the job.",
    },
    "signature_required": {
        "zh-CN": "需要客户签名才能关闭工单。",
        "en": "The customer's signature is required to close the job.",
    },
    "signer_name_required": {
        "zh-CN": "请填写签名人姓名。",
        "en": "Enter the name of the person who signed.",
    },
    "reopen_window_passed": {
        "zh-CN": "已超过可重新打开的期限。",
        "en": "The period in which this work order could be reopened has passed.",
    },
    "merge_target_required": {
        "zh-CN": "请选择要合并到的工单。",
        "en": "Choose the work order to merge this one into.",
    },
    "merge_into_self": {"zh-CN": "不能合并到自身。", "en": "A work order cannot absorb itself."},
    "merge_target_not_found": {
        "zh-CN": "要合并到的工单不存在。",
        "en": "The work order to merge into does not exist.",
    },
    "merge_target_closed": {
        "zh-CN": "要合并到的工单已关闭或取消。",
        "en": "The work order to merge into is closed or cancelled.",
    },
    "merge_target_is_duplicate": {
        "zh-CN": "目标工单本身是重复单，请合并到其原始工单。",
        "en": "That work order is itself a duplicate; merge into its original instead.",
    },
    "not_merged": {"zh-CN": "该工单未被合并。", "en": "This work order was not merged."},
    "not_editable": {
        "zh-CN": "已完成、关闭或取消的工单不能修改。",
        "en": "Completed, closed or cancelled work orders cannot be edited.",
    },
    "pin_needs_assignee": {
        "zh-CN": "只有已派给工程师的工单才能固定。",
        "en": "Only a job assigned to an engineer can be pinned.",
    },
    "duplicate_op": {
        "zh-CN": "该操作正在处理中，请勿重复提交。",
        "en": "This operation is already being applied.",
    },
    "op_id_reused": {
        "zh-CN": "操作编号已用于另一张工单。",
        "en": "This operation id was already used for another work order.",
    },
    "category_too_deep": {
        "zh-CN": "分类最多三级。",
        "en": "Categories go at most three levels deep.",
    },
    "unknown_category": {"zh-CN": "分类不存在或已停用。", "en": "Unknown or inactive category."},
    "appointment_incomplete": {
        "zh-CN": "预约时间需要同时填写开始和结束。",
        "en": "An appointment needs both a start and an end.",
    },
    "appointment_end_before_start": {
        "zh-CN": "预约结束时间必须晚于开始时间。",
        "en": "The appointment must end after it starts.",
    },
    "unknown_site": {"zh-CN": "地址不存在。", "en": "Unknown site."},
    "spam_suspected": {
        "zh-CN": "提交被拒绝，请直接致电客服。",
        "en": "The request was refused; please call us instead.",
    },
    "rating_not_open": {
        "zh-CN": "工单关闭后才能评价。",
        "en": "You can rate the service once the job is closed.",
    },
    "already_rated": {
        "zh-CN": "您已经评价过了，谢谢！",
        "en": "You have already rated this job. Thank you!",
    },
    "photos_closed": {
        "zh-CN": "此工单已结束，不能再添加照片。",
        "en": "This request is closed; photos can no longer be added.",
    },
    "photo_limit_reached": {
        "zh-CN": "每个工单最多可添加 {max_photos} 张照片。",
        "en": "A request can have at most {max_photos} photos.",
    },
    # notifications and webhooks
    "url_invalid": {
        "zh-CN": "请输入以 http:// 或 https:// 开头的有效网址。",
        "en": "Enter a valid URL starting with http:// or https://.",
    },
    "unknown_event_type": {
        "zh-CN": "未知的事件类型。",
        "en": "Unknown event type.",
    },
    "message_not_failed": {
        "zh-CN": "只有发送失败或已跳过的消息才能重新发送。",
        "en": "Only a failed or skipped message can be sent again.",
    },
    "site_of_other_customer": {
        "zh-CN": "该地址属于其他客户。",
        "en": "This site belongs to another customer.",
    },
    # assets and preventive maintenance (server/assets)
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

# marshmallow / webargs messages -> translations. Patterns keep the numbers they carry.
_VALIDATION_PATTERNS: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (re.compile(r"^Missing data for required field\.$"), {"zh-CN": "此字段为必填项。"}),
    (re.compile(r"^Unknown field\.$"), {"zh-CN": "未知字段。"}),
    (re.compile(r"^Field may not be null\.$"), {"zh-CN": "此字段不能为空。"}),
    (re.compile(r"^Not a valid string\.$"), {"zh-CN": "不是有效的字符串。"}),
    (re.compile(r"^Not a valid integer\.$"), {"zh-CN": "不是有效的整数。"}),
    (re.compile(r"^Not a valid number\.$"), {"zh-CN": "不是有效的数字。"}),
    (re.compile(r"^Not a valid boolean\.$"), {"zh-CN": "不是有效的布尔值。"}),
    (re.compile(r"^Not a valid email address\.$"), {"zh-CN": "不是有效的邮箱地址。"}),
    (re.compile(r"^Not a valid UUID\.$"), {"zh-CN": "不是有效的 UUID。"}),
    (re.compile(r"^Not a valid datetime\.$"), {"zh-CN": "不是有效的日期时间。"}),
    (re.compile(r"^Not a valid date\.$"), {"zh-CN": "不是有效的日期。"}),
    (re.compile(r"^Not a valid time\.$"), {"zh-CN": "不是有效的时间。"}),
    (re.compile(r"^Not a valid list\.$"), {"zh-CN": "不是有效的列表。"}),
    (re.compile(r"^Not a valid mapping type\.$"), {"zh-CN": "不是有效的对象。"}),
    (re.compile(r"^Invalid input type\.$"), {"zh-CN": "输入类型无效。"}),
    (re.compile(r"^Invalid value\.$"), {"zh-CN": "值无效。"}),
    (re.compile(r"^Invalid JSON body\.$"), {"zh-CN": "请求体不是有效的 JSON。"}),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), {"zh-CN": "长度不能少于 {0}。"}),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), {"zh-CN": "长度不能超过 {0}。"}),
    (
        re.compile(r"^Length must be between (\d+) and (\d+)\.$"),
        {"zh-CN": "长度必须在 {0} 到 {1} 之间。"},
    ),
    (
        re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
        {"zh-CN": "必须在 {0} 到 {1} 之间。"},
    ),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), {"zh-CN": "必须大于或等于 {0}。"}),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), {"zh-CN": "必须小于或等于 {0}。"}),
    (re.compile(r"^Must be greater than (\S+)\.$"), {"zh-CN": "必须大于 {0}。"}),
    (re.compile(r"^Must be less than (\S+)\.$"), {"zh-CN": "必须小于 {0}。"}),
    (re.compile(r"^Must be one of: (.+)\.$"), {"zh-CN": "必须是以下之一：{0}。"}),
    (re.compile(r"^String does not match expected pattern\.$"), {"zh-CN": "格式不正确。"}),
    (re.compile(r"^Timezone information is required\.$"), {"zh-CN": "需要带时区的时间。"}),
]


def translate(key: str, locale: str, **params: object) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(locale) or entry[DEFAULT_LOCALE]
    return text.format(**params) if params else text


def translate_validation(message: str, locale: str) -> str:
    """A marshmallow message in the caller's language (our own messages are message keys)."""
    if message in MESSAGES:
        return translate(message, locale)
    if locale == "en":
        return message
    for pattern, table in _VALIDATION_PATTERNS:
        match = pattern.match(message)
        if match:
            return table[locale].format(*match.groups())
    return message


def translate_errors(errors: object, locale: str) -> object:
    """Walk a marshmallow error tree ({field: [msg]} nested by location and index)."""
    walk: Callable[[object], object]

    def walk(node: object) -> object:
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, str):
            return translate_validation(node, locale)
        return node

    return walk(errors)


def negotiate(accept_language: str | None, preferred: str | None = None) -> str:
    """The user's own setting wins; else the best Accept-Language match; else zh-CN."""
    if preferred in LOCALES:
        return preferred  # type: ignore[return-value]
    if not accept_language:
        return DEFAULT_LOCALE
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        choices.append((-quality, index, tag.strip().lower()))
    for neg_quality, _index, tag in sorted(choices):
        if neg_quality == 0:
            continue
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE
