"""Plain data of the planner: a :class:`Problem` goes in, a :class:`DayPlan` / :class:`Plan` comes out.

The routing module alone turns a Problem into OR-Tools and back; nothing here knows the solver.
Times are whole seconds after midnight, distances whole metres (OR-Tools needs integers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

MUST_REASONS = ("overdue", "due", "recheck")
REASONS = ("due", "overdue", "recheck", "high_risk", "optional")
UNASSIGNED_REASONS = ("capacity", "no_team_with_roles", "closed_at_shift_times", "unreachable")


@dataclass(frozen=True)
class Vehicle:
    """One tour: a team in one shift (teams return to their office between shifts)."""

    team_id: str
    shift: int  # index of the shift in the team's day
    start_node: int
    end_node: int
    start_s: int
    end_s: int
    roles: frozenset[str]
    matrix: str  # key of Problem.travel_s (the team's mode)
    capacity: int = 0  # 0 = no load limit (patrols); Solomon uses it
    fixed_cost: int = 0
    home_nodes: frozenset[int] | None = None  # visit nodes in the team's home grids; None = no preference
    away_cost_s: int = 0  # extra arc cost into a visit node outside home_nodes
    # away nodes in grids the team already visited in the horizon: half the away cost
    familiar_nodes: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Visit:
    """A venue to visit on the day: where, how long, when it is open, who must go, how much it matters."""

    venue_id: str
    node: int
    service_s: int
    open_s: int
    close_s: int  # service must end by this time
    required_roles: frozenset[str] = frozenset()
    must: bool = True
    reason: str = "due"
    risk: float = 0.0
    demand: int = 0
    grid_id: str = ""
    home_teams: frozenset[str] = frozenset()  # teams whose home grids hold the venue's grid


@dataclass(frozen=True)
class Problem:
    """One day's routing problem.

    ``travel_s[key][i, j]`` are whole seconds from node i to node j for vehicles whose
    ``matrix`` is ``key``; ``dist_m[i, j]`` whole metres (or benchmark units). Nodes are the
    depots and the venues; ``lonlat`` holds each node's WGS84 position for drawing.
    """

    vehicles: tuple[Vehicle, ...]
    visits: tuple[Visit, ...]
    travel_s: dict[str, np.ndarray]
    dist_m: np.ndarray
    lonlat: np.ndarray | None = None
    day: dt.date | None = None
    network: object = None  # gis.roads.RoadNetwork when travel follows real roads (for drawing)
    road_nodes: np.ndarray | None = None  # each node's foot on the roads (a node of ``network``; -1: none)
    access_m: np.ndarray | None = None  # straight metres from each node to its foot (inf: too far from the roads)
    parts: tuple[tuple[int, Problem], ...] = ()  # a merged drawing problem: (first node, part's problem) of each part

    @property
    def num_nodes(self) -> int:
        return int(self.dist_m.shape[0])


@dataclass(frozen=True)
class Stop:
    """One visit in a planned tour, with its service start (``arrive_s``) and end."""

    team_id: str
    shift: int
    venue_id: str
    arrive_s: int
    depart_s: int
    reason: str
    risk: float
    grid_id: str = ""
    home_teams: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Tour:
    """A vehicle's planned tour: its stops in order and the nodes it passes (depot first and last)."""

    team_id: str
    shift: int
    stops: tuple[Stop, ...]
    nodes: tuple[int, ...]
    start_s: int
    end_s: int
    dist_m: int
    travel_s: int


@dataclass(frozen=True)
class Unplanned:
    """A visit that could not be planned, and why (one of :data:`UNASSIGNED_REASONS`)."""

    venue_id: str
    reason: str
    must: bool
    risk: float


@dataclass(frozen=True)
class DayPlan:
    """The answer to one :class:`Problem`."""

    day: dt.date | None
    tours: tuple[Tour, ...]
    unplanned: tuple[Unplanned, ...]
    solve_seconds: float
    status: str
    objective: int = 0
    work_s: dict[str, int] = field(default_factory=dict)  # travel + service of each team that could serve a visit

    @property
    def stops(self) -> list[Stop]:
        return [s for t in self.tours for s in t.stops]


@dataclass(frozen=True)
class Plan:
    """A plan over several days, with the layers it was made from (for maps and sheets)."""

    start: dt.date
    days: tuple[DayPlan, ...]
    unassigned: tuple[tuple[dt.date, Unplanned], ...]  # must visits never planned in the horizon
    problems: tuple[Problem, ...] = field(default=(), repr=False)  # one per day, for drawing
