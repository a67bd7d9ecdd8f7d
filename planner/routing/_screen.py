"""Which vehicles can serve a visit at all, before any search: roles, opening hours, distance."""

from __future__ import annotations

import numpy as np

from ..model import Problem, Unplanned


def screen_visits(problem: Problem) -> tuple[dict[int, list[int]], list[Unplanned]]:
    """Which vehicles can serve each visit at all; the others are unplanned with their reason.

    Returns
    -------
    (allowed, unplanned): ``allowed[k]`` lists the vehicle indices that can serve visit k.
    """
    visits = problem.visits
    if not visits:
        return {}, []
    with_roles, in_hours, reachable = _screens(problem)
    allowed: dict[int, list[int]] = {}
    unplanned: list[Unplanned] = []
    for k, visit in enumerate(visits):
        if not with_roles[k].any():
            unplanned.append(Unplanned(visit.venue_id, "no_team_with_roles", visit.must, visit.risk))
        elif not in_hours[k].any():
            unplanned.append(Unplanned(visit.venue_id, "closed_at_shift_times", visit.must, visit.risk))
        elif not reachable[k].any():
            unplanned.append(Unplanned(visit.venue_id, "unreachable", visit.must, visit.risk))
        else:
            allowed[k] = np.flatnonzero(reachable[k]).tolist()
    return allowed, unplanned


def _screens(problem: Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Visits × vehicles: may the vehicle serve the visit.

    The vehicle has the roles; and it is there in the opening hours; and it can also get there and back within its
    shift. One column per vehicle over all visits at once (a district has 20,000 × 400).
    """
    visits, vehicles = problem.visits, problem.vehicles
    roles = sorted({r for v in visits for r in v.required_roles} | {r for v in vehicles for r in v.roles})
    bit = {r: 1 << i for i, r in enumerate(roles)}
    need = np.array([sum(bit[r] for r in v.required_roles) for v in visits], dtype=np.int64)
    open_s, close_s, service_s = (np.array([getattr(v, f) for v in visits], dtype=np.int64)
                                  for f in ("open_s", "close_s", "service_s"))
    nodes = np.array([v.node for v in visits])
    shape = (len(visits), len(vehicles))
    with_roles, in_hours, reachable = np.zeros(shape, bool), np.zeros(shape, bool), np.zeros(shape, bool)
    for i, v in enumerate(vehicles):
        has = sum(bit[r] for r in v.roles)
        with_roles[:, i] = (need & ~has) == 0
        in_hours[:, i] = with_roles[:, i] & (np.maximum(open_s, v.start_s) + service_s <= np.minimum(close_s, v.end_s))
        travel = problem.travel_s[v.matrix]
        start = np.maximum(open_s, v.start_s + travel[v.start_node, nodes].astype(np.int64))
        done = start + service_s
        reachable[:, i] = in_hours[:,
                                   i] & (done <= close_s) & (done + travel[nodes,
                                                                           v.end_node].astype(np.int64) <= v.end_s)
    return with_roles, in_hours, reachable
