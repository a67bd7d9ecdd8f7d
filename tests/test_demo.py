"""The embedded demo street: reproducible from its script, shaped as promised, and planned feasibly."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from checker import check_plan
from gis.crs import gcj02_to_wgs84
from gis.layers import read_layers
from gis.rules import CATEGORY_CODES

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
META = json.loads((DEMO / "meta.json").read_text(encoding="utf-8"))
TODAY = dt.date.fromisoformat(META["today"])


@pytest.fixture(scope="module")
def layers(rules):
    return read_layers(
        grids=DEMO / "grids.geojson", venues=[DEMO / "venues.csv", DEMO / "venues_amap.csv"],
        teams=DEMO / "teams.csv", hazards=DEMO / "hazards.csv", inspections=DEMO / "inspections.csv",
        rules=rules, as_of=TODAY,
    )


def test_demo_files_are_what_the_script_makes():
    done = subprocess.run([sys.executable, str(ROOT / "data" / "make_demo.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_demo_street_has_the_promised_shape(layers):
    grids, venues, teams = layers.grids, layers.venues, layers.teams
    assert len(grids) == 37
    assert grids["community"].nunique() == 4
    area_km2 = grids.to_crs(grids.estimate_utm_crs()).union_all().area / 1e6
    assert 25 < area_km2 < 35
    assert 550 <= len(venues) <= 650
    assert set(venues["category"]) == set(CATEGORY_CODES)
    assert (venues["grid_id"] != "unassigned").all()
    assert len(teams) == 6
    assert all(len(r) == 4 for r in teams["roles"])
    assert set(teams["mode"]) == {"walk", "ebike"}
    assert all(len(s) == 2 for s in teams["shifts"])


def test_gcj02_venues_land_on_their_true_position(layers):
    raw = pd.read_csv(DEMO / "venues_amap.csv", dtype=str)
    assert set(raw["坐标系"]) == {"gcj02"}
    for row in raw.head(10).itertuples(index=False):
        lon, lat = gcj02_to_wgs84(float(row[4]), float(row[5]))
        point = layers.venues.geometry.loc[row[0]]
        assert abs(point.x - lon) < 1e-6 and abs(point.y - lat) < 1e-6
        assert abs(point.x - float(row[4])) > 1e-3  # the offset (~500 m) really was removed


def test_planted_blind_spot_and_hotspots(layers):
    venues = layers.venues
    blind = venues[venues["grid_id"] == META["blind_spot_grid"]]
    assert len(blind) >= 10
    assert blind["last_inspected"].isna().all()
    assert not layers.inspections.query("outcome == 'done'")["venue_id"].isin(blind.index).any()
    others = venues[venues["grid_id"] != META["blind_spot_grid"]]
    assert others["last_inspected"].notna().mean() > 0.9

    hazards = layers.hazards.join(venues["grid_id"], on="venue_id")
    major = hazards[hazards["severity"] == "major"]
    share_in_hot = major["grid_id"].isin(META["hotspot_grids"]).mean()
    assert share_in_hot > 0.7
    per_grid = major.groupby("grid_id").size()
    assert set(per_grid.nlargest(2).index) == set(META["hotspot_grids"])


@pytest.mark.slow
def test_every_demo_hazard_was_found_at_a_teams_inspection_of_its_venue_that_day():
    hazards = pd.read_csv(DEMO / "hazards.csv", dtype=str)
    done = pd.read_csv(DEMO / "inspections.csv", dtype=str).query("outcome == 'done'")
    found = hazards.merge(done, how="left", left_on=["venue_id", "found_on"], right_on=["venue_id", "date"])
    assert found["team_id"].notna().all(), found.loc[found["team_id"].isna(), "hazard_id"].tolist()
    assert found["team_id"].nunique() == 6  # every team found some: the ranking's hazards per patrol is not all 0


def test_patrol_demo_plan_passes_the_checker(demo_plan):
    out = demo_plan
    day = TODAY + dt.timedelta(days=1)
    problems = check_plan(
        out, grids=DEMO / "grids.geojson", venues=[DEMO / "venues.csv", DEMO / "venues_amap.csv"],
        teams=DEMO / "teams.csv", date=day, hazards=DEMO / "hazards.csv", inspections=DEMO / "inspections.csv",
    )
    assert problems == []
    stops = pd.read_csv(out / "stops.csv", dtype={"venue_id": str})
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["visits"] == len(stops) > 50
    assert summary["teams"] == stops["team_id"].nunique() == 6
    assert (stops["day"] == day.isoformat()).all()
    unassigned = pd.read_csv(out / "unassigned.csv", dtype=str)
    night = pd.read_csv(DEMO / "venues.csv", dtype=str).query("open == '18:00' and close == '02:00'")["venue_id"]
    closed = unassigned.loc[unassigned["reason"] == "closed_at_shift_times", "venue_id"]
    assert len(closed) > 0 and set(closed) <= set(night)
    for name in ("map.html", "sheets.html", "sheets.pdf", "routes.geojson", "unassigned.csv"):
        assert (out / name).stat().st_size > 0
