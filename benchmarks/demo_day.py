"""Time `patrol demo` (one day, the embedded demo street) as a whole process, several runs.

    python benchmarks/demo_day.py --runs 3 --time-limit 20

Prints one CSV row per run (wall seconds, peak RSS MiB, visits, must planned, solver seconds)
and the median. Uses only the standard library around the real command, so anyone can rerun it.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(time_limit: float, days: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "plan"
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "patrol", "demo", "--out", str(out), "--quiet",
                        "--time-limit", str(time_limit), "--days", str(days)], check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {"wall_s": round(wall, 2), "peak_rss_mib": round(max(peak, before) / 1024, 1),
            "visits": summary["visits"], "must_visits": summary["must_visits"],
            "must_planned": summary["must_visits_planned"], "solve_s": summary["solve_seconds"],
            "travel_km": summary["travel_km"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--days", type=int, default=1)
    args = parser.parse_args()
    rows = [run_once(args.time_limit, args.days) for _ in range(args.runs)]
    print(",".join(rows[0]))
    for row in rows:
        print(",".join(str(v) for v in row.values()))
    print("median wall_s:", statistics.median(r["wall_s"] for r in rows))


if __name__ == "__main__":
    main()
