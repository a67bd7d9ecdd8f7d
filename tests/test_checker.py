"""Tests of the independent plan checker (tests/checker.py).

A tiny input set around Tianhe, Guangzhou (lon 113.33, lat 23.10) and a feasible plan are
written by hand; every broken variant of that plan must be reported with its own message.

Hand computation of the feasible plan (straight-line metres, detour 1.3, walk 1.2 m/s,
ebike 4.0 m/s; travel minutes = m x 1.3 / speed / 60):

======  =========================  =====  ============  ===================
team    leg                        m      travel (min)  planned gap (min)
======  =========================  =====  ============  ===================
T1      start -> V2 (opens 10:00)  226    4.1 walk      60 (09:00 -> 10:00)
T1      V2 -> V1                   317    5.7 walk      15 (10:15 -> 10:30)
T1      V1 -> start                327    5.9 walk      80 (10:40 -> 12:00)
T1      start -> V5 (KTV 14-02)    495    8.9 walk      30 (14:00 -> 14:30)
T1      V5 -> start                495    8.9 walk      160
T2      start -> V3 (GCJ-02 row)   390    2.1 ebike     15 (09:00 -> 09:15)
T2      V3 -> start                390    2.1 ebike     135
T2      start -> V4 (own 14-18)    363    2.0 ebike     20 (14:00 -> 14:20)
T2      V4 -> start                363    2.0 ebike     170
======  =========================  =====  ============  ===================

Travel total 3366 m x 1.3 = 4.376 km.  Must on 2024-05-06: V2 (last 2024-01-01, 30 days),
V3 (never inspected), V6 (open hazard past its deadline; listed unassigned).  Not must: V1
(inspections.csv done 2024-05-01), V4 (recent, its hazard is 销号), V5 (recent; its later
inspection was closed_door and does not count).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyproj
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker import STOPS_COLUMNS, _load_rules, _must_venues, _read_venues, check_plan
from gis.crs import wgs84_to_gcj02

DATE = "2024-05-06"
TRUE_WGS84 = {  # venue_id -> true WGS84 lon, lat
    "V1": (113.3270, 23.1010),
    "V2": (113.3285, 23.0985),
    "V3": (113.3330, 23.1020),
    "V4": (113.3345, 23.0995),
    "V5": (113.3260, 23.0975),
    "V6": (113.3360, 23.1030),
}
NAMES = {
    "V1": "平安小卖部", "V2": "老广小餐馆", "V3": "海景大厦", "V4": "仁心诊所", "V5": "星光KTV", "V6": "顺达仓库",
}
CODES = {
    "V1": "small_shop", "V2": "small_restaurant", "V3": "high_rise",
    "V4": "small_clinic", "V5": "small_entertainment", "V6": "warehouse",
}
START = {"T1": (113.3300, 23.1000), "T2": (113.3310, 23.0990)}

Inputs = dict[str, Any]
Plan = dict[str, Any]


# --------------------------------------------------------------------------------------------
# Building the inputs and the plan
# --------------------------------------------------------------------------------------------
def _square(lon0: float, lat0: float, lon1: float, lat1: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]]}


def make_inputs() -> Inputs:
    """The input tables as plain Python data (mutable copies for the variants)."""
    gcj_lon, gcj_lat = (float(c) for c in wgs84_to_gcj02(*TRUE_WGS84["V3"]))
    venues = [
        # category as Chinese label, alias, code: the checker must resolve all three.
        {"venue_id": "V1", "name": NAMES["V1"], "category": "小商店", "lon": 113.3270, "lat": 23.1010,
         "crs": "", "open": "", "close": "", "last_inspected": ""},
        {"venue_id": "V2", "name": NAMES["V2"], "category": "小餐饮", "lon": 113.3285, "lat": 23.0985,
         "crs": "", "open": "", "close": "", "last_inspected": "2024-01-01"},
        {"venue_id": "V3", "name": NAMES["V3"], "category": "high_rise", "lon": round(gcj_lon, 8),
         "lat": round(gcj_lat, 8), "crs": "gcj02", "open": "", "close": "", "last_inspected": ""},
        {"venue_id": "V4", "name": NAMES["V4"], "category": "诊所", "lon": 113.3345, "lat": 23.0995,
         "crs": "wgs84", "open": "14:00", "close": "18:00", "last_inspected": "2024-04-20"},
        {"venue_id": "V5", "name": NAMES["V5"], "category": "KTV", "lon": 113.3260, "lat": 23.0975,
         "crs": "", "open": "", "close": "", "last_inspected": "2024-04-26"},
        {"venue_id": "V6", "name": NAMES["V6"], "category": "仓库", "lon": 113.3360, "lat": 23.1030,
         "crs": "", "open": "", "close": "", "last_inspected": "2024-05-03"},
    ]
    teams = [
        {"team_id": "T1", "name": "一组", "roles": "grid_worker;safety_officer", "start_lon": START["T1"][0],
         "start_lat": START["T1"][1], "shift": "", "mode": "walk"},
        {"team_id": "T2", "name": "二组", "roles": "grid_worker;property;safety_officer", "start_lon": START["T2"][0],
         "start_lat": START["T2"][1], "shift": "09:00-12:00,14:00-17:30", "mode": "ebike"},
    ]
    hazards = [
        {"hazard_id": "H1", "venue_id": "V6", "type": "hazardous_storage", "found_on": "2024-05-01",
         "status": "open", "deadline": ""},  # 3 days -> deadline 2024-05-04, before DATE
        {"hazard_id": "H2", "venue_id": "V4", "type": "other", "found_on": "2024-04-01",
         "status": "销号", "deadline": "2024-04-08"},
    ]
    inspections = [
        {"venue_id": "V1", "date": "2024-05-01", "team_id": "T1", "outcome": "done"},
        {"venue_id": "V5", "date": "2024-05-04", "team_id": "T1", "outcome": "closed_door"},
    ]
    grids = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"grid_id": "G01", "name": "一网格"},
             "geometry": _square(113.320, 23.095, 113.330, 23.105)},
            {"type": "Feature", "properties": {"grid_id": "G02", "name": "二网格"},
             "geometry": _square(113.330, 23.095, 113.340, 23.105)},
        ],
    }
    return {"venues": venues, "teams": teams, "hazards": hazards, "inspections": inspections, "grids": grids}


def _stop(team: str, seq: int, vid: str, reason: str, arrive: str, depart: str) -> dict[str, Any]:
    lon, lat = TRUE_WGS84[vid]
    return {"day": DATE, "team_id": team, "seq": seq, "venue_id": vid, "name": NAMES[vid], "category": CODES[vid],
            "reason": reason, "arrive": arrive, "depart": depart, "lon": f"{lon:.7f}", "lat": f"{lat:.7f}",
            "risk": 0.5}


def make_plan() -> Plan:
    """The hand-computed feasible plan (see the module docstring)."""
    stops = [
        _stop("T1", 1, "V2", "overdue", "10:00", "10:15"),
        _stop("T1", 2, "V1", "optional", "10:30", "10:40"),
        _stop("T1", 3, "V5", "optional", "14:30", "14:50"),
        _stop("T2", 1, "V3", "due", "09:15", "09:45"),
        _stop("T2", 2, "V4", "optional", "14:20", "14:40"),
    ]
    summary = {"days": 1, "teams": 2, "visits": 5, "must_visits": 3, "must_visits_planned": 2,
               "risk_covered": 2.5, "travel_km": 4.38, "solve_seconds": 0.4, "solver_status": "OPTIMAL"}
    return {"stops": stops, "unassigned": [{"venue_id": "V6", "reason": "capacity"}], "summary": summary}


def _routes(stops: list[dict[str, Any]]) -> dict[str, Any]:
    features = []
    for team in sorted({s["team_id"] for s in stops}):
        for day in sorted({s["day"] for s in stops if s["team_id"] == team}):
            mine = sorted((s for s in stops if s["team_id"] == team and s["day"] == day), key=lambda s: int(s["seq"]))
            visits = [[float(s["lon"]), float(s["lat"])] for s in mine]
            home = list(START.get(team, visits[0]))
            coords = [home, *visits, home]
            features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                             "properties": {"day": day, "team_id": team, "km": 1.0, "minutes": 30}})
    for s in stops:
        point = {"type": "Point", "coordinates": [float(s["lon"]), float(s["lat"])]}
        features.append({"type": "Feature", "geometry": point,
                         "properties": {k: s[k] for k in ("day", "team_id", "seq", "venue_id")}})
    return {"type": "FeatureCollection", "features": features}


def write_inputs(root: Path, inputs: Inputs) -> dict[str, Any]:
    """Write the inputs; return the keyword arguments of :func:`check_plan` for them."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "grids.geojson").write_text(json.dumps(inputs["grids"], ensure_ascii=False), encoding="utf-8")
    for key in ("venues", "teams", "hazards", "inspections"):
        pd.DataFrame(inputs[key]).to_csv(root / f"{key}.csv", index=False, encoding="utf-8")
    return {"grids": root / "grids.geojson", "venues": root / "venues.csv", "teams": root / "teams.csv",
            "hazards": root / "hazards.csv", "inspections": root / "inspections.csv", "date": DATE}


def write_plan(out: Path, plan: Plan) -> Path:
    """Write stops.csv, unassigned.csv, summary.json and routes.geojson as ``patrol plan`` would."""
    out.mkdir(parents=True, exist_ok=True)
    stops = pd.DataFrame(plan["stops"], columns=plan.get("stops_columns", list(STOPS_COLUMNS)))
    stops.to_csv(out / "stops.csv", index=False, encoding="utf-8-sig")
    pd.DataFrame(plan["unassigned"], columns=["venue_id", "reason"]).to_csv(out / "unassigned.csv", index=False)
    (out / "summary.json").write_text(json.dumps(plan["summary"], ensure_ascii=False), encoding="utf-8")
    routes = plan.get("routes") or _routes(plan["stops"])
    (out / "routes.geojson").write_text(json.dumps(routes, ensure_ascii=False), encoding="utf-8")
    return out


def _find(plan: Plan, vid: str) -> dict[str, Any]:
    return next(s for s in plan["stops"] if s["venue_id"] == vid)


def _shift_lon(lon: float, lat: float, metres: float) -> float:
    return lon + metres / (111_320.0 * math.cos(math.radians(lat)))


# --------------------------------------------------------------------------------------------
# The feasible plan
# --------------------------------------------------------------------------------------------
def test_feasible_plan_has_no_violation(tmp_path: Path) -> None:
    kwargs = write_inputs(tmp_path / "in", make_inputs())
    out = write_plan(tmp_path / "out", make_plan())
    assert check_plan(out, **kwargs) == []


def test_feasible_plan_with_venues_split_over_csv_and_geojson(tmp_path: Path) -> None:
    inputs = make_inputs()
    kwargs = write_inputs(tmp_path / "in", inputs)
    v6 = next(v for v in inputs["venues"] if v["venue_id"] == "V6")
    pd.DataFrame([v for v in inputs["venues"] if v["venue_id"] != "V6"]).to_csv(kwargs["venues"], index=False)
    extra = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [v6["lon"], v6["lat"]]},
        "properties": {k: v6[k] for k in ("venue_id", "name", "category", "last_inspected")}}]}
    (tmp_path / "in" / "extra.geojson").write_text(json.dumps(extra, ensure_ascii=False), encoding="utf-8")
    kwargs["venues"] = [kwargs["venues"], tmp_path / "in" / "extra.geojson"]
    out = write_plan(tmp_path / "out", make_plan())
    assert check_plan(out, **kwargs) == []


def test_feasible_plan_with_xlsx_venues(tmp_path: Path) -> None:
    inputs = make_inputs()
    kwargs = write_inputs(tmp_path / "in", inputs)
    pd.DataFrame(inputs["venues"]).to_excel(tmp_path / "in" / "venues.xlsx", index=False)
    kwargs["venues"] = tmp_path / "in" / "venues.xlsx"
    out = write_plan(tmp_path / "out", make_plan())
    assert check_plan(out, **kwargs) == []


def test_empty_plan_with_every_must_venue_unassigned(tmp_path: Path) -> None:
    kwargs = write_inputs(tmp_path / "in", make_inputs())
    plan = {
        "stops": [],
        "unassigned": [{"venue_id": v, "reason": "capacity"} for v in ("V2", "V3", "V6")],
        "summary": {"days": 1, "teams": 2, "visits": 0, "must_visits": 3, "must_visits_planned": 0,
                    "risk_covered": 0.0, "travel_km": 0.0, "solve_seconds": 0.1, "solver_status": "FEASIBLE"},
        "routes": {"type": "FeatureCollection", "features": []},
    }
    out = write_plan(tmp_path / "out", plan)
    assert check_plan(out, **kwargs) == []
    plan["unassigned"] = plan["unassigned"][:2]
    assert check_plan(write_plan(out, plan), **kwargs) == [
        "coverage: venue V6 must be visited on 2024-05-06 (open hazard H1 due 2024-05-04) "
        "but is neither in stops.csv nor in unassigned.csv"
    ]


def test_gcj02_row_is_converted(tmp_path: Path) -> None:
    kwargs = write_inputs(tmp_path, make_inputs())
    rules = _load_rules(Path(__file__).resolve().parent.parent / "data" / "rules.toml")
    venues = _read_venues([kwargs["venues"]], rules, None)
    geod = pyproj.Geod(ellps="WGS84")
    for vid, (lon, lat) in TRUE_WGS84.items():
        assert geod.inv(venues[vid].lon, venues[vid].lat, lon, lat)[2] < 0.01
    assert {vid: v.category for vid, v in venues.items()} == CODES


def test_must_venues_use_inspections_hazards_and_last_inspected(tmp_path: Path) -> None:
    kwargs = write_inputs(tmp_path, make_inputs())
    rules = _load_rules(Path(__file__).resolve().parent.parent / "data" / "rules.toml")
    venues = _read_venues([kwargs["venues"]], rules, None)
    day = dt.date.fromisoformat(DATE)
    full = _must_venues(venues, rules, day, kwargs["hazards"], kwargs["inspections"])
    assert set(full) == {"V2", "V3", "V6"}
    bare = _must_venues(venues, rules, day, None, None)
    assert set(bare) == {"V1", "V2", "V3"}  # V1 never inspected; V6 only via its hazard


# --------------------------------------------------------------------------------------------
# Broken variants: each must be reported with its own message
# --------------------------------------------------------------------------------------------
def _set(vid: str, **values: Any) -> Callable[[Plan, Inputs], None]:
    def mutate(plan: Plan, inputs: Inputs) -> None:
        _find(plan, vid).update(values)

    return mutate


def _moved_50m(plan: Plan, inputs: Inputs) -> None:
    stop = _find(plan, "V1")
    stop["lon"] = f"{_shift_lon(float(stop['lon']), float(stop['lat']), 50.0):.7f}"


def _gcj02_written(plan: Plan, inputs: Inputs) -> None:
    v3 = next(v for v in inputs["venues"] if v["venue_id"] == "V3")
    _find(plan, "V3").update(lon=f"{v3['lon']:.7f}", lat=f"{v3['lat']:.7f}")


def _twice(plan: Plan, inputs: Inputs) -> None:
    plan["stops"].append(_stop("T2", 3, "V1", "optional", "15:00", "15:10"))
    plan["summary"]["visits"] = 6


def _lacks_role(plan: Plan, inputs: Inputs) -> None:
    inputs["teams"][1]["roles"] = "grid_worker;safety_officer"


def _visits_wrong(plan: Plan, inputs: Inputs) -> None:
    plan["summary"]["visits"] = 6


def _must_missing(plan: Plan, inputs: Inputs) -> None:
    plan["unassigned"] = []


def _bad_columns(plan: Plan, inputs: Inputs) -> None:
    for s in plan["stops"]:
        s["arrival"] = s.pop("arrive")
    plan["stops_columns"] = [("arrival" if c == "arrive" else c) for c in STOPS_COLUMNS]


def _seq_gap(plan: Plan, inputs: Inputs) -> None:
    _find(plan, "V5")["seq"] = 4


def _day_outside(plan: Plan, inputs: Inputs) -> None:
    for s in plan["stops"]:
        if s["team_id"] == "T2":
            s["day"] = "2024-05-07"


def _travel_km_wrong(plan: Plan, inputs: Inputs) -> None:
    plan["summary"]["travel_km"] = 6.0


def _unknown_venue(plan: Plan, inputs: Inputs) -> None:
    _find(plan, "V1")["venue_id"] = "V99"


def _no_line(plan: Plan, inputs: Inputs) -> None:
    routes = _routes(plan["stops"])
    routes["features"] = [f for f in routes["features"]
                          if not (f["geometry"]["type"] == "LineString" and f["properties"]["team_id"] == "T2")]
    plan["routes"] = routes


def _no_point(plan: Plan, inputs: Inputs) -> None:
    routes = _routes(plan["stops"])
    routes["features"] = [f for f in routes["features"]
                          if not (f["geometry"]["type"] == "Point" and f["properties"]["venue_id"] == "V4")]
    plan["routes"] = routes


def _bad_unassigned_reason(plan: Plan, inputs: Inputs) -> None:
    plan["unassigned"] = [{"venue_id": "V6", "reason": "busy"}]


def _false_no_team(plan: Plan, inputs: Inputs) -> None:
    plan["unassigned"] = [{"venue_id": "V6", "reason": "no_team_with_roles"}]


def _summary_missing_key(plan: Plan, inputs: Inputs) -> None:
    del plan["summary"]["solve_seconds"]
    plan["summary"]["score"] = 1  # extra keys are allowed; a missing contract key is not


def _spread_wrong(plan: Plan, inputs: Inputs) -> None:
    plan["summary"]["team_minutes"] = {"2024-05-06": {"T1": 400, "T2": 360}}
    plan["summary"]["spread_minutes"] = {"2024-05-06": 10}


def _team_minutes_below_service(plan: Plan, inputs: Inputs) -> None:
    plan["summary"]["team_minutes"] = {"2024-05-06": {"T1": 1, "T2": 400}}
    plan["summary"]["spread_minutes"] = {"2024-05-06": 399}


def _later_in_earlier_shift(plan: Plan, inputs: Inputs) -> None:
    _find(plan, "V2")["seq"] = 3
    _find(plan, "V1")["seq"] = 1
    _find(plan, "V5")["seq"] = 2


BROKEN = [
    ("arrive_before_shift_start", _set("V3", arrive="08:45", depart="09:15"),
     r"team T2, seq 1, venue V3\): visit 08:45-09:15 is not inside one shift"),
    ("too_little_travel_between_stops", _set("V1", arrive="10:16", depart="10:26"),
     r"venue V1\): arrives 10:16 but leaving seq 1 \(V2\) at 10:15 needs 5\.\d min of travel"),
    ("service_too_short", _set("V3", depart="09:35"),
     r"venue V3\): service 09:15-09:35 is 20 min, shorter than the 30 min of high_rise"),
    ("outside_opening_hours", _set("V2", arrive="09:30", depart="09:45"),
     r"venue V2\): visit 09:30-09:45 is outside the opening hours 10:00-22:00"),
    ("own_opening_hours_override", _set("V4", arrive="10:00", depart="10:20"),
     r"venue V4\): visit 10:00-10:20 is outside the opening hours 14:00-18:00"),
    ("team_lacks_required_role", _lacks_role, r"venue V3\): team T2 lacks required role\(s\) property for high_rise"),
    ("venue_moved_50m", _moved_50m, r"venue V1\): lon/lat is 5\d\.\d m from the venue's WGS84 position"),
    ("gcj02_written_instead_of_wgs84", _gcj02_written,
     r"venue V3\): lon/lat is \d+\.\d m from .*these are its GCJ-02 coordinates"),
    ("venue_twice_on_a_day", _twice, r"day 2024-05-06 venue V1: visited 2 times on one day \(teams T1, T2\)"),
    ("summary_visits_wrong", _visits_wrong, r"summary\.json: visits is 6 but stops\.csv has 5 rows"),
    ("must_venue_missing", _must_missing,
     r"coverage: venue V6 must be visited on 2024-05-06 \(open hazard H1 due 2024-05-04\)"),
    ("bad_column_set", _bad_columns,
     r"stops\.csv: columns are .*expected exactly .*missing \['arrive'\], extra \['arrival'\]"),
    ("seq_not_contiguous", _seq_gap, r"day 2024-05-06 team T1: seq is \[1, 2, 4\], expected 1\.\.3"),
    ("back_after_shift_end", _set("V5", arrive="17:05", depart="17:25"),
     r"venue V5\): departs 17:25 and needs 8\.\d min to return .*after the shift ends 17:30"),
    ("first_stop_too_early", _set("V5", arrive="14:05", depart="14:25"),
     r"venue V5\): arrives 14:05 but leaving the start at the shift start 14:00 needs 8\.\d min"),
    ("day_outside_horizon", _day_outside, r"day 2024-05-07 is outside the planned days 2024-05-06\.\.2024-05-06"),
    ("travel_km_wrong", _travel_km_wrong,
     r"summary\.json: travel_km is 6\.0 but the shift tours recomputed are 4\.3\d\d km"),
    ("name_mismatch", _set("V1", name="平安超市"),
     r"venue V1\): name '平安超市' does not match the input name '平安小卖部'"),
    ("category_not_code", _set("V2", category="小餐饮"),
     r"venue V2\): category '小餐饮' does not match the input category 'small_restaurant'"),
    ("unknown_venue", _unknown_venue, r"venue V99\): venue 'V99' is not in the venues input"),
    ("route_line_missing", _no_line, r"routes\.geojson: day 2024-05-06 team T2 has 0 LineStrings, expected 1"),
    ("route_point_missing", _no_point, r"routes\.geojson: 4 Points but stops\.csv has 5 stops"),
    ("unassigned_bad_reason", _bad_unassigned_reason, r"unassigned\.csv row 2 \(venue V6\): reason 'busy'"),
    ("unassigned_wrong_no_team", _false_no_team, r"reason no_team_with_roles but team\(s\) T1, T2 have the roles"),
    ("summary_missing_key", _summary_missing_key, r"summary\.json: keys are .*missing \['solve_seconds'\]"),
    ("summary_spread_wrong", _spread_wrong,
     r"summary\.json: spread_minutes on 2024-05-06 is 10, the team_minutes give 40"),
    ("summary_team_minutes_below_service", _team_minutes_below_service,
     r"summary\.json: team_minutes of team T1 on 2024-05-06 is 1, less than its \d+ min of service"),
    ("seq_order_against_shifts", _later_in_earlier_shift, r"venue V2\): seq order goes back to an earlier shift"),
]


@pytest.mark.parametrize(("mutate", "pattern"), [(m, p) for _, m, p in BROKEN], ids=[n for n, _, _ in BROKEN])
def test_broken_plan_is_reported(tmp_path: Path, mutate: Callable[[Plan, Inputs], None], pattern: str) -> None:
    plan, inputs = copy.deepcopy(make_plan()), make_inputs()
    mutate(plan, inputs)
    kwargs = write_inputs(tmp_path / "in", inputs)
    out = write_plan(tmp_path / "out", plan)
    problems = check_plan(out, **kwargs)
    assert any(re.search(pattern, p) for p in problems), problems


def test_missing_output_files_are_reported(tmp_path: Path) -> None:
    kwargs = write_inputs(tmp_path / "in", make_inputs())
    (tmp_path / "out").mkdir()
    problems = check_plan(tmp_path / "out", **kwargs)
    assert {"stops.csv: file is missing", "unassigned.csv: file is missing", "summary.json: file is missing"} <= set(
        problems
    )


def test_multi_day_plan(tmp_path: Path) -> None:
    plan = make_plan()
    for s in plan["stops"]:
        if s["team_id"] == "T2":
            s["day"] = "2024-05-07"
    plan["summary"]["days"] = 2
    kwargs = write_inputs(tmp_path / "in", make_inputs())
    out = write_plan(tmp_path / "out", plan)
    assert check_plan(out, days=2, **kwargs) == []
    assert any("days is 2 but 1 day(s)" in p for p in check_plan(out, days=1, **kwargs))


# --------------------------------------------------------------------------------------------
# Property: plans scheduled with the model's own arithmetic pass; squeezed travel fails
# --------------------------------------------------------------------------------------------
_GEOD = pyproj.Geod(ellps="WGS84")
_HOTEL_SERVICE_MIN = 20  # small_hotel: open 00:00-24:00, grid_worker


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _greedy_plan(offsets: list[tuple[float, float]], slack_min: int) -> tuple[Plan, Inputs, list[float]]:
    """One walking team, one long shift, hotels at ``offsets`` metres from the start, in order."""
    lon0, lat0 = 113.33, 23.10
    venues, stops, legs = [], [], []
    clock, here, total_m = 8 * 60, (lon0, lat0), 0.0
    for k, (dx, dy) in enumerate(offsets, start=1):
        lon = _shift_lon(lon0, lat0, dx)
        lat = lat0 + dy / 110_574.0
        vid = f"H{k}"
        venues.append({"venue_id": vid, "name": f"旅馆{k}", "category": "小旅馆", "lon": f"{lon:.8f}",
                       "lat": f"{lat:.8f}", "last_inspected": "2024-05-01"})
        metres = _GEOD.inv(here[0], here[1], lon, lat)[2]
        travel_min = metres * 1.3 / 1.2 / 60
        legs.append(travel_min)
        arrive = clock + math.ceil(travel_min) + slack_min
        depart = arrive + _HOTEL_SERVICE_MIN
        stops.append({"day": DATE, "team_id": "T1", "seq": k, "venue_id": vid, "name": f"旅馆{k}",
                      "category": "small_hotel", "reason": "optional", "arrive": _hhmm(arrive),
                      "depart": _hhmm(depart), "lon": f"{lon:.8f}", "lat": f"{lat:.8f}", "risk": 0.5})
        clock, here, total_m = depart, (lon, lat), total_m + metres
    total_m += _GEOD.inv(here[0], here[1], lon0, lat0)[2]
    inputs = make_inputs()
    inputs["venues"] = venues
    inputs["teams"] = [{"team_id": "T1", "roles": "grid_worker", "start_lon": lon0, "start_lat": lat0,
                        "shift": "08:00-20:00", "mode": "walk"}]
    inputs["hazards"], inputs["inspections"] = [], []
    summary = {"days": 1, "teams": 1, "visits": len(stops), "must_visits": 0, "must_visits_planned": 0,
               "risk_covered": 0.5 * len(stops), "travel_km": round(total_m * 1.3 / 1000, 3), "solve_seconds": 0.0,
               "solver_status": "FEASIBLE"}
    return {"stops": stops, "unassigned": [], "summary": summary}, inputs, legs


def _check_in_tmp(plan: Plan, inputs: Inputs) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        kwargs = write_inputs(Path(tmp) / "in", inputs)
        kwargs["hazards"] = kwargs["inspections"] = None
        return check_plan(write_plan(Path(tmp) / "out", plan), **kwargs)


_OFFSETS = st.lists(st.tuples(st.floats(-900, 900), st.floats(-900, 900)), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(offsets=_OFFSETS, slack=st.integers(0, 5))
def test_property_model_schedules_are_accepted(offsets: list[tuple[float, float]], slack: int) -> None:
    plan, inputs, _ = _greedy_plan(offsets, slack)
    assert _check_in_tmp(plan, inputs) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(offsets=_OFFSETS, pick=st.integers(0, 5))
def test_property_squeezed_travel_is_rejected(offsets: list[tuple[float, float]], pick: int) -> None:
    plan, inputs, legs = _greedy_plan(offsets, 0)
    k = pick % len(offsets)
    assume(legs[k] >= 3)  # more than the one-minute rounding allowance plus rounding
    before = plan["stops"][k - 1]["depart"] if k else "08:00"
    h, m = (int(x) for x in before.split(":"))
    arrive = h * 60 + m
    for s in plan["stops"][k:]:  # shift this stop and all after it earlier by its whole travel time
        a = int(s["arrive"][:2]) * 60 + int(s["arrive"][3:]) - (math.ceil(legs[k]))
        d = a + _HOTEL_SERVICE_MIN
        s["arrive"], s["depart"] = _hhmm(a), _hhmm(d)
    assert plan["stops"][k]["arrive"] == _hhmm(arrive)
    problems = _check_in_tmp(plan, inputs)
    assert any("min of travel" in p and f"seq {k + 1}," in p for p in problems), problems
