"""Consistent teams: a grid outside every helper's home goes to the helper that already knows it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from planner.contract import summary
from planner.model import DayPlan, Plan, Problem, Stop, Tour, Vehicle, Visit
from planner.routing import SolveParams, solve

ALL = frozenset({"grid_worker", "property", "volunteer", "safety_officer"})
MORNING = (9 * 3600, 12 * 3600)


@pytest.mark.parametrize("familiar_team", ["A", "B"])
def test_the_helper_that_visited_the_grid_before_gets_it(familiar_team):
    # Two offices at the same distance from one venue that is in neither team's home grids: the
    # one that visited its grid on an earlier day pays half the away cost and takes it.
    xy = np.array([(0.0, 0.0), (1000.0, 0.0), (500.0, 300.0)])
    dist = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    vehicles = tuple(Vehicle(t, 0, n, n, *MORNING, ALL, "walk", home_nodes=frozenset(), away_cost_s=600,
                             familiar_nodes=frozenset({2}) if t == familiar_team else frozenset())
                     for n, t in enumerate("AB"))
    problem = Problem(vehicles, (Visit("v", 2, 600, 0, 86400, grid_id="G9"),), {"walk": dist}, dist)
    plan = solve(problem, SolveParams(time_limit_s=0.5))
    assert [(s.team_id, s.grid_id) for s in plan.stops] == [(familiar_team, "G9")]


def _stop(team: str, venue: str, grid: str, home: str) -> Stop:
    return Stop(team, 0, venue, 9 * 3600, 9 * 3600 + 600, "due", 0.5, grid, frozenset({home}))


def test_summary_counts_home_visits_and_teams_per_grid():
    day = dt.date(2026, 11, 23)
    stops = [_stop("A", "v1", "G1", "A"), _stop("A", "v2", "G1", "A"), _stop("B", "v3", "G1", "A"),
             _stop("B", "v4", "G2", "B")]
    tours = tuple(Tour(t, 0, tuple(s for s in stops if s.team_id == t), (0, 0), 9 * 3600, 10 * 3600, 0,
                       0) for t in "AB")
    numbers = summary(Plan(day, (DayPlan(day, tours, (), 1.0, "feasible"),), ()), teams=2)
    assert numbers["home_team_share"] == 0.75
    assert numbers["teams_per_grid"] == 1.5 and numbers["max_teams_per_grid"] == 2
