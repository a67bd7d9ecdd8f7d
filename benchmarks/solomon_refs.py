"""Reference solvers on the same Solomon instances, in the same run: OR-Tools via patrol, PyVRP, VROOM.

    pip install -e '.[bench]'
    python benchmarks/solomon_refs.py --time-limit 10 --instances C101,C201,R101,R201,RC101,RC201

Each solver gets the same integer data (times and distances × ``solomon.SCALE``, travel rounded up,
a fixed cost per vehicle so that fewer vehicles win first), one thread, and its routes are judged
by the same unrounded evaluator (``solomon.evaluate``). VROOM has no time limit of its own beyond a
timeout; it runs at exploration level 5 with the same timeout. Prints one CSV row per solver and
instance, like ``solomon.py``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import solomon  # noqa: E402


def _scaled(inst: solomon.Instance) -> np.ndarray:
    return np.ceil(inst.distances() * solomon.SCALE - 1e-9).astype(np.int64)


def solve_pyvrp(inst: solomon.Instance, time_limit_s: float, seed: int = 1) -> list[list[int]]:
    """PyVRP's hybrid genetic search on the instance."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    s = solomon.SCALE
    travel = _scaled(inst)
    locations = [pyvrp.Location(float(x), float(y)) for x, y in inst.xy]
    depot = pyvrp.Depot(0, tw_early=int(inst.ready[0]) * s, tw_late=int(inst.due[0]) * s)
    clients = [
        pyvrp.Client(i, delivery=[int(inst.demand[i])], service_duration=int(inst.service[i]) * s,
                     tw_early=int(inst.ready[i]) * s, tw_late=int(inst.due[i]) * s)
        for i in range(1, len(inst.xy))
    ]
    vehicles = [pyvrp.VehicleType(inst.vehicles, capacity=[inst.capacity], fixed_cost=solomon.VEHICLE_COST,
                                  tw_early=int(inst.ready[0]) * s, tw_late=int(inst.due[0]) * s)]
    data = pyvrp.ProblemData(locations, clients, [depot], vehicles, [travel], [travel])
    result = pyvrp.solve(data, stop=MaxRuntime(time_limit_s), seed=seed, display=False)
    # A client activity's idx counts clients from 0; customer ids start at 1.
    return [[int(a.idx) + 1 for a in route.schedule() if a.type == pyvrp.ActivityType.CLIENT]
            for route in result.best.routes()]


def solve_vroom(inst: solomon.Instance, time_limit_s: float) -> list[list[int]]:
    """VROOM (pyvroom) at exploration level 5, one thread, the time limit as its timeout."""
    import vroom

    s = solomon.SCALE
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=_scaled(inst).astype(np.uint32))
    for k in range(inst.vehicles):
        problem.add_vehicle(vroom.Vehicle(
            id=k + 1, start=0, end=0, capacity=[inst.capacity],
            time_window=vroom.TimeWindow(int(inst.ready[0]) * s, int(inst.due[0]) * s),
            costs=vroom.VehicleCosts(fixed=solomon.VEHICLE_COST)))
    problem.add_job([
        vroom.Job(id=i, location=i, default_service=int(inst.service[i]) * s, delivery=[int(inst.demand[i])],
                  time_windows=[vroom.TimeWindow(int(inst.ready[i]) * s, int(inst.due[i]) * s)])
        for i in range(1, len(inst.xy))
    ])
    solution = problem.solve(exploration_level=5, nb_threads=1, timeout=dt.timedelta(seconds=time_limit_s))
    routes = solution.routes
    jobs = routes[routes["type"] == "job"]
    return [[int(j) for j in group["id"]] for _, group in jobs.groupby("vehicle_id", sort=True)]


SOLVERS = {
    "patrol-ortools": lambda inst, t: solomon.solve_instance(inst, t)[0],
    "pyvrp": solve_pyvrp,
    "vroom": solve_vroom,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=solomon.DEFAULT_DIR)
    parser.add_argument("--instances", default="C101,C201,R101,R201,RC101,RC201")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--solvers", default=",".join(SOLVERS))
    args = parser.parse_args(argv)
    bks = solomon.read_bks(args.dir)
    out = csv.writer(sys.stdout)
    out.writerow(["instance", "engine", "vehicles", "distance", "bks_vehicles", "bks_distance", "gap_pct",
                  "seconds", "feasible"])
    for name in [n.strip() for n in args.instances.split(",") if n.strip()]:
        inst = solomon.read_instance(solomon.instance_path(args.dir, name))
        for solver in args.solvers.split(","):
            started = time.perf_counter()
            routes = SOLVERS[solver](inst, args.time_limit)
            seconds = time.perf_counter() - started
            distance, problems = solomon.evaluate(inst, routes)
            bv, bd = bks[name]
            out.writerow([name, solver, len(routes), f"{distance:.2f}", bv, f"{bd:.2f}",
                          f"{100 * (distance - bd) / bd:.2f}", f"{seconds:.1f}", not problems])
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
