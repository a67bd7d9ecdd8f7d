"""Meeting analysis on seeded streets: the planted hotspot grids and blind spot are found, and only they."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from gis.gaps import grid_gaps, venue_gaps
from gis.hotspots import getis_ord, hotspot_table
from gis.layers import read_layers

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "data"))

import make_demo  # noqa: E402


@pytest.fixture(scope="module", params=[make_demo.SEED, 1, 2, 3])
def street(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"street{request.param}")
    meta = make_demo.write_demo(folder, request.param)
    layers = read_layers(
        grids=folder / "grids.geojson", venues=[folder / "venues.csv", folder / "venues_amap.csv"],
        teams=folder / "teams.csv", hazards=folder / "hazards.csv", inspections=folder / "inspections.csv",
        as_of=make_demo.TODAY,
    )
    return meta, layers


def test_planted_cluster_is_the_only_hot_spot(street):
    meta, layers = street
    table = hotspot_table(layers.grids, layers.venues, layers.hazards, since=make_demo.TODAY - dt.timedelta(days=90))
    hot = table[table["hotspot"] == "hot"]
    assert set(hot["grid_id"]) == set(meta["hotspot_grids"])
    assert (hot["confidence"] >= 95).all()
    assert set(table.loc[table["significant"], "grid_id"]) == set(meta["hotspot_grids"])
    assert set(table.loc[table["confidence"] > 0, "grid_id"]) == set(meta["hotspot_grids"])
    assert (table.loc[table["hotspot"] == "near_hot", "hazards_major"] < hot["hazards_major"].min()).all()


def test_blind_spot_tops_the_gap_table(street):
    meta, layers = street
    per_venue = venue_gaps(layers.venues, layers.rules, make_demo.TODAY, layers.inspections)
    grids = grid_gaps(layers.grids, per_venue, make_demo.TODAY, layers.inspections)
    top = grids.iloc[0]
    assert top["grid_id"] == meta["blind_spot_grid"]
    assert top["covered_share"] == 0 and top["never_inspected"] == top["venues"] > 0
    assert bool(top["no_visit_this_month"])
    assert list(grids["gap_rank"]) == list(range(1, len(grids) + 1))


def test_uniform_values_have_no_hot_spot(rules):
    from shapely.geometry import box

    cells = gpd.GeoDataFrame({"grid_id": [f"C{i}{j}" for i in range(4) for j in range(4)]},
                             geometry=[box(i, j, i + 1, j + 1) for i in range(4) for j in range(4)], crs="EPSG:3857")
    flat = getis_ord(cells, pd.Series(3.0, index=cells["grid_id"]))
    assert (flat["hotspot"] == "none").all()
    peak = pd.Series(1.0, index=cells["grid_id"])
    peak[["C11", "C12", "C21", "C22"]] = 20.0  # a block of four in the middle
    found = getis_ord(cells, peak)
    assert set(found.index[found["hotspot"] == "hot"]) == {"C11", "C12", "C21", "C22"}


@pytest.mark.parametrize("command", ["gaps", "hotspots"])
def test_cli_writes_tables_geojson_and_an_offline_map(tmp_path, command):
    out = tmp_path / command
    done = subprocess.run([sys.executable, "-m", "patrol", command, "--demo", "--out", str(out), "--quiet"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    meta = json.loads((ROOT / "data" / "demo" / "meta.json").read_text(encoding="utf-8"))
    if command == "gaps":
        table = pd.read_csv(out / "gaps_grids.csv")
        assert table["grid_id"].iat[0] == meta["blind_spot_grid"]
        venues = pd.read_csv(out / "gaps_venues.csv")
        assert len(venues) >= 550
        points = gpd.read_file(out / "gaps_venues.geojson")
        assert list(points["venue_id"]) == list(venues["venue_id"]) and points.crs.to_epsg() == 4326
        assert points.loc[points["never_inspected"], "last_inspected"].isna().all()
    else:
        table = pd.read_csv(out / "hotspots.csv")
        assert set(table.loc[table["hotspot"] == "hot", "grid_id"]) == set(meta["hotspot_grids"])
    html = (out / f"{command}.html").read_text(encoding="utf-8")
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    assert len(gpd.read_file(out / f"{command}{'_grids' if command == 'gaps' else ''}.geojson")) == 37


def test_cli_report_without_inputs_is_a_clear_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "patrol", "gaps", "--out", str(tmp_path / "x")],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "--grids" in done.stderr and not (tmp_path / "x").exists()


def test_hotspots_without_hazards_is_an_error_not_an_empty_map(tmp_path):
    demo = ROOT / "data" / "demo"
    done = subprocess.run([sys.executable, "-m", "patrol", "hotspots", "--grids", str(demo / "grids.geojson"),
                           "--venues", str(demo / "venues.csv"), "--teams", str(demo / "teams.csv"),
                           "--out", str(tmp_path / "x")], capture_output=True, text=True)
    assert done.returncode == 2 and "需要 --hazards" in done.stderr and not (tmp_path / "x").exists()
