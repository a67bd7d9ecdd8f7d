"""A second engine for the problems PyVRP can express as they are: its iterated local search.

Chosen by ``SolveParams.engine = "pyvrp"``. It takes a :class:`~planner.model.Problem` only when
nothing in it needs the OR-Tools model: every vehicle may serve every kept visit (no role or reach
limits), arcs cost their travel (no home grids), no balanced days. Patrols have roles and home grids,
so they keep OR-Tools; the VRPTW benchmarks fit. PyVRP is imported only here and only when chosen
(``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import logging
import time

import numpy as np

from ..model import DayPlan, Problem, Stop, Tour, Unplanned
from ..params import SolveParams
from ._balance import active_teams

log = logging.getLogger(__name__)


def why_not(problem: Problem, kept: list[int], allowed: dict[int, list[int]], params: SolveParams) -> str | None:
    """None when PyVRP can take the problem as it is, else what it cannot express."""
    try:
        import pyvrp  # noqa: F401
    except ImportError:
        return "pyvrp is not installed"
    if params.balance_spread_s is not None:
        return "balanced days"
    if any(v.home_nodes is not None and v.away_cost_s for v in problem.vehicles):
        return "home grids"
    if any(len(allowed[k]) < len(problem.vehicles) for k in kept):
        return "visits that only some teams may serve"
    if not all(problem.visits[k].must for k in kept):
        return "optional visits"
    return None


def solve_pyvrp(problem: Problem, kept: list[int], allowed: dict[int, list[int]], params: SolveParams,
                unplanned: list[Unplanned], *, started: float) -> DayPlan | None:
    """The day's tours by PyVRP within the time limit; None when it found no plan serving every visit."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    depots = sorted({n for v in problem.vehicles for n in (v.start_node, v.end_node)})
    nodes = depots + [problem.visits[k].node for k in kept]
    local = {n: i for i, n in enumerate(depots)}
    index = np.asarray(nodes)
    loads = any(v.capacity for v in problem.vehicles)
    keys = sorted({v.matrix for v in problem.vehicles})
    matrices = [problem.travel_s[key][np.ix_(index, index)].astype(np.int64) for key in keys]
    locations = [pyvrp.Location(float(i), 0.0) for i in range(len(nodes))]  # positions unused: the matrices say it all
    clients = []
    for j, k in enumerate(kept):
        visit = problem.visits[k]
        clients.append(pyvrp.Client(len(depots) + j, delivery=[int(visit.demand)] if loads else [],
                                    service_duration=int(visit.service_s), tw_early=int(visit.open_s),
                                    tw_late=int(visit.close_s - visit.service_s), required=True))
    types, members = [], []  # one vehicle type per distinct vehicle (PyVRP groups them itself in search)
    for i, v in enumerate(problem.vehicles):
        types.append(pyvrp.VehicleType(1, capacity=[int(v.capacity) or 10**9] if loads else [],
                                       start_depot=local[v.start_node], end_depot=local[v.end_node],
                                       fixed_cost=int(v.fixed_cost), tw_early=int(v.start_s), tw_late=int(v.end_s),
                                       profile=keys.index(v.matrix)))
        members.append(i)
    data = pyvrp.ProblemData(locations, clients, [pyvrp.Depot(i) for i in range(len(depots))], types,
                             matrices, matrices)
    left = max(params.time_limit_s - (time.perf_counter() - started), 0.05)
    result = pyvrp.solve(data, stop=MaxRuntime(left), seed=params.seed, display=False)
    if not result.is_feasible():
        return None
    tours, served = [], set()
    for route in result.best.routes():
        p = members[route.vehicle_type()]
        v = problem.vehicles[p]
        stops = []
        for act in route.schedule():
            if act.type == pyvrp.ActivityType.CLIENT:
                visit = problem.visits[kept[int(act.idx)]]
                start_s = int(act.start_time)
                stops.append(Stop(v.team_id, v.shift, visit.venue_id, start_s, start_s + visit.service_s, visit.reason,
                                  visit.risk, visit.grid_id, visit.home_teams))
                served.add(visit.venue_id)
        route_nodes = [v.start_node] + [problem.visits[kept[int(a.idx)]].node for a in route.schedule()
                                        if a.type == pyvrp.ActivityType.CLIENT] + [v.end_node]
        legs = list(zip(route_nodes, route_nodes[1:]))
        tours.append(Tour(v.team_id, v.shift, tuple(stops), tuple(route_nodes), int(route.start_time()),
                          int(route.end_time()), int(sum(problem.dist_m[a, b] for a, b in legs)),
                          int(sum(problem.travel_s[v.matrix][a, b] for a, b in legs))))
    work = dict.fromkeys(active_teams(problem, allowed), 0)
    for tour in tours:
        work[tour.team_id] = work.get(tour.team_id,
                                      0) + tour.travel_s + sum(s.depart_s - s.arrive_s for s in tour.stops)
    dropped = [Unplanned(problem.visits[k].venue_id, "capacity", problem.visits[k].must, problem.visits[k].risk)
               for k in kept if problem.visits[k].venue_id not in served]
    return DayPlan(problem.day, tuple(tours), tuple(unplanned + dropped), time.perf_counter() - started, "feasible",
                   int(result.cost()), work)
