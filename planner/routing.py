"""The daily OR-Tools model: the only module that imports ortools.

A :class:`~planner.model.Problem` goes in and a :class:`~planner.model.DayPlan` comes out;
the index manager and the callbacks never leave this module. Visits that cannot be served
by any tour (roles, opening hours, distance) are screened out before the solve, each with its
reason; the solver drops the rest only for capacity.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from .model import DayPlan, Problem, Stop, Tour, Unplanned, Visit

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]

_HORIZON_S = 2 * 86400  # cumul capacity: a day plus venues that close after midnight


@dataclass(frozen=True)
class SolveParams:
    """Solver settings of one routing call."""

    time_limit_s: float = 20.0
    must_penalty: int = 10_000_000
    optional_value_s: int = 1800
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    use_depth_first_fallback: bool = False


def screen_visits(problem: Problem) -> tuple[dict[int, list[int]], list[Unplanned]]:
    """Which vehicles can serve each visit at all; the others are unplanned with their reason.

    Returns
    -------
    (allowed, unplanned): ``allowed[k]`` lists the vehicle indices that can serve visit k.
    """
    allowed: dict[int, list[int]] = {}
    unplanned: list[Unplanned] = []
    for k, visit in enumerate(problem.visits):
        with_roles = [i for i, v in enumerate(problem.vehicles) if visit.required_roles <= v.roles]
        if not with_roles:
            unplanned.append(Unplanned(visit.venue_id, "no_team_with_roles", visit.must, visit.risk))
            continue
        in_hours = [i for i in with_roles if _fits_shift(visit, problem.vehicles[i])]
        if not in_hours:
            unplanned.append(Unplanned(visit.venue_id, "closed_at_shift_times", visit.must, visit.risk))
            continue
        reachable = [i for i in in_hours if _reachable(problem, visit, i)]
        if not reachable:
            unplanned.append(Unplanned(visit.venue_id, "unreachable", visit.must, visit.risk))
            continue
        allowed[k] = reachable
    return allowed, unplanned


def _fits_shift(visit: Visit, vehicle) -> bool:
    return max(visit.open_s, vehicle.start_s) + visit.service_s <= min(visit.close_s, vehicle.end_s)


def _reachable(problem: Problem, visit: Visit, i: int) -> bool:
    v = problem.vehicles[i]
    travel = problem.travel_s[v.matrix]
    start = max(visit.open_s, v.start_s + int(travel[v.start_node, visit.node]))
    if start + visit.service_s > visit.close_s:
        return False
    return start + visit.service_s + int(travel[visit.node, v.end_node]) <= v.end_s


def solve(problem: Problem, params: SolveParams = SolveParams(), *, progress: Progress | None = None) -> DayPlan:
    """Plan the day's tours with OR-Tools.

    Must visits carry a penalty that dominates any travel; optional visits are worth
    ``risk × optional_value_s``. Required roles are hard (allowed vehicles), opening hours are
    time windows on the start of service, shifts bound each tour.
    """
    started = time.perf_counter()
    allowed, unplanned = screen_visits(problem)
    kept = sorted(allowed)
    if not kept or not problem.vehicles:
        return DayPlan(problem.day, (), tuple(unplanned), time.perf_counter() - started, "empty")

    depots = sorted({n for v in problem.vehicles for n in (v.start_node, v.end_node)})
    nodes = depots + [problem.visits[k].node for k in kept]
    local = {n: i for i, n in enumerate(depots)}
    n_depots = len(depots)
    service = np.zeros(len(nodes), dtype=np.int64)
    service[n_depots:] = [problem.visits[k].service_s for k in kept]
    index = np.asarray(nodes)

    manager = pywrapcp.RoutingIndexManager(
        len(nodes), len(problem.vehicles),
        [local[v.start_node] for v in problem.vehicles], [local[v.end_node] for v in problem.vehicles],
    )
    routing = pywrapcp.RoutingModel(manager)

    cost_cb, time_cb = {}, {}
    for key in sorted({v.matrix for v in problem.vehicles}):
        travel = problem.travel_s[key][np.ix_(index, index)]
        time_cb[key] = routing.RegisterTransitMatrix((travel + service[:, None]).tolist())
    for i, v in enumerate(problem.vehicles):
        key = (v.matrix, v.home_nodes, v.away_cost_s)
        if key not in cost_cb:
            cost_cb[key] = routing.RegisterTransitMatrix(_arc_costs(problem, v, index, n_depots).tolist())
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[key], i)
        if v.fixed_cost:
            routing.SetFixedCostOfVehicle(int(v.fixed_cost), i)

    horizon = max([_HORIZON_S] + [v.end_s for v in problem.vehicles] + [problem.visits[k].close_s for k in kept])
    routing.AddDimensionWithVehicleTransits(
        [time_cb[v.matrix] for v in problem.vehicles], horizon, horizon, False, "Time"
    )
    time_dim = routing.GetDimensionOrDie("Time")
    for j, k in enumerate(kept):
        visit = problem.visits[k]
        idx = manager.NodeToIndex(n_depots + j)
        time_dim.CumulVar(idx).SetRange(int(visit.open_s), int(visit.close_s - visit.service_s))
        if len(allowed[k]) < len(problem.vehicles):
            # SetAllowedVehiclesForIndex takes no Python sequence in this binding; -1 = unperformed
            routing.VehicleVar(idx).SetValues([-1, *allowed[k]])
        penalty = (
            params.must_penalty + int(round(visit.risk * 1000))
            if visit.must
            else max(1, int(round(visit.risk * params.optional_value_s)))
        )
        routing.AddDisjunction([idx], penalty)
    for i, v in enumerate(problem.vehicles):
        time_dim.CumulVar(routing.Start(i)).SetRange(int(v.start_s), int(v.end_s))
        time_dim.CumulVar(routing.End(i)).SetRange(int(v.start_s), int(v.end_s))
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(i)))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(i)))

    if any(v.capacity for v in problem.vehicles):
        demand = [0] * n_depots + [int(problem.visits[k].demand) for k in kept]
        demand_cb = routing.RegisterUnaryTransitVector(demand)
        routing.AddDimensionWithVehicleCapacity(
            demand_cb, 0, [int(v.capacity) or 10**9 for v in problem.vehicles], True, "Load"
        )

    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, params.first_solution)
    search.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, params.metaheuristic)
    search.time_limit.FromMilliseconds(max(1, int(params.time_limit_s * 1000)))

    if progress is not None:
        def _report() -> None:
            elapsed = time.perf_counter() - started
            progress(min(0.99, elapsed / max(params.time_limit_s, 1e-3)),
                     f"求解中 searching routes, {elapsed:.0f} of {params.time_limit_s:.0f} s (cost {routing.CostVar().Value()})")
        routing.AddAtSolutionCallback(_report)

    solution = routing.SolveWithParameters(search)
    seconds = time.perf_counter() - started
    status = _status_name(routing.status())
    if solution is None:
        log.warning("no solution within %.1f s (status %s)", params.time_limit_s, status)
        dropped = [Unplanned(problem.visits[k].venue_id, "capacity", problem.visits[k].must, problem.visits[k].risk) for k in kept]
        return DayPlan(problem.day, (), tuple(unplanned + dropped), seconds, status)

    visit_at = {n_depots + j: problem.visits[k] for j, k in enumerate(kept)}
    tours, served = [], set()
    for i, v in enumerate(problem.vehicles):
        idx = routing.Start(i)
        route_nodes, stops = [], []
        while True:
            node = manager.IndexToNode(idx)
            route_nodes.append(int(index[node]))
            if node in visit_at:
                visit = visit_at[node]
                start_s = solution.Value(time_dim.CumulVar(idx))
                stops.append(Stop(v.team_id, v.shift, visit.venue_id, start_s, start_s + visit.service_s, visit.reason, visit.risk))
                served.add(visit.venue_id)
            if routing.IsEnd(idx):
                break
            idx = solution.Value(routing.NextVar(idx))
        if not stops:
            continue
        legs = list(zip(route_nodes, route_nodes[1:]))
        tours.append(Tour(
            v.team_id, v.shift, tuple(stops), tuple(route_nodes),
            solution.Value(time_dim.CumulVar(routing.Start(i))), solution.Value(time_dim.CumulVar(routing.End(i))),
            int(sum(problem.dist_m[a, b] for a, b in legs)),
            int(sum(problem.travel_s[v.matrix][a, b] for a, b in legs)),
        ))
    dropped = [
        Unplanned(problem.visits[k].venue_id, "capacity", problem.visits[k].must, problem.visits[k].risk)
        for k in kept if problem.visits[k].venue_id not in served
    ]
    if progress is not None:
        progress(1.0, f"{len(served)} visits planned")
    return DayPlan(problem.day, tuple(tours), tuple(unplanned + dropped), seconds, status, solution.ObjectiveValue())


def _arc_costs(problem: Problem, vehicle, index: np.ndarray, n_depots: int) -> np.ndarray:
    """Travel seconds, plus the away cost on arcs into visits outside the team's home grids."""
    cost = problem.travel_s[vehicle.matrix][np.ix_(index, index)].copy()
    if vehicle.home_nodes is not None and vehicle.away_cost_s:
        away = np.array([n not in vehicle.home_nodes for n in index[n_depots:]], dtype=bool)
        cost[:, n_depots:][:, away] += vehicle.away_cost_s
    return cost


def _status_name(code: int) -> str:
    """Short status names: "feasible" (time limit reached with a solution), "optimal", or a failure."""
    name = routing_enums_pb2.RoutingSearchStatus.Value.Name(int(code))
    return {
        "ROUTING_SUCCESS": "feasible",
        "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED": "feasible",
        "ROUTING_OPTIMAL": "optimal",
        "ROUTING_FAIL": "no_solution",
        "ROUTING_FAIL_TIMEOUT": "no_solution_in_time",
        "ROUTING_INFEASIBLE": "infeasible",
        "ROUTING_INVALID": "invalid",
        "ROUTING_NOT_SOLVED": "not_solved",
    }.get(name, name.lower())
