"""Scaling curve of `patrol plan`: venues → wall seconds and peak memory (the whole process tree).

    python benchmarks/scale.py --sizes 500,2000,5000,20000 --time-limit 5 > benchmarks/results/scale-DATE.csv
    python benchmarks/scale.py --compare 2000      # one whole solve against the partitioned one

Instances come from ``benchmarks/generate.py`` (one team per 100 venues). Memory is the largest sum
of RSS over the command and its children (Dask workers included), sampled every 0.2 s with psutil.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def run_plan(paths: dict[str, Path], out: Path, *, time_limit: float, partition: str) -> dict[str, float]:
    """Run `patrol plan` as a whole process; wall seconds, peak tree RSS (MiB) and the summary."""
    cmd = [sys.executable, "-m", "patrol", "plan", "--grids", str(paths["grids"]), "--venues", str(paths["venues"]),
           "--teams", str(paths["teams"]), "--date", "2026-11-23", "--time-limit", str(time_limit),
           "--partition", partition, "--no-pdf", "--quiet", "--out", str(out)]
    started = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.read().decode()[-2000:])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {"wall_s": round(wall, 1), "peak_mib": round(peak / 2**20), **{k: summary[k] for k in
            ("teams", "visits", "must_visits", "must_visits_planned", "travel_km")}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,1000,2000,5000,10000,20000")
    parser.add_argument("--time-limit", type=float, default=5.0, help="solver seconds per part and day")
    parser.add_argument("--compare", type=int, help="venues of a street solved whole and partitioned")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.compare:
            paths = generate(Path(tmp) / "in", venues=args.compare, teams=args.compare // 100)
            print("mode,time_limit_s,wall_s,peak_mib,teams,visits,must_visits,must_visits_planned,travel_km")
            for mode, limit in (("community", args.time_limit), ("none", args.time_limit * 4)):
                row = run_plan(paths, Path(tmp) / mode, time_limit=limit, partition=mode)
                print(",".join(str(v) for v in [mode, limit, *row.values()]), flush=True)
            return 0
        print("venues,teams,wall_s,peak_mib,visits,must_visits,must_visits_planned,travel_km")
        for n in [int(s) for s in args.sizes.split(",")]:
            paths = generate(Path(tmp) / f"in{n}", venues=n, teams=max(2, n // 100))
            row = run_plan(paths, Path(tmp) / f"out{n}", time_limit=args.time_limit,
                           partition="community" if n > 600 else "none")
            print(",".join(str(v) for v in [n, row["teams"], row["wall_s"], row["peak_mib"], row["visits"],
                                            row["must_visits"],
                                            row["must_visits_planned"], row["travel_km"]]), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
