"""Plan a horizon of days from the layers: due work per day, one routing problem per day.

Must visits that a day cannot take (capacity) are carried to the next day; what is left at
the end, or cannot be served at all (roles, hours, distance), is reported as unassigned.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from typing import Callable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from gis.crs import local_utm
from gis.errors import DataWarning
from gis.i18n import gettext as _
from gis.rules import Rules

from . import routing
from .horizon import Assignment, assign_days, optional_candidates, venue_status
from .matrix import distance_matrix_m, network_metres, start_legs_m, travel_matrices_s
from .model import Plan, Problem, Vehicle, Visit
from .params import PlanParams

Progress = Callable[[float, str], None]


def _home_preference(team: pd.Series, grid_of: Sequence[str] | pd.Series, n_depots: int, away_cost_s: int,
                     familiar: frozenset[str] = frozenset()) -> dict:
    """Vehicle fields that keep a team to its home grids and familiar grids.

    None when it has no home grids; ``familiar`` grids are those it already visited in the horizon, preferred before any
    other. ``grid_of`` is each visit's grid id, in visit order (a Series made once serves every team).
    """
    home = set(team.get("home_grids") or ())
    if not home or away_cost_s <= 0:
        return {}
    grids = grid_of if isinstance(grid_of, pd.Series) else pd.Series(grid_of, dtype=object)
    at_home = grids.isin(home).to_numpy()  # hashed look-ups; a venue outside every grid has none (NaN)
    known = grids.isin(familiar - home).to_numpy()
    return {"home_nodes": frozenset((n_depots + np.flatnonzero(at_home)).tolist()), "away_cost_s": away_cost_s,
            "familiar_nodes": frozenset((n_depots + np.flatnonzero(known)).tolist())}


def _home_teams(teams: gpd.GeoDataFrame) -> dict[str, frozenset[str]]:
    """Each grid's home teams: those whose ``home_grids`` hold it."""
    out: dict[str, set[str]] = {}
    for tid, grids in zip(teams.index, teams["home_grids"] if "home_grids" in teams else [()] * len(teams)):
        for g in grids or ():
            out.setdefault(g, set()).add(str(tid))
    return {g: frozenset(t) for g, t in out.items()}


def build_problem(
    day: dt.date,
    visits: list[tuple[str, str, bool]],
    *,
    venues: gpd.GeoDataFrame,
    teams: gpd.GeoDataFrame,
    status: pd.DataFrame,
    rules: Rules,
    crs,
    roads=None,
    max_access_m: float = PlanParams.max_access_m,
    familiar: dict[str, frozenset[str]] | None = None,
    screen_only: bool = False,
) -> Problem:
    """One day's :class:`Problem`: a depot per team, a vehicle per team and shift, the day's visits.

    ``visits`` are (venue_id, reason, must) triples. With ``roads`` (a :class:`gis.roads.RoadNetwork`)
    travel follows the streets; venues and starts farther than ``max_access_m`` from them are unreachable.
    ``familiar`` (grids by team id) are the grids outside its home that a team visited on earlier days.
    ``screen_only`` makes a problem for :func:`~planner.routing.screen_visits` alone, never for a solve: it
    reads only the legs from and back to the starts (the straight-line travel between two visits is left 0),
    and no team's home grids (who can reach a venue does not depend on whose grid it is).
    """
    depot_xy = np.column_stack(_xy(teams.geometry, crs))
    ids = [v for v, _, _ in visits]
    venue_xy = np.column_stack(_xy(venues.geometry.loc[ids], crs)) if ids else np.zeros((0, 2))
    xy = np.vstack([depot_xy, venue_xy])
    straight = start_legs_m(xy, len(depot_xy)) if screen_only and roads is None else distance_matrix_m(xy)
    lonlat = np.vstack([
        np.column_stack([teams.geometry.x, teams.geometry.y]),
        np.column_stack([venues.geometry.loc[ids].x, venues.geometry.loc[ids].y]) if ids else np.zeros((0, 2)),
    ])
    n_depots = len(teams)
    grid_of = venues["grid_id"].reindex(ids).astype(object).reset_index(drop=True)
    vehicles = []
    for t, (tid, team) in enumerate(teams.iterrows()):
        home = {} if screen_only else _home_preference(team, grid_of, n_depots, rules.away_from_home_s,
                                                       (familiar or {}).get(str(tid), frozenset()))  # once a team
        vehicles += [Vehicle(str(tid), s, t, t, start_s, end_s, team["roles"], team["mode"], **home)
                     for s, (start_s, end_s) in enumerate(team["shifts"])]
    vehicles = tuple(vehicles)
    home_teams = _home_teams(teams)
    # columns, not a row lookup per visit: a district's screening builds 20,000 visits
    of_venue = venues.loc[ids, ["category", "open_s", "close_s"]] if ids else venues.iloc[:0]
    of_status = status.loc[ids, ["service_s", "risk"]] if ids else status.iloc[:0]
    plan_visits = [
        Visit(venue_id=vid, node=n_depots + j, service_s=int(service_s), open_s=int(open_s), close_s=int(close_s),
              required_roles=rules.categories[category].required_roles, must=must, reason=reason,
              risk=float(risk), grid_id=str(grid), home_teams=home_teams.get(grid, frozenset()))
        for j, ((vid, reason, must), category, open_s, close_s, service_s, risk, grid) in enumerate(zip(
            visits, of_venue["category"], of_venue["open_s"], of_venue["close_s"], of_status["service_s"],
            of_status["risk"], grid_of))
    ]
    if roads is not None:
        return Problem(vehicles=vehicles, visits=tuple(plan_visits), lonlat=lonlat, day=day,
                       **road_matrices(roads, xy, rules, starts=n_depots, max_access_m=max_access_m,
                                       names=[str(t) for t in teams.index]))
    return Problem(
        vehicles=vehicles,
        visits=tuple(plan_visits),
        travel_s=travel_matrices_s(straight, detour_factor=rules.detour_factor, speed_m_s=rules.speed_m_s),
        dist_m=network_metres(straight, detour_factor=rules.detour_factor),
        lonlat=lonlat,
        day=day,
    )


UNREACHABLE = 10**8  # metres or seconds standing for "no road connects these"


def road_matrices(roads, xy_m: np.ndarray, rules: Rules, *, starts: int, max_access_m: float,
                  names: list[str] | None = None) -> dict[str, object]:
    """Problem fields for travel along real roads.

    Metres by shortest path with the access legs (straight × detour) at both ends, seconds per mode; the network split
    at each node's foot.

    The first ``starts`` points are the teams' starts (``names`` their team ids, for the warning
    about a start too far from every street).
    """
    joined = roads.connect(xy_m, starts=starts, max_access_m=max_access_m, detour_factor=rules.detour_factor)
    for k in np.flatnonzero(~np.isfinite(joined.access_m[:starts])):
        name = names[k] if names else str(k)
        warnings.warn(f"team {name}: its start is more than {max_access_m:.0f} m from every street of the roads "
                      f"(--max-access-m): it can reach no venue", DataWarning, stacklevel=2)
    metres = joined.metres
    finite = np.isfinite(metres)
    dist = np.where(finite, np.rint(np.where(finite, metres, 0)), UNREACHABLE).astype(np.int64)
    travel = {mode: np.where(finite, np.ceil(np.where(finite, metres, 0) / speed), UNREACHABLE).astype(np.int64)
              for mode, speed in rules.speed_m_s.items()}
    return {"travel_s": travel, "dist_m": dist, "network": joined.network, "road_nodes": joined.node,
            "access_m": joined.access_m}


def _xy(geoms: gpd.GeoSeries, crs) -> tuple[np.ndarray, np.ndarray]:
    projected = geoms.to_crs(crs)
    return projected.x.to_numpy(), projected.y.to_numpy()


def day_capacity_s(teams: gpd.GeoDataFrame, *, utilisation: float) -> float:
    """Seconds of shift time all teams have in a day, times the share given to must work."""
    return utilisation * sum(end - start for shifts in teams["shifts"] for start, end in shifts)


def area_and_status(venues: gpd.GeoDataFrame, rules: Rules, *, grids: gpd.GeoDataFrame | None = None,
                    hazards: pd.DataFrame | None = None,
                    inspections: pd.DataFrame | None = None) -> tuple[pyproj.CRS, pd.DataFrame]:
    """The area's metric CRS (:func:`gis.crs.local_utm` of the grids, else the venues) and each venue's status."""
    crs = local_utm(grids if grids is not None and len(grids) else venues)
    return crs, venue_status(venues, rules, hazards=hazards, inspections=inspections)


def optional_pool(status: pd.DataFrame, must: Sequence[str], teams: gpd.GeoDataFrame, *, params: PlanParams) -> int:
    """How many optional candidates a day is offered: about twice what its spare shift time holds, at most the pool.

    Spare time is the teams' whole shift time less the must visits' service and estimated travel
    (``params.est_travel_s`` each). A day whose must work fills the shifts gets none: an optional visit
    can then only take a must visit's place, which the objective never pays for, and the candidates
    only slow the search. On the 42 parts of a generated district of 20,000 venues (twice the must
    work the teams can do), leaving them out planned more must visits in the same solver time
    (benchmarks/results/scale-2026-12-04.md).
    """
    if params.optional_pool <= 0 or not len(teams):
        return 0
    shift_s = day_capacity_s(teams, utilisation=1.0)
    spare_s = shift_s - float(status["service_s"].reindex(list(must)).sum()) - params.est_travel_s * len(must)
    per_visit_s = float(status["service_s"].median()) + params.est_travel_s
    return 0 if spare_s <= 0 else min(params.optional_pool, math.ceil(2 * spare_s / per_visit_s))


def must_per_day(status: pd.DataFrame, teams_of: Sequence[gpd.GeoDataFrame], *, start: dt.date,
                 params: PlanParams) -> list[list[Assignment]]:
    """The must visits of each day of the horizon, given the time each day's teams (``teams_of``) have."""
    capacity = [day_capacity_s(t, utilisation=params.utilisation) for t in teams_of]
    return assign_days(status, start=start, days=params.days, capacity_s=capacity, est_travel_s=params.est_travel_s)


def plan_days(
    *,
    venues: gpd.GeoDataFrame,
    teams: gpd.GeoDataFrame,
    rules: Rules,
    start: dt.date,
    params: PlanParams = PlanParams(),
    hazards: pd.DataFrame | None = None,
    inspections: pd.DataFrame | None = None,
    grids: gpd.GeoDataFrame | None = None,
    progress: Progress | None = None,
    roads=None,
    day_teams: Sequence[gpd.GeoDataFrame] | None = None,
    must_days: Sequence[Sequence[Assignment]] | None = None,
) -> Plan:
    """Plan ``params.days`` days of joint patrols from ``start``.

    ``day_teams`` (one frame per day, as :func:`planner.roster.form_teams` makes them from a roster)
    plans each day with its own teams instead of ``teams`` every day; a must visit that no team of a
    day can take is then carried to the next day, whatever the reason, as the next day's teams differ.
    ``must_days`` are the must visits of each day when they were spread already (:func:`must_per_day`: the roster
    forms each day's teams for its visits, which must then be the visits the day plans); else they are spread here.

    Returns
    -------
    Plan with one :class:`DayPlan` per day and the must visits that stayed unplanned.
    """
    crs, status = area_and_status(venues, rules, grids=grids, hazards=hazards, inspections=inspections)
    teams_of = [teams] * params.days if day_teams is None else list(day_teams)
    per_day = must_per_day(status, teams_of, start=start, params=params) if must_days is None else must_days
    must_ids = {a.venue_id for day in per_day for a in day}
    day_plans, problems, unassigned = [], [], []
    carried: list[tuple[str, str]] = []
    reported: set[str] = set()
    visited: set[str] = set()
    familiar: dict[str, set[str]] = {}  # grids each team visited on earlier days
    for d in range(params.days):
        day = start + dt.timedelta(days=d)
        todays = {a.venue_id: a.reason for a in per_day[d]}
        for vid, _reason in carried:
            todays.setdefault(vid, "overdue")
        must = [(vid, reason, True) for vid, reason in todays.items()]
        optional = optional_candidates(
            status, day=day, exclude=must_ids | visited | set(todays),
            pool=optional_pool(status, list(todays), teams_of[d], params=params),
            high_risk_threshold=rules.high_risk_threshold,
        )
        problem = build_problem(day, must + [(v, r, False) for v, r in optional],
                                venues=venues, teams=teams_of[d], status=status, rules=rules,
                                crs=roads.crs if roads is not None else crs,
                                roads=roads, max_access_m=params.max_access_m,
                                familiar={t: frozenset(g) for t, g in familiar.items()}
                                if params.consistent_teams else None)
        step = None
        if progress is not None:
            def step(frac: float, msg: str, d: int = d) -> None:
                progress((d + frac) / params.days, f"{day.isoformat()}: {msg}")
            step(0.0,
                 _("%(must)d must visits, %(optional)d optional candidates", must=len(must), optional=len(optional)))
        result = routing.solve(problem, params.solve, progress=step)
        day_plans.append(result)
        problems.append(problem)
        visited |= {s.venue_id for s in result.stops}
        for s in result.stops:
            familiar.setdefault(s.team_id, set()).add(s.grid_id)
        carried = []
        for u in result.unplanned:
            if not u.must or u.venue_id in reported:
                continue
            if (u.reason == "capacity" or day_teams is not None) and d + 1 < params.days:
                carried.append((u.venue_id, "overdue"))
            else:
                unassigned.append((day, u))
                reported.add(u.venue_id)
    return Plan(start, tuple(day_plans), tuple(unassigned), tuple(problems))


def unreachable_venues(*, venues: gpd.GeoDataFrame, teams: gpd.GeoDataFrame, rules: Rules, day: dt.date,
                       grids: gpd.GeoDataFrame | None = None) -> pd.Series:
    """Venues no team can serve in any shift, with the reason.

    The reason is no_team_with_roles, closed_at_shift_times or unreachable: the same screening the planner applies
    before a solve.
    """
    crs, status = area_and_status(venues, rules, grids=grids)
    reasons: dict[str, str] = {}
    # Each venue is screened against the teams' starts alone: a chunk's matrix is all it needs, not a district's
    # venues × venues (20,000 venues: 3 GB and minutes).
    for start in range(0, len(venues), _SCREEN_CHUNK):
        chunk = venues.index[start:start + _SCREEN_CHUNK]
        problem = build_problem(day, [(v, "due", True) for v in chunk], venues=venues, teams=teams,
                                status=status, rules=rules, crs=crs, screen_only=True)
        reasons |= {u.venue_id: u.reason for u in routing.screen_visits(problem)[1]}
    return pd.Series(reasons, dtype=object, name="unreachable_reason")


_SCREEN_CHUNK = 1000
