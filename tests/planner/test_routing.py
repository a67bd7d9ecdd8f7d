"""The OR-Tools model on hand-built problems: roles, windows, shifts, and each unassigned reason."""

from __future__ import annotations

import numpy as np
import pytest

from planner.model import Problem, Vehicle, Visit
from planner.routing import SolveParams, solve

FAST = SolveParams(time_limit_s=1)
PORTFOLIO = SolveParams(time_limit_s=1, first_solution="PARALLEL_CHEAPEST_INSERTION,SAVINGS,PATH_CHEAPEST_ARC")


def _problem(visits: list[Visit], vehicles: list[Vehicle], xy: list[tuple[float, float]],
             speed: float = 1.0) -> Problem:
    pts = np.asarray(xy, dtype=float)
    dist = np.rint(np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    return Problem(tuple(vehicles), tuple(visits), {"walk": np.ceil(dist / speed).astype(np.int64)}, dist)


ALL = frozenset({"grid_worker", "property", "volunteer", "safety_officer"})
MORNING = (9 * 3600, 12 * 3600)


def _vehicle(team="T1", roles=ALL, shift=MORNING, node=0) -> Vehicle:
    return Vehicle(team, 0, node, node, shift[0], shift[1], roles, "walk")


def _visit(vid, node, *, roles=frozenset(), open_s=0, close_s=86400, service_s=600, must=True, risk=0.5) -> Visit:
    return Visit(vid, node, service_s, open_s, close_s, frozenset(roles), must, "due" if must else "optional", risk)


def test_required_roles_are_hard():
    vehicles = [_vehicle("A", frozenset({"grid_worker"})), _vehicle("B", ALL)]
    visits = [_visit("gas", 1, roles={"safety_officer"}), _visit("shop", 2, roles={"grid_worker"})]
    plan = solve(_problem(visits, vehicles, [(0, 0), (100, 0), (0, 100)]), FAST)
    served_by = {s.venue_id: s.team_id for s in plan.stops}
    assert served_by["gas"] == "B"
    assert set(served_by) == {"gas", "shop"}


def test_service_starts_inside_opening_hours_and_tour_inside_shift():
    vehicles = [_vehicle()]
    visits = [_visit("late", 1, open_s=11 * 3600, close_s=11 * 3600 + 1800, service_s=900),
              _visit("early", 2, open_s=9 * 3600, close_s=10 * 3600)]
    plan = solve(_problem(visits, vehicles, [(0, 0), (300, 0), (0, 300)]), FAST)
    stops = {s.venue_id: s for s in plan.stops}
    assert 11 * 3600 <= stops["late"].arrive_s and stops["late"].depart_s <= 11 * 3600 + 1800
    assert stops["early"].depart_s <= 10 * 3600
    tour = plan.tours[0]
    assert tour.start_s >= MORNING[0] and tour.end_s <= MORNING[1]
    assert [s.venue_id for s in tour.stops] == ["early", "late"]


@pytest.mark.parametrize(
    ("visit", "reason"),
    [
        (_visit("x", 1, roles={"safety_officer"}), "no_team_with_roles"),
        (_visit("x", 1, open_s=19 * 3600, close_s=26 * 3600), "closed_at_shift_times"),
        (_visit("x", 2), "unreachable"),  # node 2 is 20 km away on foot (>5.5 h)
    ],
)
def test_structural_reasons(visit, reason):
    vehicles = [_vehicle(roles=frozenset({"grid_worker"}))]
    plan = solve(_problem([visit], vehicles, [(0, 0), (100, 0), (20_000, 0)]), FAST)
    assert [(u.venue_id, u.reason) for u in plan.unplanned] == [("x", reason)]
    assert plan.stops == []


@pytest.mark.parametrize("params", [FAST, PORTFOLIO], ids=["one_strategy", "portfolio"])
def test_capacity_drops_optional_before_must_and_reports_capacity(params):
    vehicles = [_vehicle(shift=(9 * 3600, 10 * 3600))]
    visits = [_visit(f"m{k}", 1 + k, service_s=1200) for k in range(2)]
    visits += [_visit(f"o{k}", 3 + k, service_s=1200, must=False, risk=0.9) for k in range(2)]
    plan = solve(_problem(visits, vehicles, [(0, 0), (10, 0), (20, 0), (30, 0), (40, 0)]), params)
    assert {s.venue_id for s in plan.stops} >= {"m0", "m1"}
    dropped = {u.venue_id: u.reason for u in plan.unplanned}
    assert dropped and set(dropped.values()) == {"capacity"} and not any(v.startswith("m") for v in dropped)


def test_travel_time_separates_consecutive_stops():
    vehicles = [_vehicle()]
    visits = [_visit("a", 1, service_s=300), _visit("b", 2, service_s=300)]
    plan = solve(_problem(visits, vehicles, [(0, 0), (600, 0), (1200, 0)], speed=1.0), FAST)
    a, b = sorted(plan.stops, key=lambda s: s.arrive_s)
    assert b.arrive_s >= a.depart_s + 600
    assert plan.tours[0].dist_m == 2400


@pytest.mark.parametrize("away_cost_s", [0, 900])
def test_teams_keep_to_their_home_grids_unless_it_is_free(away_cost_s):
    # Two offices 1 km apart; each has two venues nearby, but the venues are placed so that the
    # cheapest travel sends team A to one of B's venues. With an away cost, each team keeps home.
    xy = [(0, 0), (1000, 0), (520, 60), (560, -60), (1100, 50), (1050, -80)]
    home = {"A": frozenset({2, 3}), "B": frozenset({4, 5})}
    vehicles = [Vehicle(t, 0, n, n, *MORNING, ALL, "walk", home_nodes=home[t], away_cost_s=away_cost_s)
                for n, t in enumerate("AB")]
    visits = [_visit(f"v{n}", n, service_s=300) for n in range(2, 6)]
    plan = solve(_problem(visits, vehicles, xy), FAST)
    served_by = {s.venue_id: s.team_id for s in plan.stops}
    assert len(served_by) == 4
    away = sum(int(s.venue_id[1:]) not in home[s.team_id] for s in plan.stops)
    assert (away == 0) if away_cost_s else (away > 0)


def test_fixed_vehicle_costs_give_the_fewest_tours_within_the_rules():
    # 12 customers of demand 10 around a depot, capacity 40: three tours at least. Vehicles carry a
    # fixed cost, so the search takes tours out after its first phase; the rules hold throughout.
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    xy = [(0, 0)] + [(1000 * np.cos(a), 1000 * np.sin(a)) for a in angles]
    vehicles = [Vehicle(f"v{k}", 0, 0, 0, 0, 20_000, frozenset(), "walk", capacity=40,
                        fixed_cost=10**6) for k in range(8)]
    visits = [Visit(str(n), n, 60, 0 if n % 2 else 2000, 12_000, demand=10) for n in range(1, 13)]
    plan = solve(_problem(visits, vehicles, xy), SolveParams(time_limit_s=2, fleet_share=0.9))
    assert sorted(int(s.venue_id) for s in plan.stops) == list(range(1, 13))
    assert len(plan.tours) == 3
    for tour in plan.tours:
        assert len(tour.stops) * 10 <= 40 and 0 <= tour.start_s and tour.end_s <= 20_000
        assert all((0 if int(s.venue_id) % 2 else 2000) <= s.arrive_s and s.depart_s <= 12_000 for s in tour.stops)


def test_a_limit_too_short_for_the_first_plan_still_gives_a_plan():
    # On a busy machine the whole time limit can pass before the first plan is built: the plan is still made.
    rng = np.random.default_rng(3)
    xy = [(0.0, 0.0)] + [tuple(p) for p in rng.uniform(-800, 800, size=(150, 2))]
    visits = [_visit(f"v{i}", i, service_s=120) for i in range(1, len(xy))]
    plan = solve(_problem(visits, [_vehicle("A"), _vehicle("B")], xy), SolveParams(time_limit_s=0.001))
    assert len(plan.stops) > 10
    assert plan.status not in ("no_solution", "no_solution_in_time")


@pytest.mark.parametrize("params", [FAST, SolveParams(time_limit_s=1, fleet_share=0.9)])
def test_no_model_outlives_its_solve(params):
    """OR-Tools keeps the progress callbacks: they must not keep the models (each tens of MB on a street) alive."""
    import gc

    from planner.routing._ortools import Model

    angles = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    xy = [(0, 0)] + [(500 * np.cos(a), 500 * np.sin(a)) for a in angles]
    vehicles = [Vehicle(f"v{k}", 0, 0, 0, 0, 20_000, frozenset(), "walk", capacity=40,
                        fixed_cost=10**6) for k in range(4)]
    visits = [Visit(str(n), n, 60, 0, 12_000, demand=10) for n in range(1, 9)]
    calls = []
    plan = solve(_problem(visits, vehicles, xy), params, progress=lambda f, m: calls.append(f))
    assert len(plan.stops) == 8 and calls
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, Model)]
