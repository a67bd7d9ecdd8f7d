"""`patrol plan` end to end on generated instances, judged by the independent checker."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import patrol
from checker import check_plan
from gis.crs import wgs84_to_gcj02
from synth import write_instance


def _run(paths: dict[str, Path], out: Path, *extra: str) -> int:
    return patrol.main(["plan", "--grids", str(paths["grids"]), "--venues", *map(str, paths["venue_files"]),
                        "--teams", str(paths["teams"]), "--date", "2026-11-23", "--out", str(out),
                        "--quiet", *extra])


@pytest.fixture
def mixed_instance(tmp_path: Path) -> dict[str, Path]:
    """60 venues, 3 teams (one without a safety officer), a GCJ-02 POI file, hazards, inspections."""
    paths = write_instance(tmp_path / "in", seed=7, n_venues=60, n_teams=3)
    teams = pd.read_csv(paths["teams"], dtype=str)
    teams.loc[2, "roles"] = "grid_worker;property;volunteer"
    teams.to_csv(paths["teams"], index=False)
    venues = pd.read_csv(paths["venues"], dtype=str, keep_default_na=False)
    amap = venues.iloc[40:].copy()
    lon, lat = wgs84_to_gcj02(amap["lon"].astype(float).to_numpy(), amap["lat"].astype(float).to_numpy())
    amap["lon"], amap["lat"], amap["crs"] = lon.round(7), lat.round(7), "gcj02"
    amap["category"] = amap["category"].map({"small_shop": "小商店",
                                             "small_restaurant": "小餐饮"}).fillna(amap["category"])
    venues.iloc[:40].to_csv(paths["venues"], index=False)
    amap.to_csv(tmp_path / "in" / "amap.csv", index=False)
    pd.DataFrame({"hazard_id": ["H1", "H2"], "venue_id": ["V003", "V045"], "type": ["gas_misuse", "消防通道堵塞"],
                  "found_on": ["2026-11-10", "2026-11-20"], "status": ["rectifying", "reported"],
                  "deadline": ["2026-11-23", "2026-11-23"]}).to_csv(tmp_path / "in" / "hazards.csv", index=False)
    pd.DataFrame({"venue_id": ["V001", "V002", "V010"], "date": ["2026-11-21", "2026-11-20", "2026-11-01"],
                  "team_id": ["T1", "T2", "T1"], "outcome": ["done", "closed_door", "done"]}).to_csv(
        tmp_path / "in" / "inspections.csv", index=False)
    return paths | {"venue_files": [paths["venues"], tmp_path / "in" / "amap.csv"],
                    "hazards": tmp_path / "in" / "hazards.csv", "inspections": tmp_path / "in" / "inspections.csv"}


def _check(paths: dict[str, Path], out: Path, days: int = 1) -> list[str]:
    return check_plan(out, grids=paths["grids"], venues=paths["venue_files"], teams=paths["teams"],
                      date="2026-11-23", days=days, hazards=paths.get("hazards"), inspections=paths.get("inspections"))


def test_one_day_plan_is_feasible_and_complete(mixed_instance, tmp_path):
    out = tmp_path / "plan"
    assert _run(mixed_instance, out, "--hazards", str(mixed_instance["hazards"]),
                "--inspections", str(mixed_instance["inspections"]), "--time-limit", "2") == 0
    assert _check(mixed_instance, out) == []
    stops = pd.read_csv(out / "stops.csv")
    assert len(stops) > 10
    recheck = stops[stops["reason"] == "recheck"]["venue_id"].tolist()
    unassigned = pd.read_csv(out / "unassigned.csv")
    assert {"V003", "V045"} <= set(recheck) | set(unassigned["venue_id"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["visits"] == len(stops)
    assert summary["must_visits_planned"] == stops["reason"].isin(["due", "overdue", "recheck"]).sum()
    assert summary["must_visits"] == summary["must_visits_planned"] + len(unassigned)


def test_team_without_safety_officer_never_gets_a_check_that_needs_one(mixed_instance, tmp_path, rules):
    out = tmp_path / "plan"
    assert _run(mixed_instance, out, "--time-limit", "2") == 0
    stops = pd.read_csv(out / "stops.csv")
    t3 = stops[stops["team_id"] == "T3"]
    assert len(t3) > 0
    assert not any("safety_officer" in rules.categories[c].required_roles for c in t3["category"])


def test_multi_day_plan_is_feasible_and_spreads_the_work(mixed_instance, tmp_path):
    out = tmp_path / "plan"
    assert _run(mixed_instance, out, "--days", "3", "--time-limit", "1") == 0
    assert _check(mixed_instance, out, days=3) == []
    stops = pd.read_csv(out / "stops.csv")
    assert stops["day"].nunique() == 3
    assert not stops.duplicated(["day", "venue_id"]).any()


def test_checker_fails_a_plan_whose_times_were_tampered_with(mixed_instance, tmp_path):
    out = tmp_path / "plan"
    assert _run(mixed_instance, out, "--time-limit", "1") == 0
    stops = pd.read_csv(out / "stops.csv", dtype=str)
    stops.loc[1, "arrive"] = stops.loc[0, "depart"]  # no time to walk from the previous stop
    stops.to_csv(out / "stops.csv", index=False)
    assert any("travel" in p for p in _check(mixed_instance, out))


def test_english_sheets_and_map_layers(mixed_instance, tmp_path):
    out = tmp_path / "plan"
    assert _run(mixed_instance, out, "--time-limit", "1", "--lang", "en") == 0
    sheets = (out / "sheets.html").read_text(encoding="utf-8")
    assert "Joint patrol route sheet" in sheets and "Checklist" in sheets
    assert "Route" in (out / "map.html").read_text(encoding="utf-8")
