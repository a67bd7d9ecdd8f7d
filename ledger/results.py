"""Every write of a patrol's day goes through here: a stop's result, hazards found, advanced and closed.

Each function takes the acting user and checks the role *and* the object (whose team, which day,
which venue, which hazard) before it touches a row, then validates the values with the same rules
as the file readers. It adds rows but never commits: the caller wraps it in
:func:`ledger.transaction.transaction` or :func:`ledger.idempotency.once`. The result form, the
API and the phone app call the same functions.

Who may do what:

- a coordinator: everything, within the date rules (nothing dated after today; a re-check not
  before the hazard was found);
- a patrol: results and hazards only for its own team, at a venue on its team's stops of that day
  (a stop of a finished plan, or a venue a coordinator added to the day), and closes only hazards
  of those venues;
- a viewer: nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gis.errors import InputError, PatrolError
from gis.i18n import gettext as _
from gis.io import OUTCOMES
from gis.rules import SEVERITIES, Rules

from .lifecycle import advance, close_by_recheck, record_hazard
from .models import (
    AddedStop,
    Hazard,
    Inspection,
    PlanRun,
    PlanStop,
    Team,
    User,
    Venue,
    db,
)


class NotAllowed(PatrolError):
    """The acting user may not do this to this object (the web answers 403)."""

    def __init__(self, problem: str, *, file: str, field: str | None = None) -> None:
        self.problem, self.file, self.field = problem, file, field
        super().__init__(f"{file}: {problem}")

    def as_dict(self) -> dict[str, object]:
        return {"error": "forbidden", "message": str(self), "file": self.file, "row": None, "field": self.field}


@dataclass(frozen=True)
class FoundHazard:
    """A hazard found at a stop: its type (a code of the rules), severity ('' for the type's own) and description."""

    type: str
    severity: str = ""
    description: str = ""
    photo: str = ""


@dataclass(frozen=True)
class StopResult:
    """What a team recorded at one venue on one day: the outcome, notes, hazards found, hazards re-checked and fixed."""

    day: dt.date
    team_id: str
    venue_id: str
    outcome: str = "done"
    notes: str = ""
    found: tuple[FoundHazard, ...] = ()
    fixed: tuple[str, ...] = ()


@dataclass
class Recorded:
    """The rows one stop result made: its inspection, the new hazards, the hazards it closed."""

    inspection: Inspection
    hazards: list[Hazard] = field(default_factory=list)
    closed: list[Hazard] = field(default_factory=list)


def on_team_day(day: dt.date, team_id: str, venue_id: str) -> bool:
    """Whether ``venue_id`` is one of ``team_id``'s stops on ``day``: in a finished plan, or added by a coordinator."""
    planned = (db.select(PlanStop.id).join(PlanRun, PlanRun.id == PlanStop.plan_id)
               .where(PlanRun.status == "done", PlanStop.day == day, PlanStop.team_id == team_id,
                      PlanStop.venue_id == venue_id).limit(1))
    added = db.select(AddedStop.id).where(AddedStop.day == day, AddedStop.team_id == team_id,
                                          AddedStop.venue_id == venue_id).limit(1)
    return db.session.scalar(planned) is not None or db.session.scalar(added) is not None


def check_stop(user: User, *, day: dt.date, team_id: str, venue_id: str, today: dt.date, file: str,
               day_field: str = "day") -> None:
    """Refuse a record at ``venue_id`` by ``team_id`` on ``day`` that ``user`` may not make, or that breaks a date rule.

    Raises
    ------
    NotAllowed
        A viewer; a patrol of another team, or at a venue that is not on its team's stops of that day.
    InputError
        An unknown venue or team, or a day after ``today``.
    """
    if user.role not in ("coordinator", "patrol"):
        raise NotAllowed(_("role: %(role)s may only read, not record", role=user.role), file=file, field="role")
    if user.role == "patrol" and team_id != user.team_id:
        msg = _("team_id %(team)r: a patrol records only its own team's (%(own)s) results", team=team_id,
                own=user.team_id)
        raise NotAllowed(msg, file=file, field="team_id")
    if db.session.get(Venue, venue_id) is None:
        raise InputError(_("venue_id %(venue)r: is not a venue of the database", venue=venue_id), file=file,
                         field="venue_id")
    if team_id and db.session.get(Team, team_id) is None:
        raise InputError(_("team_id %(team)r: is not a team of the database", team=team_id), file=file, field="team_id")
    if day > today:
        msg = _("%(field)s %(day)s: is in the future (today is %(today)s): results are recorded on or "
                "after the patrol day",
                field=day_field, day=day, today=today)
        raise InputError(msg, file=file, field=day_field)
    if user.role == "patrol" and not on_team_day(day, team_id, venue_id):
        msg = _("venue_id %(venue)r: is not on team %(team)s's stops of %(day)s (no finished plan has it "
                "and no coordinator "
                "added it)", venue=venue_id, team=team_id, day=day)
        raise NotAllowed(msg, file=file, field="venue_id")


def record_result(user: User, result: StopResult, *, rules: Rules, today: dt.date, file: str = "result",
                  day_field: str = "day") -> Recorded:
    """Record one stop's result: its inspection (or the re-checks that closed hazards), the hazards found.

    A re-check that found hazards fixed closes them (销号) and is the stop's inspection; otherwise
    one inspection with the outcome is added. An outcome ``done`` moves the venue's last inspection.

    Raises
    ------
    NotAllowed
        See :func:`check_stop`.
    InputError
        Naming the field: outcome, hazard type or severity, a re-check of a hazard that is not this
        venue's, not awaiting its re-check, or found after the re-check's day.
    """
    check_stop(user, day=result.day, team_id=result.team_id, venue_id=result.venue_id, today=today, file=file,
               day_field=day_field)
    if result.outcome not in OUTCOMES:
        msg = _("outcome %(outcome)r: should be one of %(choices)s", outcome=result.outcome,
                choices=", ".join(OUTCOMES))
        raise InputError(msg, file=file, field="outcome")
    found = [_checked_hazard(h, rules, file=file) for h in result.found]
    fixed = _rechecked(result, file=file)
    recorded = None
    for hazard in fixed:  # 销号 by this re-check: its inspection is the stop's record
        recorded = close_by_recheck(hazard, user=user.username, on=result.day, team_id=result.team_id,
                                    notes=result.notes)
    if recorded is None:
        recorded = Inspection(venue_id=result.venue_id, date=result.day, team_id=result.team_id, outcome=result.outcome,
                              notes=result.notes, recorded_by=user.username)
        db.session.add(recorded)
    venue = db.session.get(Venue, result.venue_id)
    if result.outcome == "done" and (venue.last_inspected is None or venue.last_inspected < result.day):
        venue.last_inspected = result.day
    hazards = [_new_hazard(user, result.venue_id, h, on=result.day, rules=rules) for h in found]
    db.session.flush()
    return Recorded(recorded, hazards, fixed)


def report_hazard(user: User, hazard: FoundHazard, *, venue_id: str, on: dt.date, rules: Rules, today: dt.date,
                  team_id: str | None = None, file: str = "hazard") -> Hazard:
    """A hazard found at ``venue_id`` on ``on`` (发现), outside a stop result.

    A patrol reports for its own team's stops.
    """
    team = user.team_id if team_id is None and user.role == "patrol" else (team_id or "")
    check_stop(user, day=on, team_id=team, venue_id=venue_id, today=today, file=file, day_field="found_on")
    new = _new_hazard(user, venue_id, _checked_hazard(hazard, rules, file=file), on=on, rules=rules)
    db.session.flush()
    return new


def advance_hazard(user: User, hazard: Hazard, action: str, *, fields: dict[str, str], file: str = "hazard") -> Hazard:
    """Report, start rectification or give feedback (coordinators only); see :func:`ledger.lifecycle.advance`."""
    if user.role != "coordinator":
        msg = _("action %(action)r: only a coordinator moves a hazard through the loop", action=action)
        raise NotAllowed(msg, file=file, field="action")
    return advance(hazard, action, user=user.username, fields=fields)


def close_hazard(user: User, hazard: Hazard, *, on: dt.date, today: dt.date, team_id: str | None = None,
                 notes: str = "", file: str = "hazard") -> Inspection:
    """销号 by a re-check on ``on``: between the hazard's finding and today; a patrol only at its own team's stops."""
    team = user.team_id if user.role == "patrol" else (team_id or "")
    check_stop(user, day=on, team_id=team, venue_id=hazard.venue_id, today=today, file=file, day_field="recheck_on")
    return close_by_recheck(hazard, user=user.username, on=on, team_id=team, notes=notes)


def add_stop(user: User, *, day: dt.date, team_id: str, venue_id: str, file: str = "stop") -> AddedStop:
    """Add ``venue_id`` to ``team_id``'s stops of ``day`` (coordinators only); adding it again changes nothing."""
    if user.role != "coordinator":
        raise NotAllowed(_("role: only a coordinator adds stops"), file=file, field="role")
    venue, team = db.session.get(Venue, venue_id), db.session.get(Team, team_id)
    if venue is None:
        raise InputError(_("venue_id %(venue)r: is not a venue of the database", venue=venue_id), file=file,
                         field="venue_id")
    if team is None:
        raise InputError(_("team_id %(team)r: is not a team of the database", team=team_id), file=file, field="team_id")
    for retired, what, name in ((venue.retired, "venue_id", venue_id), (team.retired, "team_id", team_id)):
        if retired:  # retired ones are out of planning: no new work for them (stops already planned still record)
            msg = _("%(field)s %(name)r: is retired: restore it first to give it work", field=what, name=name)
            raise InputError(msg, file=file, field=what)
    known = db.session.scalar(db.select(AddedStop).where(AddedStop.day == day, AddedStop.team_id == team_id,
                                                         AddedStop.venue_id == venue_id))
    if known is not None:
        return known
    stop = AddedStop(day=day, team_id=team_id, venue_id=venue_id, added_by=user.username)
    db.session.add(stop)
    db.session.flush()
    return stop


def _checked_hazard(hazard: FoundHazard, rules: Rules, *, file: str) -> FoundHazard:
    """The hazard with its severity filled in from its type; an unknown type or severity is an InputError."""
    if hazard.type not in rules.hazard_types:
        raise InputError(_("hazard_type %(type)r: is not a hazard type of the rules", type=hazard.type), file=file,
                         field="hazard_type")
    severity = hazard.severity or rules.hazard_types[hazard.type].severity
    if severity not in SEVERITIES:
        msg = _("severity %(severity)r: should be one of %(choices)s", severity=severity, choices=", ".join(SEVERITIES))
        raise InputError(msg, file=file, field="severity")
    return FoundHazard(hazard.type, severity, hazard.description, hazard.photo)


def _new_hazard(user: User, venue_id: str, hazard: FoundHazard, *, on: dt.date, rules: Rules) -> Hazard:
    return record_hazard(venue_id=venue_id, type=hazard.type, severity=hazard.severity, description=hazard.description,
                         user=user.username, found_on=on, photo=hazard.photo,
                         deadline=on + dt.timedelta(days=rules.hazard_types[hazard.type].deadline_days))


def _rechecked(result: StopResult, *, file: str) -> list[Hazard]:
    """The hazards this stop's re-check found fixed.

    Each is this venue's, awaiting its re-check, and found by the stop's day.
    """
    if result.fixed and result.outcome != "done":
        raise InputError(_("fixed: a re-check needs outcome done, not %(outcome)s", outcome=result.outcome),
                         file=file, field="fixed")
    hazards = []
    for hazard_id in dict.fromkeys(result.fixed):
        hazard = db.session.get(Hazard, hazard_id)
        if hazard is None or hazard.venue_id != result.venue_id or hazard.status != "feedback":
            msg = _("fixed %(hazard)r: is not a hazard of this venue awaiting its re-check", hazard=hazard_id)
            raise InputError(msg, file=file, field="fixed")
        if result.day < hazard.found_on:
            msg = _("fixed %(hazard)r: the re-check (%(day)s) is dated before the hazard was found (%(found)s)",
                    hazard=hazard_id, day=result.day, found=hazard.found_on)
            raise InputError(msg, file=file, field="fixed")
        hazards.append(hazard)
    return hazards
