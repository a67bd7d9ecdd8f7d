"""Small synthetic instances written to files, for end-to-end tests of `patrol plan`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

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
    cells = [box(x0 + i * half, y0 + j * half, x0 + (i + 1) * half, y0 + (j + 1) * half) for j in range(2) for i in range(2)]
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
