"""Every layer with only its required DESIGN.md fields works through every command (never-inspected venues)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest

import patrol
from checker import check_plan
from inputgen import PLAN_DAY, minimal_files


def run_patrol(*argv: str) -> tuple[int, str]:
    """``patrol …`` in this process: its exit code and what it printed on stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = patrol.main([str(a) for a in argv])
    return code, err.getvalue()


def layer_args(paths: dict[str, Path], *, date=PLAN_DAY) -> list[str]:
    args = ["--grids", paths["grids"], "--venues", paths["venues"], "--teams", paths["teams"], "--date",
            date.isoformat()]
    for kind in ("hazards", "inspections"):
        if kind in paths:
            args += [f"--{kind}", paths[kind]]
    return args


@pytest.fixture(scope="module")
def minimal(tmp_path_factory) -> dict[str, Path]:
    return minimal_files(tmp_path_factory.mktemp("minimal"))


@pytest.fixture(scope="module")
def minimal_plan(minimal, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("minimal-plan") / "plan"
    code, err = run_patrol("plan", *layer_args(minimal), "--time-limit", "2", "--no-pdf", "--quiet", "--out", out)
    assert code == 0, err
    return out


def test_never_inspected_venues_plan_as_overdue(minimal, minimal_plan):
    stops = pd.read_csv(minimal_plan / "stops.csv", dtype=str)
    unassigned = pd.read_csv(minimal_plan / "unassigned.csv", dtype=str)
    summary = json.loads((minimal_plan / "summary.json").read_text(encoding="utf-8"))
    # no venue has ever been inspected but V03 (3 days ago): all the others are must work from the start
    never = {"V01", "V02", "V04", "V05"}
    assert summary["must_visits"] >= len(never)
    assert never <= set(stops["venue_id"]) | set(unassigned["venue_id"])
    assert set(stops.loc[stops["venue_id"].isin(never), "reason"]) <= {"overdue", "recheck"}
    assert check_plan(minimal_plan, grids=minimal["grids"], venues=minimal["venues"], teams=minimal["teams"],
                      date=PLAN_DAY, hazards=minimal["hazards"], inspections=minimal["inspections"]) == []


def test_venues_and_teams_alone_plan(minimal, tmp_path):
    only = {k: minimal[k] for k in ("grids", "venues", "teams")}
    code, err = run_patrol("plan", *layer_args(only), "--time-limit", "1", "--no-pdf", "--quiet", "--out",
                           tmp_path / "p")
    assert code == 0, err
    assert len(pd.read_csv(tmp_path / "p" / "stops.csv")) + len(pd.read_csv(tmp_path / "p" / "unassigned.csv")) == 5


@pytest.mark.parametrize("command, files", [
    ("gaps", ("gaps_venues.csv", "gaps_grids.geojson", "gaps.html")),
    ("hotspots", ("hotspots.csv", "hotspots.html")),
])
def test_report_commands_take_minimal_layers(minimal, tmp_path, command, files):
    code, err = run_patrol(command, *layer_args(minimal), "--quiet", "--out", tmp_path / command)
    assert code == 0, err
    assert all((tmp_path / command / f).is_file() for f in files)
    if command == "gaps":
        table = pd.read_csv(tmp_path / command / "gaps_venues.csv", dtype=str, keep_default_na=False)
        assert set(table.loc[table["last_inspected"] == "", "venue_id"]) == {"V01", "V02", "V04", "V05"}


def test_sheets_and_replan_of_a_minimal_plan(minimal, minimal_plan, tmp_path):
    code, err = run_patrol("sheets", *layer_args(minimal), "--plan", minimal_plan, "--quiet", "--out",
                           tmp_path / "sheets")
    assert code == 0, err
    assert "联合巡查路线单" in (tmp_path / "sheets" / "sheets.html").read_text(encoding="utf-8")
    first = pd.read_csv(minimal_plan / "stops.csv", dtype=str).head(1)
    first[["venue_id"]].to_csv(tmp_path / "done.csv", index=False)
    code, err = run_patrol("replan", *layer_args(minimal), "--plan", minimal_plan, "--done", tmp_path / "done.csv",
                           "--at", "10:00", "--time-limit", "2", "--quiet", "--out", tmp_path / "rest")
    assert code == 0, err
    rest = pd.read_csv(tmp_path / "rest" / "stops.csv", dtype=str)
    assert first["venue_id"].iat[0] in set(rest["venue_id"])  # the finished stop stays in the plan
