"""Re-plan the rest of today from the live state, as `patrol replan` does, and hand the new order to the phones.

The day's plan is the newest finished plan with stops on the day. What is done is what the teams
recorded (phone, form or API); the new plan is stored as a finished one-day plan, so that each
team's day (:func:`ledger.field.day_stops`) is its order from now on, and a ``replan`` event per
team tells the phones and the board.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask

from gis.cells import read_text_csv
from gis.errors import InputError
from gis.i18n import gettext as _
from gis.timeparse import format_hhmm
from ledger.field import add_event, done_venues
from ledger.models import PlanRun, PlanStop, User, db
from ledger.plans import store_stops
from ledger.results import NotAllowed

from .jobs import plan_folder


def replan_rest_of_day(app: Flask, user: User, *, day: dt.date, at_s: int, dropped: set[str]) -> dict:
    """Plan again what is not done of ``day`` from ``at_s`` on; store it as a new plan; tell each team.

    Raises
    ------
    NotAllowed
        Not a coordinator.
    InputError
        No finished plan for the day, or a dropped team that is not in it.
    """
    from planner import PlanParams, SolveParams
    from planner.replan import replan_day

    from .outputs import write_outputs

    if user.role != "coordinator":
        msg = _("role: only a coordinator re-plans the day")
        raise NotAllowed(msg, file="request", field="role")
    run = db.session.scalar(db.select(PlanRun).join(PlanStop, PlanStop.plan_id == PlanRun.id)
                            .where(PlanRun.status == "done", PlanStop.day == day).order_by(PlanRun.id.desc()).limit(1))
    folder = None if run is None else plan_folder(app, run.id)
    if folder is None or not (folder / "stops.csv").is_file():
        msg = _("day %(day)s: has no finished plan to re-plan", day=day)
        raise InputError(msg, file="request", field="day")
    stops = read_text_csv(folder / "stops.csv", dtype={"venue_id": str, "team_id": str, "day": str})
    stops = stops[stops["day"] == day.isoformat()].reset_index(drop=True)
    team_ids = sorted(set(stops["team_id"]))
    unknown = sorted(dropped - set(team_ids))
    if unknown:
        msg = _("drop %(team)r: is not a team of the day's plan", team=unknown[0])
        raise InputError(msg, file="request", field="drop")
    done = {vid for tid in team_ids for vid, _ in done_venues(day, tid).items()} & set(stops["venue_id"])
    unassigned = read_text_csv(folder / "unassigned.csv", dtype={"venue_id": str}) if run.days == 1 else None
    layers = app.extensions["patrol"].layers(day)
    teams = layers.teams[layers.teams.index.isin(team_ids)]
    params = PlanParams(solve=SolveParams(time_limit_s=float(app.config["REPLAN_TIME_LIMIT_S"])))
    plan = replan_day(stops, done=done, dropped=dropped, at_s=at_s, unassigned=unassigned, venues=layers.venues,
                      teams=teams, rules=layers.rules, hazards=layers.hazards, inspections=layers.inspections,
                      grids=layers.grids, params=params)
    new = PlanRun(created_by=user.username, start=day, days=1, teams=";".join(team_ids),
                  time_limit_s=params.solve.time_limit_s,
                  status="running", message=_("re-plan of plan %(id)s at %(at)s", id=run.id, at=format_hhmm(at_s)))
    db.session.add(new)
    db.session.flush()
    out = plan_folder(app, new.id)
    new.summary = write_outputs(plan, layers, out, lang="zh", pdf=False, base_url=app.config.get("PUBLIC_URL") or None)
    rows = store_stops(new.id, out / "stops.csv")
    new.out_dir, new.status, new.progress = str(out), "done", 1.0
    order = {tid: list(rows.loc[rows["team_id"] == tid].sort_values("seq")["venue_id"]) for tid in team_ids}
    for tid in team_ids:
        add_event(day, "replan", {"plan_id": new.id, "from_plan": run.id, "at": format_hhmm(at_s), "order": order[tid],
                                  "dropped": tid in dropped}, team_id=tid)
    db.session.flush()
    return {"plan_id": new.id, "from_plan": run.id, "day": day.isoformat(), "at": format_hhmm(at_s),
            "done": sorted(done), "dropped": sorted(dropped), "order": order, "summary": new.summary}
