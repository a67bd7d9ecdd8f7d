"""The files `patrol plan` writes and what is in them: the output contract (docs/contract.md) in one place.

File names, the columns of the tables, the properties of the route lines and the numbers of
``summary.json``. What a reader may rely on is the contract's part; the extra columns and keys
listed here are the project's own additions beyond it (outside scripts may ignore them).
"""

from __future__ import annotations

from .model import Plan

STOPS_FILE = "stops.csv"
ROUTES_FILE = "routes.geojson"
UNASSIGNED_FILE = "unassigned.csv"
SUMMARY_FILE = "summary.json"
MAP_FILE = "map.html"
SHEETS_FILE = "sheets.html"
SHEETS_PDF_FILE = "sheets.pdf"

STOP_COLUMNS = ["day", "team_id", "seq", "venue_id", "name", "category", "reason",
                "arrive", "depart", "lon", "lat", "risk"]
UNASSIGNED_COLUMNS = ["venue_id", "reason"]
ROUTE_PROPERTIES = ["day", "team_id", "km", "minutes"]
SUMMARY_KEYS = ["days", "teams", "visits", "must_visits", "must_visits_planned", "risk_covered",
                "travel_km", "solve_seconds", "solver_status"]
# beyond the contract: balanced days and consistent teams
SUMMARY_EXTRA_KEYS = ["team_minutes", "spread_minutes", "max_spread_minutes",
                      "home_team_share", "teams_per_grid", "max_teams_per_grid"]


def summary(plan: Plan, *, teams: int) -> dict[str, object]:
    """The numbers of ``summary.json`` (see DESIGN.md)."""
    stops = [s for dp in plan.days for s in dp.stops]
    must_planned = [s for s in stops if s.reason in ("overdue", "due", "recheck")]
    statuses = {dp.status for dp in plan.days}
    worst = next((s for s in ("no_solution_in_time", "no_solution", "infeasible", "invalid",
                              "not_solved") if s in statuses), None)
    status = worst or ("optimal" if statuses == {"optimal"} else "feasible")
    must_total = len(must_planned) + len(plan.unassigned)
    risk_planned = sum(s.risk for s in must_planned)
    risk_total = risk_planned + sum(u.risk for _, u in plan.unassigned)
    return {
        "days": len(plan.days),
        "teams": teams,
        "visits": len(stops),
        "must_visits": must_total,
        "must_visits_planned": len(must_planned),
        "risk_covered": round(risk_planned / risk_total, 4) if risk_total else 1.0,
        "travel_km": round(sum(t.dist_m for dp in plan.days for t in dp.tours) / 1000, 3),
        "solve_seconds": round(sum(dp.solve_seconds for dp in plan.days), 2),
        "solver_status": status,
        **_balance_numbers(plan),
        **_consistency_numbers(plan),
    }


def _consistency_numbers(plan: Plan) -> dict[str, object]:
    """Extra keys of ``summary.json``: how grids keep to their teams.

    The share of visits (to grids that have a home team) made by the grid's home team, and how many teams visited each
    grid over the horizon (mean and most).
    """
    stops = [s for dp in plan.days for s in dp.stops]
    homed = [s for s in stops if s.home_teams]
    teams_of: dict[str, set[str]] = {}
    for s in stops:
        if s.grid_id:  # stops kept from an earlier plan (replan) carry no grid
            teams_of.setdefault(s.grid_id, set()).add(s.team_id)
    counts = [len(t) for t in teams_of.values()]
    return {
        "home_team_share": round(sum(s.team_id in s.home_teams for s in homed) / len(homed), 4) if homed else 1.0,
        "teams_per_grid": round(sum(counts) / len(counts), 2) if counts else 0.0,
        "max_teams_per_grid": max(counts, default=0),
    }


def _balance_numbers(plan: Plan) -> dict[str, object]:
    """Extra keys of ``summary.json``: the teams' work.

    Each team's working minutes (travel + service) per day, and per day the spread between the busiest and the least
    busy of the teams that could serve a visit.
    """
    minutes = {dp.day.isoformat(): {t: round(s / 60, 1) for t, s in sorted(dp.work_s.items())}
               for dp in plan.days if dp.day is not None}
    spread = {day: round(max(m.values()) - min(m.values()), 1) if m else 0.0 for day, m in minutes.items()}
    return {"team_minutes": minutes, "spread_minutes": spread,
            "max_spread_minutes": max(spread.values(), default=0.0)}
