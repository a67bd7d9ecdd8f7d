"""Balanced days: soft bounds on each team's work for the polish, then optional visits taken from the busiest."""

from __future__ import annotations

import logging

from ..model import Problem
from ._ortools import Found, Model, Models

log = logging.getLogger(__name__)


def active_teams(problem: Problem, allowed: dict[int, list[int]]) -> list[str]:
    """Teams that can serve at least one of the day's visits: the ones balanced and reported."""
    able = {problem.vehicles[i].team_id for vehicles in allowed.values() for i in vehicles}
    return sorted(able)


def team_work_s(model: Model, routes: dict[int, list[int]], allowed: dict[int, list[int]]) -> dict[str, int]:
    """Working seconds (travel + service) of each team that can serve a visit, summed over its shifts."""
    work = dict.fromkeys(active_teams(model.problem, allowed), 0)
    for p, route in routes.items():
        team = model.problem.vehicles[p].team_id
        if team in work:
            work[team] += model.route_work_s(p, route)
    return work


def balance_caps(model: Model, routes: dict[int, list[int]], allowed: dict[int, list[int]],
                 spread_s: int) -> dict[int, tuple[int, int]]:
    """Soft bounds (lower, upper) on each vehicle's work from a plan's teams.

    The least busy team's work plus the spread above, the busiest team's less the spread below (so a quiet team is
    offered work before a busy one gives it up), each split over the team's shifts by their length.
    """
    work = team_work_s(model, routes, allowed)
    if not work:
        return {}
    upper, lower = min(work.values()) + spread_s, max(max(work.values()) - spread_s, 0)
    problem = model.problem
    day_s = {t: sum(v.end_s - v.start_s for v in problem.vehicles if v.team_id == t) for t in work}
    share = {p: (v.end_s - v.start_s) / max(day_s[v.team_id],
                                            1) for p, v in enumerate(problem.vehicles) if v.team_id in work}
    return {p: (int(lower * f), int(upper * f)) for p, f in share.items()}


def trim_to_spread(models: Models, best: Found) -> Found:
    """Take optional visits (least valued first) from the busiest team.

    Until the teams' work is within ``balance_spread_s`` of the least busy, or the busiest has only must visits left.
    Never drops a must visit.

    Taking a visit out of a tour keeps it feasible (travel obeys the triangle inequality, waiting is
    allowed); the trimmed routes are read into a new model of the same vehicles, so the times are the
    solver's. Returns ``best`` unchanged when nothing needs to go (or, which should not happen, the
    trimmed routes do not read).
    """
    spread_s, allowed, model = models.params.balance_spread_s, models.allowed, best.model
    routes = model.routes(best.solution)
    visit_at = {model.n_depots + j: model.problem.visits[k] for j, k in enumerate(model.kept)}
    trimmed = False
    while True:
        work = team_work_s(model, routes, allowed)
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
        return best
    fresh = models.build(model.vehicles)
    read = fresh.read_routes(routes)
    if read is None:
        log.warning("the trimmed routes did not read back: the plan keeps its spread")
        return best
    return Found(read.ObjectiveValue(), fresh, read)
