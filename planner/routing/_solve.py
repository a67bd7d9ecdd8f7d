"""One routing call, phase by phase: portfolio of first solutions, fleet minimisation, polish, balance trim."""

from __future__ import annotations

import logging
import time

from gis.i18n import gettext as _

from ..model import DayPlan, Problem, Unplanned
from ..params import SolveParams
from ._balance import balance_caps, team_work_s, trim_to_spread
from ._fleet import minimise_fleet
from ._ortools import Found, Model, Models, Progress, first_plan_only, found, search_params, status_name
from ._pyvrp import solve_pyvrp, why_not
from ._screen import screen_visits

log = logging.getLogger(__name__)


def solve(problem: Problem, params: SolveParams = SolveParams(), *, progress: Progress | None = None) -> DayPlan:
    """Plan the day's tours with OR-Tools.

    Must visits carry a penalty that dominates any travel; optional visits are worth
    ``risk × optional_value_s``. Required roles are hard (allowed vehicles), opening hours are
    time windows on the start of service, shifts bound each tour.

    With one first-solution strategy, no fixed vehicle costs and no balance this is one search for
    the whole time limit. Otherwise it runs in phases: each strategy of ``params.first_solution``
    (comma-separated) builds a plan and improves it for an equal share of ``params.first_share`` of
    the time (:func:`_portfolio`); when vehicles carry a fixed cost, tours are taken out until
    ``params.fleet_share`` of the time (:func:`~planner.routing._fleet.minimise_fleet`); the rest of
    the time improves the best plan (:func:`_polish`), and balanced days then trim the busiest team
    (:func:`~planner.routing._balance.trim_to_spread`). Each phase is a new model started from the
    routes of the last, so a phase never returns a worse plan than it was given.
    """
    started = time.perf_counter()
    allowed, unplanned = screen_visits(problem)
    kept = sorted(allowed)
    if not kept or not problem.vehicles:
        return DayPlan(problem.day, (), tuple(unplanned), time.perf_counter() - started, "empty")
    if params.engine == "pyvrp":
        reason = why_not(problem, kept, allowed, params)
        plan = None if reason else solve_pyvrp(problem, kept, allowed, params, unplanned, started=started)
        if plan is not None:
            return plan
        log.warning("PyVRP cannot plan this day (%s): OR-Tools plans it", reason or "no plan serving every visit")
        started = time.perf_counter()
    models = Models(problem, kept, allowed, params, started=started, progress=progress)
    strategies = [name.strip() for name in params.first_solution.split(",") if name.strip()]
    fleet = 0.0 < params.fleet_share < 1.0 and any(v.fixed_cost for v in problem.vehicles)
    balance = params.balance_spread_s is not None
    phased = fleet or balance or len(strategies) > 1

    first_share = params.first_share if params.first_share is not None else (0.4 if fleet else 0.7)
    best, last = _portfolio(models, strategies, until=models.at(first_share if phased else 1.0))
    if best is None:
        best, last = _first_plan(models, strategies)
    if phased and best is not None:
        if fleet:
            best = minimise_fleet(models, best, until=models.at(params.fleet_share))
        best = _polish(models, best, balance=balance)
    if best is not None and balance:
        best = trim_to_spread(models, best)
    return _day_plan(models, best, last, unplanned)


def _portfolio(models: Models, strategies: list[str], *, until: float) -> tuple[Found | None, Model | None]:
    """Each strategy builds a first plan and improves it for an equal share of the time left until ``until``.

    Returns the best plan (None if no strategy found one in its time) and the last model built.
    """
    best, model = None, None
    for k, strategy in enumerate(strategies):
        model = models.build()
        share = max(until - time.perf_counter(), 0.05) / (len(strategies) - k)
        result = found(model,
                       model.solve(search_params(models.params, share, strategy), at_solution=models.reporter(model)))
        if result is not None and (best is None or result.objective < best.objective):
            best = result
    return best, model


def _first_plan(models: Models, strategies: list[str]) -> tuple[Found | None, Model]:
    """The first complete plan however long it takes: a busy machine can spend the whole limit before it."""
    model = models.build()
    result = found(model, model.solve(first_plan_only(strategies[0] if strategies else "AUTOMATIC")))
    if result is not None:
        log.warning("the first plan took longer than the %.1f s limit: no time was left to improve it",
                    models.params.time_limit_s)
    return result, model


def _polish(models: Models, best: Found, *, balance: bool) -> Found:
    """Improve ``best`` with every vehicle for the rest of the time (with soft work bounds for balanced days).

    Without balance the polished plan is kept only if it is no worse; with it, the objective holds the
    bounds' cost too, so the balanced search started from the best plan is kept.
    """
    routes = best.routes()
    caps = balance_caps(best.model, routes, models.allowed, models.params.balance_spread_s) if balance else None
    fleet = [i for i, route in routes.items() if route]
    fixed = {i: models.problem.vehicles[i].fixed_cost for i in fleet}
    if models.params.polish_fleet and any(fixed.values()):
        # The fleet is settled: search distance alone on the vehicles in use. With their fixed costs in the
        # objective, guided local search scales its penalties with an objective that is nearly all fixed cost,
        # and every penalised arc weighs like a detour of many kilometres.
        final = models.build(fleet, caps=caps, fixed_costs=False)
    else:
        final, fixed = models.build(caps=caps), {}
    left = models.at(1.0) - time.perf_counter()
    result = found(final,
                   final.solve(search_params(models.params, max(left, 0.05)), start=routes,
                               at_solution=models.reporter(final)))
    if result is not None and fixed:
        used = [i for i, route in result.routes().items() if route]
        result = result._replace(objective=result.objective + sum(fixed[i] for i in used))
    if result is not None and (caps is not None or result.objective <= best.objective):
        return result
    return best


def _day_plan(models: Models, best: Found | None, last: Model | None, unplanned: list[Unplanned]) -> DayPlan:
    """The :class:`DayPlan` of the best plan (or, with none, every kept visit unplanned for capacity)."""
    problem = models.problem
    seconds = time.perf_counter() - models.started
    model = best.model if best is not None else last
    status = status_name(model.routing.status())
    if best is None:
        log.warning("no solution within %.1f s (status %s)", models.params.time_limit_s, status)
        dropped = [Unplanned(problem.visits[k].venue_id, "capacity", problem.visits[k].must,
                             problem.visits[k].risk) for k in models.kept]
        return DayPlan(problem.day, (), tuple(unplanned + dropped), seconds, status)
    tours, served = model.tours(best.solution)
    work = team_work_s(model, model.routes(best.solution), models.allowed)
    dropped = [
        Unplanned(problem.visits[k].venue_id, "capacity", problem.visits[k].must, problem.visits[k].risk)
        for k in models.kept if problem.visits[k].venue_id not in served
    ]
    if models.progress is not None:
        models.progress(1.0, _("%(n)d visits planned", n=len(served)))
    return DayPlan(problem.day, tuple(tours), tuple(unplanned + dropped), seconds, status, best.objective, work)
