"""Background jobs of the assets domain."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from sqlalchemy.orm import Session

from server.assets import generation
from server.tasks import queue_app, unit_of_work_task


@queue_app.periodic(cron="7 * * * *", periodic_id="hourly")
# A run waiting in the queue covers this hour too; a second one would find nothing new.
@unit_of_work_task(name="assets.generate_maintenance", queueing_lock="assets.generate_maintenance")
def generate_maintenance(session: Session, *, timestamp: int) -> dict[str, int]:
    """Create the work order of each maintenance occurrence now within its lead time, once."""
    now = datetime.fromtimestamp(timestamp, tz=UTC)
    result = generation.generate_due(session, now=now, timezone=current_app.config["ORG_TIMEZONE"])
    return {"created": len(result.created), "failed": len(result.failed)}
