"""The numbers of the command-centre screen (数据大屏, /screen): today's patrols, open hazards, cards, closure rate.

Each number means what it means on the other pages: stops are those of :func:`ledger.kpi.stops_of_day`, cards
those of :func:`ledger.warnings.escalation`, the closure rate the meeting review's
(:func:`ledger.review.closure_rate`: of all hazards found up to today, the share closed by today), the ranking the
month's ranking by grid (:func:`ledger.kpi.ranking`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd

from gis.rules import Rules

from .kpi import ranking, stops_of_day
from .models import HAZARD_STEPS, Hazard, Inspection, Team, db
from .review import CLOSURE_GOAL, closure_rate
from .warnings import escalation

#: How many of the ranking's best and last grids the screen shows.
TOP, BOTTOM = 5, 2


def screen_numbers(rules: Rules, today: dt.date) -> dict[str, object]:
    """Everything /screen shows, as plain data."""
    planned = stops_of_day(today)
    visits = {tuple(r) for r in db.session.execute(db.select(Inspection.team_id, Inspection.venue_id)
                                                 .where(Inspection.date == today, Inspection.team_id != ""))}
    names = dict(db.session.execute(db.select(Team.team_id, Team.name)).all())
    teams = []
    for team_id in sorted({t for t, _ in planned} | {t for t, _ in visits}):
        mine = {v for t, v in planned if t == team_id}
        teams.append({"team_id": team_id, "name": names.get(team_id, ""), "planned": len(mine),
                      "done": len(mine & {v for t, v in visits if t == team_id}),
                      "visits": len({v for t, v in visits if t == team_id})})
    hazards = db.session.scalars(db.select(Hazard)).all()
    stages = Counter(h.status for h in hazards if h.status != "closed")
    cards = Counter(card.colour for h in hazards if (card := escalation(h, rules.notify, today)) is not None)
    overdue = sum(1 for h in hazards if h.status != "closed" and h.deadline is not None and h.deadline < today)
    frame = pd.DataFrame([{"found_on": h.found_on, "closed_on": h.closed_on, "all": ""} for h in hazards],
                         columns=["found_on", "closed_on", "all"])
    rate = closure_rate(frame, today, "all").get("", None) if len(frame) else None
    rows = [r for r in ranking("month", "grid", today, rules)["rows"] if r["rank"] is not None]
    return {
        "today": today, "teams": teams, "teams_out": len(teams),
        "stops_planned": sum(t["planned"] for t in teams), "stops_done": sum(t["done"] for t in teams),
        "stages": {s: stages.get(s, 0) for s in HAZARD_STEPS if s != "closed"}, "open": sum(stages.values()),
        "overdue": overdue, "yellow": cards.get("yellow", 0), "red": cards.get("red", 0),
        "closure_rate": None if rate is None else float(rate), "goal": CLOSURE_GOAL,
        "top": rows[:TOP], "bottom": rows[TOP:][-BOTTOM:],
    }
