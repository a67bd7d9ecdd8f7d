"""The PyVRP engine: plans what it can express within the rules, and leaves the rest to OR-Tools."""

from __future__ import annotations

import logging

import pytest

from planner.model import Vehicle
from planner.params import SolveParams
from planner.routing import solve

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
