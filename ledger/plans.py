"""Asking for a plan: the plan form's rules, and the stored row that the web's worker processes then fill."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from gis.cells import read_text_csv
from gis.errors import InputError
from gis.i18n import gettext as _

from .models import PlanRun, PlanStop, Team, User, db
from .results import NotAllowed

MAX_DAYS = 14
TIME_LIMIT_S = (1, 600)


def new_plan(user: User, *, start: str, days: str, time_limit_s: str, teams: Iterable[str],
             file: str = "plan form") -> PlanRun:
    """A queued plan of ``days`` days from ``start`` for the chosen teams in use.

    Unknown teams are left out; the caller commits.

    Raises
    ------
    NotAllowed
        When ``user`` is not a coordinator.
    InputError
        When the date, the number of days or the time limit is not valid.
    """
    if user.role != "coordinator":
        raise NotAllowed(_("only coordinators plan"), file=file)
    try:
        first, n_days, limit = dt.date.fromisoformat(start), int(days), float(time_limit_s)
    except ValueError as err:
        msg = _("date, days or time limit is not valid: %(error)s", error=err)
        raise InputError(msg, file=file, field="date") from err
    if not 1 <= n_days <= MAX_DAYS or not TIME_LIMIT_S[0] <= limit <= TIME_LIMIT_S[1]:
        msg = _("days should be 1-%(days)d and the time limit %(low)d-%(high)d seconds", days=MAX_DAYS,
                low=TIME_LIMIT_S[0], high=TIME_LIMIT_S[1])
        raise InputError(msg, file=file, field="days")
    in_use = set(db.session.scalars(db.select(Team.team_id).where(Team.retired.is_(False))))
    run = PlanRun(created_by=user.username, start=first, days=n_days, teams=";".join(sorted(set(teams) & in_use)),
                  time_limit_s=limit)
    db.session.add(run)
    return run


def store_stops(plan_id: int, stops_csv: Path) -> pd.DataFrame:
    """Add a finished plan's stops (its ``stops.csv``) as :class:`~ledger.models.PlanStop` rows; the caller commits.

    Returns
    -------
    pd.DataFrame
        The stops as read, ids as text (as given).
    """
    stops = read_text_csv(stops_csv, dtype={"venue_id": str, "team_id": str})
    db.session.add_all(PlanStop(plan_id=plan_id, day=pd.Timestamp(r.day).date(), team_id=r.team_id, seq=int(r.seq),
                                venue_id=r.venue_id, reason=r.reason, arrive=r.arrive, depart=r.depart)
                       for r in stops.itertuples())
    return stops
