"""Balanced days: the teams' working minutes (travel + service) within a spread, never at the price of a must visit."""

from __future__ import annotations

import numpy as np
import pytest

from planner.model import Problem, Vehicle, Visit
from planner.routing import SolveParams, solve

ALL = frozenset({"grid_worker", "property", "volunteer", "safety_officer"})
MORNING = (9 * 3600, 12 * 3600)
SPREAD_S = 1200


def _busy_and_quiet() -> Problem:
    """Team A's office sits among ten optional venues and two must visits; team B, 6 km away, has one
    must visit next door. Unbalanced, A works its whole morning and B twenty minutes."""
    xy = [(0.0, 0.0), (6000.0, 0.0), (6050.0, 0.0)] + [(80.0 * np.cos(a), 80.0 * np.sin(a))
                                                       for a in np.linspace(0, 2 * np.pi, 12, endpoint=False)]
    pts = np.asarray(xy)
    dist = np.rint(np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    vehicles = (Vehicle("A", 0, 0, 0, *MORNING, ALL, "walk"), Vehicle("B", 0, 1, 1, *MORNING, ALL, "walk"))
    visits = [Visit("b-must", 2, 900, 0, 86400, must=True, reason="due", risk=0.5)]
    visits += [Visit(f"a{n}", n, 900, 0, 86400, must=n < 5, reason="due" if n < 5 else "optional",
                     risk=0.1 * (n % 7) + 0.2)
               for n in range(3, len(xy))]
    return Problem(vehicles, tuple(visits), {"walk": np.ceil(dist / 1.2).astype(np.int64)}, dist)


def _work_s(plan, problem: Problem) -> dict[str, int]:
    """Travel and service of each team, recomputed from its tours."""
    work = {v.team_id: 0 for v in problem.vehicles}
    for tour in plan.tours:
        work[tour.team_id] += tour.travel_s + sum(s.depart_s - s.arrive_s for s in tour.stops)
    return work


@pytest.mark.parametrize("time_limit_s", [0.2, 2.0])
def test_the_spread_holds_or_the_busiest_team_has_only_must_visits(time_limit_s):
    problem = _busy_and_quiet()
    plan = solve(problem, SolveParams(time_limit_s=time_limit_s, balance_spread_s=SPREAD_S))
    assert plan.status == "feasible"
    work = _work_s(plan, problem)
    assert plan.work_s == work
    must = {v.venue_id for v in problem.visits if v.must}
    assert must <= {s.venue_id for s in plan.stops}  # balance never drops a must visit
    busiest = max(work, key=work.get)
    if max(work.values()) - min(work.values()) > SPREAD_S:
        assert all(s.venue_id in must for s in plan.stops if s.team_id == busiest)


def test_without_balance_the_busy_team_keeps_its_optional_visits():
    # The benchmarks' default: no balance, so the same problem is planned for visits alone.
    problem = _busy_and_quiet()
    assert SolveParams().balance_spread_s is None
    plan = solve(problem, SolveParams(time_limit_s=1))
    work = _work_s(plan, problem)
    assert max(work.values()) - min(work.values()) > SPREAD_S
    assert len(plan.stops) > len(solve(problem, SolveParams(time_limit_s=1, balance_spread_s=SPREAD_S)).stops)
