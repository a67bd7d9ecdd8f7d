"""The daily routing: a :class:`~planner.model.Problem` goes in, a :class:`~planner.model.DayPlan` comes out.

This package is the only place that imports OR-Tools (``_ortools``: the model, its search
parameters, reading routes in and out). The phases of a solve each have their module: ``_solve``
(first solutions from a portfolio of strategies, the first-plan fallback, the distance polish),
``_fleet`` (taking tours out while the visits still fit) and ``_balance`` (balanced days).
Visits that no tour can serve (roles, opening hours, distance) are screened out first
(``_screen``), each with its reason; the solver drops the rest only for capacity.
"""

from ..params import SolveParams as SolveParams
from ._screen import screen_visits as screen_visits
from ._solve import solve as solve
