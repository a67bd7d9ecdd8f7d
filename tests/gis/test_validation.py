"""Every bad-input rule: `patrol plan` exits 2, names file + row + field, and writes nothing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

import patrol
from gis._table import HEADER_ALIASES
from gis.io import HAZARD_STATUSES, OUTCOMES
from gis.rules import CATEGORY_CODES, MODES, ROLES
from language_checks import CJK, english_fragments

pytestmark = pytest.mark.usefixtures("english")  # the texts asserted here are the English msgids


def _edit_csv(path: Path, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame).to_csv(path, index=False)


def _set(column: str, row: int, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Set one cell; ``row`` is the Excel row number (header = 1)."""
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row - 2, column] = value
        return frame
    return change


def _drop(column: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda frame: frame.drop(columns=[column])


def _swap_lonlat(row: int) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        i = row - 2
        frame.loc[i, "lon"], frame.loc[i, "lat"] = frame.loc[i, "lat"], frame.loc[i, "lon"]
        return frame
    return change


def _edit_geojson(path: Path, feature: int, geometry: dict | None) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][feature - 1]["geometry"] = geometry
    path.write_text(json.dumps(data), encoding="utf-8")


BOWTIE = {"type": "Polygon",
          "coordinates": [[[113.30, 23.08], [113.31, 23.09], [113.31, 23.08], [113.30, 23.09], [113.30, 23.08]]]}

# (layer, how to break it, expected message regex)
CASES = [
    ("venues", _drop("category"),
     r"venues\.csv: category: column 'category' is missing \(found: venue_id, name, lon, lat"),
    ("venues", _set("category", 12, "小饭店"),
     r"venues\.csv row 12: category '小饭店' is not a known category \(did you mean 小餐饮\?\)"),
    ("venues", _set("category", 5, "small_restuarant"),
     r"venues\.csv row 5: category 'small_restuarant' is not a known category \(did you mean small_restaurant\?\)"),
    ("venues", _set("venue_id", 9, "V003"), r"venues\.csv row 9: venue_id 'V003' appears again \(first at row 4\)"),
    ("venues", _swap_lonlat(3), r"venues\.csv row 3: lon 23\.\d+ and lat 113\.\d+ look swapped"),
    ("venues", _set("lon", 6, "东经113"), r"venues\.csv row 6: lon '东经113' is not a number"),
    ("venues", _set("lat", 7, "95.2"), r"venues\.csv row 7: lat 95\.2 is not a latitude"),
    ("venues", lambda f: f.assign(open="").pipe(_set("open", 4, "25:00")),
     r"venues\.csv row 4: open '25:00' is not a time HH:MM"),
    ("venues", lambda f: f.assign(close="").pipe(_set("close", 8, "9点")),
     r"venues\.csv row 8: close '9点' is not a time HH:MM"),
    ("venues", _set("last_inspected", 10, "2027-03-01"),
     r"venues\.csv row 10: last_inspected 2027-03-01 is in the future \(after 2026-11-23, the plan date\)"),
    ("venues", _set("last_inspected", 11, "上个月"),
     r"venues\.csv row 11: last_inspected '上个月' is not a date YYYY-MM-DD"),
    ("venues", lambda f: f.assign(risk="").pipe(_set("risk", 2, "1.7")),
     r"venues\.csv row 2: risk '1\.7' should be between 0 and 1"),
    ("venues", lambda f: f.assign(crs="").pipe(_set("crs", 13, "amap2")),
     r"venues\.csv row 13: crs 'amap2': unknown CRS"),
    ("venues", lambda f: f.assign(grid_id="").pipe(_set("grid_id", 3, "G99")),
     r"venues\.csv row 3: grid_id 'G99' is not a grid"),
    ("teams", _set("roles", 3, "grid_worker;driver"),
     r"teams\.csv row 3: roles 'driver' is not a role \(one of grid_worker, property, volunteer, safety_officer"),
    ("teams", _set("shift", 2, "09:00-12:00,11:00-13:00"), r"teams\.csv row 2: shift .*overlapping shifts"),
    ("teams", _set("shift", 2, "9-12"), r"teams\.csv row 2: shift .*is not a time HH:MM"),
    ("teams", _set("mode", 3, "car"), r"teams\.csv row 3: mode 'car' should be walk or ebike"),
    ("teams", _drop("start_lat"), r"teams\.csv: start_lat: column 'start_lat' is missing"),
    ("teams", _set("team_id", 3, "T1"), r"teams\.csv row 3: team_id 'T1' appears again \(first at row 2\)"),
]


@pytest.mark.parametrize(("layer", "change", "message"), CASES, ids=[c[2][:60] for c in CASES])
def test_bad_table_is_rejected_with_file_row_field(instance, tmp_path, capsys, layer, change, message):
    _edit_csv(instance[layer], change)
    out = tmp_path / "plan"
    code = patrol.main(_plan_args(instance, out))
    err = capsys.readouterr().err
    assert code == 2
    assert _first_line(err), err
    import re

    assert re.search(message, _first_line(err)), err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in"]  # no temp or half-written directory


@pytest.mark.parametrize(
    ("feature", "geometry", "message"),
    [
        (2, BOWTIE, r"grids\.geojson feature 2: geometry is not valid \(Self-intersection"),
        (3, None, r"grids\.geojson feature 3: geometry is empty"),
        (1, {"type": "Point", "coordinates": [113.3, 23.08]},
         r"grids\.geojson feature 1: geometry is a Point; grids must be polygons"),
    ],
)
def test_bad_grid_geometry_is_rejected(instance, tmp_path, capsys, feature, geometry, message):
    _edit_geojson(instance["grids"], feature, geometry)
    out = tmp_path / "plan"
    assert patrol.main(_plan_args(instance, out)) == 2
    import re

    assert re.search(message, _first_line(capsys.readouterr().err))
    assert not out.exists()


def test_unknown_crs_flag_is_rejected(instance, tmp_path, capsys):
    out = tmp_path / "plan"
    assert patrol.main([*_plan_args(instance, out), "--crs", "EPSG:999999"]) == 2
    assert "grids.geojson: crs: unknown CRS 'EPSG:999999'" in capsys.readouterr().err
    assert not out.exists()


def test_every_problem_is_listed_after_the_first(instance, tmp_path, capsys):
    _edit_csv(instance["venues"], lambda f: f.pipe(_set("category", 4, "xx")).pipe(_set("lon", 7, "abc")))
    assert patrol.main(_plan_args(instance, tmp_path / "plan")) == 2
    err = capsys.readouterr().err
    assert "venues.csv row 4: category 'xx'" in err
    assert "(1 more problem(s) in the same input:)" in err
    assert "venues.csv row 7: lon 'abc' is not a number" in err


def test_point_outside_every_grid_is_a_warning_and_planned_as_unassigned_grid(instance, tmp_path, capsys):
    _edit_csv(instance["venues"], lambda f: f.pipe(_set("lon", 5, "113.45")))
    out = tmp_path / "plan"
    assert patrol.main([*_plan_args(instance, out), "--time-limit", "1"]) == 0
    err = capsys.readouterr().err
    assert "warning: 1 venue(s) lie outside every grid (venues.csv row 5)" in err
    assert "grid 'unassigned'" in err
    assert (out / "stops.csv").exists()


def test_existing_output_is_kept_when_input_is_bad(instance, tmp_path, capsys):
    out = tmp_path / "plan"
    out.mkdir()
    (out / "stops.csv").write_text("yesterday's plan", encoding="utf-8")
    _edit_csv(instance["venues"], _set("category", 3, "??"))
    assert patrol.main(_plan_args(instance, out)) == 2
    assert (out / "stops.csv").read_text(encoding="utf-8") == "yesterday's plan"


def test_hazard_and_inspection_files_are_validated(instance, tmp_path, capsys):
    hazards = tmp_path / "in" / "hazards.csv"
    pd.DataFrame({"hazard_id": ["H1", "H2"], "venue_id": ["V001", "V404"], "type": ["燃气使用不规范", "gas_misuse"],
                  "found_on": ["2026-11-01", "2026-11-02"]}).to_csv(hazards, index=False)
    assert patrol.main([*_plan_args(instance, tmp_path / "p"), "--hazards", str(hazards)]) == 2
    assert "hazards.csv row 3: venue_id 'V404' is not a venue" in capsys.readouterr().err
    inspections = tmp_path / "in" / "inspections.csv"
    pd.DataFrame({"venue_id": ["V001"], "date": ["2026-12-01"], "outcome": ["done"]}).to_csv(inspections, index=False)
    assert patrol.main([*_plan_args(instance, tmp_path / "p"), "--inspections", str(inspections)]) == 2
    assert "inspections.csv row 2: date 2026-12-01 is in the future" in capsys.readouterr().err


def _plan_args(instance: dict[str, Path], out: Path) -> list[str]:
    return ["plan", "--grids", str(instance["grids"]), "--venues", str(instance["venues"]),
            "--teams", str(instance["teams"]), "--date", "2026-11-23", "--out", str(out), "--quiet"]


def _first_line(err: str) -> str:
    return next((line for line in err.splitlines() if line.startswith("patrol: ") and "警告" not in line), "")


@pytest.mark.parametrize(("status", "closed_on", "message"), [
    ("整改中", "2026-11-05", "hazards.csv row 2: closed_on 2026-11-05 is given but the status is rectifying"),
    ("已销号", "2026-10-01", "hazards.csv row 2: closed_on 2026-10-01 is before found_on 2026-11-01"),
])
def test_hazard_closing_day_is_checked(instance, tmp_path, capsys, status, closed_on, message):
    hazards = tmp_path / "in" / "hazards.csv"
    pd.DataFrame({"隐患编号": ["H1"], "场所编号": ["V001"], "隐患类型": ["gas_misuse"], "发现日期": ["2026-11-01"],
                  "状态": [status], "销号日期": [closed_on]}).to_csv(hazards, index=False)
    assert patrol.main([*_plan_args(instance, tmp_path / "p"), "--hazards", str(hazards)]) == 2
    assert message in capsys.readouterr().err


# --- the same messages in Chinese, the default language -----------------------------------------------------

#: Identifiers a Chinese message shows as they are: field names and the codes a cell may hold.
CODES = frozenset({*HEADER_ALIASES.values(), *ROLES, *MODES, *HAZARD_STATUSES, *OUTCOMES, *CATEGORY_CODES})


def _where(expected: str) -> tuple[str, int | None, str]:
    """The file, row and field an English expectation of the table names (``venues\\.csv row 12: category …``)."""
    m = re.match(r"^(\S+?)(?: (?:row|feature) (\d+))?: (\w+)", re.sub(r"\\(.)", r"\1", expected))
    return m[1], int(m[2]) if m[2] else None, m[3]


def _assert_chinese(line: str, file: str, row: int | None, field: str, *, unit: str = "行") -> None:
    """``line`` is our message in Chinese that still names ``file``, ``row`` and ``field``, with no English prose."""
    where = f"{file} 第 {row} {'个要素' if unit == 'feature' else unit}：" if row else f"{file}："
    assert line.startswith(f"patrol: {where}{field}"), line
    assert CJK.search(line[len(f"patrol: {where}{field}"):]), line
    assert english_fragments(line, codes=CODES | {field}) == [], line


@pytest.fixture
def chinese(monkeypatch):
    """``patrol`` as a user runs it: no PATROL_LANG, so Chinese."""
    monkeypatch.delenv("PATROL_LANG", raising=False)


@pytest.mark.parametrize(("layer", "change", "message"), CASES, ids=[c[2][:60] for c in CASES])
def test_bad_table_is_rejected_in_chinese_by_default(instance, tmp_path, capsys, chinese, layer, change, message):
    _edit_csv(instance[layer], change)
    assert patrol.main(_plan_args(instance, tmp_path / "plan")) == 2
    _assert_chinese(_first_line(capsys.readouterr().err), *_where(message))


@pytest.mark.parametrize(("feature", "geometry"),
                         [(2, BOWTIE), (3, None), (1, {"type": "Point", "coordinates": [113.3, 23.08]})])
def test_bad_grid_geometry_is_rejected_in_chinese(instance, tmp_path, capsys, chinese, feature, geometry):
    _edit_geojson(instance["grids"], feature, geometry)
    assert patrol.main(_plan_args(instance, tmp_path / "plan")) == 2
    _assert_chinese(_first_line(capsys.readouterr().err), "grids.geojson", feature, "geometry", unit="feature")


def test_every_problem_and_the_warning_are_in_chinese(instance, tmp_path, capsys, chinese):
    _edit_csv(instance["venues"], lambda f: f.pipe(_set("category", 4, "xx")).pipe(_set("lon", 7, "abc")))
    assert patrol.main(_plan_args(instance, tmp_path / "plan")) == 2
    err = capsys.readouterr().err
    assert "（同一输入中还有 1 个问题：）" in err
    assert "venues.csv 第 7 行：lon 'abc' 不是数字" in err
    _edit_csv(instance["venues"], lambda f: f.pipe(_set("category", 4, "small_shop")).pipe(_set("lon", 7, "113.45")))
    assert patrol.main([*_plan_args(instance, tmp_path / "plan"), "--time-limit", "1"]) == 0
    warning = next(line for line in capsys.readouterr().err.splitlines() if "venues.csv 第 7 行" in line)
    assert warning.startswith("patrol: 警告：1 个场所不在任何网格内（venues.csv 第 7 行）"), warning
    assert english_fragments(warning) == [], warning


def test_the_command_prints_a_bad_venue_file_in_chinese(instance, tmp_path):
    """``python patrol.py plan …`` as typed: Chinese unless PATROL_LANG says otherwise."""
    _edit_csv(instance["venues"], _set("category", 12, "小饭店"))
    env = {k: v for k, v in os.environ.items() if k != "PATROL_LANG"}
    done = subprocess.run([sys.executable, str(Path(patrol.__file__)), *_plan_args(instance, tmp_path / "plan")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "patrol: venues.csv 第 12 行：category '小饭店' 不是已知的场所类别（是否应为 小餐饮？）" in done.stderr
    english = subprocess.run([sys.executable, str(Path(patrol.__file__)), *_plan_args(instance, tmp_path / "plan")],
                             capture_output=True, text=True, env={**env, "PATROL_LANG": "en"}, timeout=300)
    assert "venues.csv row 12: category '小饭店' is not a known category (did you mean 小餐饮?)" in english.stderr
