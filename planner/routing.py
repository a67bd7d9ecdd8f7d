"""The daily OR-Tools model: the only module that imports ortools.

A :class:`~planner.model.Problem` goes in and a :class:`~planner.model.DayPlan` comes out;
the index manager and the callbacks never leave this module. Visits that cannot be served
by any tour (roles, opening hours, distance) are screened out before the solve, each with its
reason; the solver drops the rest only for capacity.
"""

from __future__ import annotations

import logging
import time
import weakref
from dataclasses import dataclass
from typing import Callable

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from .model import DayPlan, Problem, Stop, Tour, Unplanned, Visit

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]

_FIRST_SHARE = 0.7  # of the time limit: first solutions and their local search, when the search has phases
_HORIZON_S = 2 * 86400  # cumul capacity: a day plus venues that close after midnight


@dataclass(frozen=True)
class SolveParams:
    """Solver settings of one routing call."""

    time_limit_s: float = 20.0
    must_penalty: int = 10_000_000
    optional_value_s: int = 1800
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    fleet_share: float = 0.0  # with fixed vehicle costs: take tours out until this share of the time (0: never; see benchmarks/results)
    balance_spread_s: int | None = None  # teams' working seconds (travel + service) within this of each other; None: off
    balance_cost: int = 2  # objective cost per second a team works beyond the least busy team + balance_spread_s


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

    With one first-solution strategy and no fixed vehicle costs this is one search for the whole
    time limit. Otherwise it runs in phases: each strategy of ``params.first_solution`` (comma-
    separated) builds a plan and improves it for an equal share of 70 % of the time; when vehicles
    carry a fixed cost (fewest tours first, as in the VRPTW literature), tours of the best plan are
    then taken out one at a time, smallest first, and the search tries to fit their visits into the
    others until ``params.fleet_share`` of the time (an attempt that finds no cheaper plan is
    abandoned); the rest of the time improves the best plan. Each phase is a new model started
    from the routes of the last, so a phase never returns a worse plan than it was given.
    """
    started = time.perf_counter()
    allowed, unplanned = screen_visits(problem)
    kept = sorted(allowed)
    if not kept or not problem.vehicles:
        return DayPlan(problem.day, (), tuple(unplanned), time.perf_counter() - started, "empty")

    def report(model: _Model) -> Callable[[], None] | None:
        if progress is None:
            return None
        # OR-Tools keeps the callback; a strong reference back to the model would keep every model (and its
        # memory) alive as long as the process: ~50 MB per model, fatal in a worker that plans many parts.
        ref = weakref.ref(model)

        def _report() -> None:
            elapsed = time.perf_counter() - started
            progress(min(0.99, elapsed / max(params.time_limit_s, 1e-3)),
                     f"求解中 searching routes, {elapsed:.0f} of {params.time_limit_s:.0f} s (cost {ref().routing.CostVar().Value()})")
        return _report

    everyone = list(range(len(problem.vehicles)))
    strategies = [name.strip() for name in params.first_solution.split(",") if name.strip()]
    fleet = 0.0 < params.fleet_share < 1.0 and any(v.fixed_cost for v in problem.vehicles)
    balance = params.balance_spread_s is not None
    phased = fleet or balance or len(strategies) > 1
    first_until = started + params.time_limit_s * (_FIRST_SHARE if phased else 1.0)
    best = None  # (objective, model, solution): the best plan so far
    matrices: dict[tuple, list[list[int]]] = {}
    for k, strategy in enumerate(strategies):
        model = _Model(problem, kept, allowed, params, everyone, matrices)
        share = max(first_until - time.perf_counter(), 0.05) / (len(strategies) - k)
        solution = model.solve(_search(params, share, strategy), at_solution=report(model))
        if solution is not None and (best is None or solution.ObjectiveValue() < best[0]):
            best = (solution.ObjectiveValue(), model, solution)
    if best is None:  # a busy machine can spend the whole limit before the first plan: finish that one plan
        model = _Model(problem, kept, allowed, params, everyone, matrices)
        solution = model.solve(_first_plan_only(strategies[0] if strategies else "AUTOMATIC"))
        if solution is not None:
            log.warning("the first plan took longer than the %.1f s limit: no time was left to improve it", params.time_limit_s)
            best = (solution.ObjectiveValue(), model, solution)
    if phased and best is not None:
        routes = best[1].routes(best[2])
        fleet_until = started + params.time_limit_s * (params.fleet_share if fleet else 0.0)
        for gone in sorted((i for i in everyone if routes[i]), key=lambda i: len(routes[i])):
            left = fleet_until - time.perf_counter()
            if left <= 0.05 or sum(1 for r in routes.values() if r) < 2:
                break
            fewer = [i for i in everyone if routes[i] and i != gone]
            attempt = _Model(problem, kept, allowed, params, fewer, matrices)
            found = attempt.solve(_search(params, left), start={i: routes[i] for i in fewer}, below=best[0])
            if found is not None and found.ObjectiveValue() < best[0]:
                best = (found.ObjectiveValue(), attempt, found)
                routes = {i: [] for i in everyone} | attempt.routes(found)
                log.info("one tour fewer: %d tours", sum(1 for r in routes.values() if r))
        caps = _balance_caps(best[1], routes, allowed, params.balance_spread_s) if balance else None
        final = _Model(problem, kept, allowed, params, everyone, matrices, caps=caps)
        left = started + params.time_limit_s - time.perf_counter()
        solution = final.solve(_search(params, max(left, 0.05)), start=routes, at_solution=report(final))
        # with caps the objective holds their cost too: the balanced search started from the best plan is kept
        if solution is not None and (caps is not None or solution.ObjectiveValue() <= best[0]):
            best = (solution.ObjectiveValue(), final, solution)
    if best is not None:
        model, solution = best[1], best[2]
        if balance:
            model, solution = _trim_to_spread(model, solution, allowed, params, matrices)
    seconds = time.perf_counter() - started
    status = _status_name(model.routing.status())
    if solution is None:
        log.warning("no solution within %.1f s (status %s)", params.time_limit_s, status)
        dropped = [Unplanned(problem.visits[k].venue_id, "capacity", problem.visits[k].must, problem.visits[k].risk) for k in kept]
        return DayPlan(problem.day, (), tuple(unplanned + dropped), seconds, status)

    tours, served = model.tours(solution)
    work = _team_work_s(model, model.routes(solution), allowed)
    dropped = [
        Unplanned(problem.visits[k].venue_id, "capacity", problem.visits[k].must, problem.visits[k].risk)
        for k in kept if problem.visits[k].venue_id not in served
    ]
    if progress is not None:
        progress(1.0, f"{len(served)} visits planned")
    return DayPlan(problem.day, tuple(tours), tuple(unplanned + dropped), seconds, status, solution.ObjectiveValue(), work)


def _active_teams(problem: Problem, allowed: dict[int, list[int]]) -> list[str]:
    """Teams that can serve at least one of the day's visits: the ones balanced and reported."""
    able = {problem.vehicles[i].team_id for vehicles in allowed.values() for i in vehicles}
    return sorted(able)


def _team_work_s(model: _Model, routes: dict[int, list[int]], allowed: dict[int, list[int]]) -> dict[str, int]:
    """Working seconds (travel + service) of each team that can serve a visit, summed over its shifts."""
    work = dict.fromkeys(_active_teams(model.problem, allowed), 0)
    for p, route in routes.items():
        team = model.problem.vehicles[p].team_id
        if team in work:
            work[team] += model.route_work_s(p, route)
    return work


def _balance_caps(model: _Model, routes: dict[int, list[int]], allowed: dict[int, list[int]],
                  spread_s: int) -> dict[int, tuple[int, int]]:
    """Soft bounds (lower, upper) on each vehicle's work from a plan's teams: the least busy team's work
    plus the spread above, the busiest team's less the spread below (so a quiet team is offered work
    before a busy one gives it up), each split over the team's shifts by their length."""
    work = _team_work_s(model, routes, allowed)
    if not work:
        return {}
    upper, lower = min(work.values()) + spread_s, max(max(work.values()) - spread_s, 0)
    problem = model.problem
    day_s = {t: sum(v.end_s - v.start_s for v in problem.vehicles if v.team_id == t) for t in work}
    share = {p: (v.end_s - v.start_s) / max(day_s[v.team_id], 1) for p, v in enumerate(problem.vehicles) if v.team_id in work}
    return {p: (int(lower * f), int(upper * f)) for p, f in share.items()}


def _trim_to_spread(model: _Model, solution, allowed: dict[int, list[int]], params: SolveParams,
                    matrices: dict[tuple, list[list[int]]]) -> tuple[_Model, object]:
    """Take optional visits (least valued first) from the busiest team until the teams' work is within
    ``spread_s`` of the least busy, or the busiest has only must visits left. Never drops a must visit.

    Taking a visit out of a tour keeps it feasible (travel obeys the triangle inequality, waiting is
    allowed); the trimmed routes are read into a new model of the same vehicles, so the times are the
    solver's. Returns the model and solution unchanged when nothing needs to go (or, which should not
    happen, the trimmed routes do not read).
    """
    spread_s = params.balance_spread_s
    routes = model.routes(solution)
    visit_at = {model.n_depots + j: model.problem.visits[k] for j, k in enumerate(model.kept)}
    trimmed = False
    while True:
        work = _team_work_s(model, routes, allowed)
        if len(work) < 2 or max(work.values()) - min(work.values()) <= spread_s:
            break
        busiest = max(work, key=lambda t: (work[t], t))
        optional = [(visit_at[n].risk, p, n) for p, route in routes.items()
                    if model.problem.vehicles[p].team_id == busiest for n in route if not visit_at[n].must]
        if not optional:
            break
        _, p, n = min(optional)
        routes[p] = [m for m in routes[p] if m != n]
        trimmed = True
    if not trimmed:
        return model, solution
    fresh = _Model(model.problem, model.kept, allowed, params, model.vehicles, matrices)
    fresh.routing.CloseModelWithParameters(_search(params, max(params.time_limit_s, 1.0)))
    order = [[fresh.manager.NodeToIndex(n) for n in routes.get(p, [])] for p in fresh.vehicles]
    read = fresh.routing.ReadAssignmentFromRoutes(order, True)
    if read is None:
        log.warning("the trimmed routes did not read back: the plan keeps its spread")
        return model, solution
    return fresh, read


def _search(params: SolveParams, time_limit_s: float, first_solution: str = "AUTOMATIC"):
    """OR-Tools search parameters: a first-solution strategy (unused when starting from routes), the metaheuristic, a time limit."""
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first_solution)
    search.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, params.metaheuristic)
    search.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    return search


def _first_plan_only(first_solution: str):
    """Search parameters that stop at the first complete plan, however long it takes to build."""
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first_solution)
    search.solution_limit = 1
    return search


class _Model:
    """The OR-Tools model of a problem's kept visits for some of its vehicles (``vehicles``: indices).

    Node numbers (depots of every vehicle first, then the kept visits) are the same in every
    model of one problem, so routes (lists of node numbers per vehicle) pass between them.
    """

    def __init__(self, problem: Problem, kept: list[int], allowed: dict[int, list[int]], params: SolveParams,
                 vehicles: list[int], matrices: dict[tuple, list[list[int]]] | None = None,
                 caps: dict[int, tuple[int, int]] | None = None) -> None:
        """``matrices`` keeps the transit matrices (as lists) between the models of one solve: the node
        numbers are the same in all of them, and building the lists is the slow part of a model.
        ``caps`` (lower, upper working seconds by vehicle index in the problem) are soft bounds of a
        "Work" dimension (travel + service, no waiting): each second beyond the upper one costs
        ``params.balance_cost``, each second short of the lower one 1 (as a second of travel, so
        a detour never pays for itself)."""
        self.problem, self.kept, self.vehicles = problem, kept, vehicles
        fleet = [problem.vehicles[i] for i in vehicles]
        depots = sorted({n for v in problem.vehicles for n in (v.start_node, v.end_node)})
        nodes = depots + [problem.visits[k].node for k in kept]
        local = {n: i for i, n in enumerate(depots)}
        self.n_depots = n_depots = len(depots)
        service = np.zeros(len(nodes), dtype=np.int64)
        service[n_depots:] = [problem.visits[k].service_s for k in kept]
        self.index = index = np.asarray(nodes)

        self.manager = manager = pywrapcp.RoutingIndexManager(
            len(nodes), len(fleet), [local[v.start_node] for v in fleet], [local[v.end_node] for v in fleet],
        )
        self.routing = routing = pywrapcp.RoutingModel(manager)

        matrices = {} if matrices is None else matrices
        cost_cb, time_cb = {}, {}
        for key in sorted({v.matrix for v in fleet}):
            if ("time", key) not in matrices:
                matrices["time", key] = (problem.travel_s[key][np.ix_(index, index)] + service[:, None]).tolist()
            time_cb[key] = routing.RegisterTransitMatrix(matrices["time", key])
        for i, v in enumerate(fleet):
            key = (v.matrix, v.home_nodes, v.away_cost_s, v.familiar_nodes)
            if key not in cost_cb:
                if ("cost", key) not in matrices:
                    matrices["cost", key] = _arc_costs(problem, v, index, n_depots).tolist()
                cost_cb[key] = routing.RegisterTransitMatrix(matrices["cost", key])
            routing.SetArcCostEvaluatorOfVehicle(cost_cb[key], i)
            if v.fixed_cost:
                routing.SetFixedCostOfVehicle(int(v.fixed_cost), i)

        horizon = max([_HORIZON_S] + [v.end_s for v in fleet] + [problem.visits[k].close_s for k in kept])
        routing.AddDimensionWithVehicleTransits([time_cb[v.matrix] for v in fleet], horizon, horizon, False, "Time")
        self.time_dim = time_dim = routing.GetDimensionOrDie("Time")
        position = {p: i for i, p in enumerate(vehicles)}
        for j, k in enumerate(kept):
            visit = problem.visits[k]
            idx = manager.NodeToIndex(n_depots + j)
            time_dim.CumulVar(idx).SetRange(int(visit.open_s), int(visit.close_s - visit.service_s))
            able = [position[p] for p in allowed[k] if p in position]
            if len(able) < len(fleet):
                # SetAllowedVehiclesForIndex takes no Python sequence in this binding; -1 = unperformed
                routing.VehicleVar(idx).SetValues([-1, *able])
            penalty = (
                params.must_penalty + int(round(visit.risk * 1000))
                if visit.must
                else max(1, int(round(visit.risk * params.optional_value_s)))
            )
            routing.AddDisjunction([idx], penalty)
        for i, v in enumerate(fleet):
            time_dim.CumulVar(routing.Start(i)).SetRange(int(v.start_s), int(v.end_s))
            time_dim.CumulVar(routing.End(i)).SetRange(int(v.start_s), int(v.end_s))
            routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(i)))
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(i)))

        self.time_matrix = {key: matrices["time", key] for key in time_cb}
        if caps:
            routing.AddDimensionWithVehicleTransits([time_cb[v.matrix] for v in fleet], 0, horizon, True, "Work")
            work_dim = routing.GetDimensionOrDie("Work")
            for i, p in enumerate(vehicles):
                if p in caps:
                    lower, upper = caps[p]
                    work_dim.SetCumulVarSoftUpperBound(routing.End(i), int(upper), int(params.balance_cost))
                    if lower > 0:
                        work_dim.SetCumulVarSoftLowerBound(routing.End(i), int(lower), 1)

        if any(v.capacity for v in fleet):
            demand = [0] * n_depots + [int(problem.visits[k].demand) for k in kept]
            demand_cb = routing.RegisterUnaryTransitVector(demand)
            routing.AddDimensionWithVehicleCapacity(
                demand_cb, 0, [int(v.capacity) or 10**9 for v in fleet], True, "Load"
            )

    def solve(self, search, *, start: dict[int, list[int]] | None = None, below: int | None = None,
              at_solution: Callable[[], None] | None = None):
        """Search from a first solution, or from ``start`` (routes by vehicle index); None if nothing found.

        With ``below``, the search stops at the first solution cheaper than it.
        """
        routing = self.routing
        if at_solution is not None:
            routing.AddAtSolutionCallback(at_solution)
        if below is not None:
            ref = weakref.ref(self)  # not the routing model itself: it keeps the callback (see solve's report)

            def _enough() -> None:
                if ref().routing.CostVar().Value() < below:
                    ref().routing.solver().FinishCurrentSearch()
            routing.AddAtSolutionCallback(_enough)
        if start is None:
            return routing.SolveWithParameters(search)
        routing.CloseModelWithParameters(search)
        routes = [[self.manager.NodeToIndex(n) for n in start.get(p, [])] for p in self.vehicles]
        initial = routing.ReadAssignmentFromRoutes(routes, True)
        if initial is None:
            return routing.SolveWithParameters(search)
        return routing.SolveFromAssignmentWithParameters(initial, search)

    def route_work_s(self, p: int, route: list[int]) -> int:
        """Travel and service seconds of vehicle ``p`` (index in the problem) along ``route`` (model nodes)."""
        v = self.problem.vehicles[p]
        local = {n: i for i, n in enumerate(self.index[: self.n_depots])}
        path = [local[v.start_node], *route, local[v.end_node]]
        transit = self.time_matrix[v.matrix]
        return int(sum(transit[a][b] for a, b in zip(path, path[1:]))) if route else 0

    def routes(self, solution) -> dict[int, list[int]]:
        """Model node numbers of each vehicle's visits in order, by vehicle index in the problem."""
        out = {}
        for i, p in enumerate(self.vehicles):
            idx, route = solution.Value(self.routing.NextVar(self.routing.Start(i))), []
            while not self.routing.IsEnd(idx):
                route.append(self.manager.IndexToNode(idx))
                idx = solution.Value(self.routing.NextVar(idx))
            out[p] = route
        return out

    def tours(self, solution) -> tuple[list[Tour], set[str]]:
        """The solution as tours (vehicles with at least one stop) and the venue ids served."""
        problem, routing, time_dim = self.problem, self.routing, self.time_dim
        visit_at = {self.n_depots + j: problem.visits[k] for j, k in enumerate(self.kept)}
        tours, served = [], set()
        for i, p in enumerate(self.vehicles):
            v = problem.vehicles[p]
            idx = routing.Start(i)
            route_nodes, stops = [], []
            while True:
                node = self.manager.IndexToNode(idx)
                route_nodes.append(int(self.index[node]))
                if node in visit_at:
                    visit = visit_at[node]
                    start_s = solution.Value(time_dim.CumulVar(idx))
                    stops.append(Stop(v.team_id, v.shift, visit.venue_id, start_s, start_s + visit.service_s, visit.reason,
                                      visit.risk, visit.grid_id, visit.home_teams))
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
        return tours, served


def _arc_costs(problem: Problem, vehicle, index: np.ndarray, n_depots: int) -> np.ndarray:
    """Travel seconds, plus the away cost on arcs into visits outside the team's home grids (half of it
    into grids the team has already visited in the horizon, so a grid keeps to few teams)."""
    cost = problem.travel_s[vehicle.matrix][np.ix_(index, index)].copy()
    if vehicle.home_nodes is not None and vehicle.away_cost_s:
        away = np.array([n not in vehicle.home_nodes for n in index[n_depots:]], dtype=bool)
        familiar = np.array([n in vehicle.familiar_nodes for n in index[n_depots:]], dtype=bool) & away
        cost[:, n_depots:][:, away & ~familiar] += vehicle.away_cost_s
        cost[:, n_depots:][:, familiar] += vehicle.away_cost_s // 2
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
