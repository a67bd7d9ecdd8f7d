"""Input files as users bring them: minimal layers, and messy ones drawn by Hypothesis.

One generator drives the CLI tests and the web import tests. It knows the *truth* of every
layer (the values a careful reader must get) and writes it twice:

* :func:`write_messy`: the files as offices export them (optional columns left out, Chinese or
  padded headers, BOM, GBK, XLSX, Excel serial dates, numbers where text is expected, stray
  whitespace, empty cells, extra and repeated columns) and, at most once, one real mistake
  (:class:`Flaw`) whose file, row and field the error must name;
* :func:`write_clean`: the same truth as plain UTF-8 CSV / GeoJSON, for the independent checker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from hypothesis import strategies as st
from shapely.geometry import box

ORIGIN = (113.30, 23.08)  # Guangzhou, Haizhu
SIZE_DEG = 0.01
TODAY = dt.date(2026, 11, 22)
PLAN_DAY = dt.date(2026, 11, 23)
CATEGORIES = ("small_shop", "small_restaurant", "rental_housing", "small_hotel", "many_in_one", "warehouse")
CATEGORY_ZH = {"small_shop": "小商店", "small_restaurant": "小餐饮", "rental_housing": "出租屋",
               "small_hotel": "小旅馆", "many_in_one": "多合一场所", "warehouse": "仓储物流"}
HAZARD_TYPES = ("fire_lane_blocked", "gas_misuse")
ALL_ROLES = "grid_worker;property;volunteer;safety_officer"
#: The required fields of each layer (DESIGN.md); everything else is optional.
REQUIRED = {
    "grids": ("grid_id",),
    "venues": ("venue_id", "name", "category", "lon", "lat"),
    "teams": ("team_id", "roles", "start_lon", "start_lat"),
    "hazards": ("hazard_id", "venue_id", "type", "found_on"),
    "inspections": ("venue_id", "date"),
}
OPTIONAL = {
    "grids": ("name", "community", "worker"),
    "venues": ("address", "grid_id", "open", "close", "last_inspected", "risk", "phone"),
    "teams": ("name", "shift", "mode", "home_grids"),
    "hazards": ("severity", "status", "deadline", "responsible_unit", "responsible_person", "standard", "description"),
    "inspections": ("team_id", "outcome", "notes"),
}
#: Chinese headers offices use (gis._table.HEADER_ALIASES has them all).
CHINESE = {"venue_id": "场所编号", "name": "名称", "category": "场所类别", "lon": "经度", "lat": "纬度",
           "address": "地址",
           "grid_id": "网格编号", "last_inspected": "最近检查日期", "risk": "风险", "phone": "电话",
           "team_id": "队伍编号", "roles": "角色", "shift": "班次", "mode": "出行方式", "home_grids": "责任网格",
           "hazard_id": "隐患编号",
           "type": "隐患类型", "found_on": "发现日期", "severity": "等级", "status": "状态", "deadline": "整改期限",
           "date": "检查日期", "outcome": "结果", "notes": "备注"}
DATE_FIELDS = frozenset({"last_inspected", "found_on", "deadline", "date"})
EXCEL_EPOCH = dt.date(1899, 12, 30)
LAYERS = ("grids", "venues", "teams", "hazards", "inspections")


def grid_cells() -> list[tuple[str, object]]:
    """Four grids, 2 × 2, of ~500 m each."""
    x0, y0 = ORIGIN
    half = SIZE_DEG / 2
    return [(f"G{j * 2 + i + 1}", box(x0 + i * half, y0 + j * half, x0 + (i + 1) * half, y0 + (j + 1) * half))
            for j in range(2) for i in range(2)]


def _grid_of(lon: float, lat: float) -> str:
    i = int((lon - ORIGIN[0]) // (SIZE_DEG / 2))
    j = int((lat - ORIGIN[1]) // (SIZE_DEG / 2))
    return f"G{j * 2 + i + 1}"


# --- the truth --------------------------------------------------------------------------

@dataclass
class Truth:
    """What every layer really says: one dict per row, values as Python objects."""

    grids: list[dict] = field(default_factory=list)
    venues: list[dict] = field(default_factory=list)
    teams: list[dict] = field(default_factory=list)
    hazards: list[dict] = field(default_factory=list)
    inspections: list[dict] = field(default_factory=list)


def minimal_truth(n_venues: int = 5, *, seed: int = 3) -> Truth:
    """Venues, teams, hazards and inspections with only their required fields (never-inspected venues)."""
    rng = np.random.default_rng(seed)
    truth = Truth(grids=[{"grid_id": gid} for gid, _ in grid_cells()])
    for k in range(n_venues):
        lon = ORIGIN[0] + 0.0005 + float(rng.random()) * (SIZE_DEG - 0.001)
        lat = ORIGIN[1] + 0.0005 + float(rng.random()) * (SIZE_DEG - 0.001)
        truth.venues.append({"venue_id": f"V{k + 1:02d}", "name": f"场所{k + 1}",
                             "category": CATEGORIES[k % len(CATEGORIES)], "lon": round(lon, 6), "lat": round(lat, 6)})
    truth.teams = [{"team_id": "T1", "roles": ALL_ROLES, "start_lon": ORIGIN[0] + SIZE_DEG / 2,
                    "start_lat": ORIGIN[1] + SIZE_DEG / 2}]
    truth.hazards = [{"hazard_id": "H1", "venue_id": "V01", "type": "fire_lane_blocked",
                      "found_on": TODAY - dt.timedelta(days=10)},
                     {"hazard_id": "H2", "venue_id": "V02", "type": "gas_misuse",
                      "found_on": TODAY - dt.timedelta(days=60)}]
    truth.inspections = [{"venue_id": "V03", "date": TODAY - dt.timedelta(days=3)}]
    return truth


@st.composite
def truths(draw) -> Truth:
    """A small street: 4 grids, 2-4 venues, 1-2 teams, 0-2 hazards, 0-3 inspections, random optional fields."""
    truth = Truth()
    for k, (gid, _) in enumerate(grid_cells()):
        truth.grids.append({"grid_id": gid, "name": f"第{k + 1}网格", "community": "东社区", "worker": "张伟"})
    numeric_ids = draw(st.booleans())  # POI exports number their rows: 1001, 1002 …
    n = draw(st.integers(2, 4))
    for k in range(n):
        lon = ORIGIN[0] + draw(st.integers(5, 95)) / 100 * SIZE_DEG
        lat = ORIGIN[1] + draw(st.integers(5, 95)) / 100 * SIZE_DEG
        last = draw(st.one_of(st.none(), st.integers(0, 90).map(lambda d: TODAY - dt.timedelta(days=d))))
        truth.venues.append({
            "venue_id": str(1001 + k) if numeric_ids else f"V{k + 1:02d}",
            "name": draw(st.sampled_from([f"场所{k + 1}", f"{k + 7}", f"Shop {k + 1}"])),
            "category": draw(st.sampled_from(CATEGORIES)), "lon": round(lon, 6), "lat": round(lat, 6),
            "address": f"滨江路{k + 1}号", "grid_id": _grid_of(lon, lat), "open": "08:00", "close": "22:00",
            "last_inspected": last, "risk": draw(st.sampled_from([None, 0.3, 0.8])),
            "phone": draw(st.sampled_from(["", "13800138000", "020-85363082"])),
        })
    for k in range(draw(st.integers(1, 2))):
        truth.teams.append({"team_id": f"T{k + 1}", "roles": ALL_ROLES, "start_lon": round(ORIGIN[0] + SIZE_DEG / 2, 6),
                            "start_lat": round(ORIGIN[1] + SIZE_DEG / 2, 6), "name": f"联合巡查{k + 1}组",
                            "shift": "09:00-12:00,14:00-17:30", "mode": draw(st.sampled_from(["walk", "ebike"])),
                            "home_grids": "G1;G2"})
    ids = [v["venue_id"] for v in truth.venues]
    for k in range(draw(st.integers(0, 2))):
        found = TODAY - dt.timedelta(days=draw(st.integers(1, 40)))
        truth.hazards.append({"hazard_id": f"H{k + 1}", "venue_id": draw(st.sampled_from(ids)),
                              "type": draw(st.sampled_from(HAZARD_TYPES)), "found_on": found, "severity": "general",
                              "status": draw(st.sampled_from(["reported", "rectifying"])),
                              "deadline": found + dt.timedelta(days=draw(st.integers(0, 20))),
                              "responsible_unit": "某公司",
                              "responsible_person": "李四", "standard": "按标准整改", "description": "堵塞"})
    for _ in range(draw(st.integers(0, 3))):
        truth.inspections.append({"venue_id": draw(st.sampled_from(ids)),
                                  "date": TODAY - dt.timedelta(days=draw(st.integers(0, 60))),
                                  "team_id": "T1", "outcome": draw(st.sampled_from(["done", "closed_door", "refused"])),
                                  "notes": "正常"})
    return truth


# --- how the files are written ----------------------------------------------------------

@dataclass(frozen=True)
class Flaw:
    """One real mistake in one cell: the error must name this file's layer, row (Excel numbering) and field."""

    layer: str
    row: int  # index into the layer's rows (the file's row is row + 2)
    field: str
    value: object


@dataclass(frozen=True)
class Style:
    """How one layer's file is written."""

    fmt: str = "csv"  # csv · xlsx (grids: geojson)
    encoding: str = "utf-8"  # utf-8 · utf-8-sig (BOM) · gbk
    columns: tuple[str, ...] = ()  # the optional columns written, in this order after the required ones
    chinese: bool = False
    padded_headers: bool = False
    pad_cells: bool = False  # stray whitespace around values
    blank_as_space: bool = False  # empty optional cells hold spaces
    date_form: str = "iso"  # iso · slash · chinese · serial · cell (a real Excel date cell)
    numbers_as_numbers: bool = False  # ids and names that look like numbers are numeric cells in XLSX
    extra_column: bool = False
    repeated_column: bool = False  # one column written twice with the same values
    trailing_empty_rows: bool = False


@st.composite
def styles(draw, layer: str) -> Style:
    columns = draw(st.lists(st.sampled_from(OPTIONAL[layer]), unique=True, max_size=len(OPTIONAL[layer])))
    if layer == "grids":
        return Style(fmt="geojson", columns=tuple(columns))
    fmt = draw(st.sampled_from(["csv", "xlsx"]))
    return Style(
        fmt=fmt, encoding=draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk"])) if fmt == "csv" else "utf-8",
        columns=tuple(columns), chinese=draw(st.booleans()), padded_headers=draw(st.booleans()),
        pad_cells=draw(st.booleans()), blank_as_space=draw(st.booleans()),
        date_form=draw(st.sampled_from(["iso", "slash", "chinese", "serial"] + (["cell"] if fmt == "xlsx" else []))),
        numbers_as_numbers=draw(st.booleans()), extra_column=draw(st.booleans()), repeated_column=draw(st.booleans()),
        trailing_empty_rows=draw(st.booleans()),
    )


#: Mistakes a user makes, per layer and field: (field, bad value).
FLAWS = {
    "venues": [("category", "小饭店"), ("lon", "abc"), ("lat", "23.08.1"), ("venue_id", ""),
               ("last_inspected", "2026-13-01"),
               ("last_inspected", PLAN_DAY + dt.timedelta(days=30)), ("open", "25:00"), ("risk", "high")],
    "teams": [("roles", "司机"), ("start_lon", ""), ("shift", "12:00-09:00"), ("mode", "飞行")],
    "hazards": [("type", "不知道"), ("found_on", ""), ("venue_id", "NOPE"), ("deadline", "soon")],
    "inspections": [("date", "yesterday"), ("venue_id", "NOPE"), ("outcome", "maybe")],
}


@st.composite
def cases(draw) -> tuple[Truth, dict[str, Style], Flaw | None]:
    """A truth, how each layer's file is written, and at most one real mistake."""
    truth = draw(truths())
    layer_styles = {layer: draw(styles(layer)) for layer in LAYERS}
    flaw = None
    if draw(st.integers(0, 3)) == 0:
        layers = [layer for layer in FLAWS if getattr(truth, layer)]
        layer = draw(st.sampled_from(layers))
        name, value = draw(st.sampled_from(FLAWS[layer]))
        flaw = Flaw(layer, draw(st.integers(0, len(getattr(truth, layer)) - 1)), name, value)
    return truth, layer_styles, flaw


def _date_text(day: dt.date, form: str) -> object:
    if form == "slash":
        return f"{day.year}/{day.month}/{day.day}"
    if form == "chinese":
        return f"{day.year}年{day.month}月{day.day}日"
    if form == "serial":
        return (day - EXCEL_EPOCH).days
    if form == "cell":
        return dt.datetime(day.year, day.month, day.day)
    return day.isoformat()


def _cell(name: str, value: object, style: Style) -> object:
    """The cell a user's file holds for ``value``."""
    if value is None or value == "":
        return "   " if style.blank_as_space and name not in REQUIRED_FIELDS else ""
    if isinstance(value, dt.date) and name in DATE_FIELDS:
        out = _date_text(value, style.date_form)
        if style.fmt == "csv" and not isinstance(out, str):
            out = str(out)
        return out
    if isinstance(value, float) or isinstance(value, int):
        return value if style.fmt == "xlsx" else str(value)
    text = str(value)
    if style.fmt == "xlsx" and style.numbers_as_numbers and text.isdigit() and not text.startswith("0"):
        return int(text)
    return f"  {text} " if style.pad_cells else text


REQUIRED_FIELDS = frozenset(f for fields in REQUIRED.values() for f in fields)


def _header(name: str, style: Style) -> str:
    text = CHINESE.get(name, name) if style.chinese else name
    return f" {text.upper() if text.isascii() else text} " if style.padded_headers else text


def write_messy(truth: Truth, layer_styles: dict[str, Style], folder: Path, *,
                flaw: Flaw | None = None) -> dict[str, Path]:
    """Write every layer of ``truth`` as a user would; return the paths.

    Hazards and inspections only when there are rows.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"grids": _write_grids(truth, layer_styles["grids"], folder)}
    for layer in LAYERS[1:]:
        rows = getattr(truth, layer)
        if not rows:
            continue
        style = layer_styles[layer]
        fields = list(REQUIRED[layer]) + [c for c in style.columns if c not in REQUIRED[layer]]
        if flaw is not None and flaw.layer == layer and flaw.field not in fields:
            fields.append(flaw.field)
        cells = []
        for k, row in enumerate(rows):
            values = {f: row.get(f) for f in fields}
            if flaw is not None and flaw.layer == layer and flaw.row == k:
                values[flaw.field] = flaw.value
            cells.append([_cell(f, values[f], style) for f in fields])
        headers = [_header(f, style) for f in fields]
        if style.repeated_column:
            headers.append(headers[0])
            cells = [row + [row[0]] for row in cells]
        if style.extra_column:
            headers.append("typecode")
            cells = [row + [60101] for row in cells]
        if style.trailing_empty_rows:
            cells += [[""] * len(headers)] * 2
        frame = pd.DataFrame(cells, columns=range(len(headers)))
        path = folder / f"{layer}.{style.fmt}"
        if style.fmt == "xlsx":
            frame.columns = headers
            frame.to_excel(path, index=False)
        else:
            frame.columns = headers
            path.write_bytes(frame.to_csv(index=False).encode("gbk" if style.encoding == "gbk" else style.encoding))
        paths[layer] = path
    return paths


def _write_grids(truth: Truth, style: Style, folder: Path) -> Path:
    cells = dict(grid_cells())
    data = {"grid_id": [g["grid_id"] for g in truth.grids]}
    for col in style.columns:
        data[col] = [g.get(col, "") for g in truth.grids]
    path = folder / "grids.geojson"
    gpd.GeoDataFrame(data, geometry=[cells[g["grid_id"]] for g in truth.grids], crs="EPSG:4326").to_file(
        path, driver="GeoJSON", engine="pyogrio")
    return path


def write_clean(truth: Truth, folder: Path, layer_styles: dict[str, Style] | None = None) -> dict[str, Path]:
    """The truth as plain UTF-8 CSV (ISO dates) and GeoJSON: what the independent checker reads.

    With ``layer_styles``, only the columns the messy files hold: a value left out of a file is not known.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cells = dict(grid_cells())
    paths = {"grids": folder / "grids.geojson"}
    gpd.GeoDataFrame({"grid_id": [g["grid_id"] for g in truth.grids]},
                     geometry=[cells[g["grid_id"]] for g in truth.grids],
                     crs="EPSG:4326").to_file(paths["grids"], driver="GeoJSON", engine="pyogrio")
    for layer in LAYERS[1:]:
        rows = getattr(truth, layer)
        if rows:
            paths[layer] = folder / f"{layer}.csv"
            kept = set(REQUIRED[layer]) | set(layer_styles[layer].columns if layer_styles else OPTIONAL[layer])
            frame = pd.DataFrame([{k: ("" if v is None else v.isoformat() if isinstance(v, dt.date) else v)
                                   for k, v in r.items() if k in kept} for r in rows])
            frame.to_csv(paths[layer], index=False)
    return paths


def minimal_files(folder: Path, *, n_venues: int = 5) -> dict[str, Path]:
    """Every layer with only its required DESIGN.md fields, as plain CSV / GeoJSON."""
    return write_clean(minimal_truth(n_venues), folder)

