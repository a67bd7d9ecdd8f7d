"""The database's layers built once per data version, not once per page.

The version is one row of the database (``data_version``), bumped in the same transaction as
every write to a layer table (grids, venues, teams, hazards, inspections). Every process writes
through SQLAlchemy sessions, whose events are bound here when :mod:`ledger` is imported: the web
workers, the plan worker and ``patrol notify`` alike, so each sees the others' writes at its next
request. A cached value is kept under the version read *before* it was built: if a write lands
meanwhile, the version has moved on and the next request builds again. A session that has
written and not yet committed builds for itself and keeps nothing: it may still roll back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from .models import DataVersion, Grid, Hazard, Inspection, Team, Venue, db

T = TypeVar("T")

LAYER_MODELS = (Grid, Venue, Team, Hazard, Inspection)
_LAYER_TABLES = frozenset(m.__table__.name for m in LAYER_MODELS)
_WROTE = "patrol_wrote_layers"  # Session.info flag: this transaction wrote to a layer table
_VERSION = DataVersion.__table__


def data_version(session: Session | None = None) -> int:
    """The version of the layer tables as the database has it now (it only grows)."""
    session = session or db.session
    return session.execute(select(_VERSION.c.version).where(_VERSION.c.id == 1)).scalar() or 0


def writing(session: Session | None = None) -> bool:
    """Whether ``session`` holds writes to a layer table that are not committed yet (flushed or not)."""
    session = session or db.session
    return session.info.get(_WROTE, False) or _has_layer_changes(session)


def _has_layer_changes(session: Session) -> bool:
    return any(isinstance(obj, LAYER_MODELS) for obj in (*session.new, *session.dirty, *session.deleted))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    if _has_layer_changes(session):
        session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        if getattr(getattr(state.statement, "table", None), "name", None) in _LAYER_TABLES:
            state.session.info[_WROTE] = True


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    """Bump the version inside the transaction that wrote: it commits with the write, or not at all."""
    session.flush()  # what commit would flush next: its layer rows count too
    if not session.info.get(_WROTE):
        return
    connection = session.connection()
    if connection.execute(update(_VERSION).where(_VERSION.c.id == 1).values(version=_VERSION.c.version
                                                                            + 1)).rowcount == 0:
        connection.execute(insert(_VERSION).values(id=1, version=1))  # a schema made without the migration's row


def _transaction_ended(session: Session, *_args: Any) -> None:
    session.info.pop(_WROTE, None)


event.listen(Session, "after_commit", _transaction_ended)
event.listen(Session, "after_soft_rollback", _transaction_ended)


class LayerCache:
    """Values built from the database, each kept until the next write to a layer table (in any process).

    Thread-safe: one build per key at a time; other threads asking for the same key wait for it.
    """

    def __init__(self, *, version: Callable[[], int] = data_version, uncommitted: Callable[[], bool] = writing) -> None:
        self._version = version
        self._uncommitted = uncommitted
        self._values: dict[Hashable, tuple[int, Any]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value under ``key`` for the current data version, built with ``build()`` when missing or stale."""
        if self._uncommitted():
            return build()  # this transaction's own, uncommitted view: never kept, never shared
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
