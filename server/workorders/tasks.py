"""Background jobs of the work-order domain."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from sqlalchemy.orm import Session

from server.tasks import queue_app, unit_of_work_task
from server.workorders import clocks


@queue_app.periodic(cron="* * * * *", periodic_id="every_minute")
# A check waiting in the queue covers the next minute too; a second one would only wait.
@unit_of_work_task(name="workorders.check_sla", queueing_lock="workorders.check_sla")
def check_sla(session: Session, *, timestamp: int) -> dict[str, int]:
    """Warn at the configured share of each SLA target and escalate at breach, once per step."""
    now = datetime.fromtimestamp(timestamp, tz=UTC)
    result = clocks.check_clocks(session, now=now, warn_share=current_app.config["SLA_WARN_SHARE"])
    return {"checked": result.checked, "steps": len(result.steps)}
