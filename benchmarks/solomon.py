"""Solve Solomon VRPTW instances with the planner's own routing code and compare with the best known.

    python benchmarks/solomon.py --time-limit 10 --instances C101,R101 --routes-out routes.json
    python benchmarks/solomon_refs.py --time-limit 10 --instances C101,R101   # PyVRP and VROOM

Each instance becomes a :class:`planner.model.Problem` (one depot, 25 identical vehicles with the
instance's capacity, every customer a must visit) and goes through ``planner.routing.solve``: the
same path ``patrol plan`` takes. The literature's conventions hold: unrounded Euclidean distance,
travel time equals distance, time windows bound the start of service, capacity per route, fewest
vehicles first, then distance. OR-Tools needs integers, so times and distances are scaled by
:data:`SCALE`; travel times are rounded *up*, so a plan feasible in integers is feasible in the
reals, and the distance printed is recomputed unrounded from the routes.

Prints CSV: instance, vehicles, distance, bks_vehicles, bks_distance, gap_pct, seconds, feasible.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.model import Problem, Vehicle, Visit  # noqa: E402
from planner.routing import SolveParams, solve  # noqa: E402

SCALE = 1000
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "solomon"
VEHICLE_COST = 10**8  # one vehicle outweighs any distance (scaled: ~2,000 units × 1,000)
MUST_PENALTY = 10**11  # dropping a customer outweighs any fleet


@dataclass(frozen=True)
class Instance:
    """A Solomon instance as read from its text file (node 0 is the depot)."""

    name: str
    vehicles: int
    capacity: int
    xy: np.ndarray
    demand: np.ndarray
    ready: np.ndarray
    due: np.ndarray
    service: np.ndarray

    def distances(self) -> np.ndarray:
        """Unrounded Euclidean distances between every pair of nodes."""
        diff = self.xy[:, None, :] - self.xy[None, :, :]
        return np.hypot(diff[..., 0], diff[..., 1])


def read_instance(path: Path) -> Instance:
    """Read the original Solomon text format (see the README beside the instances)."""
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
    name = lines[0][0]
    at = next(i for i, ln in enumerate(lines) if ln[0].upper() == "VEHICLE")
    vehicles, capacity = int(lines[at + 2][0]), int(lines[at + 2][1])
    rows = np.array([[float(x) for x in ln] for ln in lines if ln[0].isdigit() and len(ln) == 7])
    return Instance(name, vehicles, capacity, rows[:, 1:3], rows[:, 3].astype(int),
                    rows[:, 4].astype(int), rows[:, 5].astype(int), rows[:, 6].astype(int))


def to_problem(inst: Instance) -> Problem:
    """The instance as the planner's :class:`Problem` (scaled integers; see the module docstring)."""
    dist = inst.distances()
    travel = np.ceil(dist * SCALE - 1e-9).astype(np.int64)
    horizon = int(inst.due[0]) * SCALE
    vehicles = tuple(
        Vehicle(f"v{k + 1}", 0, 0, 0, int(inst.ready[0]) * SCALE, horizon, frozenset(), "euclid",
                capacity=inst.capacity, fixed_cost=VEHICLE_COST)
        for k in range(inst.vehicles)
    )
    visits = tuple(
        Visit(str(i), i, int(inst.service[i]) * SCALE, int(inst.ready[i]) * SCALE,
              (int(inst.due[i]) + int(inst.service[i])) * SCALE, demand=int(inst.demand[i]))
        for i in range(1, len(inst.xy))
    )
    return Problem(vehicles, visits, {"euclid": travel}, travel)


def evaluate(inst: Instance, routes: list[list[int]]) -> tuple[float, list[str]]:
    """Unrounded distance of ``routes`` and every broken rule (time window, capacity, coverage)."""
    dist = inst.distances()
    problems, total, seen = [], 0.0, []
    for r, route in enumerate(routes):
        t, load, prev = float(inst.ready[0]), 0, 0
        for c in route:
            total += dist[prev, c]
            t = max(t + dist[prev, c], float(inst.ready[c]))
            if t > inst.due[c] + 1e-6:
                problems.append(f"route {r + 1}: customer {c} served at {t:.2f} after {inst.due[c]}")
            t += inst.service[c]
            load += int(inst.demand[c])
            prev = c
            seen.append(c)
        total += dist[prev, 0]
        if t + dist[prev, 0] > inst.due[0] + 1e-6:
            problems.append(f"route {r + 1}: back at the depot at {t + dist[prev, 0]:.2f} after {inst.due[0]}")
        if load > inst.capacity:
            problems.append(f"route {r + 1}: load {load} over capacity {inst.capacity}")
    if sorted(seen) != list(range(1, len(inst.xy))):
        problems.append("customers not served exactly once")
    return total, problems


def solve_instance(inst: Instance, time_limit_s: float, *, fleet_share: float = SolveParams.fleet_share) -> tuple[list[list[int]], float]:
    """Solve with the planner's routing; return the routes (customer ids) and wall seconds."""
    params = SolveParams(time_limit_s=time_limit_s, must_penalty=MUST_PENALTY, fleet_share=fleet_share)
    started = time.perf_counter()
    plan = solve(to_problem(inst), params)
    seconds = time.perf_counter() - started
    return [[int(s.venue_id) for s in tour.stops] for tour in plan.tours], seconds


def read_bks(folder: Path) -> dict[str, tuple[int, float]]:
    with (folder / "BKS.csv").open(newline="") as f:
        return {r["instance"]: (int(r["vehicles"]), float(r["distance"])) for r in csv.DictReader(f)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="folder with the instances and BKS.csv")
    parser.add_argument("--instances", default="", help="comma-separated names (default: all in --dir)")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--routes-out", type=Path, help="write the routes as JSON {name: [[customer ids], ...]}")
    parser.add_argument("--fleet-share", type=float, default=SolveParams.fleet_share,
                        help="take tours out until this share of the time (default 0: one search; 0.9 buys vehicles, see results)")
    args = parser.parse_args(argv)

    bks = read_bks(args.dir)
    names = [n.strip() for n in args.instances.split(",") if n.strip()] or sorted(p.stem for p in args.dir.glob("*.txt"))
    out = csv.writer(sys.stdout)
    out.writerow(["instance", "engine", "vehicles", "distance", "bks_vehicles", "bks_distance", "gap_pct", "seconds", "feasible"])
    all_routes = {}
    for name in names:
        inst = read_instance(args.dir / f"{name}.txt")
        routes, seconds = solve_instance(inst, args.time_limit, fleet_share=args.fleet_share)
        distance, problems = evaluate(inst, routes)
        for p in problems:
            print(f"{name}: {p}", file=sys.stderr)
        bv, bd = bks.get(name, (0, math.nan))
        out.writerow([name, "patrol-ortools", len(routes), f"{distance:.2f}", bv, f"{bd:.2f}",
                      f"{100 * (distance - bd) / bd:.2f}", f"{seconds:.1f}", not problems])
        sys.stdout.flush()
        all_routes[name] = routes
    if args.routes_out:
        args.routes_out.write_text(json.dumps(all_routes) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
