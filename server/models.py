"""Every domain's tables, imported in one place so that Alembic sees the whole schema (the
engineer app's own op log included)."""

from mobile_api import models as mobile_models
from server import ratelimit
from server.assets import models as assets_models
from server.auth import models as auth_models
from server.customers import models as customers_models
from server.db import Base
from server.dispatch import models as dispatch_models
from server.inventory import models as inventory_models
from server.notify import models as notify_models
from server.technicians import models as technicians_models
from server.workorders import models as workorders_models

__all__ = [
    "Base",
    "assets_models",
    "auth_models",
    "customers_models",
    "dispatch_models",
    "inventory_models",
    "mobile_models",
    "notify_models",
    "ratelimit",
    "technicians_models",
    "workorders_models",
]
