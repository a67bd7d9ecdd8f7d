"""Prize-collecting VRPTW (PC-VRPTW) with the planner's optional visits, against the best known.

    python benchmarks/pcvrptw.py --dir ~/Instances/PCVRPTW --instances C1_10_1,R1_10_1 --time-limit 60

The instances are PyVRP's PC-VRPTW set (github.com/PyVRP/Instances, folder PCVRPTW, MIT licence;
not copied here: give the folder with ``--dir``): the Gehring-Homberger 1000-customer instances in
VRPLIB format with a prize per customer, and a best-known solution (``.sol``) beside each. A
customer need not be visited; the cost is the distance driven plus the prizes of the customers left
out, in DIMACS units (every number × 10, truncated), as the ``.sol`` files count it.

Each instance becomes a :class:`planner.model.Problem` whose customers are all *optional* visits, the
way ``patrol plan`` offers risk-weighted optional venues: a visit's value (``risk × optional_value_s``)
is its prize, so the routing's objective is exactly the instance's (travel + values of the visits
dropped). It then goes through ``planner.routing.solve``, as every patrol day does. The routes are
re-evaluated here from the instance alone (time windows, capacity, each customer at most once).

Prints CSV: instance, cost, bks, gap_pct, value_share, visited, bks_visited, routes, bks_routes, seconds,
feasible, load. Leaving every customer out already costs only a few per cent more than the best known (the
prizes are small beside the distances), so ``gap_pct`` flatters; ``value_share`` is the fair measure: what
the plan gains over visiting nobody (all prizes − cost) as a share of what the best known gains.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import solomon  # noqa: E402
from planner.model import Problem, Vehicle, Visit  # noqa: E402
from planner.routing import SolveParams, solve  # noqa: E402

DIMACS = 10  # the .sol costs count tenths: every distance, time, demand and prize × 10, truncated


@dataclass(frozen=True)
class Instance(solomon.Instance):
    """A PC-VRPTW instance in DIMACS integers (node 0 is the depot): a VRPTW instance with a prize per customer."""

    prize: np.ndarray

    def distances(self) -> np.ndarray:
        """Euclidean distances between every pair of nodes in DIMACS integers (tenths, truncated)."""
        return (DIMACS * super().distances()).astype(np.int64)


def read_instance(path: Path) -> Instance:
    """Read the VRPLIB text (specifications, then NODE_COORD, DEMAND, TIME_WINDOW, PRIZE, DEPOT sections)."""
    spec, sections = solomon.read_vrplib(path)
    n = int(spec["DIMENSION"])

    def column(section: str, k: int = 1) -> np.ndarray:
        rows = sorted(sections[section])[:n]
        return np.array([r[k] for r in rows])

    service = np.full(n, float(spec.get("SERVICE_TIME", 0)))
    service[0] = 0.0
    xy = np.column_stack([column("NODE_COORD", 1), column("NODE_COORD", 2)])
    as_int = lambda a: (DIMACS * a).astype(np.int64)  # noqa: E731
    return Instance(path.stem, int(spec["VEHICLES"]), DIMACS * int(spec["CAPACITY"]), xy, as_int(column("DEMAND")),
                    as_int(column("TIME_WINDOW", 1)), as_int(column("TIME_WINDOW", 2)), as_int(service),
                    as_int(column("PRIZE")))


def to_problem(inst: Instance) -> Problem:
    """Every customer an optional visit worth its prize; one depot; the instance's fleet and capacity."""
    dist = inst.distances()
    vehicles = tuple(Vehicle(f"v{k + 1}", 0, 0, 0, int(inst.ready[0]), int(inst.due[0]), frozenset(), "euclid",
                             capacity=inst.capacity) for k in range(inst.vehicles))
    visits = tuple(
        Visit(str(i), i, int(inst.service[i]), int(inst.ready[i]), int(inst.due[i] + inst.service[i]),
              must=False, reason="optional", risk=float(inst.prize[i]), demand=int(inst.demand[i]))
        for i in range(1, len(inst.xy))
    )
    return Problem(vehicles, visits, {"euclid": dist}, dist)


def evaluate(inst: Instance, routes: list[list[int]]) -> tuple[int, list[str]]:
    """Cost (distance + prizes of customers not visited) of ``routes`` and every broken rule."""
    dist = inst.distances()
    problems, total, seen = [], 0, []
    for r, route in enumerate(routes):
        t, load, prev = int(inst.ready[0]), 0, 0
        for c in route:
            total += int(dist[prev, c])
            t = max(t + int(dist[prev, c]), int(inst.ready[c]))
            if t > inst.due[c]:
                problems.append(f"route {r + 1}: customer {c} served at {t} after {inst.due[c]}")
            t += int(inst.service[c])
            load += int(inst.demand[c])
            prev = c
            seen.append(c)
        total += int(dist[prev, 0])
        if t + dist[prev, 0] > inst.due[0]:
            problems.append(f"route {r + 1}: back at the depot at {t + dist[prev, 0]} after {inst.due[0]}")
        if load > inst.capacity:
            problems.append(f"route {r + 1}: load {load} over capacity {inst.capacity}")
    if len(seen) != len(set(seen)):
        problems.append("a customer is visited twice")
    left = sorted(set(range(1, len(inst.xy))) - set(seen))
    return total + int(inst.prize[left].sum()), problems


def read_bks(path: Path) -> tuple[int, int, int] | None:
    """(cost, routes, customers visited) of the ``.sol`` beside an instance, when there is one."""
    if not path.exists():
        return None
    text = path.read_text()
    cost = re.search(r"^Cost:?\s*([\d.]+)", text, re.MULTILINE)
    routes = re.findall(r"^Route[^:]*:(.*)$", text, re.MULTILINE)
    return (int(float(cost[1])), len(routes), sum(len(r.split()) for r in routes)) if cost else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True, help="PyVRP's Instances/PCVRPTW folder (.vrp and .sol)")
    parser.add_argument("--instances", help="comma-separated names (default: every .vrp in --dir)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="solver seconds per instance")
    parser.add_argument("--first-solution", default="ALL_UNPERFORMED",
                        help="OR-Tools first-solution strategies, comma-separated (as PlanParams.first_solution); "
                             "the insertion and arc strategies found no plan better than visiting nobody "
                             "on C1_10_1 in 40 s")
    args = parser.parse_args(argv)
    names = args.instances.split(",") if args.instances else sorted(p.stem for p in args.dir.glob("*.vrp"))
    header = "instance,cost,bks,gap_pct,value_share,visited,bks_visited,routes,bks_routes,seconds,feasible,load"
    print(header, flush=True)
    for name in names:
        inst = read_instance(args.dir / f"{name}.vrp")
        params = SolveParams(time_limit_s=args.time_limit, optional_value_s=1, first_solution=args.first_solution)
        started = time.perf_counter()
        plan = solve(to_problem(inst), params)
        seconds = time.perf_counter() - started
        routes = [[int(s.venue_id) for s in tour.stops] for tour in plan.tours if tour.stops]
        cost, problems = evaluate(inst, routes)
        bks = read_bks(args.dir / f"{name}.sol")
        nobody = int(inst.prize.sum())
        gap = f"{100 * (cost - bks[0]) / bks[0]:.2f}" if bks else ""
        share = f"{(nobody - cost) / (nobody - bks[0]):.3f}" if bks and nobody > bks[0] else ""
        print(f"{name},{cost},{bks[0] if bks else ''},{gap},{share},{sum(map(len, routes))},{bks[2] if bks else ''},"
              f"{len(routes)},{bks[1] if bks else ''},{seconds:.1f},{not problems},{os.getloadavg()[0]:.2f}",
              flush=True)
        for p in problems[:5]:
            print(f"# {name}: {p}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
