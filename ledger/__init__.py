"""Persistence of the web app: models, the hazard closed loop, the write service, imports and Excel ledgers."""

from . import layer_cache as layer_cache  # binds the data version to every session's writes
from .idempotency import once as once
from .lifecycle import advance as advance
from .lifecycle import close_by_recheck as close_by_recheck
from .lifecycle import record_hazard as record_hazard
from .models import db as db
from .results import NotAllowed as NotAllowed
from .results import StopResult as StopResult
from .results import add_stop as add_stop
from .results import advance_hazard as advance_hazard
from .results import close_hazard as close_hazard
from .results import record_result as record_result
from .results import report_hazard as report_hazard
from .transaction import transaction as transaction
