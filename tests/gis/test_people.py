"""The roster reader (read_people): every format and the headers offices use read to the same people;
every bad cell is one row of the table below, with its exact message naming file, row and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from shapely.geometry import box

from gis import InputError, read_people
from gis.workdays import Workdays, parse_workdays, works_on

pytestmark = pytest.mark.usefixtures("english")  # the texts asserted here are the English msgids

_GRIDS = gpd.GeoDataFrame(
    {"grid_id": ["G01", "G02"]},
    geometry=[box(113.30, 23.10, 113.31, 23.11), box(113.31, 23.10, 113.32, 23.11)], crs="EPSG:4326",
).set_index("grid_id")
_ROWS = [
    {"person_id": "P1", "name": "张伟", "role": "网格员", "home_grids": "G01", "mode": "步行", "days": "周一-周五"},
    {"person_id": "P2", "name": "李娜", "role": "safety_officer", "home_grids": "", "mode": "电动车",
     "days": "周一、周三", "start_lon": 113.315, "start_lat": 23.105, "shift": "09:00-12:00"},
    {"person_id": "P3", "name": "王芳", "role": "物业", "home_grids": "G01;G02", "mode": "", "days": "",
     "off": "2026-11-25"},
    {"person_id": "P4", "name": "刘强", "role": "志愿者", "home_grids": "", "mode": "walk", "days": "周六;周日"},
]
_CHINESE = {"person_id": "工号", "name": "姓名", "role": "角色", "home_grids": "责任网格", "mode": "出行方式",
            "days": "工作日", "off": "请假", "shift": "班次", "start_lon": "经度", "start_lat": "纬度"}


def _write(rows: list[dict], folder: Path, fmt: str, *, chinese: bool = False, encoding: str = "utf-8") -> Path:
    frame = pd.DataFrame(rows).astype(object)
    frame = frame.where(frame.notna(), "")
    if chinese:
        frame = frame.rename(columns=_CHINESE)
    path = folder / f"roster.{fmt}"
    if fmt == "yaml":
        path.write_text(yaml.safe_dump({"people": frame.to_dict("records")}, allow_unicode=True), encoding="utf-8")
    elif fmt == "xlsx":
        frame.to_excel(path, index=False)
    else:
        path.write_bytes(frame.to_csv(index=False).encode(encoding))
    return path


@pytest.mark.parametrize(("fmt", "chinese", "encoding"), [
    ("csv", False, "utf-8"), ("csv", True, "utf-8-sig"), ("csv", True, "gbk"), ("xlsx", True, "utf-8"),
    ("yaml", False, "utf-8"),
])
def test_roster_round_trip(tmp_path, fmt, chinese, encoding):
    people = read_people(_write(_ROWS, tmp_path, fmt, chinese=chinese, encoding=encoding), grids=_GRIDS)
    assert list(people.index) == ["P1", "P2", "P3", "P4"]
    assert list(people["role"]) == ["grid_worker", "safety_officer", "property", "volunteer"]
    assert list(people["mode"]) == ["walk", "ebike", "walk", "walk"]
    assert people.loc["P3", "home_grids"] == ("G01", "G02")
    assert people.loc["P1", "days"] == Workdays(frozenset(range(5)))
    assert people.loc["P2", "shifts"] == ((9 * 3600, 12 * 3600),)
    assert people.loc["P2", "geometry"].x == pytest.approx(113.315)
    assert _GRIDS.loc["G01"].geometry.contains(people.loc["P1", "geometry"])  # no start given: the home grid's point
    assert people.loc["P4", "geometry"] is None  # a volunteer needs no start: they never lead a team
    monday, wednesday = dt.date(2026, 11, 23), dt.date(2026, 11, 25)
    assert works_on(monday, days=people.loc["P3", "days"], off=people.loc["P3", "off"])
    assert not works_on(wednesday, days=people.loc["P3", "days"], off=people.loc["P3", "off"])


def test_names_are_the_ids_without_person_id(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "person_id"} for r in _ROWS]
    assert list(read_people(_write(rows, tmp_path, "csv"), grids=_GRIDS).index) == ["张伟", "李娜", "王芳", "刘强"]


@pytest.mark.parametrize(("text", "weekdays", "dates"), [
    ("周一-周五", {0, 1, 2, 3, 4}, set()),
    ("周一 至 周三", {0, 1, 2}, set()),
    ("星期六、星期日", {5, 6}, set()),
    ("Mon;Wed, fri", {0, 2, 4}, set()),
    ("周五-周一", {4, 5, 6, 0}, set()),
    ("工作日", {0, 1, 2, 3, 4}, set()),
    ("周末 2026/11/25", {5, 6}, {dt.date(2026, 11, 25)}),
    ("2026-11-23~2026-11-25", set(), {dt.date(2026, 11, 23), dt.date(2026, 11, 24), dt.date(2026, 11, 25)}),
    ("2026年11月30日", set(), {dt.date(2026, 11, 30)}),
])
def test_the_ways_days_are_written(text, weekdays, dates):
    assert parse_workdays(text) == Workdays(frozenset(weekdays), frozenset(dates))


def _set(row: int, **cells) -> list[dict]:
    rows = [dict(r) for r in _ROWS]
    rows[row].update(cells)
    return rows


BAD = [
    (_set(1, role="司机"),
     r"^roster\.csv row 3: role '司机' is not a role \(one of grid_worker, property, volunteer, safety_officer; or "
     r"网格员, 物业, 志愿者, 安全员\)$"),
    (_set(0, role="网格员;安全员"),
     r"^roster\.csv row 2: role '网格员;安全员' names 2 roles: a person has one role in the roster$"),
    (_set(2, role=""), r"^roster\.csv row 4: role is empty"),
    (_set(0, days="周八"), r"^roster\.csv row 2: days '周八' is neither a weekday nor a date \(e\.g\. 周一-周五"),
    (_set(2, off="2026-11-31"), r"^roster\.csv row 4: off '2026-11-31' is neither a weekday nor a date"),
    (_set(0, days="2026-11-30~2026-11-23"), r"^roster\.csv row 2: days '2026-11-30~2026-11-23' ends before it starts"),
    (_set(1, shift="12:00-09:00"), r"^roster\.csv row 3: shift '12:00-09:00' ends before it starts"),
    (_set(3, mode="飞行"), r"^roster\.csv row 5: mode '飞行' should be walk or ebike \(步行 · 电动车\)$"),
    (_set(2, home_grids="G09"), r"^roster\.csv row 4: home_grids 'G09' is not a grid of the grids layer$"),
    (_set(1, start_lon="", start_lat=""),
     r"^roster\.csv row 3: start_lon: '李娜' \(安全员\) has neither home_grids nor start_lon/start_lat"),
    (_set(1, start_lon="abc"), r"^roster\.csv row 3: start_lon 'abc' is not a number$"),
    (_set(1, start_lon=23.105, start_lat=113.315),
     r"^roster\.csv row 3: start_lon 23\.105 and start_lat 113\.315 look swapped"),
    (_set(3, person_id="P1"), r"^roster\.csv row 5: person_id 'P1' appears again \(first at row 2\)$"),
    (_set(2, name=""), r"^roster\.csv row 4: name is empty$"),
]


@pytest.mark.parametrize(("rows", "message"), BAD)
def test_bad_rosters_name_file_row_and_field(tmp_path, rows, message):
    with pytest.raises(InputError, match=message):
        read_people(_write(rows, tmp_path, "csv"), grids=_GRIDS)


def test_two_people_of_one_name_need_ids(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "person_id"} for r in _set(3, name="张伟")]
    with pytest.raises(InputError,
                       match=r"^roster\.csv row 5: name '张伟' appears again \(first at row 2\): give each "
                             r"person a person_id"):
        read_people(_write(rows, tmp_path, "csv"), grids=_GRIDS)


@pytest.mark.parametrize(("text", "message"), [
    ("name,mode\n张伟,walk\n", r"^roster\.csv: role: column 'role' is missing \(found: name, mode\)$"),
    ("name,role\n", r"^roster\.csv: name: the roster lists no people"),
])
def test_rosters_without_people_or_roles(tmp_path, text, message):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_people(path, grids=_GRIDS)


def test_every_problem_of_the_file_at_once(tmp_path):
    with pytest.raises(InputError) as caught:
        read_people(_write(_set(0, role="司机", days="周八", mode="飞行"), tmp_path, "csv"), grids=_GRIDS)
    assert [e.field for e in [caught.value, *caught.value.more]] == ["role", "mode", "days"]
