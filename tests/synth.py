"""Small synthetic instances written to files, for end-to-end tests of `patrol plan`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, box

ORIGIN = (113.30, 23.08)  # Guangzhou, Haizhu
CATEGORIES = ["small_shop", "small_restaurant", "rental_housing", "small_hotel", "many_in_one",
              "construction_site", "warehouse", "small_clinic", "small_workshop", "high_rise"]


def write_instance(
    folder: Path,
    *,
    seed: int = 1,
    n_venues: int = 40,
    n_teams: int = 2,
    today: dt.date = dt.date(2026, 11, 22),
    size_deg: float = 0.02,
    roles: str = "grid_worker;property;volunteer;safety_officer",
) -> dict[str, Path]:
    """Write grids.geojson (2×2 grids), venues.csv, teams.csv; return their paths."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    x0, y0 = ORIGIN
    half = size_deg / 2
    cells = [box(x0 + i * half, y0 + j * half, x0 + (i + 1) * half,
                 y0 + (j + 1) * half) for j in range(2) for i in range(2)]
    grids = gpd.GeoDataFrame(
        {"grid_id": [f"G{k + 1}" for k in range(4)], "name": [f"第{k + 1}网格" for k in range(4)],
         "community": ["东社区", "东社区", "西社区", "西社区"], "worker": ["张伟", "李娜", "王芳", "刘强"]},
        geometry=cells, crs="EPSG:4326",
    )
    paths = {"grids": folder / "grids.geojson", "venues": folder / "venues.csv", "teams": folder / "teams.csv"}
    grids.to_file(paths["grids"], driver="GeoJSON", engine="pyogrio")
    lon = x0 + 0.0005 + rng.random(n_venues) * (size_deg - 0.001)
    lat = y0 + 0.0005 + rng.random(n_venues) * (size_deg - 0.001)
    cats = rng.choice(CATEGORIES, n_venues)
    ages = rng.integers(0, 60, n_venues)
    last = [(today - dt.timedelta(days=int(a))).isoformat() if a < 55 else "" for a in ages]
    pd.DataFrame({
        "venue_id": [f"V{k + 1:03d}" for k in range(n_venues)], "name": [f"场所{k + 1}" for k in range(n_venues)],
        "category": cats, "lon": lon.round(6), "lat": lat.round(6), "last_inspected": last,
    }).to_csv(paths["venues"], index=False)
    pd.DataFrame({
        "team_id": [f"T{k + 1}" for k in range(n_teams)], "name": [f"联合巡查{k + 1}组" for k in range(n_teams)],
        "roles": roles, "start_lon": round(x0 + half, 6), "start_lat": round(y0 + half, 6),
        "shift": "09:00-12:00,14:00-17:30", "mode": ["walk" if k % 2 == 0 else "ebike" for k in range(n_teams)],
    }).to_csv(paths["teams"], index=False)
    return paths


def clipped_streets(*, seed: int = 3, size_m: float = 3000.0,
                    spacing_m: float = 180.0) -> tuple[gpd.GeoDataFrame, object]:
    """A drivable-only street extract as OSM gives it when clipped to a box (WGS84 lines, and the box).

    A bent lattice of streets with some blocks missing, lanes that leave the box and come back
    (cut into many small pieces along its edge by the clip) and short service roads that touch
    nothing drivable (their links are footways, not in the extract).
    """
    import shapely
    from shapely.geometry import LineString

    rng = np.random.default_rng(seed)
    x0, y0 = ORIGIN
    to_m = 111_320.0 * np.cos(np.radians(y0)), 110_574.0
    lines: list[LineString] = []
    ticks = np.arange(-spacing_m, size_m + spacing_m + 1, spacing_m)
    for axis in (0, 1):
        for pos in ticks:
            along = np.linspace(-spacing_m, size_m + spacing_m, 60)
            across = pos + np.cumsum(rng.normal(0, 3, len(along)))
            pts = np.column_stack([across, along] if axis == 0 else [along, across])
            for a in range(0, len(pts) - 1, 3):  # one block edge at a time, some missing
                if rng.random() > 0.08:
                    lines.append(LineString(pts[a:a + 4]))
    for k in range(80):  # winding lanes along the edge: in and out of the box
        side = k % 4
        t = np.linspace(0, 1, 40)
        start = rng.uniform(0.05, 0.85) * size_m
        along = start + t * rng.uniform(250, 500)
        depth = 25 + 45 * np.sin(t * np.pi * rng.uniform(2, 5))  # metres inside the box, dipping outside
        pts = {0: np.column_stack([along, depth]), 1: np.column_stack([along, size_m - depth]),
               2: np.column_stack([depth, along]), 3: np.column_stack([size_m - depth, along])}[side]
        lines.append(LineString(pts))
    for _ in range(80):  # service roads in compounds, linked to the streets by footways only (not in the extract)
        cx, cy = (rng.integers(1, int(size_m // spacing_m) - 1, 2) + 0.5) * spacing_m
        half = rng.uniform(25, 55)
        xs = np.linspace(cx - half, cx + half, 7)
        lines.append(LineString(np.column_stack([xs, cy + rng.normal(0, 4, len(xs))])))
    clip = shapely.box(0, 0, size_m, size_m)
    kept = []
    for line in lines:
        part = line.intersection(clip)
        kept.extend(p for p in getattr(part, "geoms", [part]) if p.geom_type == "LineString" and p.length > 1)
    lonlat = [LineString(np.column_stack([x0 + np.asarray(p.coords)[:, 0] / to_m[0],
                                          y0 + np.asarray(p.coords)[:, 1] / to_m[1]]))
              for p in kept]
    box_lonlat = shapely.box(x0, y0, x0 + size_m / to_m[0], y0 + size_m / to_m[1])
    return gpd.GeoDataFrame({"highway": ["residential"] * len(lonlat)}, geometry=lonlat, crs="EPSG:4326"), box_lonlat


def write_clipped_instance(folder: Path, *, seed: int = 3, n_venues: int = 800, n_teams: int = 4,
                           today: dt.date = dt.date(2026, 11, 22)) -> dict[str, Path]:
    """A clipped street extract (``roads.geojson``) with venues 20-300 m off the streets, as POIs are, in
    2×2 grids; the first team sets out next to one of the small pieces along the box edge."""
    import shapely

    roads, area = clipped_streets(seed=seed)
    rng = np.random.default_rng(seed + 1)
    folder.mkdir(parents=True, exist_ok=True)
    minx, miny, maxx, maxy = area.bounds
    crs = roads.estimate_utm_crs()
    metric = roads.to_crs(crs)
    inner = gpd.GeoSeries([area], crs="EPSG:4326").to_crs(crs).iloc[0]
    lengths = metric.length.to_numpy()
    points = []
    while len(points) < n_venues:
        line = metric.geometry.iloc[rng.choice(len(metric), p=lengths / lengths.sum())]
        at = line.interpolate(rng.uniform(0, line.length))
        ahead = line.interpolate(min(line.project(at) + 1, line.length))
        dx, dy = ahead.x - at.x, ahead.y - at.y
        norm = np.hypot(dx, dy) or 1.0
        off = rng.uniform(20, 300) * rng.choice([-1, 1])
        p = shapely.Point(at.x - dy / norm * off, at.y + dx / norm * off)
        if inner.buffer(-5).contains(p):
            points.append(p)
    venues = gpd.GeoSeries(points, crs=crs).to_crs("EPSG:4326")
    pieces = _pieces(metric)
    small = metric.geometry[pieces != pieces.value_counts().index[0]]
    office_small = small.iloc[int(np.argmax(small.length.to_numpy()))].interpolate(0.5, normalized=True)
    office_small = gpd.GeoSeries([shapely.Point(office_small.x + 10, office_small.y + 10)],
                                 crs=crs).to_crs("EPSG:4326").iloc[0]
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    starts = [(office_small.x, office_small.y)] + [(cx + dx, cy + dy) for dx, dy in
                                                  [(0.0021, 0.0013), (-0.0043, 0.0027), (0.0032, -0.0041),
                                                   (-0.002, -0.003)]][: n_teams - 1]
    half_x, half_y = (maxx - minx) / 2, (maxy - miny) / 2
    cells = [shapely.box(minx + i * half_x, miny + j * half_y, minx + (i + 1) * half_x, miny + (j + 1) * half_y)
             for j in range(2) for i in range(2)]
    paths = {k: folder / f"{k}.{ext}" for k, ext in
             (("grids", "geojson"), ("venues", "csv"), ("teams", "csv"), ("roads", "geojson"))}
    gpd.GeoDataFrame({"grid_id": [f"G{k + 1}" for k in range(4)], "name": [f"第{k + 1}网格" for k in range(4)],
                      "community": ["东社区", "东社区", "西社区", "西社区"]},
                     geometry=cells, crs="EPSG:4326").to_file(paths["grids"], driver="GeoJSON", engine="pyogrio")
    roads.to_file(paths["roads"], driver="GeoJSON", engine="pyogrio")
    cats = rng.choice(CATEGORIES, n_venues)
    ages = rng.integers(0, 60, n_venues)
    pd.DataFrame({
        "venue_id": [f"V{k + 1:04d}" for k in range(n_venues)], "name": [f"场所{k + 1}" for k in range(n_venues)],
        "category": cats, "lon": venues.x.round(7), "lat": venues.y.round(7),
        "last_inspected": [(today - dt.timedelta(days=int(a))).isoformat() if a < 50 else "" for a in ages],
    }).to_csv(paths["venues"], index=False)
    pd.DataFrame({
        "team_id": [f"T{k + 1}" for k in range(n_teams)], "name": [f"联合巡查{k + 1}组" for k in range(n_teams)],
        "roles": "grid_worker;property;volunteer;safety_officer",
        "start_lon": [round(x, 7) for x, _ in starts], "start_lat": [round(y, 7) for _, y in starts],
        "shift": "09:00-12:00,14:00-17:30", "mode": ["walk" if k % 2 == 0 else "ebike" for k in range(n_teams)],
    }).to_csv(paths["teams"], index=False)
    return paths


def _pieces(lines: gpd.GeoDataFrame) -> pd.Series:
    """Which connected piece each line belongs to (lines joined where they touch or cross)."""
    import shapely

    merged = shapely.unary_union(list(lines.geometry))
    parts = list(shapely.line_merge(merged).geoms) if hasattr(shapely.line_merge(merged), "geoms") else [merged]
    blobs = shapely.unary_union([p.buffer(0.3) for p in parts])
    blobs = list(getattr(blobs, "geoms", [blobs]))
    tree = shapely.STRtree(blobs)
    return pd.Series([int(tree.query(g.interpolate(0.5, normalized=True),
                                     predicate="intersects")[0]) for g in lines.geometry],
                     index=lines.index)


def write_osm(path, lines: list[LineString], tags: list[dict[str, str]]) -> None:
    """An OSM XML extract of ``lines`` (WGS84), one way each with its tags; shared vertices share a node."""
    ids: dict[tuple[float, float], int] = {}
    ways = []
    for w, (line, tag) in enumerate(zip(lines, tags), start=1):
        refs = "".join(f'<nd ref="{ids.setdefault(xy, len(ids) + 1)}"/>' for xy in line.coords)
        kv = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tag.items())
        ways.append(f'<way id="{w}" version="1">{refs}{kv}</way>')
    nodes = [f'<node id="{i}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>' for (lon, lat), i in ids.items()]
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="patrol tests">\n'
                    + "\n".join(nodes + ways) + "\n</osm>\n", encoding="utf-8")
