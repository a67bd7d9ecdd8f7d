"""The PyVRP engine: plans what it can express within the rules, and leaves the rest to OR-Tools."""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import pytest

from planner.model import Problem, Vehicle, Visit
from planner.params import SolveParams
from planner.routing import solve
from planner.routing._pyvrp import fleet_bound

pytest.importorskip("pyvrp")

from test_fleet_phase import _broken_rules, _vrptw  # noqa: E402
from test_routing import ALL, _problem, _vehicle, _visit  # noqa: E402


def test_the_pyvrp_engine_serves_every_visit_within_the_rules():
    problem = _vrptw(1)
    plan = solve(problem, SolveParams(time_limit_s=1, must_penalty=10**9, engine="pyvrp"))
    assert {s.venue_id for s in plan.stops} == {v.venue_id for v in problem.visits}
    assert _broken_rules(problem, plan.tours) == []
    assert len({t.team_id for t in plan.tours}) == len(plan.tours)  # each vehicle one tour


def test_a_day_with_roles_is_planned_by_ortools(caplog):
    vehicles = [_vehicle("A", frozenset({"grid_worker"})), _vehicle("B", ALL)]
    visits = [_visit("gas", 1, roles={"safety_officer"}), _visit("shop", 2, roles={"grid_worker"})]
    with caplog.at_level(logging.WARNING, logger="planner.routing._solve"):
        plan = solve(_problem(visits, vehicles, [(0, 0), (100, 0), (0, 100)]),
                     SolveParams(time_limit_s=1, engine="pyvrp"))
    assert {s.venue_id: s.team_id for s in plan.stops}["gas"] == "B"
    assert "OR-Tools plans it" in caplog.text and "only some teams" in caplog.text


def test_a_day_with_home_grids_is_planned_by_ortools():
    # home grids (arc costs of their own per team) are beyond PyVRP here
    home = Vehicle("A", 0, 0, 0, 9 * 3600, 12 * 3600, ALL, "walk", home_nodes=frozenset({1}), away_cost_s=900)
    plan = solve(_problem([_visit("x", 1), _visit("y", 2)], [home], [(0, 0), (100, 0), (0, 100)]),
                 SolveParams(time_limit_s=1, engine="pyvrp"))
    assert {s.venue_id for s in plan.stops} == {"x", "y"}


def _alike(n_vehicles: int, visits: list[Visit], xy: list[tuple[float, float]], *, capacity: int = 0,
           fixed_cost: int = 0) -> Problem:
    dist = np.rint(np.hypot(*(np.asarray(xy)[:, None, :] - np.asarray(xy)[None, :, :]).transpose(2, 0, 1)))
    dist = dist.astype(np.int64)
    vehicles = tuple(Vehicle(f"v{k}", 0, 0, 0, 0, 20_000, frozenset(), "walk", capacity=capacity,
                             fixed_cost=fixed_cost) for k in range(n_vehicles))
    return Problem(vehicles, tuple(visits), {"walk": dist}, dist)


def test_the_fleet_bound_counts_load_and_visits_no_two_of_which_share_a_tour():
    # 5 visits of demand 10 and capacity 30: 2 tours by load
    load = _alike(4, [Visit(str(n), n, 10, 0, 20_000, demand=10) for n in range(1, 6)],
                  [(0, 0)] + [(10 * n, 0) for n in range(1, 6)], capacity=30)
    assert fleet_bound(load, list(range(5))) == 2
    # three visits open at the same moment, 2,000 apart and for 100 only: no tour serves two of them
    apart = _alike(4, [Visit(str(n), n, 10, 1000, 1100) for n in range(1, 4)] + [Visit("4", 4, 10, 0, 20_000)],
                   [(0, 0), (1000, 0), (-1000, 0), (0, 1000), (5, 5)])
    assert fleet_bound(apart, list(range(4))) == 3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fewest_vehicles_first_serves_every_visit_within_the_rules_and_the_bound(seed):
    problem = _vrptw(seed)  # 12 vehicles alike, with a fixed cost: the phases with fewer vehicles
    kept = list(range(len(problem.visits)))
    plan = solve(problem, SolveParams(time_limit_s=1, must_penalty=10**9, engine="pyvrp"))
    assert {s.venue_id for s in plan.stops} == {v.venue_id for v in problem.visits}
    assert _broken_rules(problem, plan.tours) == []
    assert fleet_bound(problem, kept) <= len(plan.tours) <= len(problem.vehicles)
    assert len({t.team_id for t in plan.tours}) == len(plan.tours)


def test_fewest_vehicles_first_reaches_the_bound_when_it_is_the_fleet():
    # 6 visits of demand 10 on a line, capacity 30, loose windows: 2 tours serve them, and fewer cannot
    problem = _alike(6, [Visit(str(n), n, 10, 0, 20_000, demand=10) for n in range(1, 7)],
                     [(0, 0)] + [(10 * n, 0) for n in range(1, 7)], capacity=30, fixed_cost=10**6)
    plan = solve(problem, SolveParams(time_limit_s=1, must_penalty=10**9, engine="pyvrp"))
    assert len(plan.tours) == 2 and len(plan.stops) == 6
    assert _broken_rules(problem, plan.tours) == []


def test_vehicles_of_two_kinds_are_one_search_each_tour_on_its_own_vehicle():
    # two shifts: two vehicle types, so no phases with fewer vehicles; a tour keeps its vehicle's shift
    base = _vrptw(3)
    late = tuple(replace(v, team_id=f"late-{v.team_id}", start_s=5_000) for v in base.vehicles[:4])
    problem = replace(base, vehicles=base.vehicles[:6] + late)
    plan = solve(problem, SolveParams(time_limit_s=1, must_penalty=10**9, engine="pyvrp"))
    assert {s.venue_id for s in plan.stops} == {v.venue_id for v in problem.visits}
    assert _broken_rules(problem, plan.tours) == []
    assert len({t.team_id for t in plan.tours}) == len(plan.tours)
    for tour in plan.tours:
        assert tour.start_s >= (5_000 if tour.team_id.startswith("late-") else 0)


def test_an_attempt_with_too_few_vehicles_fails_quietly_and_keeps_the_fleet_that_fits():
    # 4 visits of 6,000 s in a shift of 20,000 s: at most 3 per tour, so 2 tours; the bounds say 1, so an
    # attempt with one vehicle runs until the fleet phase ends (PyVRP's penalties reach their bound: no warning)
    problem = _alike(4, [Visit(str(n), n, 6_000, 0, 20_000) for n in range(1, 5)],
                     [(0, 0)] + [(10 * n, 0) for n in range(1, 5)], fixed_cost=10**6)
    assert fleet_bound(problem, list(range(4))) == 1
    plan = solve(problem, SolveParams(time_limit_s=1, must_penalty=10**9, engine="pyvrp"))
    assert len(plan.tours) == 2 and len(plan.stops) == 4
    assert _broken_rules(problem, plan.tours) == []
