"""Run parameters of the planner (filled from CLI flags or the web form)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlanParams:
    """How to plan.

    Attributes
    ----------
    days
        Days in the horizon, from the plan date on.
    time_limit_s
        Solver time per day (seconds).
    must_penalty
        Objective cost of dropping a must visit (overdue, due, recheck); dominates any travel.
    optional_value_s
        What a risk-1.0 optional visit is worth, in seconds of travel the solver may spend on it.
    optional_pool
        At most this many optional candidates per day (the highest-valued), to keep the model small.
    est_travel_s
        Travel per visit assumed when spreading work over the horizon (before routing).
    utilisation
        Share of shift time the horizon fills with must work (the rest absorbs travel variance).
    first_solution
        OR-Tools first-solution strategy names, comma-separated: each builds a first plan and
        improves it for an equal share of the time, and the best goes on to the rest of the time
        (on the demo street PARALLEL_CHEAPEST_INSERTION plans 89 must visits, SAVINGS 91; on a
        generated street of 1,000 venues PARALLEL_CHEAPEST_INSERTION wins).
    metaheuristic
        OR-Tools local-search metaheuristic name.
    max_access_m
        On real roads: how far (straight metres) a venue or a team's start may be from its nearest
        street; farther ones are unreachable. The walk to the street is part of the travel.
    balance_spread_min
        Balanced days: keep the working minutes (travel + service) of the day's teams within this
        many minutes of each other. The search pays for each minute beyond the least busy team plus
        the spread, and optional visits (least valued first) are then taken from the busiest team until
        it holds, or that team has only must visits left: must visits are never given up for balance.
        ``None`` (the default for now) turns it off: on the demo's five days 60 minutes cost 79 of 394
        visits (benchmarks/results/office-2026-12-01.md), a price the offices should choose to pay.
    consistent_teams
        Over several days a grid keeps to few teams: a team pays half the away cost
        (``rules.away_from_home_s``) for a grid outside its home that it already visited on an
        earlier day of the horizon, so help for a grid comes from the team that helped before.
    seed
        Kept in the output for reproducibility; the OR-Tools search itself is deterministic for
        a given time limit and machine speed.
    """

    days: int = 1
    time_limit_s: float = 20.0
    must_penalty: int = 10_000_000
    optional_value_s: int = 1800
    optional_pool: int = 120
    est_travel_s: int = 420
    utilisation: float = 0.8
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION,SAVINGS"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    max_access_m: float = 500.0
    balance_spread_min: float | None = None  # off until its price is settled: 5 demo days lost 79 of 394 visits at 60
    consistent_teams: bool = True
    seed: int = 0
