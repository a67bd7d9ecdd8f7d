"""Re-planning the rest of the demo day: finished stops stay, a dropped team gets no new work, the checker agrees."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from checker import check_plan
from planner.model import MUST_REASONS

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def test_replan_keeps_done_stops_and_drops_a_team(demo_plan, tmp_path):
    before = pd.read_csv(demo_plan / "stops.csv", dtype=str)
    done = before[before["seq"].astype(int) <= 2]
    done[["venue_id"]].to_csv(tmp_path / "done.csv", index=False)
    out = tmp_path / "rest"
    run = subprocess.run([sys.executable, "-m", "patrol", "replan", "--demo", "--plan", str(demo_plan), "--done",
                          str(tmp_path / "done.csv"), "--drop-team", "T03", "--at", "11:00", "--time-limit", "3",
                          "--out", str(out), "--quiet"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    after = pd.read_csv(out / "stops.csv", dtype=str)
    kept = after.merge(done, on=["team_id", "venue_id"], suffixes=("", "_before"))
    assert len(kept) == len(done)
    assert (kept["arrive"] == kept["arrive_before"]).all() and (kept["depart"] == kept["depart_before"]).all()
    new = after[~after["venue_id"].isin(done["venue_id"])]
    assert not (new["team_id"] == "T03").any()
    assert (new["arrive"] >= "11:00").all()
    moved = set(before.loc[before["team_id"] == "T03", "venue_id"]) - set(done["venue_id"])
    unassigned = set(pd.read_csv(out / "unassigned.csv", dtype=str)["venue_id"])
    # must = due, overdue, recheck; high_risk and optional stops are extras a re-plan may leave out unreported
    must = set(before.loc[before["reason"].isin(MUST_REASONS), "venue_id"])
    # T03's must visits go to the others where they have room; one that does not fit is reported, never lost
    assert moved & must <= set(new["venue_id"]) | unassigned
    problems = check_plan(out, grids=DEMO / "grids.geojson", venues=[DEMO / "venues.csv", DEMO / "venues_amap.csv"],
                          teams=DEMO / "teams.csv", date=before["day"].iat[0], hazards=DEMO / "hazards.csv",
                          inspections=DEMO / "inspections.csv")
    assert problems == []


def test_replan_names_a_bad_done_row(demo_plan, tmp_path):
    pd.DataFrame({"venue_id": ["V0001", "NOPE"]}).to_csv(tmp_path / "done.csv", index=False)
    run = subprocess.run([sys.executable, "-m", "patrol", "replan", "--demo", "--plan", str(demo_plan), "--done",
                          str(tmp_path / "done.csv"), "--at", "11:00", "--out", str(tmp_path / "x")],
                          capture_output=True, text=True)
    assert run.returncode == 2
    assert "done.csv 第 3 行" in run.stderr and "NOPE" in run.stderr
