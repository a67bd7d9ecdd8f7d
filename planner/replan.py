"""Re-plan the rest of a day: some stops are done, a team dropped out, the clock says HH:MM.

The stops already done stay as they were. Every other stop of the day's plan (the dropped team's
too) is planned again for the teams still out, each starting where it is now: at its last finished
stop, at the later of that stop's departure and the re-plan time, and ending at its office.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.crs import local_utm
from gis.rules import Rules
from gis.timeparse import parse_hhmm

from . import routing
from .horizon import venue_status
from .matrix import distance_matrix_m, network_metres, travel_matrices_s
from .model import MUST_REASONS, DayPlan, Plan, Problem, Stop, Tour, Unplanned, Vehicle, Visit
from .params import PlanParams
from .plan import Progress, _home_preference, road_matrices


def replan_day(
    stops: pd.DataFrame,
    *,
    done: set[str],
    dropped: set[str],
    unassigned: pd.DataFrame | None = None,
    at_s: int,
    venues: gpd.GeoDataFrame,
    teams: gpd.GeoDataFrame,
    rules: Rules,
    hazards: pd.DataFrame | None = None,
    inspections: pd.DataFrame | None = None,
    grids: gpd.GeoDataFrame | None = None,
    params: PlanParams = PlanParams(),
    progress: Progress | None = None,
    roads=None,
) -> Plan:
    """A one-day :class:`Plan`: the finished stops, fixed, and the rest planned again.

    Parameters
    ----------
    stops
        The day's ``stops.csv`` (one day), with day, team_id, seq, venue_id, reason, arrive, depart.
    done
        Venue ids of the stops already finished.
    dropped
        Team ids that are out for the rest of the day.
    at_s
        The time of the re-plan (seconds after midnight): nothing new starts before it.
    unassigned
        The plan's ``unassigned.csv``: those must visits are tried again (a team may have room now).
    roads
        A :class:`gis.roads.RoadNetwork`: travel along its streets (``params.max_access_m`` applies).
    """
    day = dt.date.fromisoformat(str(stops["day"].iat[0]))
    stops = stops.assign(arrive_s=stops["arrive"].map(parse_hhmm), depart_s=stops["depart"].map(parse_hhmm))
    finished = stops[stops["venue_id"].isin(done)].sort_values(["team_id", "seq"])
    todo = stops[~stops["venue_id"].isin(done)]
    status = venue_status(venues, rules, hazards=hazards, inspections=inspections)
    if unassigned is not None and len(unassigned):
        again = unassigned[~unassigned["venue_id"].isin(stops["venue_id"])]
        todo = pd.concat([todo, pd.DataFrame({"venue_id": again["venue_id"].to_numpy(),
                                              "reason": [_must_reason(status, v, day) for v in again["venue_id"]]})])
    team_ids = list(teams.index)
    ids = list(dict.fromkeys(list(finished["venue_id"]) + list(todo["venue_id"])))
    crs = roads.crs if roads is not None else local_utm(grids if grids is not None and len(grids) else venues)
    xy = np.vstack([
        np.column_stack([teams.geometry.to_crs(crs).x, teams.geometry.to_crs(crs).y]),
        np.column_stack([venues.geometry.loc[ids].to_crs(crs).x,
                         venues.geometry.loc[ids].to_crs(crs).y]) if ids else np.zeros((0, 2)),
    ])
    lonlat = np.vstack([np.column_stack([teams.geometry.x, teams.geometry.y]),
                        np.column_stack([venues.geometry.loc[ids].x,
                                         venues.geometry.loc[ids].y]) if ids else np.zeros((0, 2))])
    node = {vid: len(team_ids) + k for k, vid in enumerate(ids)}
    straight = distance_matrix_m(xy)
    grid_of = venues["grid_id"].reindex(ids).tolist()

    vehicles = []
    for t, tid in enumerate(team_ids):
        if tid in dropped:
            continue
        team = teams.loc[tid]
        mine = finished[finished["team_id"] == tid]
        here, free_s = t, at_s
        if len(mine):
            here, free_s = node[mine["venue_id"].iat[-1]], max(at_s, int(mine["depart_s"].iat[-1]))
        for s, (start_s, end_s) in enumerate(team["shifts"]):
            if end_s <= free_s:
                continue
            begins_here = start_s <= free_s  # the shift under way starts where the team is now
            vehicles.append(Vehicle(str(tid), s, here if begins_here else t, t, max(start_s, free_s), end_s,
                                    team["roles"], team["mode"],
                                    **_home_preference(team, grid_of, len(team_ids), rules.away_from_home_s)))
            here = t
    visits = tuple(
        Visit(venue_id=r.venue_id, node=node[r.venue_id], service_s=int(status.at[r.venue_id, "service_s"]),
              open_s=int(venues.at[r.venue_id, "open_s"]), close_s=int(venues.at[r.venue_id, "close_s"]),
              required_roles=rules.categories[venues.at[r.venue_id, "category"]].required_roles,
              must=r.reason in MUST_REASONS, reason=r.reason, risk=float(status.at[r.venue_id, "risk"]))
        for r in todo.itertuples()
    )
    if roads is not None:
        problem = Problem(tuple(vehicles), visits, lonlat=lonlat, day=day,
                          **road_matrices(roads, xy, rules, starts=len(team_ids), max_access_m=params.max_access_m,
                                          names=team_ids))
    else:
        problem = Problem(tuple(vehicles), visits,
                          travel_matrices_s(straight, detour_factor=rules.detour_factor, speed_m_s=rules.speed_m_s),
                          network_metres(straight, detour_factor=rules.detour_factor), lonlat, day)
    step = None if progress is None else (lambda f, m: progress(f, f"{day}: {m}"))
    result = routing.solve(problem, params.solve, progress=step)
    tours = _merge(result, finished, teams, node, problem)
    unplanned = tuple((day, u) for u in result.unplanned if u.must)
    work = dict.fromkeys(result.work_s, 0)  # the whole day's work: finished stops and the rest
    for tour in tours:
        work[tour.team_id] = work.get(tour.team_id,
                                      0) + tour.travel_s + sum(s.depart_s - s.arrive_s for s in tour.stops)
    merged = DayPlan(day, tuple(tours), tuple(u for _, u in unplanned), result.solve_seconds, result.status,
                     result.objective, work)
    return Plan(day, (merged,), unplanned, (problem,))


def _must_reason(status: pd.DataFrame, venue_id: str, day: dt.date) -> str:
    """Why an unassigned must visit is due: recheck of a hazard, overdue or due."""
    recheck, due = (d if isinstance(d, dt.date) else None for d in (status.at[venue_id, "recheck_on"],
                                                                    status.at[venue_id, "due_on"]))
    if recheck is not None and recheck <= day:  # a column without any date holds NaN, not None
        return "recheck"
    return "overdue" if due is None or due < day else "due"


def _merge(result: DayPlan, finished: pd.DataFrame, teams: gpd.GeoDataFrame, node: dict[str, int],
           problem: Problem) -> list[Tour]:
    """Per team and shift: the finished stops first, then the new ones, as one tour each."""
    new = {(t.team_id, t.shift): t for t in result.tours}
    tours = []
    team_ids = list(teams.index)
    for t, tid in enumerate(team_ids):
        for s, (start_s, end_s) in enumerate(teams.loc[tid, "shifts"]):
            kept = [Stop(tid, s, r.venue_id, int(r.arrive_s), int(r.depart_s), r.reason, float(r.risk))
                    for r in finished[finished["team_id"] == tid].itertuples() if start_s <= r.arrive_s <= end_s]
            later = new.get((tid, s))
            stops = kept + (list(later.stops) if later else [])
            if not stops:
                continue
            nodes = [t] + [node[x.venue_id] for x in stops] + [t]
            legs = list(zip(nodes, nodes[1:]))
            mode = teams.loc[tid, "mode"]
            tours.append(Tour(tid, s, tuple(stops), tuple(nodes), stops[0].arrive_s,
                              later.end_s if later else stops[-1].depart_s,
                              int(sum(problem.dist_m[a, b] for a, b in legs)),
                              int(sum(problem.travel_s[mode][a, b] for a, b in legs))))
    return tours


__all__ = ["replan_day", "Unplanned"]
