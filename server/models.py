"""Every domain's tables, imported in one place so that Alembic sees the whole schema."""

from server import ratelimit
from server.auth import models as auth_models
from server.db import Base

__all__ = ["Base", "auth_models", "ratelimit"]
