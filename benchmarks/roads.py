"""Venues a road network leaves unreachable, and the time to build its travel matrix.

    python benchmarks/roads.py --instance demo       # data/demo with data/demo/roads.geojson
    python benchmarks/roads.py --instance clipped    # tests/synth.py: a clipped drivable-only extract, 800 venues

Every venue is put into one day's problem as a must visit (as `patrol plan` would for a sweep) and
screened as the planner does before a solve: no solver run. Prints one JSON line: venues, the
reasons of the venues no tour can serve, seconds to read and build the network, seconds to build
the problem's matrices (best of ``--repeat``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from gis.coverage import venue_status  # noqa: E402
from gis.crs import local_utm  # noqa: E402
from gis.layers import read_layers  # noqa: E402
from gis.roads import RoadNetwork, read_roads  # noqa: E402
from gis.rules import DEFAULT_RULES_PATH  # noqa: E402
from planner import routing  # noqa: E402
from planner.plan import build_problem  # noqa: E402


def instance(name: str, folder: Path) -> tuple[dict[str, object], dt.date]:
    """The input files of ``name`` and the day to plan."""
    if name == "demo":
        d = ROOT / "data" / "demo"
        return {"grids": d / "grids.geojson", "venues": [d / "venues.csv", d / "venues_amap.csv"],
                "teams": d / "teams.csv",
                "hazards": d / "hazards.csv", "inspections": d / "inspections.csv",
                "roads": d / "roads.geojson"}, dt.date(2026, 11, 23)
    from synth import write_clipped_instance

    paths = write_clipped_instance(folder, n_venues=800)
    return {**paths, "venues": [paths["venues"]]}, dt.date(2026, 11, 23)


def measure(paths: dict[str, object], day: dt.date, *, repeat: int) -> dict[str, object]:
    layers = read_layers(grids=paths["grids"], venues=paths["venues"], teams=paths["teams"],
                         as_of=day - dt.timedelta(days=1),
                         hazards=paths.get("hazards"), inspections=paths.get("inspections"),
                         rules=DEFAULT_RULES_PATH, crs=None)
    started = time.perf_counter()
    network = RoadNetwork.from_lines(read_roads(paths["roads"]), local_utm(layers.grids))
    network_s = time.perf_counter() - started
    status = venue_status(layers.venues, layers.rules)
    visits = [(v, "due", True) for v in layers.venues.index]
    matrix_s = []
    for _ in range(repeat):
        started = time.perf_counter()
        problem = build_problem(day, visits, venues=layers.venues, teams=layers.teams, status=status,
                                rules=layers.rules, crs=network.crs, roads=network)
        matrix_s.append(time.perf_counter() - started)
    _, unplanned = routing.screen_visits(problem)
    return {"venues": len(layers.venues), "teams": len(layers.teams), "network_nodes": len(network.xy_m),
            "not_servable": dict(Counter(u.reason for u in unplanned)),
            "network_s": round(network_s, 2), "matrix_s": round(min(matrix_s), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instance", choices=("demo", "clipped"), default="demo")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths, day = instance(args.instance, Path(tmp))
        print(json.dumps({"instance": args.instance, **measure(paths, day, repeat=args.repeat)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
