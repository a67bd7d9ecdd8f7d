"""Retiring venues and teams (a shop that closed, a team that was dissolved) and bringing them back.

A retired venue or team stays in the database with its history (inspections, hazards and their
trail, stored plans); it is left out of the layers that planning and the maps read
(:func:`ledger.store.export_files`) and of the API's lists unless asked for. Each retire and
restore is a row of the append-only :class:`~ledger.models.RecordEvent` trail: who and when.
"""

from __future__ import annotations

from gis.errors import InputError

from .models import RecordEvent, Team, User, Venue, db

RETIRABLE = {"venue": Venue, "team": Team}


def set_retired(kind: str, object_id: str, retired: bool, *, by: User) -> Venue | Team:
    """Retire (``retired=True``) or restore venue or team ``object_id`` as coordinator ``by``; the caller commits.

    Raises
    ------
    PermissionError
        When ``by`` is not a coordinator.
    InputError
        When there is no such venue or team.
    """
    if by.role != "coordinator":
        msg = "only coordinators retire or restore venues and teams (只有协调员可以停用或恢复场所和小组)"
        raise PermissionError(msg)
    if kind not in RETIRABLE:
        msg = f"kind {kind!r} should be one of {', '.join(RETIRABLE)}"
        raise InputError(msg, file="request", field="kind")
    row = db.session.get(RETIRABLE[kind], object_id)
    if row is None:
        msg = f"{kind}_id {object_id!r} is not a {kind} (没有这个{'场所' if kind == 'venue' else '小组'})"
        raise InputError(msg, file="request", field=f"{kind}_id")
    if bool(row.retired) != retired:
        row.retired = retired
        db.session.add(RecordEvent(user=by.username, action="retire" if retired else "restore", kind=kind, object_id=object_id))
    return row


def record_events(kind: str, object_id: str | None = None) -> list[RecordEvent]:
    """The trail of one venue, team or account (or of every one of ``kind``), oldest first."""
    q = db.select(RecordEvent).where(RecordEvent.kind == kind)
    if object_id is not None:
        q = q.where(RecordEvent.object_id == object_id)
    return list(db.session.scalars(q.order_by(RecordEvent.id)))
