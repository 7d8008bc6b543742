"""Marshmallow fields shared by every domain's schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import fields


class UtcDateTime(fields.AwareDateTime):
    """An ISO 8601 instant with an offset (naive times are refused), stored and answered in UTC."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        parsed: datetime = super()._deserialize(value, attr, data, **kwargs)
        return parsed.astimezone(UTC)
