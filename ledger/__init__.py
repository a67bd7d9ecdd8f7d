"""Persistence of the web app: models, the hazard closed loop, imports and Excel ledgers."""

from .lifecycle import advance as advance
from .lifecycle import close_by_recheck as close_by_recheck
from .lifecycle import record_hazard as record_hazard
from .models import db as db
