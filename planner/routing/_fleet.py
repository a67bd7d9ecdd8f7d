"""Fleet minimisation: take tours out one at a time while their visits still fit into the others.

As PyVRP keeps ``minimise_fleet`` apart from its search, this phase is its own step: with fixed
vehicle costs (fewest tours first, as in the VRPTW literature) it starts from the best plan so far
and never returns a worse one.
"""

from __future__ import annotations

import logging
import time

from ._ortools import Found, Models, found, search_params

log = logging.getLogger(__name__)


def minimise_fleet(models: Models, best: Found, *, until: float) -> Found:
    """Tours of ``best`` taken out one at a time, smallest first, until the clock reads ``until``.

    For each, a model without that vehicle starts from the other tours and searches until it finds a
    plan cheaper than the best (the tour's visits fitted into the others, its fixed cost saved) or runs
    out of time. A tour whose visits did not fit is tried again only after another tour has gone.
    (Searching these attempts without fixed costs and with a visit left out priced at travel scale
    kept fewer tours, not more: benchmarks/results/quality-2026-12-02.md.)
    """
    everyone = models.everyone
    routes = best.routes()
    failed: set[int] = set()
    while True:
        left = until - time.perf_counter()
        used = [i for i in everyone if routes[i]]
        candidates = sorted((i for i in used if i not in failed), key=lambda i: (len(routes[i]), i))
        if left <= 0.05 or len(used) < 2 or not candidates:
            break
        gone = candidates[0]
        fewer = [i for i in used if i != gone]
        attempt = models.build(fewer)
        better = found(attempt, attempt.solve(search_params(models.params, left), start={i: routes[i] for i in fewer},
                                              below=best.objective))
        if better is not None and better.objective < best.objective:
            best, routes, failed = better, better.routes(), set()
            log.info("one tour fewer: %d tours", len(fewer))
        else:
            failed.add(gone)
    return best
