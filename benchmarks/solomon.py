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
# SINTEF's best known (https://www.sintef.no/projectweb/top/vrptw/, fewest vehicles, then distance unrounded)
GH_BKS = Path(__file__).resolve().parent / "gh_bks.csv"


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
    """Read an instance in the original Solomon text format, or VRPLIB.

    The text format is described in the README beside the instances; VRPLIB (``.vrp``) is how PyVRP's instance
    collection keeps Gehring–Homberger's.
    """
    if path.suffix.lower() == ".vrp":
        return _read_vrplib(path)
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
    name = lines[0][0]
    at = next(i for i, ln in enumerate(lines) if ln[0].upper() == "VEHICLE")
    vehicles, capacity = int(lines[at + 2][0]), int(lines[at + 2][1])
    rows = np.array([[float(x) for x in ln] for ln in lines if ln[0].isdigit() and len(ln) == 7])
    return Instance(name, vehicles, capacity, rows[:, 1:3], rows[:, 3].astype(int),
                    rows[:, 4].astype(int), rows[:, 5].astype(int), rows[:, 6].astype(int))


def read_vrplib(path: Path) -> tuple[dict[str, str], dict[str, list[list[float]]]]:
    """A VRPLIB text file as its specifications (``NAME : C101``) and its sections by name (``NODE_COORD``).

    Each section is its rows of numbers as they are in the file; ``EOF`` ends nothing early.
    """
    header: dict[str, str] = {}
    sections: dict[str, list[list[float]]] = {}
    current = None
    for line in path.read_text().splitlines():
        parts = line.replace(":", " : ", 1).split() if ":" in line and "SECTION" not in line else line.split()
        if not parts or parts[0] == "EOF":
            continue
        if len(parts) >= 3 and parts[1] == ":":
            header[parts[0]] = " ".join(parts[2:])
            current = None
        elif parts[0].endswith("_SECTION"):
            current = parts[0].removesuffix("_SECTION")
            sections[current] = []
        elif current is not None:
            sections[current].append([float(x) for x in parts])
    return header, sections


def _read_vrplib(path: Path) -> Instance:
    """VRPLIB CVRPTW: NODE_COORD, DEMAND, TIME_WINDOW (and SERVICE_TIME) sections, node 1 the depot."""
    header, sections = read_vrplib(path)
    n = len(sections["NODE_COORD"])
    xy = np.array([row[1:3] for row in sections["NODE_COORD"]])
    demand = np.array([int(row[1]) for row in sections["DEMAND"]])
    windows = np.array([row[1:3] for row in sections["TIME_WINDOW"]], dtype=int)
    if "SERVICE_TIME" in sections:
        service = np.array([int(row[1]) for row in sections["SERVICE_TIME"]])
    else:
        service = np.full(n, int(float(header.get("SERVICE_TIME", 0))))
        service[0] = 0
    return Instance(header.get("NAME", path.stem), int(header.get("VEHICLES", n - 1)), int(header["CAPACITY"]),
                    xy, demand, windows[:, 0], windows[:, 1], service)


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


def solve_instance(inst: Instance, time_limit_s: float, **options) -> tuple[list[list[int]], float]:
    """Solve with the planner's routing; return the routes (customer ids) and wall seconds.

    ``options`` are :class:`SolveParams` fields (``fleet_share``, ``first_solution`` …) beyond its defaults.
    """
    params = SolveParams(time_limit_s=time_limit_s, must_penalty=MUST_PENALTY, **options)
    started = time.perf_counter()
    plan = solve(to_problem(inst), params)
    seconds = time.perf_counter() - started
    return [[int(s.venue_id) for s in tour.stops] for tour in plan.tours], seconds


def read_bks(folder: Path) -> dict[str, tuple[int, float]]:
    """Best known (vehicles, distance) by instance, fewest vehicles first.

    From ``BKS.csv`` beside the instances, or else :data:`GH_BKS` (SINTEF's list for the Gehring–Homberger 200s and
    400s).
    """
    path = folder / "BKS.csv" if (folder / "BKS.csv").exists() else GH_BKS
    with path.open(newline="") as f:
        return {r["instance"]: (int(r["vehicles"]), float(r["distance"])) for r in csv.DictReader(f)}


def instance_names(folder: Path) -> list[str]:
    """Names of the instances in ``folder`` (Solomon ``.txt`` or VRPLIB ``.vrp``)."""
    return sorted(p.stem for p in [*folder.glob("*.txt"), *folder.glob("*.vrp")] if p.stem.upper() != "README")


def instance_path(folder: Path, name: str) -> Path:
    """The file of instance ``name`` in ``folder``."""
    return next(p for p in (folder / f"{name}.txt", folder / f"{name}.vrp") if p.exists())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="folder with the instances and BKS.csv")
    parser.add_argument("--instances", default="", help="comma-separated names (default: all in --dir)")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--routes-out", type=Path, help="write the routes as JSON {name: [[customer ids], ...]}")
    parser.add_argument("--fleet-share", type=float, default=SolveParams.fleet_share,
                        help="take tours out until this share of the time (0: never; see "
                             "benchmarks/results/quality-2026-12-02.md)")
    args = parser.parse_args(argv)

    bks = read_bks(args.dir)
    names = [n.strip() for n in args.instances.split(",") if n.strip()] or instance_names(args.dir)
    out = csv.writer(sys.stdout)
    out.writerow(["instance", "engine", "vehicles", "distance", "bks_vehicles", "bks_distance", "gap_pct",
                  "seconds", "feasible"])
    all_routes = {}
    for name in names:
        inst = read_instance(instance_path(args.dir, name))
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
