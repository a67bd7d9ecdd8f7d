"""Teams from people: each day's teams are formed from who works that day, where the work is, and
planned in one step (`patrol plan --people`). Judged by the independent checker: the routes with the
teams.csv the plan wrote (check_plan), the teams against the roster (check_roster)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from checker import check_plan, check_roster
from gis import read_grids, read_people, read_teams
from planner.roster import Need, form_teams
from synth import write_instance
from test_inputs_minimal import run_patrol

MONDAY = dt.date(2026, 11, 23)
CRS = "EPSG:32649"  # UTM 49N: Guangzhou
X0, Y0 = 113.30, 23.08
GRIDS = gpd.GeoDataFrame(
    {"grid_id": ["G1", "G2", "G3", "G4"]},
    geometry=[box(X0 + i * 0.01, Y0 + j * 0.01, X0 + (i + 1) * 0.01,
                  Y0 + (j + 1) * 0.01) for j in range(2) for i in range(2)],
    crs="EPSG:4326",
).set_index("grid_id")


def _roster(tmp_path: Path, rows: list[dict]) -> gpd.GeoDataFrame:
    path = tmp_path / "roster.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return read_people(path, grids=GRIDS)


def _needs(grid: str, roles: set[str], n: int) -> list[Need]:
    centre = gpd.GeoSeries([GRIDS.loc[grid].geometry.centroid], crs="EPSG:4326").to_crs(CRS).iloc[0]
    return [Need(f"{grid}-{k}", grid, centre.x + 20 * k, centre.y, frozenset(roles), 1200.0) for k in range(n)]


def test_scarce_roles_go_where_their_checks_are_and_grid_workers_keep_their_grids(tmp_path):
    people = _roster(tmp_path, [
        {"person_id": "A", "name": "张伟", "role": "网格员", "home_grids": "G1"},
        {"person_id": "B", "name": "李娜", "role": "网格员", "home_grids": "G4"},
        {"person_id": "C", "name": "王芳", "role": "网格员", "home_grids": "G2"},
        {"person_id": "S", "name": "刘强", "role": "安全员",
         "home_grids": "G1"},  # lives in G1, but the gas checks are in G4
        {"person_id": "R", "name": "陈静", "role": "物业", "home_grids": "G4"},
    ])
    needs = (_needs("G1", {"grid_worker"}, 6) + _needs("G4", {"grid_worker", "safety_officer"}, 5)
             + _needs("G2", {"grid_worker", "property"}, 4))
    teams = form_teams(people, day=MONDAY, needs=needs, crs=CRS)
    assert sorted(teams.index) == ["A", "B", "C"]  # every grid worker leads a team of their own
    assert {tid: teams.at[tid, "home_grids"] for tid in teams.index} == {"A": ("G1",), "B": ("G4",), "C": ("G2",)}
    assert teams.at["B", "people"] == ("B", "S")  # the safety officer where the checks needing one are
    assert teams.at["C", "people"] == ("C", "R")  # property staff where the rental checks are
    assert teams.at["B", "roles"] == frozenset({"grid_worker", "safety_officer"})
    assert teams.at["B", "members"] == "网格员 李娜、安全员 刘强"
    assert teams.at["A", "people"] == ("A",)


def test_spare_safety_officers_lead_teams_of_their_own(tmp_path):
    people = _roster(tmp_path, [
        {"person_id": "A", "name": "张伟", "role": "网格员", "home_grids": "G1"},
        {"person_id": "S1", "name": "刘强", "role": "安全员", "home_grids": "G1"},
        {"person_id": "S2", "name": "赵敏", "role": "安全员", "home_grids": "G3"},
    ])
    needs = _needs("G1", {"grid_worker", "safety_officer"}, 3) + _needs("G3", {"safety_officer"}, 3)
    teams = form_teams(people, day=MONDAY, needs=needs, crs=CRS)
    assert len(teams) == 2
    assert sorted(map(tuple, teams["people"])) == [("A", "S1"),
                                                   ("S2",)] or sorted(map(tuple,
                                                                          teams["people"])) == [("A", "S2"), ("S1",)]
    assert all("safety_officer" in r for r in teams["roles"])


def test_who_does_not_work_that_day_stays_out_and_teams_keep_the_hours_all_members_work(tmp_path):
    people = _roster(tmp_path, [
        {"person_id": "A", "name": "张伟", "role": "网格员", "home_grids": "G1", "days": "周一-周五", "mode": "电动车"},
        {"person_id": "S", "name": "刘强", "role": "安全员", "home_grids": "G1", "days": "周一", "shift": "09:00-12:00",
         "mode": "电动车"},
        {"person_id": "V", "name": "赵敏", "role": "志愿者", "days": "周六、周日", "mode": "步行"},
        {"person_id": "W", "name": "孙丽", "role": "志愿者", "days": "每天", "off": "2026-11-24", "mode": "步行"},
    ])
    needs = _needs("G1", {"grid_worker", "safety_officer"}, 3)
    monday = form_teams(people, day=MONDAY, needs=needs, crs=CRS)
    assert monday.at["A", "people"] == ("A", "W", "S")  # in role order: 网格员, 志愿者, 安全员
    assert monday.at["A", "shifts"] == ((9 * 3600, 12 * 3600),)  # the safety officer works mornings only
    assert monday.at["A", "mode"] == "walk"  # a walker sets the pace
    tuesday = form_teams(people, day=MONDAY + dt.timedelta(days=1), needs=needs, crs=CRS)
    assert tuesday.at["A", "people"] == ("A",)  # S works Mondays, W is on leave, V comes at weekends
    assert tuesday.at["A", "mode"] == "ebike"
    sunday = form_teams(people, day=MONDAY + dt.timedelta(days=6), needs=needs, crs=CRS)
    assert sunday.empty  # volunteers alone, without a start point, lead no team


@pytest.fixture(scope="module")
def street(tmp_path_factory) -> dict[str, Path]:
    """The synthetic street (4 grids, 60 venues of ten kinds) and a roster: four grid workers on
    different days, one safety officer who is off on Tuesday, property staff and a volunteer."""
    folder = tmp_path_factory.mktemp("roster-street")
    paths = write_instance(folder, n_venues=60, seed=4)
    rows = [
        {"工号": "P1", "姓名": "张伟", "角色": "网格员", "责任网格": "G1", "工作日": "周一-周五", "出行方式": "电动车"},
        {"工号": "P2", "姓名": "李娜", "角色": "网格员", "责任网格": "G2", "工作日": "周一、周三", "出行方式": "步行"},
        {"工号": "P3", "姓名": "王芳", "角色": "网格员", "责任网格": "G3;G4", "工作日": "周二、周三",
         "出行方式": "电动车"},
        {"工号": "P4", "姓名": "刘强", "角色": "安全员", "责任网格": "", "工作日": "工作日", "请假": "2026-11-24",
         "出行方式": "电动车", "经度": 113.31, "纬度": 23.09},
        {"工号": "P5", "姓名": "陈静", "角色": "物业", "责任网格": "G1;G2", "工作日": "周一-周五",
         "出行方式": "电动车"},
        {"工号": "P6", "姓名": "赵敏", "角色": "志愿者", "责任网格": "", "工作日": "周三", "出行方式": "步行"},
    ]
    paths["people"] = folder / "roster.csv"
    pd.DataFrame(rows).to_csv(paths["people"], index=False, encoding="utf-8-sig")
    return paths


@pytest.fixture(scope="module")
def three_days(street, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("roster-plan") / "plan"
    code, err = run_patrol("plan", "--grids", street["grids"], "--venues", street["venues"], "--people",
                           street["people"],
                           "--date", MONDAY.isoformat(), "--days", "3", "--time-limit", "1", "--no-pdf",
                           "--quiet", "--out", out)
    assert code == 0, err
    return out


def test_a_plan_from_people_passes_the_checker_day_by_day(street, three_days):
    assert check_roster(three_days, people=street["people"], date=MONDAY, days=3) == []
    assert check_plan(three_days, grids=street["grids"], venues=street["venues"], teams=three_days / "teams.csv",
                      date=MONDAY, days=3) == []


def test_the_teams_of_each_day_are_written_and_follow_the_roster(three_days):
    teams = pd.read_csv(three_days / "teams.csv", dtype=str, keep_default_na=False)
    by_day = {day: dict(zip(part["team_id"], part["people"])) for day, part in teams.groupby("day")}
    assert by_day == {
        "2026-11-23": {"P1": by_day["2026-11-23"]["P1"], "P2": by_day["2026-11-23"]["P2"]},
        "2026-11-24": {"P1": "P1;P5", "P3": "P3"},  # the safety officer is on leave
        "2026-11-25": {"P1": by_day["2026-11-25"]["P1"], "P2": by_day["2026-11-25"]["P2"],
                       "P3": by_day["2026-11-25"]["P3"]},
    }
    monday_people = sorted(p for people in by_day["2026-11-23"].values() for p in people.split(";"))
    assert monday_people == ["P1", "P2", "P4", "P5"]
    stops = pd.read_csv(three_days / "stops.csv", dtype=str)
    tuesday = stops[stops["day"] == "2026-11-24"]
    needs_officer = {"small_restaurant", "many_in_one", "construction_site", "warehouse", "small_workshop", "high_rise"}
    assert not set(tuesday["category"]) & needs_officer  # nobody on Tuesday can do a safety officer's check
    assert set(stops.loc[stops["day"] == "2026-11-23", "category"]) & needs_officer


def test_a_days_teams_plan_again_from_the_teams_file(street, three_days, tmp_path):
    """teams.csv is in the teams reader's columns: one day's rows are a teams file."""
    teams = pd.read_csv(three_days / "teams.csv", dtype=str, keep_default_na=False)
    one_day = tmp_path / "tuesday.csv"
    teams[teams["day"] == "2026-11-24"].to_csv(one_day, index=False)
    read = read_teams(one_day, grids=read_grids(street["grids"]))
    assert list(read.index) == ["P1", "P3"]
    assert read.at["P1", "roles"] == frozenset({"grid_worker", "property"})
    out = tmp_path / "again"
    code, err = run_patrol("plan", "--grids", street["grids"], "--venues", street["venues"], "--teams", one_day,
                           "--date", "2026-11-24", "--time-limit", "1", "--no-pdf", "--quiet", "--out", out)
    assert code == 0, err
    assert check_plan(out, grids=street["grids"], venues=street["venues"], teams=one_day, date="2026-11-24") == []


@pytest.mark.parametrize("which", [("--teams", "--people"), ()])
def test_teams_or_people_exactly_one(street, tmp_path, which, capsys):
    import patrol

    args = {"--teams": street["teams"], "--people": street["people"]}
    given = [str(x) for flag in which for x in (flag, args[flag])]
    with pytest.raises(SystemExit) as stopped:  # argparse's own usage error
        patrol.main(["plan", "--grids", str(street["grids"]), "--venues", str(street["venues"]), *given,
                     "--date", MONDAY.isoformat(), "--no-pdf", "--quiet", "--out", str(tmp_path / "out")])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--teams" in err and "--people" in err
    assert not (tmp_path / "out").exists()


def test_a_bad_roster_exits_2_naming_the_cell(street, tmp_path):
    bad = tmp_path / "roster.csv"
    text = Path(street["people"]).read_text(encoding="utf-8-sig").replace("周一、周三", "周一、周八")
    bad.write_text(text, encoding="utf-8")
    code, err = run_patrol("plan", "--grids", street["grids"], "--venues", street["venues"], "--people", bad,
                           "--date", MONDAY.isoformat(), "--no-pdf", "--quiet", "--out", tmp_path / "out")
    assert code == 2
    assert err.startswith("patrol: roster.csv 第 3 行：days '周八' 既不是星期几也不是日期"), err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("change", "found"), [
    (lambda t: t.assign(people=t["people"].where(t.index != 1, t["people"].iat[0])), r"is also on team"),
    (lambda t: t.assign(day=t["day"].where(t["team_id"] != "P3", "2026-11-23")),
     r"person P3 does not work on 2026-11-23"),
    (lambda t: t.assign(roles=t["roles"] + ";safety_officer"), r"are not its people's roles"),
    (lambda t: t.assign(home_grids="G4"), r"are not its grid worker's grids"),
])
def test_the_roster_checker_sees_a_broken_team(street, three_days, tmp_path, change, found):
    """The checker is not a rubber stamp: each broken rule of the teams is reported."""
    import re
    import shutil

    out = tmp_path / "plan"
    shutil.copytree(three_days, out)
    teams = pd.read_csv(out / "teams.csv", dtype=str, keep_default_na=False)
    change(teams).to_csv(out / "teams.csv", index=False)
    problems = check_roster(out, people=street["people"], date=MONDAY, days=3)
    assert any(re.search(found, p) for p in problems), problems


def test_a_day_nobody_works_has_no_teams_and_its_work_moves_on(street, tmp_path):
    """Nobody of the roster works on Saturday and Sunday: the must visits wait for Monday."""
    out = tmp_path / "weekend"
    code, err = run_patrol("plan", "--grids", street["grids"], "--venues", street["venues"], "--people",
                           street["people"],
                           "--date", "2026-11-28", "--days", "3", "--time-limit", "1", "--no-pdf",
                           "--quiet", "--out", out)
    assert code == 0, err
    stops = pd.read_csv(out / "stops.csv", dtype=str)
    assert set(stops["day"]) == {"2026-11-30"}
    assert check_roster(out, people=street["people"], date="2026-11-28", days=3) == []
    assert check_plan(out, grids=street["grids"], venues=street["venues"], teams=out / "teams.csv",
                      date="2026-11-28", days=3) == []


def test_each_day_plans_the_visits_its_teams_were_formed_for(street):
    """The days' must visits are spread once, with the teams the day's people make; the teams formed for a day's visits
    then plan exactly those (and what the day before could not take), never a spread made again with their time."""
    from gis.layers import read_layers
    from planner import PlanParams, SolveParams
    from planner.horizon import Assignment
    from planner.plan import area_and_status, must_per_day, plan_days
    from planner.roster import plan_with_people

    layers = read_layers(grids=street["grids"], venues=street["venues"], people=street["people"], as_of=MONDAY)
    params = PlanParams(days=3, solve=SolveParams(time_limit_s=1))
    plan, formed = plan_with_people(venues=layers.venues, people=layers.people, rules=layers.rules, start=MONDAY,
                                    params=params, grids=layers.grids)
    crs, status = area_and_status(layers.venues, layers.rules, grids=layers.grids)
    days = [MONDAY + dt.timedelta(days=d) for d in range(3)]
    spread = must_per_day(status, [form_teams(layers.people, day=day, crs=crs) for day in days], start=MONDAY,
                          params=params)
    carried: set[str] = set()
    for d, problem in enumerate(plan.problems):
        must = {v.venue_id for v in problem.visits if v.must}
        assert must == {a.venue_id for a in spread[d]} | carried, d
        carried = {u.venue_id for u in plan.days[d].unplanned if u.must}

    # plan_days plans the days' visits it is given: one moved to the last day is planned there, not on the first
    moved = spread[0][0]
    given = [spread[0][1:], spread[1], [*spread[2], Assignment(moved.venue_id, 2, moved.reason, 2)]]
    again = plan_days(venues=layers.venues, teams=formed[0], rules=layers.rules, start=MONDAY, params=params,
                      grids=layers.grids, day_teams=formed, must_days=given)
    must_on = [{v.venue_id for v in p.visits if v.must} for p in again.problems]
    assert moved.venue_id not in must_on[0] and moved.venue_id in must_on[2]
