"""A second engine for the problems PyVRP can express as they are: its iterated local search.

Chosen by ``SolveParams.engine = "pyvrp"``. It takes a :class:`~planner.model.Problem` only when
nothing in it needs the OR-Tools model: every vehicle may serve every kept visit (no role or reach
limits), arcs cost their travel (no home grids), no balanced days, every visit a must. Patrols have
roles and home grids, so they keep OR-Tools; the VRPTW benchmarks fit. PyVRP is imported only here
and only when chosen (``pip install -e '.[bench]'``).

Vehicles alike in everything PyVRP sees (depots, shift, capacity, fixed cost, mode) are one vehicle
type. When all vehicles are one type and carry a fixed cost (fewest tours first, as in the VRPTW
benchmarks), the search runs in phases (:func:`_fewer_vehicles`): a first search, then attempts with
one vehicle fewer until ``fleet_share`` of the time, then distance alone with the smallest fleet
found, started from its plan. Any other problem is one search for the whole time: vehicles of several
kinds (shifts, offices, modes), and patrols, whose vehicles carry no fixed cost.
"""

from __future__ import annotations

import logging
import math
import time
import warnings

import numpy as np

from ..model import DayPlan, Problem, Stop, Tour, Unplanned, Vehicle, Visit
from ..params import SolveParams
from ._balance import active_teams

log = logging.getLogger(__name__)

PYVRP_FIRST_SHARE = 0.2  # the first search before the attempts with fewer vehicles (when ``first_share`` is None)
# At most this share of the time for one attempt with a vehicle fewer: on 12 GH 200s every attempt that succeeded
# did so within 1.1 s of 20, and a longer one only took time from distance (benchmarks/results/quality-2026-12-04.md)
PYVRP_ATTEMPT_SHARE = 0.1


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


def _kind(v: Vehicle) -> tuple:
    """What PyVRP sees of a vehicle: vehicles of one kind are one vehicle type."""
    return v.start_node, v.end_node, v.start_s, v.end_s, v.capacity, v.fixed_cost, v.matrix


def fleet_bound(problem: Problem, kept: list[int]) -> int:
    """A lower bound on the tours that serve every kept visit: by load, and by visits no two of which share a tour.

    Two visits share no tour when neither can follow the other, even leaving the depot at the start of the shift
    (every vehicle alike: the first vehicle's depots, shift and mode stand for all). The second bound is a clique
    of such visits found greedily, most incompatible first.
    """
    v = problem.vehicles[0]
    visits = [problem.visits[k] for k in kept]
    bound = 1 if visits else 0
    if v.capacity:
        bound = max(bound, math.ceil(sum(x.demand for x in visits) / v.capacity))
    travel = problem.travel_s[v.matrix]
    nodes = np.asarray([x.node for x in visits])
    open_s = np.asarray([x.open_s for x in visits])
    service = np.asarray([x.service_s for x in visits])
    last_start = np.asarray([x.close_s - x.service_s for x in visits])
    earliest = np.maximum(open_s, v.start_s + travel[v.start_node, nodes])
    # i then j: j's service cannot start in time after i's ends
    after = (earliest + service)[:, None] + travel[np.ix_(nodes, nodes)] > last_start[None, :]
    apart = after & after.T
    np.fill_diagonal(apart, False)
    clique: list[int] = []
    for i in np.argsort(-apart.sum(axis=1), kind="stable"):
        if all(apart[i, j] for j in clique):
            clique.append(int(i))
    return max(bound, len(clique))


def solve_pyvrp(problem: Problem, kept: list[int], allowed: dict[int, list[int]], params: SolveParams,
                unplanned: list[Unplanned], *, started: float) -> DayPlan | None:
    """The day's tours by PyVRP within the time limit; None when it found no plan serving every visit."""
    import pyvrp

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
    kinds: dict[tuple, list[int]] = {}  # vehicles alike are one vehicle type: its members, in the problem's order
    for i, v in enumerate(problem.vehicles):
        kinds.setdefault(_kind(v), []).append(i)
    members = list(kinds.values())
    types = []
    for group in members:
        v = problem.vehicles[group[0]]
        types.append(pyvrp.VehicleType(len(group), capacity=[int(v.capacity) or 10**9] if loads else [],
                                       start_depot=local[v.start_node], end_depot=local[v.end_node],
                                       fixed_cost=int(v.fixed_cost), tw_early=int(v.start_s), tw_late=int(v.end_s),
                                       profile=keys.index(v.matrix)))
    data = pyvrp.ProblemData(locations, clients, [pyvrp.Depot(i) for i in range(len(depots))], types,
                             matrices, matrices)
    until = started + params.time_limit_s
    fewer = len(types) == 1 and problem.vehicles[0].fixed_cost > 0 and 0.0 < params.fleet_share < 1.0
    if fewer:
        best = _fewer_vehicles(data, params, bound=fleet_bound(problem, kept), started=started, until=until)
    else:
        best = _search(data, params, until=until)
    if best is None:
        return None
    return _day_plan(problem, kept, allowed, unplanned, best, members, started=started)


def _search(data, params: SolveParams, *, until: float, initial=None, first_feasible: bool = False):
    """PyVRP's search until the clock reads ``until`` (or its first feasible plan): its best plan if feasible."""
    import pyvrp
    from pyvrp.stop import FirstFeasible, MaxRuntime, MultipleCriteria

    stop = MaxRuntime(max(until - time.perf_counter(), 0.05))
    if first_feasible:
        stop = MultipleCriteria([FirstFeasible(), stop])
    result = pyvrp.solve(data, stop=stop, seed=params.seed, collect_stats=False, display=False,
                         initial_solution=initial)
    return result.best if result.best.is_feasible() else None


def _fewer_vehicles(data, params: SolveParams, *, bound: int, started: float, until: float):
    """Fewest vehicles first (one vehicle type, every client required): the best plan of three phases.

    A first search until ``first_share`` of the time (:data:`PYVRP_FIRST_SHARE` when None); then, until
    ``fleet_share``, the vehicle type has one vehicle fewer than the best plan's tours and PyVRP searches from that
    plan without its shortest tour (its visits left to be inserted) until its first feasible plan, which becomes the
    best; this stops at ``bound`` tours or when an attempt runs out of its time (:data:`PYVRP_ATTEMPT_SHARE`). The
    rest of the time searches from the best plan with as many vehicles as it has tours. None if the first search
    found no feasible plan.
    """
    import pyvrp
    from pyvrp.exceptions import PenaltyBoundWarning

    share = params.first_share if params.first_share is not None else PYVRP_FIRST_SHARE
    best = _search(data, params, until=started + share * params.time_limit_s)
    if best is None:
        return None
    log.info("first search: %d tours (at least %d)", best.num_routes(), bound)
    kind = data.vehicle_type(0)
    fleet_until = started + params.fleet_share * params.time_limit_s
    while best.num_routes() > bound and time.perf_counter() < fleet_until - 0.05:
        routes = sorted(_clients(best), key=len)
        fewer = data.replace(vehicle_types=[kind.replace(num_available=len(routes) - 1)])
        tried = time.perf_counter()
        with warnings.catch_warnings():  # too few vehicles is what an attempt tries: its penalties may hit the bound
            warnings.simplefilter("ignore", PenaltyBoundWarning)
            found = _search(fewer, params, until=min(fleet_until, tried + PYVRP_ATTEMPT_SHARE * params.time_limit_s),
                            initial=pyvrp.Solution(fewer, routes[1:]), first_feasible=True)
        if found is None:
            log.info("no plan with %d tours in %.1f s", len(routes) - 1, time.perf_counter() - tried)
            break
        log.info("%d tours after %.1f s (from %d)", found.num_routes(), time.perf_counter() - tried, len(routes))
        best = found
    settled = data.replace(vehicle_types=[kind.replace(num_available=best.num_routes())])
    final = _search(settled, params, until=until, initial=pyvrp.Solution(settled, _clients(best)))
    if final is not None and (final.num_routes(), final.distance()) <= (best.num_routes(), best.distance()):
        return final
    return best


def _clients(solution) -> list[list[int]]:
    """Each route of a PyVRP solution as its clients (counted from 0, as ``pyvrp.Solution`` takes them)."""
    import pyvrp

    return [[a.idx for a in r.schedule() if a.type == pyvrp.ActivityType.CLIENT] for r in solution.routes()]


def _day_plan(problem: Problem, kept: list[int], allowed: dict[int, list[int]], unplanned: list[Unplanned], best,
              members: list[list[int]], *, started: float) -> DayPlan:
    """The :class:`DayPlan` of PyVRP's plan: each route goes to the next unused vehicle of its type."""
    import pyvrp

    free = [list(group) for group in members]
    tours, served = [], set()
    for route in best.routes():
        v = problem.vehicles[free[route.vehicle_type()].pop(0)]
        visits: list[Visit] = []
        stops = []
        for act in route.schedule():
            if act.type == pyvrp.ActivityType.CLIENT:
                visit = problem.visits[kept[int(act.idx)]]
                start_s = int(act.start_time)
                stops.append(Stop(v.team_id, v.shift, visit.venue_id, start_s, start_s + visit.service_s, visit.reason,
                                  visit.risk, visit.grid_id, visit.home_teams))
                visits.append(visit)
                served.add(visit.venue_id)
        route_nodes = [v.start_node] + [visit.node for visit in visits] + [v.end_node]
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
    cost = best.distance_cost() + best.duration_cost() + best.fixed_vehicle_cost()
    return DayPlan(problem.day, tuple(tours), tuple(unplanned + dropped), time.perf_counter() - started, "feasible",
                   int(cost), work)
