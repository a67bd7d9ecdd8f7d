"""The hazard closed loop 发现→报告→处置→反馈→销号, with its rules and an event for every change.

- A hazard moves to rectification (处置) only with the 五落实 filled in: measure, responsible unit,
  responsible person, deadline and standard.
- It is closed (销号) only by a re-check inspection (复查) that found it fixed.
- Major hazards are put under supervision (挂牌督办) when recorded.
Every change adds a :class:`~ledger.models.HazardEvent` (who, when, what); events are never changed.
"""

from __future__ import annotations

import datetime as dt

from gis.errors import InputError, raise_collected
from gis.i18n import gettext as _

from .models import Hazard, HazardEvent, HazardNumber, Inspection, Venue, db

FIVE_FIELDS = ("measure", "responsible_unit", "responsible_person", "deadline", "standard")
FIVE_LABELS = {"measure": "整改措施", "responsible_unit": "责任单位", "responsible_person": "责任人",
               "deadline": "整改期限", "standard": "整改标准"}
NEXT = {"report": ("found", "reported"), "rectify": ("reported", "rectifying"), "feedback": ("rectifying", "feedback")}
LEDGERS = {  # 问题台账 / 整改台账 / 销号台账
    "problems": ("found", "reported"),
    "rectification": ("rectifying", "feedback"),
    "closed": ("closed",),
}


class LifecycleError(InputError):
    """A change the closed loop does not allow (names the hazard and the missing field)."""


def _event(hazard: Hazard, user: str, action: str, before: str, detail: dict | None = None) -> None:
    db.session.add(HazardEvent(hazard_id=hazard.hazard_id, user=user, action=action, from_status=before,
                               to_status=hazard.status, detail=detail or {}))


def next_hazard_id(found_on: dt.date) -> str:
    """隐患编号 of a hazard recorded in the app: H + day found + a number no other writer can take."""
    number = HazardNumber()
    db.session.add(number)
    db.session.flush()  # the database hands out the number, so concurrent writers never clash
    return f"H{found_on:%Y%m%d}-{number.id:04d}"


def record_hazard(*, venue_id: str, type: str, severity: str, description: str, user: str, found_on: dt.date,
                  photo: str = "", deadline: dt.date | None = None) -> Hazard:  # noqa: A002
    """A hazard found on patrol (发现); major ones are supervised (挂牌督办) at once."""
    if db.session.get(Venue, venue_id) is None:
        msg = _("venue_id %(venue)r: is not a venue of the database", venue=venue_id)
        raise LifecycleError(msg, file="hazard", field="venue_id")
    hazard = Hazard(hazard_id=next_hazard_id(found_on), venue_id=venue_id, type=type, severity=severity, status="found",
                    found_on=found_on, deadline=deadline, description=description, photo=photo,
                    supervised=severity == "major")
    db.session.add(hazard)
    _event(hazard, user, "found", "", {"type": type, "severity": severity, "description": description})
    if hazard.supervised:
        _event(hazard, user, "supervise", "found", {"reason": "major_hazard"})
    return hazard


def advance(hazard: Hazard, action: str, *, user: str, fields: dict | None = None) -> Hazard:
    """Report, start rectification (needs the 五落实) or give feedback; raises LifecycleError otherwise."""
    if action not in NEXT:
        msg = _("action %(action)r: is not a step of the loop (report, rectify, feedback; closing needs a re-check)",
                action=action)
        raise LifecycleError(msg, file=hazard.hazard_id, field="action")
    before, after = NEXT[action]
    if hazard.status != before:
        msg = _("status is %(status)s: %(action)s needs a hazard in %(before)s", status=hazard.status, action=action,
                before=before)
        raise LifecycleError(msg, file=hazard.hazard_id, field="status")
    fields = {k: v for k, v in (fields or {}).items() if v not in (None, "")}
    if action == "rectify":
        for name in FIVE_FIELDS:
            value = fields.get(name, getattr(hazard, name))
            if value in (None, ""):
                msg = _("%(field)s (%(label)s) is required before rectification", field=name, label=FIVE_LABELS[name])
                raise LifecycleError(msg, file=hazard.hazard_id, field=name)
        deadline = fields.get("deadline", hazard.deadline)
        if isinstance(deadline, str):
            try:
                deadline = dt.date.fromisoformat(deadline)
            except ValueError as err:
                msg = _("%(field)s %(value)r: should be a date YYYY-MM-DD", field="deadline", value=deadline)
                raise LifecycleError(msg, file=hazard.hazard_id, field="deadline") from err
        if deadline < hazard.found_on:
            msg = _("deadline %(deadline)s: is before the hazard was found (%(found)s)", deadline=deadline,
                    found=hazard.found_on)
            raise LifecycleError(msg, file=hazard.hazard_id, field="deadline")
        fields["deadline"] = deadline
        for name in FIVE_FIELDS:
            setattr(hazard, name, fields.get(name, getattr(hazard, name)))
    hazard.status = after
    _event(hazard, user, action, before, {k: str(v) for k, v in fields.items()})
    return hazard


def close_by_recheck(hazard: Hazard, *, user: str, on: dt.date, team_id: str = "", notes: str = "") -> Inspection:
    """销号: record the re-check inspection that found the hazard fixed, and close it."""
    if hazard.status != "feedback":
        msg = _("status is %(status)s: a hazard is closed only after the unit's feedback, by a re-check",
                status=hazard.status)
        raise LifecycleError(msg, file=hazard.hazard_id, field="status")
    if on < hazard.found_on:
        msg = _("recheck_on %(day)s: is before the hazard was found (%(found)s)", day=on, found=hazard.found_on)
        raise LifecycleError(msg, file=hazard.hazard_id, field="recheck_on")
    check = Inspection(venue_id=hazard.venue_id, date=on, team_id=team_id, outcome="done", notes=notes or "复查合格",
                       recheck_of=hazard.hazard_id, recorded_by=user)
    db.session.add(check)
    venue = db.session.get(Venue, hazard.venue_id)
    if venue is not None and (venue.last_inspected is None or venue.last_inspected < on):
        venue.last_inspected = on
    hazard.status, hazard.closed_on = "closed", on
    _event(hazard, user, "close", "feedback", {"recheck_on": on.isoformat(), "notes": check.notes})
    return check


IMPORTED = ("venue_id", "type", "severity", "found_on", "deadline", "measure", "responsible_unit", "responsible_person",
            "standard", "description", "closed_on")


def import_hazards(rows: list[tuple[str, int, dict]], *, file: str, user: str) -> dict[str, int]:
    """Hazards from a ledger file, each ``(hazard_id, row, values)`` with ``status`` and the :data:`IMPORTED` fields.

    A new hazard is added with an ``import`` event (and 挂牌督办 when major). A known one takes the
    file's fields, with an ``import`` event listing what changed, but never a new status: the loop
    moves only through its steps, and 销号 only by a re-check. Nothing is committed here.

    Returns
    -------
    dict
        How many rows were ``new``, ``changed`` and ``unchanged``.

    Raises
    ------
    LifecycleError
        For the first row whose status differs from the database's (the others in ``.more``).
    """
    known = {h.hazard_id: h
             for h in db.session.scalars(db.select(Hazard).where(Hazard.hazard_id.in_([r[0] for r in rows])))}
    problems: list[InputError] = []
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for hazard_id, row, values in rows:
        hazard = known.get(hazard_id)
        if hazard is None:
            counts["new"] += 1
            hazard = known[hazard_id] = Hazard(hazard_id=hazard_id, status=values["status"],
                                               supervised=values["severity"] == "major",
                            **{k: values[k] for k in IMPORTED})
            db.session.add(hazard)
            _event(hazard, user, "import", "", {"file": file, "row": row})
            if hazard.supervised:
                _event(hazard, user, "supervise", hazard.status, {"reason": "major_hazard"})
            continue
        if values["status"] != hazard.status:
            msg = _("status %(status)s differs from %(stored)s in the database: a ledger import does not move "
                    "a hazard through the loop (use the hazard's page; closing needs a re-check)",
                    status=values["status"], stored=hazard.status)
            problems.append(LifecycleError(msg, file=file, row=row, field="status"))
            continue
        given = {k: v for k, v in values.items() if k in IMPORTED and not (k == "closed_on" and v is None)}
        changed = {k: f"{getattr(hazard, k) or ''} → {v or ''}" for k, v in given.items()
                   if (getattr(hazard, k) or "") != (v or "")}
        counts["changed" if changed else "unchanged"] += 1
        if changed:
            for name in changed:
                setattr(hazard, name, given[name])
            _event(hazard, user, "import", hazard.status, {"file": file, "row": row, "changed": changed})
        if hazard.severity == "major" and not hazard.supervised:
            hazard.supervised = True
            _event(hazard, user, "supervise", hazard.status, {"reason": "major_hazard"})
    raise_collected(problems)
    return counts


def deadline_warnings(today: dt.date, *, within_days: int = 3) -> dict[str, list[Hazard]]:
    """Open hazards past their deadline, and those due within ``within_days`` (the front page's list)."""
    open_ = db.session.scalars(db.select(Hazard).where(Hazard.status != "closed", Hazard.deadline.is_not(None))
                               .order_by(Hazard.deadline)).all()
    return {
        "overdue": [h for h in open_ if h.deadline < today],
        "due_soon": [h for h in open_ if today <= h.deadline <= today + dt.timedelta(days=within_days)],
    }


def ledger(kind: str) -> list[Hazard]:
    """The hazards of one ledger: problems (问题台账), rectification (整改台账) or closed (销号台账)."""
    return db.session.scalars(db.select(Hazard).where(Hazard.status.in_(LEDGERS[kind])).order_by(Hazard.found_on.desc(),
                                                                                             Hazard.hazard_id)).all()
