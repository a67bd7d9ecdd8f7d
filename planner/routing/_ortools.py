"""The OR-Tools model of a problem: the one module of the package that talks to OR-Tools.

Node numbers (depots of every vehicle first, then the kept visits) are the same in every model of
one problem, so routes (lists of node numbers per vehicle) pass between the models of a solve's
phases; :class:`Models` builds them with the matrices shared.
"""

from __future__ import annotations

import time
import weakref
from typing import Callable, NamedTuple

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from gis.errors import TooLargeToPlan
from gis.i18n import gettext as _
from gis.memory import available_bytes

from ..model import Problem, Stop, Tour
from ..params import SolveParams

Progress = Callable[[float, str], None]

_HORIZON_S = 2 * 86400  # cumul capacity: a day plus venues that close after midnight


class Found(NamedTuple):
    """A plan found by a phase: its objective, the model it was found in, and the OR-Tools assignment."""

    objective: int
    model: Model
    solution: object

    def routes(self) -> dict[int, list[int]]:
        """Model node numbers of each vehicle's visits, for every vehicle of the problem (empty when unused)."""
        return {i: [] for i in range(len(self.model.problem.vehicles))} | self.model.routes(self.solution)


def found(model: Model, solution) -> Found | None:
    """``solution`` of ``model`` as a :class:`Found`, or None when the search found nothing."""
    return None if solution is None else Found(solution.ObjectiveValue(), model, solution)


class Models:
    """What the models of one solve share.

    The problem, its kept visits, who may serve each, the parameters, the clock, the progress callback and the transit
    matrices (building those is the slow part of a model).
    """

    def __init__(self, problem: Problem, kept: list[int], allowed: dict[int, list[int]], params: SolveParams,
                 *, started: float, progress: Progress | None = None) -> None:
        self.problem, self.kept, self.allowed, self.params = problem, kept, allowed, params
        self.started, self.progress = started, progress
        self.everyone = list(range(len(problem.vehicles)))
        self.matrices: dict[tuple, list[list[int]]] = {}
        _check_size(problem, len(kept))

    def build(self, vehicles: list[int] | None = None, *, caps: dict[int, tuple[int, int]] | None = None,
              fixed_costs: bool = True) -> Model:
        """A model of the kept visits for ``vehicles`` (indices in the problem; default every vehicle)."""
        return Model(self.problem, self.kept, self.allowed, self.params,
                     self.everyone if vehicles is None else vehicles, self.matrices, caps=caps, fixed_costs=fixed_costs)

    def at(self, share: float) -> float:
        """The clock time (``time.perf_counter``) when ``share`` of the time limit has passed."""
        return self.started + self.params.time_limit_s * share

    def reporter(self, model: Model) -> Callable[[], None] | None:
        """A callback for each solution ``model`` finds that tells the progress callback, if there is one."""
        if self.progress is None:
            return None
        progress, started, limit = self.progress, self.started, self.params.time_limit_s
        # OR-Tools keeps the callback; a strong reference back to the model would keep every model (and its
        # memory) alive as long as the process: ~50 MB per model, fatal in a worker that plans many parts.
        ref = weakref.ref(model)

        def _report() -> None:
            elapsed = time.perf_counter() - started
            progress(min(0.99, elapsed / max(limit, 1e-3)),
                     _("searching routes, %(elapsed).0f of %(limit).0f s (cost %(cost)d)", elapsed=elapsed,
                       limit=limit, cost=ref().routing.CostVar().Value()))
        return _report


def search_params(params: SolveParams, time_limit_s: float, first_solution: str = "AUTOMATIC"):
    """OR-Tools search parameters.

    A first-solution strategy (unused when starting from routes), the metaheuristic, a time limit.
    """
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first_solution)
    search.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, params.metaheuristic)
    for name in filter(None, (n.strip() for n in params.extra_operators.split(","))):
        setattr(search.local_search_operators, f"use_{name}", 3)  # OptionalBoolean BOOL_TRUE
    search.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    return search


def first_plan_only(first_solution: str):
    """Search parameters that stop at the first complete plan, however long it takes to build."""
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first_solution)
    search.solution_limit = 1
    return search


class Model:
    """The OR-Tools model of a problem's kept visits for some of its vehicles (``vehicles``: indices).

    Node numbers (depots of every vehicle first, then the kept visits) are the same in every
    model of one problem, so routes (lists of node numbers per vehicle) pass between them.
    """

    def __init__(self, problem: Problem, kept: list[int], allowed: dict[int, list[int]], params: SolveParams,
                 vehicles: list[int], matrices: dict[tuple, list[list[int]]] | None = None,
                 caps: dict[int, tuple[int, int]] | None = None, fixed_costs: bool = True) -> None:
        """Build one routing model of the solve.

        ``matrices`` keeps the transit matrices (as lists) between the models of one solve: the node numbers are the
        same in all of them, and building the lists is the slow part of a model.
        ``caps`` (lower, upper working seconds by vehicle index in the problem) are soft bounds of a
        "Work" dimension (travel + service, no waiting): each second beyond the upper one costs
        ``params.balance_cost``, each second short of the lower one 1 (as a second of travel, so
        a detour never pays for itself). Without ``fixed_costs`` the vehicles' fixed costs are left out of
        the objective (see ``_solve._polish``).
        """
        self.problem, self.kept, self.vehicles, self.params = problem, kept, vehicles, params
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
            key = _cost_key(v)
            if key not in cost_cb:
                if ("cost", key) not in matrices:
                    matrices["cost", key] = arc_costs(problem, v, index, n_depots).tolist()
                cost_cb[key] = routing.RegisterTransitMatrix(matrices["cost", key])
            routing.SetArcCostEvaluatorOfVehicle(cost_cb[key], i)
            if v.fixed_cost and fixed_costs:
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
        ref = weakref.ref(self)  # not the routing model itself: it keeps the callback (see Models.reporter)
        if below is not None:
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

    def read_routes(self, routes: dict[int, list[int]]):
        """The assignment of ``routes`` in this model, its times the solver's.

        ``routes`` are node numbers by vehicle index in the problem; None when they break a rule of the model.
        """
        self.routing.CloseModelWithParameters(search_params(self.params, max(self.params.time_limit_s, 1.0)))
        order = [[self.manager.NodeToIndex(n) for n in routes.get(p, [])] for p in self.vehicles]
        return self.routing.ReadAssignmentFromRoutes(order, True)

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
                    stops.append(Stop(v.team_id, v.shift, visit.venue_id, start_s,
                                      start_s + visit.service_s, visit.reason,
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


#: Bytes a model's matrices take per entry: a Python list's int (36 B, kept for the solve's models) and
#: OR-Tools' copy in each of the two models alive at once (8 B each), with the build's numpy arrays.
_BYTES_PER_ENTRY = 64


def _check_size(problem: Problem, kept: int) -> None:
    """Refuse, with the numbers, a day whose matrices would not fit in the memory this process may still take.

    One arc-cost matrix per team (its home grids differ) and one time matrix per travel mode, each
    (depots + visits)² entries: 3,000 venues and 30 teams in one problem take about 6 GB, a district of
    20,000 venues and 200 teams far more than any machine of ours has, and the kernel would kill the plan.
    """
    free = available_bytes()
    if free is None:
        return
    nodes = len({n for v in problem.vehicles for n in (v.start_node, v.end_node)}) + kept
    matrices = len({_cost_key(v) for v in problem.vehicles}) + len({v.matrix for v in problem.vehicles})
    need = matrices * nodes * nodes * _BYTES_PER_ENTRY
    if need > free:
        teams = len({v.team_id for v in problem.vehicles})
        raise TooLargeToPlan(_(
            "%(day)s is too large to plan as one problem: %(visits)d visits for %(teams)d teams need about "
            "%(need).1f GB of memory, and %(free).1f GB is free. Plan it by community (--partition community; "
            "the web app does so above 1,500 venues in several communities), or with fewer venues or teams "
            "in one problem.", day=problem.day.isoformat(), visits=kept, teams=teams, need=need / 1e9,
            free=free / 1e9))


def _cost_key(vehicle) -> tuple:
    """What a vehicle's arc-cost matrix depends on (:func:`arc_costs`): vehicles alike in it share one."""
    return vehicle.matrix, vehicle.home_nodes, vehicle.away_cost_s, vehicle.familiar_nodes


def arc_costs(problem: Problem, vehicle, index: np.ndarray, n_depots: int) -> np.ndarray:
    """Travel seconds, plus the away cost on arcs into visits outside the team's home grids.

    Half of it into grids the team has already visited in the horizon, so a grid keeps to few teams.
    """
    cost = problem.travel_s[vehicle.matrix][np.ix_(index, index)].copy()
    if vehicle.home_nodes is not None and vehicle.away_cost_s:
        away = np.array([n not in vehicle.home_nodes for n in index[n_depots:]], dtype=bool)
        familiar = np.array([n in vehicle.familiar_nodes for n in index[n_depots:]], dtype=bool) & away
        cost[:, n_depots:][:, away & ~familiar] += vehicle.away_cost_s
        cost[:, n_depots:][:, familiar] += vehicle.away_cost_s // 2
    return cost


def status_name(code: int) -> str:
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
