"""No traceback from a roster, ever: rosters as offices bring them (CSV in UTF-8, BOM or GBK, XLSX, YAML;
Chinese or padded headers, stray spaces, optional columns left out, empty rows at the end) either plan,
and the checker agrees with the teams formed, or exit 2 naming the file, the row and the field of the
one mistake drawn."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import check_plan, check_roster
from inputgen import PLAN_DAY, minimal_files
from test_inputs_minimal import run_patrol

ROLE_WORDS = {"grid_worker": ["网格员", "grid_worker", "网格长"],
              "safety_officer": ["安全员", "safety_officer", "专职安全员"],
              "property": ["物业", "property", "物业人员"], "volunteer": ["志愿者", "volunteer"]}
DAYS = ["", "周一-周五", "周一、周三", "Mon;Tue", "每天", "工作日", "2026-11-23", "周末",
        "星期一 至 星期三", "2026/11/24"]
SHIFTS = ["", "09:00-12:00", "09:00-12:00,14:00-17:30", "14:00-17:30", "08:30-11:30；13:30-17:00"]
MODES = ["", "步行", "电动车", "walk", "ebike", "e-bike"]
CHINESE = {"person_id": "工号", "name": "姓名", "role": "角色", "home_grids": "责任网格", "mode": "出行方式",
           "days": "工作日", "off": "请假", "shift": "班次", "start_lon": "经度", "start_lat": "纬度"}
OPTIONAL = ("person_id", "home_grids", "mode", "days", "off", "shift", "start_lon", "start_lat")
FLAWS = [("role", "司机"), ("days", "周八"), ("off", "明天"), ("shift", "12:00-09:00"), ("mode", "飞行"),
         ("home_grids", "G9"), ("start_lon", "abc")]


@dataclass(frozen=True)
class Roster:
    rows: list[dict]
    fmt: str
    encoding: str
    columns: tuple[str, ...]
    chinese: bool
    padded: bool
    trailing_rows: bool
    flaw: tuple[int, str, str] | None


@st.composite
def rosters(draw) -> Roster:
    rows = []
    for k in range(draw(st.integers(1, 5))):
        role = draw(st.sampled_from(list(ROLE_WORDS)))
        row = {"person_id": f"P{k + 1}", "name": f"人员{k + 1}", "role": draw(st.sampled_from(ROLE_WORDS[role])),
               "home_grids": draw(st.sampled_from(["G1", "G2;G3", "G4", ""])), "mode": draw(st.sampled_from(MODES)),
               "days": draw(st.sampled_from(DAYS)), "off": draw(st.sampled_from(["", "2026-11-24", "周日"])),
               "shift": draw(st.sampled_from(SHIFTS)), "start_lon": "", "start_lat": ""}
        if not row["home_grids"] or draw(st.booleans()):
            row["start_lon"], row["start_lat"] = 113.305, 23.085
        rows.append(row)
    fmt = draw(st.sampled_from(["csv", "xlsx", "yaml"]))
    columns = tuple(draw(st.lists(st.sampled_from(OPTIONAL), unique=True)))
    columns += tuple(c for c in ("home_grids", "start_lon", "start_lat") if c not in columns)  # where people set out
    flaw = None
    if draw(st.integers(0, 2)) == 0:
        field, value = draw(st.sampled_from(FLAWS))
        flaw = (draw(st.integers(0, len(rows) - 1)), field, value)
    return Roster(rows, fmt, draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk"])) if fmt == "csv" else "utf-8", columns,
                  draw(st.booleans()), draw(st.booleans()), draw(st.booleans()) and fmt != "yaml", flaw)


def write_roster(roster: Roster, folder: Path) -> Path:
    fields = ["name", "role", *roster.columns]
    if roster.flaw and roster.flaw[1] not in fields:
        fields.append(roster.flaw[1])
    cells = []
    for k, row in enumerate(roster.rows):
        values = {f: row.get(f, "") for f in fields}
        if roster.flaw and roster.flaw[0] == k:
            values[roster.flaw[1]] = roster.flaw[2]
        cells.append([f"  {v} " if roster.padded and isinstance(v, str) and v else v for v in values.values()])
    headers = [CHINESE.get(f, f) if roster.chinese else f for f in fields]
    headers = [f" {h.upper() if h.isascii() else h} " if roster.padded else h for h in headers]
    if roster.trailing_rows:
        cells += [[""] * len(fields)] * 2
    frame = pd.DataFrame(cells, columns=headers)
    path = folder / f"roster.{roster.fmt}"
    if roster.fmt == "yaml":
        path.write_text(yaml.safe_dump({"people": frame.to_dict("records")}, allow_unicode=True), encoding="utf-8")
    elif roster.fmt == "xlsx":
        frame.to_excel(path, index=False)
    else:
        path.write_bytes(frame.to_csv(index=False).encode("gbk" if roster.encoding == "gbk" else roster.encoding))
    return path


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(roster=rosters(), days=st.integers(1, 2))
def test_rosters_as_offices_bring_them_plan_or_name_the_mistake(roster, days):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        layers = minimal_files(folder / "in")
        people = write_roster(roster, folder)
        out = folder / "out"
        code, err = run_patrol("plan", "--grids", layers["grids"], "--venues", layers["venues"], "--people", people,
                               "--date", PLAN_DAY.isoformat(), "--days", days, "--time-limit", "0.2",
                               "--no-pdf", "--quiet", "--out", out)
        assert "Traceback" not in err and "意外错误" not in err, err
        if roster.flaw is not None:
            row, field, _ = roster.flaw
            assert code == 2, err
            assert err.startswith(f"patrol: {people.name} 第 {row + 2} 行：{field}"), err  # Chinese: the default
            assert not out.exists()
            return
        assert code == 0, err
        assert check_roster(out, people=people, date=PLAN_DAY, days=days) == []
        assert check_plan(out, grids=layers["grids"], venues=layers["venues"], teams=out / "teams.csv",
                          date=PLAN_DAY, days=days) == []
