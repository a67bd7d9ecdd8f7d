r"""The project's routing against PyVRP and VROOM, head to head: same instances, same time, one thread each.

    nice -n 10 python benchmarks/head_to_head.py --dir ../shared/benchmarks/solomon --time-limit 10 --runs 3 \
        --csv solomon.csv --routes-out solomon-routes.json
    nice -n 10 python benchmarks/head_to_head.py --dir GH200 --instances C1_2_1,C1_2_2 --time-limit 20

Every engine gets the same integer data (``solomon.to_problem`` for the project; ``solomon_refs`` builds
the same for PyVRP and VROOM), and every route set is judged by the same evaluator, which knows nothing of
the project (``solomon.evaluate``: unrounded Euclidean distance, time windows on the start of service,
capacity, each customer once). Engines run one after the other on each instance, so they share the
machine's load. The objective is hierarchical, as in the literature: fewer vehicles first, then distance.

``--variant NAME=JSON`` adds a project engine with other :class:`planner.params.SolveParams` fields
(e.g. ``--variant 'fleet={"fleet_share": 0.9}'``), to measure an idea against the default in one run.
``--runs N`` repeats each engine N times (PyVRP and the project's variants with seeds 1..N, or from
``--first-run`` on; OR-Tools and VROOM have no seed, their repeats differ only by what the machine's load lets
them do in the time).

Prints one CSV row per instance, engine and run (with the 1-minute load average when it finished), then
a summary per engine: feasible runs, mean gap to the best known distance, vehicles beyond the best known
(summed over instances, mean over runs), and the project's wins, ties and losses against each other engine
(same instance, same run number; a tie is the same fleet and a distance within 0.01); with no
reference engine in the run, each project variant against the first.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import solomon  # noqa: E402
import solomon_refs  # noqa: E402

PROJECT = "patrol-ortools"
REFERENCES = ("pyvrp", "vroom")
FIELDS = ["instance", "engine", "run", "vehicles", "distance", "bks_vehicles", "bks_distance", "gap_pct",
          "seconds", "feasible", "load1"]


def _engines(names: list[str], variants: dict[str, dict]) -> dict[str, object]:
    engines = {}
    for name in names:
        if name == PROJECT:
            engines[name] = lambda inst, t, run: solomon.solve_instance(inst, t)[0]
        elif name == "pyvrp":
            engines[name] = lambda inst, t, run: solomon_refs.solve_pyvrp(inst, t, seed=run)
        elif name == "vroom":
            engines[name] = lambda inst, t, run: solomon_refs.solve_vroom(inst, t)
        else:
            msg = f"unknown engine {name!r} (patrol-ortools, pyvrp, vroom)"
            raise SystemExit(msg)
    for name, options in variants.items():
        engines[name] = lambda inst, t, run, options=options: solomon.solve_instance(
            inst, t, **{"seed": run, **options})[0]
    return engines


def compare(a: dict, b: dict) -> int:
    """Compare two results: -1 if ``a`` is better than ``b``, 0 for a tie, 1 if worse.

    Better is fewer vehicles, or as many and shorter. An infeasible result loses to a feasible one.
    """
    key_a = (not a["feasible"], a["vehicles"], a["distance"])
    key_b = (not b["feasible"], b["vehicles"], b["distance"])
    if key_a[:2] == key_b[:2] and abs(a["distance"] - b["distance"]) <= 0.01:
        return 0
    return -1 if key_a < key_b else 1


def summarise(rows: list[dict], engines: list[str]) -> str:
    """A Markdown table per engine and the head to head of the project (and its variants) against the rest."""
    lines = ["| engine | runs | feasible | mean gap | vehicles beyond best known (per run) | at the best-known fleet |",
             "| --- | --- | --- | --- | --- | --- |"]
    by = {(r["instance"], r["engine"], r["run"]): r for r in rows}
    n_runs = len({r["run"] for r in rows})
    for engine in engines:
        mine = [r for r in rows if r["engine"] == engine]
        if not mine:
            continue
        gaps = [r["gap_pct"] for r in mine if not math.isnan(r["gap_pct"])]
        beyond = sum(max(r["vehicles"] - r["bks_vehicles"], 0) for r in mine) / max(n_runs, 1)
        at_fleet = sum(r["vehicles"] <= r["bks_vehicles"] for r in mine)
        lines.append(f"| {engine} | {len(mine)} | {sum(r['feasible'] for r in mine)} | "
                     f"{statistics.mean(gaps):+.2f} % | {beyond:.1f} | {at_fleet} of {len(mine)} |")
    refs = [e for e in engines if e in REFERENCES]
    ours = [e for e in engines if e not in REFERENCES]
    # against the references; with none in the run, each project variant against the first
    pairs = [(me, ref) for me in ours for ref in refs] if refs else [(me, ours[0]) for me in ours[1:]]
    lines += ["", "| project engine | against | wins | ties | losses |", "| --- | --- | --- | --- | --- |"]
    for me, other in pairs:
        score = [0, 0, 0]
        for (inst, engine, run), r in by.items():
            if engine == me and (inst, other, run) in by:
                score[compare(r, by[inst, other, run]) + 1] += 1
        lines.append(f"| {me} | {other} | {score[0]} | {score[1]} | {score[2]} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=solomon.DEFAULT_DIR, help="folder of instances (.txt or .vrp)")
    parser.add_argument("--instances", default="", help="comma-separated names (default: all in --dir)")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per engine and instance")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--first-run", type=int, default=1, help="number (and PyVRP seed) of the first run")
    parser.add_argument("--engines", default=f"{PROJECT},pyvrp,vroom")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=JSON",
                        help="a project engine with these SolveParams fields")
    parser.add_argument("--csv", type=Path, help="also write the rows here")
    parser.add_argument("--routes-out", type=Path,
                        help="write every route set as JSON {instance: {engine/run: routes}}")
    args = parser.parse_args(argv)

    variants = {}
    for spec in args.variant:
        name, _, options = spec.partition("=")
        variants[name] = json.loads(options)
    engines = _engines([e for e in args.engines.split(",") if e], variants)
    bks = solomon.read_bks(args.dir)
    names = [n.strip() for n in args.instances.split(",") if n.strip()] or solomon.instance_names(args.dir)
    out = csv.DictWriter(sys.stdout, FIELDS)
    out.writeheader()
    sink, handle = None, args.csv.open("w", newline="") if args.csv else None
    if handle is not None:
        sink = csv.DictWriter(handle, FIELDS)
        sink.writeheader()
    rows, routes_out = [], {}
    for name in names:
        inst = solomon.read_instance(solomon.instance_path(args.dir, name))
        bv, bd = bks.get(name, (0, math.nan))
        for run in range(args.first_run, args.first_run + args.runs):
            for engine, solve in engines.items():
                started = time.perf_counter()
                routes = [r for r in solve(inst, args.time_limit, run) if r]
                seconds = time.perf_counter() - started
                distance, problems = solomon.evaluate(inst, routes)
                for p in problems[:3]:
                    print(f"{name} {engine} run {run}: {p}", file=sys.stderr)
                row = {"instance": name, "engine": engine, "run": run, "vehicles": len(routes),
                       "distance": round(distance, 2), "bks_vehicles": bv, "bks_distance": bd,
                       "gap_pct": round(100 * (distance - bd) / bd, 2), "seconds": round(seconds, 1),
                       "feasible": not problems, "load1": round(os.getloadavg()[0], 2)}
                rows.append(row)
                for w in (out, sink):
                    if w is not None:
                        w.writerow(row)
                sys.stdout.flush()
                routes_out.setdefault(name, {})[f"{engine}/{run}"] = routes
    if handle is not None:
        handle.close()
    if args.routes_out:
        args.routes_out.write_text(json.dumps(routes_out) + "\n")
    print()
    print(summarise(rows, list(engines)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
