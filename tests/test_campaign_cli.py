"""`patrol plan --campaign FILE`: a campaign's venues not yet seen are planned within its period, the rest as before.

Judged from the files the runs write (stops.csv, unassigned.csv, sheets.html) and the demo's input files, never by
comparing routes: the venues in scope and those seen since the campaign's start are worked out here from the inputs.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from gis.layers import read_layers
from test_inputs_minimal import run_patrol

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
PLAN_DAY = dt.date(2026, 11, 23)  # the day after the demo's today
START, END = dt.date(2026, 11, 16), dt.date(2026, 11, 26)  # begun a week ago; the plan runs one day past its end
GRIDS = ("G02", "G06", "G21")
CAMPAIGN = f"""
[[campaigns]]
name = "冬季出租屋消防安全专项排查"
start = {START}
end = {END}
categories = ["出租屋"]
grids = {list(GRIDS)!r}
hazard_types = ["ebike_flying_wire"]
checklist = ["电动车是否进楼入户", "<b>楼道</b>是否堆物"]
"""
MUST = ("due", "overdue", "recheck")


def _demo(out: Path, *extra: str) -> Path:
    done = subprocess.run([sys.executable, "-m", "patrol", "demo", "--days", "5", "--time-limit", "2", "--no-pdf",
                           "--quiet", "--out", str(out), *extra], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """The demo's five days planned with the campaign and without it."""
    folder = tmp_path_factory.mktemp("campaign")
    (folder / "campaign.toml").write_text(CAMPAIGN, encoding="utf-8")
    return {"campaign": _demo(folder / "with", "--campaign", str(folder / "campaign.toml")),
            "plain": _demo(folder / "plain")}


def _must(plan: Path) -> set[str]:
    """Venues the plan had to visit: planned with a must reason, or reported as not plannable."""
    stops = pd.read_csv(plan / "stops.csv", dtype=str)
    return set(stops.loc[stops["reason"].isin(MUST), "venue_id"]) | set(
        pd.read_csv(plan / "unassigned.csv", dtype=str)["venue_id"]
    )


@pytest.fixture(scope="module")
def scope() -> tuple[set[str], set[str]]:
    """The venues in the campaign's scope, and those of them not seen (inspected, done) since its start."""
    venues = read_layers(
        grids=DEMO / "grids.geojson",
        venues=[DEMO / "venues.csv", DEMO / "venues_amap.csv"],
        teams=DEMO / "teams.csv",
        as_of=PLAN_DAY,
    ).venues  # the readers give each venue its grid
    in_scope = set(venues.index[(venues["category"] == "rental_housing") & venues["grid_id"].isin(GRIDS)])
    seen = pd.read_csv(DEMO / "inspections.csv", dtype=str)
    seen = seen[(seen["outcome"] == "done") & (seen["date"] >= START.isoformat())]
    last = venues["last_inspected"].dropna()
    seen_ids = set(seen["venue_id"]) | set(last.index[last.map(lambda d: d >= START)])
    return in_scope, in_scope - seen_ids


@pytest.mark.slow
def test_every_venue_in_scope_not_yet_seen_is_planned_within_the_campaign(runs, scope):
    in_scope, left = scope
    assert len(left) >= 15 and len(in_scope) > len(left)  # the demo has both kinds: the test can fail either way
    stops = pd.read_csv(runs["campaign"] / "stops.csv", dtype=str)
    planned = stops[stops["venue_id"].isin(left)]
    assert set(planned["venue_id"]) == left
    assert planned["day"].between(PLAN_DAY.isoformat(), END.isoformat()).all(), planned[["day", "venue_id"]]
    assert set(planned["reason"]) <= set(MUST)
    assert left - _must(runs["plain"])  # some of them only fall due because of the campaign


@pytest.mark.slow
def test_venues_out_of_scope_are_planned_as_without_the_campaign(runs, scope):
    in_scope, _ = scope
    assert _must(runs["campaign"]) - in_scope == _must(runs["plain"]) - in_scope


@pytest.mark.slow
def test_the_sheets_show_the_campaign_checklist_at_its_venues_within_its_period(runs, scope):
    in_scope, _ = scope
    stops = pd.read_csv(runs["campaign"] / "stops.csv", dtype=str)
    n = int((stops["venue_id"].isin(in_scope) & (stops["day"] <= END.isoformat())).sum())
    html = (runs["campaign"] / "sheets.html").read_text(encoding="utf-8")
    assert n > 0 and html.count("电动车是否进楼入户") == n
    assert html.count("&lt;b&gt;楼道&lt;/b&gt;是否堆物") == n and "<b>楼道</b>" not in html  # the file's text, escaped
    assert "电动车是否进楼入户" not in (runs["plain"] / "sheets.html").read_text(encoding="utf-8")


TOML_HEAD = '[[campaigns]]\nname = "专项排查"\n'
BAD = [
    (
        "c.csv",
        "name,start,end,categories,grids\n甲,2026-11-20,2026-11-30,出租屋,G01\n乙,2026-11-20,2026-11-10,出租屋,G01\n",
        "c.csv 第 3 行：end 2026-11-10：早于开始日期 2026-11-20",
    ),
    (
        "c.csv",
        "名称,开始日期,结束日期,场所类别\n甲,2026-11-20,2026-11-30,小饭店\n",
        "c.csv 第 2 行：categories '小饭店'：不认识",
    ),
    (
        "c.csv",
        "name,start,end,grids\n甲,2026-11-20,2026-11-30,G01;G99\n",
        "c.csv 第 2 行：grids 'G99'：没有这个网格",
    ),
    ("c.csv", "name,start,end\n甲,2026-11-31,2026-12-30\n", "c.csv 第 2 行：start '2026-11-31'：应为日期 YYYY-MM-DD"),
    ("c.csv", "name,start,end\n甲,2026-11-20,2027-12-30\n", "c.csv 第 2 行：end 2027-12-30：专项排查最长一年"),
    ("c.csv", "name,start\n甲,2026-11-20\n", "c.csv：end：缺少“end”列"),
    (
        "c.csv",
        "name,start,end\n甲,2026-11-20,2026-11-30\n甲,2026-11-20,2026-12-01\n",
        "c.csv 第 3 行：name '甲'：2026-11-20 起已有同名专项排查",
    ),
    ("c.toml", "[campaign]\nname = 'x'\n", "c.toml：campaigns：应有 [[campaigns]] 表"),
    (
        "c.toml",
        TOML_HEAD + "start = 2026-11-20\nend = 2026-11-30\nchecklist = 3\n",
        "c.toml：campaigns[1].checklist 3：应为文字列表",
    ),
    (
        "c.toml",
        TOML_HEAD + "start = 2026-11-20\nend = 2026-11-30\n\n" + TOML_HEAD + "start = 2026-11-20\nend = 2026-11-01\n",
        "c.toml：campaigns[2].end 2026-11-01：早于开始日期 2026-11-20",
    ),
    (
        "c.toml",
        TOML_HEAD + "start = 2026-11-20\nends = 2026-11-30\n",
        "c.toml：campaigns[1].ends：不认识的字段",
    ),
    ("c.toml", TOML_HEAD + "start = 2026-11-20\n", "c.toml：campaigns[1].end 缺失：应为日期 YYYY-MM-DD"),
    (
        "c.toml",
        TOML_HEAD + "start = 2026-11-20\nend = 2026-11-30\nhazard_types = ['nonsense']\n",
        "c.toml：campaigns[1].hazard_types 'nonsense'：不认识",
    ),
    ("c.toml", "[[campaigns\n", "c.toml：不是有效的 TOML"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD, ids=[f"{n}-{k}" for k, (n, _, _) in enumerate(BAD)])
def test_a_bad_campaign_file_is_one_clear_error_exit_2_and_nothing_written(tmp_path, name, text, message):
    (tmp_path / name).write_text(text, encoding="utf-8")
    code, err = run_patrol("demo", "--campaign", tmp_path / name, "--out", tmp_path / "out", "--quiet")
    assert code == 2 and err.startswith(f"patrol: {message}"), err
    assert not (tmp_path / "out").exists()


def test_a_campaign_not_running_on_the_first_day_is_named_and_changes_nothing(tmp_path):
    (tmp_path / "c.csv").write_text(
        "名称,开始日期,结束日期,检查要点\n春季专项,2027-03-01,2027-03-31,电动车是否进楼入户\n", encoding="utf-8"
    )
    code, err = run_patrol(
        "demo", "--campaign", tmp_path / "c.csv", "--out", tmp_path / "out", "--time-limit", "1", "--no-pdf", "--quiet"
    )
    assert code == 0, err
    assert "patrol: 警告：c.csv：专项排查 '春季专项'（2027-03-01 至 2027-03-31）不在计划的日子（2026-11-23）里" in err
    assert "电动车是否进楼入户" not in (tmp_path / "out" / "sheets.html").read_text(encoding="utf-8")


LATE_START, LATE_END = PLAN_DAY + dt.timedelta(days=1), PLAN_DAY + dt.timedelta(days=2)
LATE = (f"名称,开始日期,结束日期,场所类别,重点隐患,检查要点\n小旅馆消防专项,{LATE_START},{LATE_END},小旅馆,"
        "疏散通道堆物,疏散通道是否畅通\n")


def _hotels() -> set[str]:
    """The demo's small hotels, as the readers categorise them (the AMap export writes 小旅馆 or its own types)."""
    venues = read_layers(grids=DEMO / "grids.geojson", venues=[DEMO / "venues.csv", DEMO / "venues_amap.csv"],
                         teams=DEMO / "teams.csv", as_of=PLAN_DAY).venues
    return set(venues.index[venues["category"] == "small_hotel"])


@pytest.mark.slow
def test_a_campaign_starting_on_the_plans_second_day_sees_its_venues_on_its_own_days(tmp_path):
    (tmp_path / "late.csv").write_text(LATE, encoding="utf-8")
    out = _demo(tmp_path / "out", "--campaign", str(tmp_path / "late.csv"))  # five days from PLAN_DAY
    stops = pd.read_csv(out / "stops.csv", dtype=str)
    reported = set(pd.read_csv(out / "unassigned.csv", dtype=str)["venue_id"])
    hotels = _hotels()
    assert len(hotels) >= 10
    within = stops[stops["venue_id"].isin(hotels) & stops["day"].between(LATE_START.isoformat(), LATE_END.isoformat())]
    later = set(stops.loc[stops["venue_id"].isin(hotels) & (stops["day"] > LATE_END.isoformat()), "venue_id"])
    # each is seen in the campaign, or (its days were full) carried past it or reported: never only seen before it
    assert set(within["venue_id"]) | later | (hotels & reported) == hotels
    html = (out / "sheets.html").read_text(encoding="utf-8")
    assert html.count("疏散通道是否畅通") == len(within)  # its checklist on its own days only
    assert html.count("★ 疏散通道堆物") == len(within)  # and the hazard type in focus

    # `patrol sheets --campaign` prints the same sheets again from the plan folder; without it, no campaign lines
    code, err = run_patrol("sheets", "--demo", "--plan", out, "--campaign", tmp_path / "late.csv",
                           "--out", tmp_path / "sheets", "--quiet")
    assert code == 0, err
    again = (tmp_path / "sheets" / "sheets.html").read_text(encoding="utf-8")
    assert again.count("疏散通道是否畅通") == len(within) and again.count("★ 疏散通道堆物") == len(within)
    code, err = run_patrol("sheets", "--demo", "--plan", out, "--out", tmp_path / "plain", "--quiet")
    assert code == 0 and "疏散通道是否畅通" not in (tmp_path / "plain" / "sheets.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_replan_with_the_campaign_keeps_its_checklist_on_the_new_sheets(tmp_path):
    # a campaign over every venue of the day: each stop of the new order carries its checklist, whichever stops the
    # search keeps
    (tmp_path / "all.csv").write_text(f"名称,开始日期,结束日期,检查要点\n全域消防专项,{LATE_START},{LATE_END},"
                                      "疏散通道是否畅通\n", encoding="utf-8")
    day = _demo_day(tmp_path / "day", LATE_START, "--campaign", str(tmp_path / "all.csv"))
    code, err = run_patrol("replan", "--demo", "--date", LATE_START, "--plan", day, "--at", "13:00", "--time-limit",
                           "1", "--campaign", tmp_path / "all.csv", "--out", tmp_path / "replanned", "--quiet")
    assert code == 0, err
    replanned = pd.read_csv(tmp_path / "replanned" / "stops.csv", dtype=str)
    html = (tmp_path / "replanned" / "sheets.html").read_text(encoding="utf-8")
    assert len(replanned) > 0 and html.count("疏散通道是否畅通") == len(replanned)
    code, err = run_patrol("replan", "--demo", "--date", LATE_START, "--plan", day, "--at", "13:00", "--time-limit",
                           "1", "--out", tmp_path / "plain", "--quiet")
    assert code == 0 and "疏散通道是否畅通" not in (tmp_path / "plain" / "sheets.html").read_text(encoding="utf-8")


def _demo_day(out: Path, day: dt.date, *extra: str) -> Path:
    done = subprocess.run([sys.executable, "-m", "patrol", "demo", "--date", day.isoformat(), "--time-limit", "1",
                           "--no-pdf", "--quiet", "--out", str(out), *extra], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return out


def test_sheets_of_a_folder_without_stops_is_a_clear_error(tmp_path):
    (tmp_path / "late.csv").write_text(LATE, encoding="utf-8")
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "stops.csv").write_text("day,team_id,seq,venue_id\n", encoding="utf-8")
    code, err = run_patrol("sheets", "--demo", "--plan", tmp_path / "plan", "--campaign", tmp_path / "late.csv",
                           "--out", tmp_path / "out", "--quiet")
    assert code == 2 and err.startswith("patrol: stops.csv"), err
