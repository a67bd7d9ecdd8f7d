"""The fleet phase never returns a worse plan than it was given, nor one that breaks a rule."""

from __future__ import annotations

import time

import numpy as np
import pytest

from planner.model import Problem, Vehicle, Visit
from planner.params import SolveParams
from planner.routing._fleet import minimise_fleet
from planner.routing._ortools import Models, first_plan_only, found
from planner.routing._screen import screen_visits

FIXED = 10**6
MUST = 10**9


def _vrptw(seed: int) -> Problem:
    """30 customers with windows and demands around one depot, 12 vehicles of capacity 50 with a fixed cost."""
    rng = np.random.default_rng(seed)
    xy = np.vstack([[0.0, 0.0], rng.uniform(-1000, 1000, size=(30, 2))])
    dist = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    vehicles = tuple(Vehicle(f"v{k}", 0, 0, 0, 0, 20_000, frozenset(), "walk", capacity=50, fixed_cost=FIXED)
                     for k in range(12))
    opens = rng.integers(0, 12_000, size=30)
    visits = tuple(Visit(str(n), n, 120, int(opens[n - 1]), int(opens[n - 1]) + 4_000, demand=int(rng.integers(5, 16)))
                   for n in range(1, 31))
    return Problem(vehicles, visits, {"walk": dist}, dist)


def _broken_rules(problem: Problem, tours) -> list[str]:
    """Every rule a plan breaks, recomputed from the problem: windows, travel between stops, shift, capacity."""
    visit = {v.venue_id: v for v in problem.visits}
    travel = problem.travel_s["walk"]
    broken = []
    for tour in tours:
        vehicle = next(v for v in problem.vehicles if v.team_id == tour.team_id)
        here, free = vehicle.start_node, vehicle.start_s
        for stop in tour.stops:
            v = visit[stop.venue_id]
            if stop.arrive_s < max(v.open_s, free + travel[here, v.node]) or stop.depart_s > v.close_s:
                broken.append(f"{tour.team_id}: {v.venue_id} at {stop.arrive_s}")
            here, free = v.node, stop.depart_s
        if free + travel[here, vehicle.end_node] > vehicle.end_s:
            broken.append(f"{tour.team_id}: back late")
        if sum(visit[s.venue_id].demand for s in tour.stops) > vehicle.capacity:
            broken.append(f"{tour.team_id}: over capacity")
    return broken


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_fleet_phase_never_returns_a_worse_or_broken_plan(seed):
    problem = _vrptw(seed)
    allowed, _ = screen_visits(problem)
    models = Models(problem, sorted(allowed), allowed, SolveParams(time_limit_s=1, must_penalty=MUST),
                    started=time.perf_counter())
    first = models.build()
    given = found(first, first.solve(first_plan_only("PATH_CHEAPEST_ARC")))
    given_tours, given_served = given.model.tours(given.solution)

    result = minimise_fleet(models, given, until=time.perf_counter() + 1.0)

    tours, served = result.model.tours(result.solution)
    assert served == given_served
    assert _broken_rules(problem, tours) == []
    # the objective the phase reports is the plan's own: travel, a fixed cost per tour, a penalty per visit left out
    left_out = sum(1 for k in allowed if problem.visits[k].venue_id not in served)
    assert result.objective == sum(t.travel_s for t in tours) + FIXED * len(tours) + MUST * left_out
    assert result.objective <= given.objective and len(tours) <= len(given_tours)
