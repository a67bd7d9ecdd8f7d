"""Generate streets and districts of any size in patrol's input formats (seeded, reproducible).

    python benchmarks/generate.py --venues 2000 --teams 20 --out /tmp/street
    python benchmarks/generate.py --venues 20000 --teams 200 --out /tmp/district

About 70 venues per km², ~16 venues per grid (Voronoi cells), one community per ~500 venues,
venues of every category clustered along commercial streets, last inspections like the demo's
(80 % in time, 16 % overdue, 4 % never), teams of four roles split over the communities in
proportion to their venues, each with its home grids and an office among them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data"))

import make_demo  # noqa: E402
from gis.rules import DEFAULT_RULES_PATH, Rules  # noqa: E402

DENSITY_PER_KM2 = 70
VENUES_PER_GRID = 16
VENUES_PER_COMMUNITY = 500


def generate(folder: Path, *, venues: int, teams: int, seed: int = 1,
             today: dt.date = make_demo.TODAY) -> dict[str, Path]:
    """Write grids.geojson, venues.csv and teams.csv for a street or district; return their paths."""
    rng = np.random.default_rng(seed)
    rules = Rules.from_toml(DEFAULT_RULES_PATH)
    folder.mkdir(parents=True, exist_ok=True)
    side_m = math.sqrt(venues / DENSITY_PER_KM2) * 1000
    n_grids = max(4, venues // VENUES_PER_GRID)
    n_comm = max(1, round(venues / VENUES_PER_COMMUNITY))
    seeds = rng.uniform(0, side_m, size=(n_grids, 2))
    frame = box(0, 0, side_m, side_m)
    cells = [c.intersection(frame) for c in shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=frame).geoms]
    centre = shapely.get_coordinates(shapely.centroid(np.array(cells)))
    cols = max(1, round(math.sqrt(n_comm)))
    rows = math.ceil(n_comm / cols)
    block = (np.minimum((centre[:, 0] / side_m * cols).astype(int), cols - 1)
             + cols * np.minimum((centre[:, 1] / side_m * rows).astype(int), rows - 1))
    order = np.lexsort((centre[:, 0], -centre[:, 1], block))
    to_lonlat = lambda xy: make_demo.to_lonlat(np.asarray(xy) - side_m / 2)  # noqa: E731
    grid_ids = {int(i): f"G{k + 1:05d}" for k, i in enumerate(order)}
    grids = gpd.GeoDataFrame(
        {"grid_id": [grid_ids[i] for i in order], "community": [f"社区{block[i] + 1:03d}" for i in order],
         "name": [f"第{k + 1}网格" for k in range(len(order))]},
        geometry=[shapely.Polygon(to_lonlat(np.asarray(cells[i].exterior.coords)).round(6)) for i in order],
        crs="EPSG:4326")

    cats = rng.choice(list(make_demo.CATEGORY_COUNTS), size=venues,
                      p=np.array(list(make_demo.CATEGORY_COUNTS.values())) / sum(make_demo.CATEGORY_COUNTS.values()))
    hubs = rng.uniform(side_m * 0.05, side_m * 0.95, size=(max(3, venues // 50), 2))
    near = hubs[rng.integers(len(hubs), size=venues)] + rng.normal(0, 250, size=(venues, 2))
    spread = rng.uniform(0, side_m, size=(venues, 2))
    xy = np.clip(np.where(rng.random((venues, 1)) < 0.6, near, spread), 5, side_m - 5)
    lonlat = to_lonlat(xy)
    intervals = np.array([rules.categories[c].interval_days for c in cats])
    make_demo.TODAY = today
    last = make_demo.last_inspected_dates(rng, intervals)
    pd.DataFrame({
        "venue_id": [f"V{k + 1:06d}" for k in range(venues)], "name": [f"场所{k + 1}" for k in range(venues)],
        "category": cats, "lon": lonlat[:, 0].round(6), "lat": lonlat[:, 1].round(6),
        "last_inspected": [d.isoformat() if d else "" for d in last],
    }).to_csv(folder / "venues.csv", index=False)

    inside = gpd.sjoin(gpd.GeoDataFrame(geometry=gpd.points_from_xy(lonlat[:, 0], lonlat[:, 1]), crs="EPSG:4326"),
                       grids[["grid_id", "community", "geometry"]], predicate="within")
    per_comm = inside.groupby("community").size()
    share = np.maximum(1, np.floor(per_comm / per_comm.sum() * teams)).astype(int)
    while share.sum() < teams:
        share[(per_comm / share).idxmax()] += 1
    while share.sum() > teams:
        share[(per_comm / share).where(share > 1).idxmin()] -= 1
    team_rows = []
    for comm, k in share.items():
        part = grids[grids["community"] == comm]
        xs = shapely.get_coordinates(shapely.centroid(np.asarray(part.geometry)))[:, 0]
        for j, chunk in enumerate(np.array_split(part.index[np.argsort(xs)], k)):
            home = grids.loc[chunk]
            office = home.union_all().representative_point()
            team_rows.append({"team_id": f"T{len(team_rows) + 1:04d}", "name": f"{comm}联合巡查{j + 1}组",
                              "roles": "grid_worker;property;volunteer;safety_officer", "start_lon": round(office.x, 6),
                              "start_lat": round(office.y, 6), "shift": make_demo.SHIFT,
                              "mode": "walk" if len(team_rows) % 2 == 0 else "ebike",
                              "home_grids": ";".join(home["grid_id"])})
    grids.to_file(folder / "grids.geojson", driver="GeoJSON", engine="pyogrio")
    pd.DataFrame(team_rows).to_csv(folder / "teams.csv", index=False)
    return {"grids": folder / "grids.geojson", "venues": folder / "venues.csv", "teams": folder / "teams.csv"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venues", type=int, required=True)
    parser.add_argument("--teams", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    paths = generate(args.out, venues=args.venues, teams=args.teams, seed=args.seed)
    print(" ".join(str(p) for p in paths.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
