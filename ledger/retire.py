"""Retiring venues and teams (a shop that closed, a team that was dissolved) and bringing them back.

A retired venue or team stays in the database with its history (inspections, hazards and their
trail, stored plans); it is left out of the layers that planning and the maps read
(:func:`ledger.store.export_files`) and of the API's lists unless asked for. Each retire and
restore is a row of the append-only :class:`~ledger.models.RecordEvent` trail: who and when.
"""

from __future__ import annotations

from gis.errors import InputError
from gis.i18n import gettext as _

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
        msg = _("only coordinators retire or restore venues and teams")
        raise PermissionError(msg)
    if kind not in RETIRABLE:
        msg = _("kind %(kind)r: should be one of %(choices)s", kind=kind, choices=", ".join(RETIRABLE))
        raise InputError(msg, file="request", field="kind")
    row = db.session.get(RETIRABLE[kind], object_id)
    if row is None:
        msg = (_("venue_id %(venue)r: is not a venue of the database", venue=object_id) if kind == "venue"
               else _("team_id %(team)r: is not a team of the database", team=object_id))
        raise InputError(msg, file="request", field=f"{kind}_id")
    if bool(row.retired) != retired:
        row.retired = retired
        db.session.add(RecordEvent(user=by.username, action="retire" if retired else "restore", kind=kind,
                                   object_id=object_id))
    return row


def record_events(kind: str, object_id: str | None = None) -> list[RecordEvent]:
    """The trail of one venue, team or account (or of every one of ``kind``), oldest first."""
    q = db.select(RecordEvent).where(RecordEvent.kind == kind)
    if object_id is not None:
        q = q.where(RecordEvent.object_id == object_id)
    return list(db.session.scalars(q.order_by(RecordEvent.id)))
