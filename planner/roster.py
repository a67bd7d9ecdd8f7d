"""Teams from people: each day's joint teams (四方联动) formed from a roster, then planned in one step.

A day's teams are formed from the people who work that day:

1. every grid worker leads a team of their own, with their own grids as its home grids (a grid
   worker "knows the people, the place and the situation" of those grids and nobody else's);
   without grid workers, safety officers lead, then property staff;
2. the scarce roles are placed where their checks are due, safety officers first, then property
   staff: greedily, each to the team where it makes the most of the day's work possible nearby
   (a capacitated facility location over the day's visits that need the role, in travel seconds at the
   team's pace, so a team on e-bikes reaches farther: a visit weighs its service and travel seconds,
   optional visits a quarter of that, and a team takes no more than its shift time). Safety officers
   left over once every team has one lead teams of their own;
3. volunteers join the smallest teams, nearest first.

A team works the hours all its members work (the intersection of their shifts), at the pace of the
slowest (on foot when anyone walks). Its id is its leader's person id, so a grid worker's team keeps
its id over the days of a plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.i18n import gettext as _
from gis.io import TEAM_FIELDS
from gis.rules import DEFAULT_SPEEDS, ROLE_LABELS_ZH, ROLES, Rules
from gis.timeparse import format_hhmm
from gis.workdays import works_on

from .horizon import optional_candidates
from .model import Plan
from .params import PlanParams
from .plan import area_and_status, must_per_day, plan_days

Progress = Callable[[float, str], None]
TEAM_COLUMNS = [*TEAM_FIELDS, "people"]  # the teams reader's columns, and the person ids
OPTIONAL_WEIGHT = 0.25  # an optional visit draws a scarce role a quarter as much as a must visit
# what a visit no team can take costs in the placement: two hours' travel (the demo street on foot)
UNSERVED_S = 7_200.0
_LEAD_ORDER = ("grid_worker", "safety_officer", "property", "volunteer")
_PLACED_ROLES = ("safety_officer", "property")  # scarcest first
_MIN_SHIFT_S = 15 * 60  # a piece of shared time shorter than this is no shift


@dataclass(frozen=True)
class Need:
    """A visit of the day that a team formation should make possible."""

    venue_id: str
    grid_id: str
    x: float
    y: float
    roles: frozenset[str]
    weight_s: float


@dataclass
class _Team:
    lead: str
    members: list[str]
    roles: set[str]
    shifts: tuple[tuple[int, int], ...]
    x: float
    y: float
    home: frozenset[str]
    load_s: float = 0.0

    @property
    def span_s(self) -> int:
        return sum(b - a for a, b in self.shifts)


def available_people(people: gpd.GeoDataFrame, day: dt.date) -> gpd.GeoDataFrame:
    """The people of the roster who work on ``day``."""
    keep = [works_on(day, days=d, off=o) for d, o in zip(people["days"], people["off"])]
    return people[np.asarray(keep, dtype=bool)]


def form_teams(
    people: gpd.GeoDataFrame,
    *,
    day: dt.date,
    needs: Sequence[Need] = (),
    crs,
    away_s: float = 0.0,
    speeds: Mapping[str, float] = DEFAULT_SPEEDS,
    utilisation: float = PlanParams.utilisation,
) -> gpd.GeoDataFrame:
    """The joint teams of ``day`` from the people who work that day (see the module's docstring).

    Parameters
    ----------
    people
        From :func:`gis.io.read_people`.
    day
        The day; people who do not work on it stay out.
    needs
        The day's visits, in the metric ``crs``; where the scarce roles go.
    crs
        A projected CRS for distances (the plan's local UTM zone).
    away_s
        Seconds a visit outside a team's home grids counts extra (``rules.away_from_home_s``).
    speeds
        Metres per second of each mode (``rules.speed_m_s``): a team that rides reaches farther work.
    utilisation
        Share of a team's shift time the placement fills with work.

    Returns
    -------
    GeoDataFrame indexed by ``team_id`` with the columns of :func:`gis.io.read_teams` (name, roles,
    shifts, mode, home_grids, members, start_name, geometry) and ``people`` (the person ids of the team).
    """
    here = available_people(people, day)
    here = here[np.asarray([len(s) > 0 for s in here["shifts"]], dtype=bool)]
    xy = _metres(here.geometry, crs)
    leads = _leads(here)
    teams = [_Team(pid, [pid], {here.at[pid, "role"]}, here.at[pid, "shifts"], *xy[pid],
                   frozenset(here.at[pid, "home_grids"])) for pid in leads]
    helpers = [pid for pid in here.index if pid not in set(leads)]
    for role in _PLACED_ROLES:
        later = {r for r in _PLACED_ROLES[_PLACED_ROLES.index(role) + 1:]
                 if any(here.at[h, "role"] == r for h in helpers)}
        pool = [h for h in helpers if here.at[h, "role"] == role]
        _place(role, pool, teams, needs, here, xy, later=later, cost=_Cost(away_s, speeds), utilisation=utilisation)
        for pid in pool:  # nobody's work needs them more: an extra hand, or a team of their own
            alone = role == "safety_officer" and all(role in t.roles for t in teams) and pid in xy
            if alone:
                teams.append(_Team(pid, [pid], {role}, here.at[pid, "shifts"], *xy[pid],
                                   frozenset(here.at[pid, "home_grids"])))
            else:
                _join_smallest(pid, teams, here, xy)
    for pid in (h for h in helpers if here.at[h, "role"] not in _PLACED_ROLES):
        _join_smallest(pid, teams, here, xy)
    return _frame(teams, here)


def _leads(here: gpd.GeoDataFrame) -> list[str]:
    """Who leads a team: every grid worker with a start; else the first role in _LEAD_ORDER anybody has."""
    startable = here[here.geometry.notna()]
    for role in _LEAD_ORDER:
        found = list(startable.index[startable["role"] == role])
        if found:
            return found
    return []


def _metres(points: gpd.GeoSeries, crs) -> dict[str, tuple[float, float]]:
    known = points[points.notna()]
    if known.empty:
        return {}
    projected = known.to_crs(crs)
    return {pid: (float(p.x), float(p.y)) for pid, p in projected.items()}


@dataclass(frozen=True)
class _Cost:
    """What reaching a visit costs a team in the placement: travel seconds at its pace, plus the away cost."""

    away_s: float
    speeds: Mapping[str, float]

    def of(self, team: _Team, need: Need, mode: str) -> float:
        metres = float(np.hypot(team.x - need.x, team.y - need.y))
        return metres / self.speeds[mode] + (0.0 if need.grid_id in team.home else self.away_s)


def _place(role: str, pool: list[str], teams: list[_Team], needs: Sequence[Need], here: gpd.GeoDataFrame,
           xy: dict[str, tuple[float, float]], *, later: set[str], cost: _Cost, utilisation: float) -> None:
    """Put people of ``role`` (taken out of ``pool``) on the teams where most work needing it is near."""
    wanting = [k for k, n in enumerate(needs) if role in n.roles]
    if not wanting or not teams:
        return
    owner: dict[int, int] = {}  # need → team that takes it now
    now = {k: UNSERVED_S for k in wanting}  # each need's cost from the team that takes it now
    for t, team in enumerate(teams):
        if role in team.roles:
            _take(t, teams, needs, wanting, owner, now, role, set(), cost, _mode(team.members, here), utilisation)
    while pool:
        best = None
        gains: dict[tuple[int, str], float] = {}
        for t, team in enumerate(teams):
            if role in team.roles:
                continue
            for pid in pool:
                share = _overlap_s(team.shifts, here.at[pid, "shifts"]) / max(team.span_s, 1)
                if share <= 0:
                    continue
                mode = _mode([*team.members, pid], here)
                if (t, mode) not in gains:
                    gains[t, mode] = _gain(team, needs, wanting, now, role, later, cost, mode, utilisation)
                near = _dist(xy.get(pid), (team.x, team.y))
                score = (gains[t, mode] * share, -near, -t)
                if gains[t, mode] > 0 and (best is None or score > best[0]):
                    best = (score, t, pid)
        if best is None:
            return
        _, t, pid = best
        pool.remove(pid)
        _add(teams[t], pid, here)
        _take(t, teams, needs, wanting, owner, now, role, later, cost, _mode(teams[t].members, here), utilisation)


def _improvements(team: _Team, needs: Sequence[Need], wanting: list[int], now: dict[int, float], role: str,
                  later: set[str], cost: _Cost, mode: str, utilisation: float) -> list[tuple[int, float]]:
    """The needs the team would take with ``role`` on it: (need, seconds saved), most saved first, within its time."""
    can = team.roles | {role} | later
    saved = [(k, now[k] - cost.of(team, needs[k], mode)) for k in wanting if needs[k].roles <= can]
    saved = sorted((s for s in saved if s[1] > 0), key=lambda s: (-s[1], s[0]))
    room = utilisation * team.span_s - team.load_s
    taken = []
    for k, metres in saved:
        if room <= 0:
            break
        taken.append((k, metres))
        room -= needs[k].weight_s
    return taken


def _gain(team: _Team, needs: Sequence[Need], wanting: list[int], now: dict[int, float], role: str,
          later: set[str], cost: _Cost, mode: str, utilisation: float) -> float:
    return sum(needs[k].weight_s * saved for k, saved in
               _improvements(team, needs, wanting, now, role, later, cost, mode, utilisation))


def _take(t: int, teams: list[_Team], needs: Sequence[Need], wanting: list[int], owner: dict[int, int],
          now: dict[int, float], role: str, later: set[str], cost: _Cost, mode: str, utilisation: float) -> None:
    team = teams[t]
    for k, saved in _improvements(team, needs, wanting, now, role, later, cost, mode, utilisation):
        if k in owner:
            teams[owner[k]].load_s -= needs[k].weight_s
        owner[k] = t
        now[k] -= saved
        team.load_s += needs[k].weight_s


def _join_smallest(pid: str, teams: list[_Team], here: gpd.GeoDataFrame, xy: dict[str, tuple[float, float]]) -> None:
    """An extra hand: the team this person joins.

    The smallest team this person shares time with, one they do not slow down (a walker on an e-bike team) first, then
    the nearest.
    """
    walks = here.at[pid, "mode"] == "walk"
    fits = [(len(t.members), walks and _mode(t.members, here) == "ebike", _dist(xy.get(pid), (t.x, t.y)), k)
            for k, t in enumerate(teams) if _overlap_s(t.shifts, here.at[pid, "shifts"]) > 0]
    if fits:
        _add(teams[min(fits)[-1]], pid, here)


def _add(team: _Team, pid: str, here: gpd.GeoDataFrame) -> None:
    team.members.append(pid)
    team.roles.add(here.at[pid, "role"])
    team.shifts = _intersect(team.shifts, here.at[pid, "shifts"])


def _mode(members: list[str], here: gpd.GeoDataFrame) -> str:
    """A team moves at the pace of its slowest member: on foot when anyone walks."""
    return "walk" if any(here.at[p, "mode"] == "walk" for p in members) else "ebike"


def _dist(a: tuple[float, float] | None, b: tuple[float, float]) -> float:
    return float(np.hypot(a[0] - b[0], a[1] - b[1])) if a is not None else 0.0


def _intersect(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """The time both ``a`` and ``b`` cover, as shifts (pieces shorter than 15 minutes dropped)."""
    out = []
    for s0, e0 in a:
        for s1, e1 in b:
            start, end = max(s0, s1), min(e0, e1)
            if end - start >= _MIN_SHIFT_S:
                out.append((start, end))
    return tuple(sorted(out))


def _overlap_s(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]) -> int:
    return sum(e - s for s, e in _intersect(a, b))


def _frame(teams: list[_Team], here: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    rows, points = [], []
    for team in teams:
        if not team.shifts:
            continue
        ordered = sorted(team.members, key=lambda p: (ROLES.index(here.at[p, "role"]), team.members.index(p)))
        lead = here.loc[team.lead]
        rows.append({
            "team_id": team.lead,
            "name": f"{lead['name']}组",
            "roles": frozenset(team.roles),
            "shifts": team.shifts,
            "mode": _mode(team.members, here),
            "home_grids": tuple(lead["home_grids"]),
            "members": "、".join(f"{ROLE_LABELS_ZH[here.at[p, 'role']]} {here.at[p, 'name']}" for p in ordered),
            "start_name": lead["start_name"],
            "people": tuple(ordered),
        })
        points.append(lead.geometry)
    frame = pd.DataFrame(rows, columns=["team_id", *TEAM_COLUMNS]).set_index("team_id")
    frame.index = frame.index.astype(object)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(points, index=frame.index, crs="EPSG:4326"), crs="EPSG:4326")


def day_needs(
    venues: gpd.GeoDataFrame,
    status: pd.DataFrame,
    rules: Rules,
    *,
    must: Sequence[str],
    optional: Sequence[str] = (),
    crs,
    est_travel_s: int = PlanParams.est_travel_s,
) -> list[Need]:
    """The day's visits as :class:`Need`: must visits at full weight, optional ones at :data:`OPTIONAL_WEIGHT`."""
    ids = list(must) + [v for v in optional if v not in set(must)]
    if not ids:
        return []
    points = venues.geometry.loc[ids].to_crs(crs)
    out = []
    for k, vid in enumerate(ids):
        weight = float(status.at[vid, "service_s"] + est_travel_s) * (1.0 if k < len(must) else OPTIONAL_WEIGHT)
        out.append(Need(vid, str(venues.at[vid, "grid_id"]), float(points.iloc[k].x), float(points.iloc[k].y),
                        rules.categories[venues.at[vid, "category"]].required_roles, weight))
    return out


def plan_with_people(
    *,
    venues: gpd.GeoDataFrame,
    people: gpd.GeoDataFrame,
    rules: Rules,
    start: dt.date,
    params: PlanParams = PlanParams(),
    hazards: pd.DataFrame | None = None,
    inspections: pd.DataFrame | None = None,
    grids: gpd.GeoDataFrame | None = None,
    progress: Progress | None = None,
    roads=None,
) -> tuple[Plan, list[gpd.GeoDataFrame]]:
    """Form each day's teams from ``people`` where the day's work is, then plan the days with them.

    The work of each day is first spread over the horizon with the time of the teams the day's people
    make (:func:`planner.horizon.assign_days`); each day's teams are then formed for that day's visits
    (:func:`form_teams`) and :func:`planner.plan.plan_days` plans every day with its own teams.

    Returns
    -------
    The plan and the teams of each day (one frame per day, possibly empty).
    """
    crs, status = area_and_status(venues, rules, grids=grids, hazards=hazards, inspections=inspections)
    days = [start + dt.timedelta(days=d) for d in range(params.days)]
    rough = [form_teams(people, day=day, crs=crs) for day in days]
    per_day = must_per_day(status, rough, start=start, params=params)
    formed = []
    for d, day in enumerate(days):
        must = [a.venue_id for a in per_day[d]]
        optional = [v for v, _ in optional_candidates(status, day=day, exclude=set(must), pool=params.optional_pool,
                                                       high_risk_threshold=rules.high_risk_threshold)]
        needs = day_needs(venues, status, rules, must=must, optional=optional, crs=crs,
                          est_travel_s=params.est_travel_s)
        formed.append(form_teams(people, day=day, needs=needs, crs=crs, away_s=rules.away_from_home_s,
                                 speeds=rules.speed_m_s, utilisation=params.utilisation))
        if progress is not None:
            progress(0.02 * (d + 1) / len(days), _("%(day)s: %(teams)d teams formed from %(people)d people",
                                                   day=day.isoformat(), teams=len(formed[-1]),
                                                   people=len(available_people(people, day))))
    plan = plan_days(venues=venues, teams=all_teams(formed), rules=rules, start=start, params=params, hazards=hazards,
                     inspections=inspections, grids=grids, roads=roads, day_teams=formed, must_days=per_day,
                     progress=None if progress is None else (lambda f, m: progress(0.02 + 0.98 * f, m)))
    return plan, formed


def all_teams(formed: Sequence[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Every team formed over the days, once each (its first day's row): for maps and the team count."""
    joined = pd.concat([_frame([], None), *formed])
    return gpd.GeoDataFrame(joined[~joined.index.duplicated(keep="first")], crs="EPSG:4326")


def teams_table(formed: Sequence[gpd.GeoDataFrame], days: Sequence[dt.date]) -> pd.DataFrame:
    """``teams.csv`` of a plan from people: one row per day and team.

    In the columns the teams reader takes (plus ``day`` first and ``people``, the person ids), so that a day's rows plan
    again with ``--teams``.
    """
    rows = []
    for day, teams in zip(days, formed):
        for tid, team in teams.iterrows():
            rows.append({
                "day": day.isoformat(), "team_id": tid, "name": team["name"],
                "roles": ";".join(r for r in ROLES if r in team["roles"]),
                "start_lon": round(float(team.geometry.x), 7), "start_lat": round(float(team.geometry.y), 7),
                "shift": ",".join(f"{format_hhmm(a)}-{format_hhmm(b)}" for a, b in team["shifts"]),
                "mode": team["mode"], "home_grids": ";".join(team["home_grids"]), "members": team["members"],
                "start_name": team["start_name"], "people": ";".join(team["people"]),
            })
    return pd.DataFrame(rows, columns=TEAMS_CSV_COLUMNS)


TEAMS_CSV_COLUMNS = ["day", "team_id", "name", "roles", "start_lon", "start_lat", "shift", "mode", "home_grids",
                     "members", "start_name", "people"]
