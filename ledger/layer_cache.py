"""The database's layers built once per data version, not once per page.

Every flush or Core statement that writes to a layer table (grids, venues, teams, hazards,
inspections) bumps one counter, and again when its transaction ends, so a layer built while
a write was in flight is never served after it. A cached value is kept under the version read
*before* it was built: if a write lands meanwhile, the version has moved on and the next
request builds again. The counter lives in this process (one web worker, as the README
says); writes made by another process are seen once this process writes or restarts.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from .models import Grid, Hazard, Inspection, Team, Venue

T = TypeVar("T")

LAYER_MODELS = (Grid, Venue, Team, Hazard, Inspection)
_LAYER_TABLES = frozenset(m.__table__.name for m in LAYER_MODELS)
_WROTE = "patrol_wrote_layers"  # Session.info flag: this transaction wrote to a layer table

_counter = itertools.count(1)
_version = 0
_version_lock = threading.Lock()


def data_version() -> int:
    """The current version of the layer tables in this process (it only grows)."""
    return _version


def bump() -> int:
    """Mark the layer tables as changed; returns the new version."""
    global _version
    with _version_lock:
        _version = next(_counter)
        return _version


def _mark(session: Session) -> None:
    session.info[_WROTE] = True
    bump()


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    if any(isinstance(obj, LAYER_MODELS) for obj in (*session.new, *session.dirty, *session.deleted)):
        _mark(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        if getattr(getattr(state.statement, "table", None), "name", None) in _LAYER_TABLES:
            _mark(state.session)


def _transaction_ended(session: Session) -> None:
    if session.info.pop(_WROTE, False):
        bump()


event.listen(Session, "after_commit", _transaction_ended)
event.listen(Session, "after_soft_rollback", lambda session, _previous: _transaction_ended(session))


class LayerCache:
    """Values built from the database, each kept until the next write to a layer table.

    Thread-safe: one build per key at a time; other threads asking for the same key wait for it.
    """

    def __init__(self, *, version: Callable[[], int] = data_version) -> None:
        self._version = version
        self._values: dict[Hashable, tuple[int, Any]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value under ``key`` for the current data version, built with ``build()`` when missing or stale."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            version = self._version()
            kept = self._values.get(key)
            if kept is not None and kept[0] == version:
                return kept[1]
            value = build()
            with self._guard:
                self._values = {k: v for k, v in self._values.items() if v[0] == version}  # drop every stale value
                self._values[key] = (version, value)
            return value
