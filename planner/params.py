"""Run parameters of the planner (filled from CLI flags or the web form): one object, one set of defaults.

:class:`PlanParams` holds what the horizon needs and, in ``solve``, the :class:`SolveParams` that each
day's routing call takes as they are. Neither imports OR-Tools: ``planner.routing`` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SolveParams:
    """How one routing call searches.

    Attributes
    ----------
    time_limit_s
        Solver time per day (seconds).
    must_penalty
        Objective cost of dropping a must visit (overdue, due, recheck); dominates any travel.
    optional_value_s
        What a risk-1.0 optional visit is worth, in seconds of travel the solver may spend on it.
    first_solution
        OR-Tools first-solution strategy names, comma-separated: each builds a first plan and
        improves it for an equal share of the time, and the best goes on to the rest of the time
        (on the demo street PARALLEL_CHEAPEST_INSERTION plans 89 must visits, SAVINGS 91; on a
        generated street of 1,000 venues PARALLEL_CHEAPEST_INSERTION wins). The planner and the
        re-planner both use this default (benchmarks/results/quality-2026-12-02.md).
    metaheuristic
        OR-Tools local-search metaheuristic name.
    fleet_share
        With fixed vehicle costs (fewest tours first, as in the VRPTW benchmarks; patrols have none):
        take tours out one at a time until this share of the time (0: never;
        benchmarks/results/quality-2026-12-02.md). The PyVRP engine, when every vehicle is alike, searches
        with one vehicle fewer than its best plan until this share and then distance alone with the
        smallest fleet found (``planner.routing._pyvrp``; benchmarks/results/quality-2026-12-04.md).
    balance_spread_s
        Balanced days: keep the working seconds (travel + service) of the day's teams within this
        many seconds of each other. The search pays for each second beyond the least busy team plus
        the spread, and optional visits (least valued first) are then taken from the busiest team until
        it holds, or that team has only must visits left: must visits are never given up for balance.
        ``None`` (the default for now) turns it off: on the demo's five days 60 minutes cost 79 of 394
        visits (benchmarks/results/office-2026-12-01.md), a price the offices should choose to pay.
    balance_cost
        Objective cost per second a team works beyond the least busy team + ``balance_spread_s``.
    first_share
        When the search has phases: the share of the time for the first solutions and their search;
        ``None``: 0.4 when tours are to be taken out (fixed vehicle costs and a ``fleet_share``), else 0.7;
        in the PyVRP engine's fleet phases, ``_pyvrp.PYVRP_FIRST_SHARE``.
    polish_fleet
        With fixed vehicle costs: the last phase searches distance alone on the vehicles the best plan
        uses (the fleet cannot grow; a tour that empties is saved).
    extra_operators
        OR-Tools local-search operators to switch on beyond its defaults, comma-separated, without
        their ``use_`` prefix (e.g. ``cross_exchange,relocate_neighbors``).
    engine
        ``"ortools"``, or ``"pyvrp"`` for a problem PyVRP can express as it is (every team may serve
        every visit, no home grids, no balance, all visits must; ``planner.routing._pyvrp``): others,
        and a day it finds no plan for, are planned by OR-Tools all the same.
    seed
        The PyVRP engine's random seed (OR-Tools' search has none).
    """

    time_limit_s: float = 20.0
    must_penalty: int = 10_000_000
    optional_value_s: int = 1800
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION,SAVINGS"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    fleet_share: float = 0.8
    balance_spread_s: int | None = None
    balance_cost: int = 2
    first_share: float | None = None
    polish_fleet: bool = True
    extra_operators: str = ""
    engine: str = "ortools"
    seed: int = 1


@dataclass(frozen=True)
class PlanParams:
    """How to plan a horizon.

    Attributes
    ----------
    days
        Days in the horizon, from the plan date on.
    solve
        How each day's routes are searched (time limit, penalties, strategies, balance).
    optional_pool
        At most this many optional candidates per day (the highest-valued), to keep the model small;
        fewer when the day's must work leaves little shift time, none when it fills the shifts
        (:func:`planner.plan.optional_pool`).
    est_travel_s
        Travel per visit assumed when spreading work over the horizon (before routing).
    utilisation
        Share of shift time the horizon fills with must work (the rest absorbs travel variance).
    max_access_m
        On real roads: how far (straight metres) a venue or a team's start may be from its nearest
        street; farther ones are unreachable. The walk to the street is part of the travel.
    consistent_teams
        Over several days a grid keeps to few teams: a team pays half the away cost
        (``rules.away_from_home_s``) for a grid outside its home that it already visited on an
        earlier day of the horizon, so help for a grid comes from the team that helped before.

    The one random seed is ``solve.seed`` (the PyVRP engine's; the OR-Tools search has none and is
    deterministic for a given time limit and machine speed).
    """

    days: int = 1
    solve: SolveParams = field(default_factory=SolveParams)
    optional_pool: int = 120
    est_travel_s: int = 420
    utilisation: float = 0.8
    max_access_m: float = 500.0
    consistent_teams: bool = True
