"""What users wait for (issue 13's table), measured here: the CLI's writing, pages in Chromium, imports.

    PYTHONPATH=$PWD python benchmarks/speed.py --quick     # the demo street (~1-2 min)
    PYTHONPATH=$PWD python benchmarks/speed.py             # a generated street of 20,000 venues, 200 teams

Rows:

- ``patrol plan`` (``patrol demo`` for ``--quick``), ``--days`` days at ``--time-limit`` s a day: its wall
  clock, the solve's seconds (``summary.json``), wall minus solve (reading, the map, the sheets, the
  PDF), and the peak RSS and PSS of the command's process tree (psutil, every 0.1 s; PSS counts the pages
  forked children share with their parent once). With ``--quick`` also one
  day of the demo along its streets (``--roads data/demo/roads.geojson``).
- Each page of :data:`web_pages.PAGES` through Flask's test client (first request and the next one)
  with its bytes, and its HTML opened in headless Chromium to the load event (``benchmarks/web_pages.py``);
  the plan just made, stored as a web plan: its first team's route sheet and result form, and the
  result form's latency on a threaded server, alone and while another client opens the venue map.
- Imports on the import page (``benchmarks/web_import.py``): for ``--quick`` a generated street of 600
  venues (the demo's size), else 20,000.

Prints a Markdown table with the machine, the load average before and after, and the date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import web_import  # noqa: E402
import web_pages  # noqa: E402


def cli_row(command: list[str], out: Path) -> dict[str, float]:
    """Run ``command`` (which writes ``out/summary.json``): wall seconds, solve seconds, peak RSS (MiB) of its tree."""
    import json

    start = time.perf_counter()
    process = psutil.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    peak = peak_pss = 0
    while process.poll() is None:
        try:
            tree = (process, *process.children(recursive=True))
            peak = max(peak, sum(p.memory_info().rss for p in tree))
            # forked children share the parent's pages, which each one's RSS counts again: PSS shares them out
            peak_pss = max(peak_pss, sum(p.memory_full_info().pss for p in tree))
        except (psutil.Error, AttributeError):  # AttributeError: no PSS off Linux
            pass
        time.sleep(0.1)
    wall = time.perf_counter() - start
    if process.returncode != 0:
        msg = f"{' '.join(command)}: exit {process.returncode}: {process.stderr.read().decode()[-600:]}"
        raise RuntimeError(msg)
    solve = float(json.loads((out / "summary.json").read_text(encoding="utf-8"))["solve_seconds"])
    return {"wall": wall, "solve": solve, "peak_mib": peak / 2**20, "peak_pss_mib": peak_pss / 2**20}


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    return (f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the demo street only (else 20,000 venues)")
    parser.add_argument("--days", type=int, default=1, help="days to plan (default 1)")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="solver seconds a day (default 3 with --quick, else 5)")
    args = parser.parse_args(argv)
    days = args.days
    limit = args.time_limit or (3 if args.quick else 5)
    print(f"Machine: {_machine()}. Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC. "
          f"Load average (1/5/15 min) at the start: {_load()}.\n")
    print("| what | figure |")
    print("|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = work / "plan"
        if args.quick:
            command = [sys.executable, "patrol.py", "demo", "--days", str(days), "--time-limit", str(limit),
                       "--out", str(out), "--quiet"]
            what = f"`patrol demo --days {days} --time-limit {limit:g}`"
        else:
            from generate import generate

            paths = generate(work / "district", venues=20000, teams=200)
            date = (dt.date.today() + dt.timedelta(days=1)).isoformat()
            command = [sys.executable, "patrol.py", "plan", "--grids", str(paths["grids"]), "--venues",
                       str(paths["venues"]), "--teams", str(paths["teams"]), "--date", date, "--days", str(days),
                       "--time-limit", str(limit), "--out", str(out), "--quiet"]
            what = f"`patrol plan` 20,000 venues, 200 teams, `--days {days} --time-limit {limit:g}`"
        cli = cli_row(command, out)
        print(f"| {what}: wall / solve / wall minus solve | {cli['wall']:.1f} s / {cli['solve']:.1f} s / "
              f"**{cli['wall'] - cli['solve']:.1f} s** |")
        print(f"| {what}: peak RSS / PSS of its processes | {cli['peak_mib']:,.0f} MiB / "
              f"**{cli['peak_pss_mib']:,.0f} MiB** |", flush=True)
        if args.quick:  # one day along the demo's streets: the road matrices and access legs in the writing too
            roads_out = work / "plan-roads"
            on_roads = cli_row([sys.executable, "patrol.py", "demo", "--roads", str(ROOT / "data/demo/roads.geojson"),
                                "--time-limit", "3", "--out", str(roads_out), "--quiet"], roads_out)
            wall, solve = on_roads["wall"], on_roads["solve"]
            print(f"| `patrol demo --roads data/demo/roads.geojson --time-limit 3`: wall / solve / wall minus solve | "
                  f"{wall:.1f} s / {solve:.1f} s / **{wall - solve:.1f} s** |", flush=True)
        street = "demo street" if args.quick else "20,000 venues"
        rows, latency = web_pages.page_rows(work / "pages", 0 if args.quick else 20000, out)
        for path, first, following, size, load in rows:
            print(f"| {path} ({street}): server first / next request, bytes, Chromium to load | "
                  f"{first:.2f} s / {following:.2f} s, {size:,} B, **{load:.2f} s** |", flush=True)
        print(f"| result form ({street}), threaded server: median / worst, alone | "
              f"{latency['alone_median'] * 1000:.0f} ms / {latency['alone_max'] * 1000:.0f} ms |")
        print(f"| result form ({street}) while another client opens /map/frame: median / worst "
              f"({latency['busy_requests']} requests) | **{latency['busy_median'] * 1000:.0f} ms** / "
              f"{latency['busy_max'] * 1000:.0f} ms |", flush=True)
        for what, n, seconds in web_import.import_rows(600 if args.quick else 20000, work / "imports"):
            print(f"| import page: {what}{f', {n:,} rows' if n else ''} | **{seconds:.2f} s** |", flush=True)
    print(f"\nLoad average at the end: {_load()}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
