"""Independent feasibility checker for the files written by ``patrol plan``.

The checker re-reads the *input* layers and the rules file itself and recomputes every
number it checks (positions, travel times, opening hours, shifts, roles, coverage, the
summary's totals) with its own arithmetic.  It never imports the planner or ``gis.io``: the
only project code it uses is :mod:`gis.crs` (GCJ-02 / BD-09 conversion), which has its own
tests.  A plan is judged, never compared with another route.

The planner's model, as the checker understands it
--------------------------------------------------
* travel seconds = geodesic metres (WGS84) x ``travel.detour_factor`` / ``travel.speed_m_s[mode]``;
* each shift of a team is one tour that starts and ends at the team's start point;
* ``arrive`` is the start of service (rounded to the minute) and
  ``depart = arrive + service_minutes``.

All time comparisons allow one minute of rounding (:data:`TIME_SLACK_S`); positions must be
within :data:`POSITION_TOLERANCE_M` of the venue's true WGS84 position.

Examples
--------
>>> problems = check_plan(  # doctest: +SKIP
...     "out", grids="grids.geojson", venues="venues.csv", teams="teams.csv", date="2024-05-06"
... )
>>> problems  # doctest: +SKIP
[]
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj

from gis.crs import bd09_to_wgs84, gcj02_to_wgs84, normalize_crs_name

__all__ = [
    "DEFAULT_RULES_PATH",
    "STOPS_COLUMNS",
    "SUMMARY_KEYS",
    "UNASSIGNED_COLUMNS",
    "UNASSIGNED_REASONS",
    "STOP_REASONS",
    "check_plan",
    "check_roster",
]

#: The rules file ``patrol plan`` uses when ``--rules`` is not given.
DEFAULT_RULES_PATH = Path(__file__).resolve().parent.parent / "data" / "rules.toml"

#: The contract of the output files (DESIGN.md, "The `patrol` command").
STOPS_COLUMNS: tuple[str, ...] = (
    "day", "team_id", "seq", "venue_id", "name", "category", "reason",
    "arrive", "depart", "lon", "lat", "risk",
)
UNASSIGNED_COLUMNS: tuple[str, ...] = ("venue_id", "reason")
SUMMARY_KEYS: frozenset[str] = frozenset({
    "days", "teams", "visits", "must_visits", "must_visits_planned", "risk_covered",
    "travel_km", "solve_seconds", "solver_status",
})
STOP_REASONS: frozenset[str] = frozenset({"due", "overdue", "recheck", "high_risk", "optional"})
UNASSIGNED_REASONS: frozenset[str] = frozenset(
    {"capacity", "no_team_with_roles", "closed_at_shift_times", "unreachable"}
)

#: Rounding allowance of every time comparison (arrive/depart are whole minutes).
TIME_SLACK_S = 60
#: How far a stop's lon/lat may be from the venue's true WGS84 position.
POSITION_TOLERANCE_M = 1.0
#: summary.json ``travel_km`` may differ from the recomputed total by this share plus km.
TRAVEL_KM_REL_TOL = 0.02
TRAVEL_KM_ABS_TOL = 0.05

DEFAULT_SHIFT = "09:00-12:00,14:00-17:30"
DEFAULT_MODE = "walk"
_ROLE_LABELS_ZH = {
    "网格员": "grid_worker", "物业": "property", "志愿者": "volunteer", "安全员": "safety_officer",
}
_CLOSED_HAZARD = frozenset({"closed", "销号", "已销号"})
_DONE_OUTCOMES = frozenset({"", "done", "完成", "已完成", "已检查"})
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HHMM_STRICT_RE = re.compile(r"^(\d{2}):(\d{2})$")
_HHMM_RE = re.compile(r"^\s*(\d{1,2})[:：](\d{2})(?::(\d{2}))?\s*$")
_TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")
_GEOD = pyproj.Geod(ellps="WGS84")


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Category:
    code: str
    label_zh: str
    interval_days: int
    service_s: int
    required_roles: frozenset[str]
    open_s: int
    close_s: int


@dataclass(frozen=True)
class _Rules:
    categories: Mapping[str, _Category]
    names: Mapping[str, str]  # code, label_zh, label_en (lower case), aliases -> code
    hazard_deadline_days: Mapping[str, int]  # hazard code and labels -> deadline_days
    detour_factor: float
    speed_m_s: Mapping[str, float]

    def category(self, value: object) -> str | None:
        text = str(value).strip()
        return self.names.get(text) or self.names.get(text.lower())


def _load_rules(path: str | Path) -> _Rules:
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    categories: dict[str, _Category] = {}
    names: dict[str, str] = {}
    for code, entry in raw["categories"].items():
        categories[code] = _Category(
            code=code,
            label_zh=str(entry["label_zh"]),
            interval_days=int(entry["interval_days"]),
            service_s=int(entry["service_minutes"]) * 60,
            required_roles=frozenset(entry["required_roles"]),
            open_s=_parse_clock(entry["open"]),
            close_s=_parse_clock(entry["close"]),
        )
        for name in (code, entry["label_zh"], str(entry.get("label_en", "")).lower(), *entry.get("aliases", [])):
            if name:
                names.setdefault(str(name), code)
    deadlines: dict[str, int] = {}
    for code, entry in raw.get("hazards", {}).items():
        for name in (code, entry.get("label_zh", ""), str(entry.get("label_en", "")).lower()):
            if name:
                deadlines.setdefault(str(name), int(entry["deadline_days"]))
    travel = raw["travel"]
    return _Rules(
        categories=categories,
        names=names,
        hazard_deadline_days=deadlines,
        detour_factor=float(travel["detour_factor"]),
        speed_m_s={str(k): float(v) for k, v in travel["speed_m_s"].items()},
    )


# --------------------------------------------------------------------------------------------
# Small parsers
# --------------------------------------------------------------------------------------------
def _parse_clock(text: object) -> int:
    """Seconds after midnight of a clock time (``"24:00"`` and a full-width colon allowed)."""
    m = _HHMM_RE.match(str(text))
    if not m:
        msg = f"{text!r} is not a time HH:MM"
        raise ValueError(msg)
    h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
    if mi > 59 or s > 59 or h > 24 or (h == 24 and (mi or s)):
        msg = f"{text!r} is not a time HH:MM"
        raise ValueError(msg)
    return h * 3600 + mi * 60 + s


def _parse_strict_hhmm(text: str) -> int | None:
    """Seconds of an output time written exactly as ``HH:MM``; ``None`` when it is not."""
    m = _HHMM_STRICT_RE.match(text)
    if not m or int(m[2]) > 59 or int(m[1]) > 24 or (int(m[1]) == 24 and int(m[2])):
        return None
    return int(m[1]) * 3600 + int(m[2]) * 60


def _fmt(seconds: float) -> str:
    """``HH:MM`` of seconds after midnight (rounded to the minute)."""
    minutes = int(round(seconds / 60))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_shifts(text: str) -> tuple[tuple[int, int], ...]:
    shifts = []
    for part in re.split(r"[,，;；]", text):
        if not part.strip():
            continue
        pieces = re.split(r"\s*[-–~至]\s*", part.strip())
        if len(pieces) != 2:
            msg = f"shift {part.strip()!r} is not HH:MM-HH:MM"
            raise ValueError(msg)
        start, end = _parse_clock(pieces[0]), _parse_clock(pieces[1])
        if end <= start:
            msg = f"shift {part.strip()!r} ends before it starts"
            raise ValueError(msg)
        shifts.append((start, end))
    if not shifts:
        msg = f"shift {text!r} has no HH:MM-HH:MM part"
        raise ValueError(msg)
    return tuple(sorted(shifts))


def _windows(open_s: int, close_s: int) -> tuple[tuple[int, int], ...]:
    """Opening windows within one day; a close at or before the open wraps past midnight."""
    if close_s > open_s:
        return ((open_s, close_s),)
    return ((open_s, 86400), (0, close_s))


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return str(value).strip() == "" or str(value).strip().lower() in {"nan", "nat", "none"}


def _text(value: object) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _to_date(value: object) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(str(value).strip()).date()


def _dist_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(_GEOD.inv(lon1, lat1, lon2, lat2)[2])


# --------------------------------------------------------------------------------------------
# Input layers (read independently of gis.io)
# --------------------------------------------------------------------------------------------
# The Chinese headers of the venue exports offices use (what a coordinator would read them as).
_CHINESE_HEADERS = {
    "场所编号": "venue_id", "场所名称": "name", "场所类别": "category", "地址": "address",
    "经度": "lon", "纬度": "lat", "坐标系": "crs", "最近检查日期": "last_inspected",
    "营业开始": "open", "营业结束": "close",
}


def _read_table(path: Path) -> pd.DataFrame:
    """A CSV/XLSX table as text cells, headers stripped, lower-cased and Chinese ones translated."""
    if path.suffix.lower() in (".xlsx", ".xls"):
        df = pd.read_excel(path, dtype=str)
    else:
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except UnicodeDecodeError:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="gb18030")
    df.columns = [_CHINESE_HEADERS.get(str(c).strip(), str(c).strip().lower()) for c in df.columns]
    return df.fillna("")


def _to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    code = normalize_crs_name(crs)
    if code == "gcj02":
        x, y = gcj02_to_wgs84(lon, lat)
    elif code == "bd09":
        x, y = bd09_to_wgs84(lon, lat)
    else:
        x, y = pyproj.Transformer.from_crs(code, "EPSG:4326", always_xy=True).transform(lon, lat)
    return float(x), float(y)


def _lonlat_columns(df: pd.DataFrame) -> tuple[str, str]:
    lon = next((c for c in ("lon", "lng", "longitude") if c in df.columns), None)
    lat = next((c for c in ("lat", "latitude") if c in df.columns), None)
    if lon is None or lat is None:
        msg = f"no lon/lat columns in {list(df.columns)}"
        raise ValueError(msg)
    return lon, lat


def _read_points(path: Path, crs: str | None) -> pd.DataFrame:
    """A point layer or lon/lat table with ``lon``/``lat`` converted to WGS84.

    A row's own ``crs`` cell wins; else the file's declared CRS (GIS layers); else ``crs``;
    else WGS84.
    """
    if path.suffix.lower() in _TABLE_SUFFIXES:
        df = _read_table(path)
        lon_col, lat_col = _lonlat_columns(df)
        lons = pd.to_numeric(df[lon_col], errors="raise").astype(float).tolist()
        lats = pd.to_numeric(df[lat_col], errors="raise").astype(float).tolist()
        file_crs = crs
    else:
        import geopandas as gpd

        gdf = gpd.read_file(path)
        declared = gdf.crs is not None
        if path.suffix.lower() in (".geojson", ".json"):
            declared = "crs" in json.loads(path.read_text(encoding="utf-8"))
        file_crs = gdf.crs.to_string() if declared and gdf.crs is not None else crs
        df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        df.columns = [str(c).strip().lower() for c in df.columns]
        lons = [float(g.x) for g in gdf.geometry]
        lats = [float(g.y) for g in gdf.geometry]
    row_crs = df["crs"].tolist() if "crs" in df.columns else [""] * len(df)
    out_lon, out_lat = [], []
    for lon, lat, own in zip(lons, lats, row_crs):
        use = _text(own) or file_crs or "wgs84"
        x, y = _to_wgs84(lon, lat, use)
        out_lon.append(x)
        out_lat.append(y)
    df = df.copy()
    df["lon"], df["lat"] = out_lon, out_lat
    return df


@dataclass(frozen=True)
class _Venue:
    venue_id: str
    name: str
    category: str
    lon: float
    lat: float
    windows: tuple[tuple[int, int], ...]
    last_inspected: dt.date | None


def _read_venues(paths: Sequence[Path], rules: _Rules, crs: str | None) -> dict[str, _Venue]:
    venues: dict[str, _Venue] = {}
    for path in paths:
        df = _read_points(path, crs)
        for i, row in enumerate(df.to_dict("records")):
            where = f"{path.name} row {i + 2}"
            vid = _text(row.get("venue_id"))
            if not vid:
                msg = f"{where}: venue_id is empty"
                raise ValueError(msg)
            if vid in venues:
                msg = f"{where}: venue_id {vid!r} is not unique"
                raise ValueError(msg)
            code = rules.category(row.get("category", ""))
            if code is None:
                msg = f"{where}: category {row.get('category')!r} is not a known category"
                raise ValueError(msg)
            cat = rules.categories[code]
            open_s = cat.open_s if _blank(row.get("open")) else _parse_clock(row["open"])
            close_s = cat.close_s if _blank(row.get("close")) else _parse_clock(row["close"])
            venues[vid] = _Venue(
                venue_id=vid,
                name=_text(row.get("name")),
                category=code,
                lon=float(row["lon"]),
                lat=float(row["lat"]),
                windows=_windows(open_s, close_s),
                last_inspected=_to_date(row.get("last_inspected")),
            )
    return venues


@dataclass(frozen=True)
class _Team:
    team_id: str
    roles: frozenset[str]
    lon: float
    lat: float
    shifts: tuple[tuple[int, int], ...]
    speed_m_s: float


def _read_team_days(path: Path, rules: _Rules, crs: str | None) -> dict[str, dict[str, _Team]]:
    """The teams of each day: ``{"": teams}`` for a teams file, ``{day: teams}`` for the ``teams.csv``
    of a plan from people (a ``day`` column; a team id may recur on other days with other members)."""
    df = _read_table(path) if path.suffix.lower() not in (".yaml", ".yml") else None
    if df is None or "day" not in df.columns:
        return {"": _read_teams(path, rules, crs)}
    out: dict[str, dict[str, _Team]] = {}
    for day, part in df.groupby("day", sort=True):
        out[str(day)] = _teams_of(part.reset_index(drop=True), path, rules, crs)
    return out


def _read_teams(path: Path, rules: _Rules, crs: str | None) -> dict[str, _Team]:
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        records = raw.get("teams", raw) if isinstance(raw, dict) else raw
        df = pd.DataFrame([{str(k).strip().lower(): v for k, v in r.items()} for r in records])
    else:
        df = _read_table(path)
    return _teams_of(df, path, rules, crs)


def _teams_of(df: pd.DataFrame, path: Path, rules: _Rules, crs: str | None) -> dict[str, _Team]:
    lons = pd.to_numeric(df["start_lon"], errors="raise").astype(float).tolist()
    lats = pd.to_numeric(df["start_lat"], errors="raise").astype(float).tolist()
    teams: dict[str, _Team] = {}
    for i, row in enumerate(df.to_dict("records")):
        tid = _text(row.get("team_id"))
        roles_raw = row.get("roles", "")
        parts = roles_raw if isinstance(roles_raw, list) else re.split(r"[;；,，|/\s]+", _text(roles_raw))
        roles = frozenset(_ROLE_LABELS_ZH.get(str(p).strip(), str(p).strip()) for p in parts if str(p).strip())
        mode = _text(row.get("mode")).lower() or DEFAULT_MODE
        if mode not in rules.speed_m_s:
            msg = f"{path.name} row {i + 2}: mode {mode!r} is not one of {sorted(rules.speed_m_s)}"
            raise ValueError(msg)
        own_crs = _text(row.get("crs")) or crs or "wgs84"
        lon, lat = _to_wgs84(lons[i], lats[i], own_crs)
        teams[tid] = _Team(
            team_id=tid,
            roles=roles,
            lon=lon,
            lat=lat,
            shifts=_parse_shifts(_text(row.get("shift")) or DEFAULT_SHIFT),
            speed_m_s=rules.speed_m_s[mode],
        )
    return teams


def _last_done(path: Path | None) -> dict[str, dt.date]:
    """The latest inspection with outcome done (or no outcome) of each venue."""
    if path is None:
        return {}
    df = _read_table(Path(path))
    out: dict[str, dt.date] = {}
    for row in df.to_dict("records"):
        if _text(row.get("outcome")).lower() not in _DONE_OUTCOMES:
            continue
        day = _to_date(row.get("date"))
        vid = _text(row.get("venue_id"))
        if day is not None and (vid not in out or day > out[vid]):
            out[vid] = day
    return out


def _hazard_due(path: Path | None, rules: _Rules, date: dt.date) -> dict[str, str]:
    """Venues with an open hazard whose deadline is on or before ``date`` -> a description."""
    if path is None:
        return {}
    path = Path(path)
    df = _read_table(path)
    out: dict[str, str] = {}
    for i, row in enumerate(df.to_dict("records")):
        if _text(row.get("status")).lower() in _CLOSED_HAZARD:
            continue
        deadline = _to_date(row.get("deadline"))
        if deadline is None:
            kind = _text(row.get("type"))
            days = rules.hazard_deadline_days.get(kind, rules.hazard_deadline_days.get(kind.lower()))
            found = _to_date(row.get("found_on"))
            if days is None or found is None:
                msg = f"{path.name} row {i + 2}: hazard without deadline has type {kind!r} / found_on {found!r}"
                raise ValueError(msg)
            deadline = found + dt.timedelta(days=days)
        if deadline <= date:
            out.setdefault(_text(row.get("venue_id")), f"open hazard {_text(row.get('hazard_id'))} due {deadline}")
    return out


# --------------------------------------------------------------------------------------------
# Output files
# --------------------------------------------------------------------------------------------
def _read_output_csv(path: Path, expected: Sequence[str], problems: list[str]) -> pd.DataFrame | None:
    """An output CSV as text; ``None`` (with a problem) when missing or with the wrong columns."""
    if not path.is_file():
        problems.append(f"{path.name}: file is missing")
        return None
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as err:
        problems.append(f"{path.name}: cannot be read as CSV ({err})")
        return None
    columns = [str(c) for c in df.columns]
    if columns != list(expected):
        missing = [c for c in expected if c not in columns]
        extra = [c for c in columns if c not in expected]
        detail = f"missing {missing}, extra {extra}" if missing or extra else "wrong order"
        problems.append(f"{path.name}: columns are {columns}, expected exactly {list(expected)} ({detail})")
        return None
    return df.map(str.strip)


@dataclass
class _Stop:
    row: int  # row number as a spreadsheet shows it (header is row 1)
    day: str
    team_id: str
    seq: int | None
    venue_id: str
    arrive_s: int | None
    depart_s: int | None
    lon: float | None
    lat: float | None

    def where(self) -> str:
        return f"stops.csv row {self.row} (day {self.day}, team {self.team_id}, seq {self.seq}, venue {self.venue_id})"


def _check_stop_rows(
    df: pd.DataFrame,
    venues: Mapping[str, _Venue],
    teams: Mapping[str, _Team],
    rules: _Rules,
    days: Sequence[str],
    problems: list[str],
) -> list[_Stop]:
    """Row-by-row checks of stops.csv; returns the parsed stops."""
    stops = []
    for i, row in zip(df.index, df.to_dict("records")):
        s = _Stop(int(i) + 2, row["day"], row["team_id"], None, row["venue_id"], None, None, None, None)
        try:
            s.seq = int(row["seq"])
        except ValueError:
            problems.append(f"{s.where()}: seq {row['seq']!r} is not a whole number")
        w = s.where()
        if not _DAY_RE.match(s.day):
            problems.append(f"{w}: day {s.day!r} is not YYYY-MM-DD")
        elif s.day not in days:
            problems.append(f"{w}: day {s.day} is outside the planned days {days[0]}..{days[-1]}")
        team = teams.get(s.team_id)
        if team is None:
            problems.append(f"{w}: team {s.team_id!r} is not in the teams input")
        for key in ("arrive", "depart"):
            value = _parse_strict_hhmm(row[key])
            if value is None:
                problems.append(f"{w}: {key} {row[key]!r} is not HH:MM")
            setattr(s, f"{key}_s", value)
        try:
            s.lon, s.lat = float(row["lon"]), float(row["lat"])
            if not (math.isfinite(s.lon) and math.isfinite(s.lat)):
                raise ValueError
        except ValueError:
            problems.append(f"{w}: lon/lat {row['lon']!r}, {row['lat']!r} are not numbers")
            s.lon = s.lat = None
        if row["reason"] not in STOP_REASONS:
            problems.append(f"{w}: reason {row['reason']!r} is not one of {sorted(STOP_REASONS)}")
        try:
            risk = float(row["risk"])
            if not 0 <= risk <= 1:
                problems.append(f"{w}: risk {risk} is not between 0 and 1")
        except ValueError:
            problems.append(f"{w}: risk {row['risk']!r} is not a number")
        stops.append(s)
        venue = venues.get(s.venue_id)
        if venue is None:
            problems.append(f"{w}: venue {s.venue_id!r} is not in the venues input")
            continue
        if row["name"] != venue.name:
            problems.append(f"{w}: name {row['name']!r} does not match the input name {venue.name!r}")
        if row["category"] != venue.category:
            problems.append(f"{w}: category {row['category']!r} does not match the input category {venue.category!r}")
        if s.lon is not None and s.lat is not None:
            _check_position(s, venue, problems)
        cat = rules.categories[venue.category]
        if team is not None and not cat.required_roles <= team.roles:
            lacking = ", ".join(sorted(cat.required_roles - team.roles))
            problems.append(f"{w}: team {s.team_id} lacks required role(s) {lacking} for {venue.category}")
        if s.arrive_s is None or s.depart_s is None:
            continue
        if s.depart_s - s.arrive_s < cat.service_s - TIME_SLACK_S:
            problems.append(
                f"{w}: service {row['arrive']}-{row['depart']} is {(s.depart_s - s.arrive_s) / 60:.0f} min, "
                f"shorter than the {cat.service_s // 60} min of {venue.category}"
            )
        if not any(s.arrive_s >= o - TIME_SLACK_S and s.depart_s <= c + TIME_SLACK_S for o, c in venue.windows):
            hours = ", ".join(f"{_fmt(o)}-{_fmt(c)}" for o, c in venue.windows)
            problems.append(f"{w}: visit {row['arrive']}-{row['depart']} is outside the opening hours {hours}")
        if team is not None and _shift_of(s, team) is None:
            shifts = ", ".join(f"{_fmt(a)}-{_fmt(b)}" for a, b in team.shifts)
            problems.append(f"{w}: visit {row['arrive']}-{row['depart']} is not inside one shift ({shifts})")
    return stops


def _check_position(s: _Stop, venue: _Venue, problems: list[str]) -> None:
    off_m = _dist_m(s.lon, s.lat, venue.lon, venue.lat)
    if off_m <= POSITION_TOLERANCE_M:
        return
    hint = ""
    for label, inverse in (("GCJ-02", gcj02_to_wgs84), ("BD-09", bd09_to_wgs84)):
        x, y = inverse(s.lon, s.lat)
        if _dist_m(float(x), float(y), venue.lon, venue.lat) <= POSITION_TOLERANCE_M:
            hint = f" (these are its {label} coordinates, not WGS84)"
    problems.append(
        f"{s.where()}: lon/lat is {off_m:.1f} m from the venue's WGS84 position "
        f"{venue.lon:.6f}, {venue.lat:.6f}{hint}"
    )


def _shift_of(s: _Stop, team: _Team) -> int | None:
    """Index of the team's shift that holds the whole visit, or ``None``."""
    if s.arrive_s is None or s.depart_s is None:
        return None
    for k, (start, end) in enumerate(team.shifts):
        if s.arrive_s >= start - TIME_SLACK_S and s.depart_s <= end + TIME_SLACK_S:
            return k
    return None


def _nearest_shift(s: _Stop, team: _Team) -> int:
    """The shift a stop belongs to for travel totals, even when it is outside every shift."""
    k = _shift_of(s, team)
    if k is not None:
        return k
    if s.arrive_s is None:
        return 0
    mid = s.arrive_s if s.depart_s is None else (s.arrive_s + s.depart_s) / 2
    return min(range(len(team.shifts)), key=lambda j: min(abs(mid - team.shifts[j][0]), abs(mid - team.shifts[j][1])))


class _RoadLegs:
    """Road distances computed independently of gis.roads.

    The lines are joined where they cross or touch on one level (shapely.unary_union on a 0.5 m
    grid, per level: the OSM
    ``layer`` tag, else 1 for ``bridge``, -1 for ``tunnel``, else 0; a ``layer`` column in line
    files), a networkx graph of their vertices (merged on a 0.5 m lattice in the UTM zone of the
    first vertex). A point walks straight (× the detour factor) to the nearest point of the nearest
    segment of the pieces the teams' starts are on (a start: of the pieces holding 5 % of the road
    length or more, else of any piece), found by brute force; it is unreachable beyond
    ``max_access_m``. Along the roads: networkx's Dijkstra from either end of that segment.
    """

    MAIN_SHARE = 0.05

    def __init__(self, path: Path, *, starts: Sequence[tuple[float, float]], detour_factor: float,
                 max_access_m: float = 500.0) -> None:
        import geopandas as gpd
        import networkx as nx
        import shapely
        from shapely.geometry import LineString

        if path.suffix.lower() in (".osm", ".pbf"):  # OSM extract: the highway lines teams may walk on
            lines = gpd.read_file(path, layer="lines")
            tags = lines["other_tags"].fillna("") if "other_tags" in lines else lines["highway"].map(lambda _: "")
            lines = lines[lines["highway"].notna() & ~lines["highway"].isin(["motorway", "motorway_link"])
                          & ~tags.str.contains('"access"=>"private"|"access"=>"no"|"foot"=>"no"', regex=True)]
        else:
            lines = gpd.read_file(path)
        lines = (lines if lines.crs is not None else lines.set_crs("EPSG:4326")).to_crs("EPSG:4326")
        lon0, lat0 = lines.geometry.iloc[0].coords[0][:2]
        zone = int((lon0 + 180) // 6) + 1
        self._to_m = pyproj.Transformer.from_crs("EPSG:4326", f"EPSG:{32600 + zone if lat0 >= 0 else 32700 + zone}",
                                                 always_xy=True)
        self.detour, self.max_access_m = detour_factor, max_access_m
        by_level: dict[int, list] = defaultdict(list)
        for geom, level in zip(lines.geometry, self._levels(lines)):
            for part in getattr(geom, "geoms", [geom]):
                by_level[level].append(LineString(zip(*self._to_m.transform(*zip(*[c[:2] for c in part.coords])))))
        self.graph = nx.Graph()
        for group in by_level.values():
            merged = shapely.unary_union(group, grid_size=0.5)  # lines of one level meet where they cross or touch
            for part in getattr(merged, "geoms", [merged]):
                xs, ys = [c[0] for c in part.coords], [c[1] for c in part.coords]
                keys = [(round(x * 2), round(y * 2)) for x, y in zip(xs, ys)]
                for (k1, x1, y1), (k2, x2, y2) in zip(zip(keys, xs, ys), zip(keys[1:], xs[1:], ys[1:])):
                    if k1 != k2:
                        self.graph.add_edge(k1, k2, weight=math.hypot(x2 - x1, y2 - y1))
        piece_of = {}
        for k, nodes in enumerate(nx.connected_components(self.graph)):
            piece_of |= dict.fromkeys(nodes, k)
        self.ends = [(u, v) for u, v in self.graph.edges]
        ab = np.array([[*u, *v] for u, v in self.ends], dtype=float) / 2
        self.a, self.b = ab[:, :2], ab[:, 2:]
        self.length = np.hypot(*(self.b - self.a).T)
        self.piece = np.array([piece_of[u] for u, _ in self.ends])
        share = np.bincount(self.piece, weights=self.length) / self.length.sum()
        main = share >= min(self.MAIN_SHARE, share.max())
        feet = []
        for lon, lat in starts:
            foot = self._foot(lon, lat, main[self.piece])
            if foot[2] > max_access_m:
                foot = self._foot(lon, lat, np.ones(len(self.piece), dtype=bool))
            feet.append(foot)
        self.served = np.isin(self.piece, [self.piece[f[0]] for f in feet if f[2] <= max_access_m])
        self._starts = {tuple(p): f for p, f in zip(starts, feet)}
        self._feet: dict[tuple[float, float], tuple[int, float, float]] = {}
        self._from: dict[tuple, dict] = {}

    @staticmethod
    def _levels(lines) -> list[int]:
        def tag(row: Mapping, name: str) -> str:
            if name in row and not _blank(row[name]):
                return str(row[name]).strip().lower()
            found = re.search(rf'"{name}"=>"([^"]*)"', str(row.get("other_tags") or ""))
            return found[1].strip().lower() if found else ""

        levels = []
        for row in lines.drop(columns="geometry").to_dict("records"):
            layer = tag(row, "layer")
            try:
                levels.append(int(round(float(layer))))
                continue
            except ValueError:
                pass
            levels.append(1 if tag(row, "bridge") not in ("", "no") else -1 if tag(row,
                                                                                   "tunnel") not in ("", "no") else 0)
        return levels

    def _foot(self, lon: float, lat: float, allowed: np.ndarray) -> tuple[int, float, float]:
        """(segment, metres along it from its first end, straight metres to it) of the nearest allowed segment."""
        if not allowed.any():
            return -1, 0.0, math.inf
        p = np.array(self._to_m.transform(lon, lat))
        d = self.b - self.a
        t = np.clip(((p - self.a) * d).sum(axis=1) / np.maximum((d * d).sum(axis=1), 1e-12), 0.0, 1.0)
        off = np.hypot(*(self.a + t[:, None] * d - p).T)
        off[~allowed] = math.inf
        k = int(np.argmin(off))
        return k, float(t[k] * self.length[k]), float(off[k])

    def foot(self, lon: float, lat: float) -> tuple[int, float, float]:
        """The point's foot: a start's own, a venue's on the pieces the starts are on."""
        if (lon, lat) in self._starts:
            return self._starts[(lon, lat)]
        if (lon, lat) not in self._feet:
            self._feet[(lon, lat)] = self._foot(lon, lat, self.served)
        return self._feet[(lon, lat)]

    def _network(self, node: tuple) -> dict:
        import networkx as nx

        if node not in self._from:
            self._from[node] = nx.single_source_dijkstra_path_length(self.graph, node, weight="weight")
        return self._from[node]

    def metres(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        if a == b:
            return 0.0
        (ka, sa, da), (kb, sb, db) = self.foot(*a), self.foot(*b)
        if da > self.max_access_m or db > self.max_access_m:
            return math.inf
        best = abs(sa - sb) if ka == kb else math.inf
        for end_a, to_a in zip(self.ends[ka], (sa, self.length[ka] - sa)):
            reach = self._network(end_a)
            for end_b, to_b in zip(self.ends[kb], (sb, self.length[kb] - sb)):
                best = min(best, to_a + reach.get(end_b, math.inf) + to_b)
        return (da + db) * self.detour + best


def _check_tours(
    stops: Sequence[_Stop],
    venues: Mapping[str, _Venue],
    teams: Callable[[str], Mapping[str, _Team]],
    rules: _Rules,
    problems: list[str],
    roads: _RoadLegs | None = None,
) -> float:
    """Sequence, travel and shift checks per team and day (``teams(day)``: that day's teams); returns the
    recomputed total km."""
    total_m = 0.0
    groups: dict[tuple[str, str], list[_Stop]] = defaultdict(list)
    for s in stops:
        groups[(s.day, s.team_id)].append(s)
    for (day, team_id), group in sorted(groups.items()):
        seqs = sorted(s.seq for s in group if s.seq is not None)
        if seqs != list(range(1, len(group) + 1)):
            problems.append(
                f"day {day} team {team_id}: seq is {seqs}, expected 1..{len(group)} without gaps or repeats"
            )
        team = teams(day).get(team_id)
        if team is None:
            continue
        ordered = sorted(group, key=lambda s: (s.seq if s.seq is not None else 10**9, s.row))
        tours: dict[int, list[_Stop]] = defaultdict(list)
        prev_shift = -1
        for s in ordered:
            k = _nearest_shift(s, team)
            if k < prev_shift:
                problems.append(f"{s.where()}: seq order goes back to an earlier shift ({_fmt(team.shifts[k][0])})")
            prev_shift = max(prev_shift, k)
            tours[k].append(s)
        for k, tour in sorted(tours.items()):
            total_m += _check_tour(team, team.shifts[k], tour, venues, rules, problems, roads)
    return total_m * (1.0 if roads else rules.detour_factor) / 1000.0


def _check_tour(
    team: _Team,
    shift: tuple[int, int],
    tour: Sequence[_Stop],
    venues: Mapping[str, _Venue],
    rules: _Rules,
    problems: list[str],
    roads: _RoadLegs | None = None,
) -> float:
    """Travel checks of one shift tour (start -> stops -> start); returns its straight-line (or road) metres."""
    start, end = shift
    points = [(team.lon, team.lat)]
    for s in tour:
        v = venues.get(s.venue_id)
        points.append((v.lon, v.lat) if v is not None else (s.lon, s.lat))
    points.append((team.lon, team.lat))
    legs_m = [
        (roads.metres(a, b) if roads else _dist_m(a[0], a[1], b[0], b[1])) if None not in (*a, *b) else 0.0
        for a, b in zip(points, points[1:])
    ]

    def travel_s(metres: float) -> float:
        return metres * (1.0 if roads else rules.detour_factor) / team.speed_m_s

    known = all(s.venue_id in venues for s in tour)
    first, last = tour[0], tour[-1]
    if known and first.arrive_s is not None:
        need = travel_s(legs_m[0])
        if start + need > first.arrive_s + TIME_SLACK_S:
            problems.append(
                f"{first.where()}: arrives {_fmt(first.arrive_s)} but leaving the start at the shift start "
                f"{_fmt(start)} needs {need / 60:.1f} min of travel (earliest {_fmt(start + need)})"
            )
    for j, (prev, nxt) in enumerate(zip(tour, tour[1:]), start=1):
        if not (known and prev.depart_s is not None and nxt.arrive_s is not None):
            continue
        need = travel_s(legs_m[j])
        if prev.depart_s + need > nxt.arrive_s + TIME_SLACK_S:
            problems.append(
                f"{nxt.where()}: arrives {_fmt(nxt.arrive_s)} but leaving seq {prev.seq} ({prev.venue_id}) at "
                f"{_fmt(prev.depart_s)} needs {need / 60:.1f} min of travel (earliest {_fmt(prev.depart_s + need)})"
            )
    if known and last.depart_s is not None:
        need = travel_s(legs_m[-1])
        if last.depart_s + need > end + TIME_SLACK_S:
            problems.append(
                f"{last.where()}: departs {_fmt(last.depart_s)} and needs {need / 60:.1f} min to return to the "
                f"start, back at {_fmt(last.depart_s + need)} after the shift ends {_fmt(end)}"
            )
    return sum(legs_m)


def _check_duplicates(stops: Sequence[_Stop], problems: list[str]) -> None:
    counts = Counter((s.day, s.venue_id) for s in stops)
    for (day, vid), n in sorted(counts.items()):
        if n > 1:
            teams = sorted({s.team_id for s in stops if (s.day, s.venue_id) == (day, vid)})
            problems.append(f"day {day} venue {vid}: visited {n} times on one day (teams {', '.join(teams)})")


def _check_unassigned(
    df: pd.DataFrame, venues: Mapping[str, _Venue], team_days: Sequence[Mapping[str, _Team]], rules: _Rules,
    problems: list[str],
) -> set[str]:
    """Row checks of unassigned.csv; ``no_team_with_roles`` must hold on at least one of the ``team_days``
    (the teams of each planned day: the file does not say on which day the venue was given up)."""
    ids = set()
    for i, row in enumerate(df.to_dict("records")):
        where = f"unassigned.csv row {i + 2} (venue {row['venue_id']})"
        ids.add(row["venue_id"])
        venue = venues.get(row["venue_id"])
        if venue is None:
            problems.append(f"{where}: venue {row['venue_id']!r} is not in the venues input")
        if row["reason"] not in UNASSIGNED_REASONS:
            problems.append(f"{where}: reason {row['reason']!r} is not one of {sorted(UNASSIGNED_REASONS)}")
        elif row["reason"] == "no_team_with_roles" and venue is not None:
            needed = rules.categories[venue.category].required_roles
            able_each_day = [sorted(t.team_id for t in teams.values() if needed <= t.roles) for teams in team_days]
            able = sorted({tid for day in able_each_day for tid in day})
            if all(able_each_day):
                problems.append(f"{where}: reason no_team_with_roles but team(s) {', '.join(able)} have the roles")
    return ids


def _check_unreachable(df: pd.DataFrame, venues: Mapping[str, _Venue], teams: Mapping[str, _Team], rules: _Rules,
                       roads: _RoadLegs, problems: list[str]) -> None:
    """An ``unreachable`` venue must be one no team with its roles can reach, serve and leave within a shift."""
    for i, row in enumerate(df.to_dict("records")):
        venue = venues.get(row["venue_id"])
        if row["reason"] != "unreachable" or venue is None:
            continue
        cat = rules.categories[venue.category]
        for team in teams.values():
            if not cat.required_roles <= team.roles:
                continue
            there = roads.metres((team.lon, team.lat), (venue.lon, venue.lat)) / team.speed_m_s
            back = roads.metres((venue.lon, venue.lat), (team.lon, team.lat)) / team.speed_m_s
            fits = [(a, b) for a, b in team.shifts for w0, w1 in venue.windows
                    if max(a + there, w0) + cat.service_s + TIME_SLACK_S <= min(w1, b - back)]
            if fits:
                problems.append(f"unassigned.csv row {i + 2} (venue {venue.venue_id}): reason unreachable but team "
                                f"{team.team_id} reaches it in {there / 60:.0f} min along the roads, in its shift "
                                f"{_fmt(fits[0][0])}-{_fmt(fits[0][1])}")
                break


def _must_venues(
    venues: Mapping[str, _Venue],
    rules: _Rules,
    date: dt.date,
    hazards: Path | None,
    inspections: Path | None,
) -> dict[str, str]:
    """Venues that must be visited (or reported unassigned) on ``date`` -> why."""
    last_done = _last_done(inspections)
    by_hazard = _hazard_due(hazards, rules, date)
    must = {}
    for vid, v in venues.items():
        dates = [d for d in (v.last_inspected, last_done.get(vid)) if d is not None and d <= date]
        last = max(dates) if dates else None
        interval = rules.categories[v.category].interval_days
        if last is None:
            must[vid] = "never inspected"
        elif last + dt.timedelta(days=interval) <= date:
            must[vid] = f"last inspected {last}, interval {interval} days"
        elif vid in by_hazard:
            must[vid] = by_hazard[vid]
    return must


def _check_team_minutes(summary: Mapping[str, object], stops: Sequence[_Stop], problems: list[str]) -> None:
    """The optional balance keys: each team's minutes hold at least its service minutes in stops.csv,
    and each day's ``spread_minutes`` is the busiest team's minutes less the least busy one's."""
    minutes, spread = summary.get("team_minutes"), summary.get("spread_minutes")
    if minutes is None:
        return
    if not isinstance(minutes, dict) or not isinstance(spread, dict):
        problems.append("summary.json: team_minutes and spread_minutes should be objects by day")
        return
    service: dict[tuple[str, str], float] = defaultdict(float)
    for s in stops:
        if s.arrive_s is not None and s.depart_s is not None:
            service[(s.day, s.team_id)] += (s.depart_s - s.arrive_s) / 60
    for (day, team), need in sorted(service.items()):
        got = (minutes.get(day) or {}).get(team)
        if got is None or got + 1 < need:
            problems.append(f"summary.json: team_minutes of team {team} on {day} is {got}, "
                            f"less than its {need:.0f} min of service in stops.csv")
    for day, teams in minutes.items():
        values = list(teams.values()) if isinstance(teams, dict) else []
        want = round(max(values) - min(values), 1) if values else 0.0
        if not isinstance(spread.get(day), (int, float)) or abs(spread[day] - want) > 0.2:
            problems.append(f"summary.json: spread_minutes on {day} is {spread.get(day)!r}, the "
                            f"team_minutes give {want}")


def _check_summary(
    path: Path, *, n_stops: int, days: int, n_teams: int, travel_km: float, problems: list[str],
    stops: Sequence[_Stop] | None = None,
) -> None:
    summary = _read_json(path, problems)
    if summary is None:
        return
    if not isinstance(summary, dict):
        problems.append("summary.json: is not a JSON object")
        return
    if not SUMMARY_KEYS <= set(summary):  # the contract's keys; a planner may add more
        problems.append(
            f"summary.json: keys are {sorted(summary)}, expected at least {sorted(SUMMARY_KEYS)} "
            f"(missing {sorted(SUMMARY_KEYS - set(summary))})"
        )
    if stops is not None:
        _check_team_minutes(summary, stops, problems)

    def number(key: str, integer: bool = False) -> float | None:
        value = summary.get(key)
        ok = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok or value < 0:
            if key in summary:
                kind = "a whole number" if integer else "a number"
                problems.append(f"summary.json: {key} {value!r} is not {kind} >= 0")
            return None
        return value

    for key in ("days", "teams", "visits", "must_visits", "must_visits_planned"):
        number(key, integer=True)
    for key in ("risk_covered", "solve_seconds"):
        number(key)
    if "solver_status" in summary and not isinstance(summary["solver_status"], str):
        problems.append(f"summary.json: solver_status {summary['solver_status']!r} is not text")
    if (visits := number("visits", True)) is not None and visits != n_stops:
        problems.append(f"summary.json: visits is {visits} but stops.csv has {n_stops} rows")
    if (n := number("days", True)) is not None and n != days:
        problems.append(f"summary.json: days is {n} but {days} day(s) were planned")
    if (n := number("teams", True)) is not None and n != n_teams:
        problems.append(f"summary.json: teams is {n} but the teams input has {n_teams} teams")
    planned, must = number("must_visits_planned", True), number("must_visits", True)
    if planned is not None and must is not None and planned > must:
        problems.append(f"summary.json: must_visits_planned {planned} is more than must_visits {must}")
    if planned is not None and planned > n_stops:
        problems.append(f"summary.json: must_visits_planned {planned} is more than the {n_stops} visits")
    km = number("travel_km")
    if km is not None and abs(km - travel_km) > TRAVEL_KM_REL_TOL * travel_km + TRAVEL_KM_ABS_TOL:
        problems.append(f"summary.json: travel_km is {km} but the shift tours recomputed are {travel_km:.3f} km")


def _read_json(path: Path, problems: list[str]) -> object | None:
    """The JSON in ``path``, or None with the problem (missing, not JSON) added to ``problems``."""
    if not path.is_file():
        problems.append(f"{path.name}: file is missing")
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        problems.append(f"{path.name}: not valid JSON ({err})")
        return None


def _check_routes(path: Path, stops: Sequence[_Stop], venues: Mapping[str, _Venue], problems: list[str]) -> None:
    fc = _read_json(path, problems)
    if fc is None:
        return
    if not isinstance(fc, dict) or fc.get("type") != "FeatureCollection" or not isinstance(fc.get("features"), list):
        problems.append("routes.geojson: is not a GeoJSON FeatureCollection")
        return
    lines: Counter[tuple[str, str]] = Counter()
    points: list[tuple[float, float]] = []
    for n, feature in enumerate(fc["features"], start=1):
        geom = (feature or {}).get("geometry") or {}
        props = (feature or {}).get("properties") or {}
        kind = geom.get("type")
        if kind == "LineString":
            missing = [k for k in ("day", "team_id", "km", "minutes") if k not in props]
            if missing:
                problems.append(f"routes.geojson feature {n}: LineString lacks properties {missing}")
            lines[(str(props.get("day", "")), _text(props.get("team_id", "")))] += 1
        elif kind == "Point":
            try:
                x, y = (float(c) for c in geom["coordinates"][:2])
                points.append((x, y))
            except (KeyError, TypeError, ValueError):
                problems.append(f"routes.geojson feature {n}: Point without valid coordinates")
        else:
            problems.append(f"routes.geojson feature {n}: geometry type {kind!r} is neither LineString nor Point")
    wanted = {(s.day, s.team_id) for s in stops}
    for key in sorted(wanted | set(lines)):
        count = lines.get(key, 0)
        if key in wanted and count != 1:
            problems.append(f"routes.geojson: day {key[0]} team {key[1]} has {count} LineStrings, expected 1")
        elif key not in wanted:
            problems.append(f"routes.geojson: day {key[0]} team {key[1]} has a LineString but no stops")
    if len(points) != len(stops):
        problems.append(f"routes.geojson: {len(points)} Points but stops.csv has {len(stops)} stops")
    _match_points(points, stops, venues, problems)


def _match_points(
    points: Sequence[tuple[float, float]], stops: Sequence[_Stop], venues: Mapping[str, _Venue], problems: list[str]
) -> None:
    """Every stop needs its own Point within the position tolerance of the venue."""
    if not stops:
        return
    free = np.ones(len(points), dtype=bool)
    px = np.array([p[0] for p in points], dtype=float)
    py = np.array([p[1] for p in points], dtype=float)
    for s in stops:
        v = venues.get(s.venue_id)
        if v is None:
            continue
        # Equirectangular metres: exact enough at one metre over a few metres.
        dx = (px - v.lon) * 111_320.0 * math.cos(math.radians(v.lat))
        dy = (py - v.lat) * 110_574.0
        close = np.flatnonzero(free & (np.hypot(dx, dy) <= POSITION_TOLERANCE_M * 1.5))
        if close.size == 0:
            problems.append(f"routes.geojson: no Point for {s.where()}")
        else:
            free[close[0]] = False


# --------------------------------------------------------------------------------------------
# The public function
# --------------------------------------------------------------------------------------------
def check_plan(
    out_dir: str | Path,
    *,
    grids: str | Path,
    venues: str | Path | Iterable[str | Path],
    teams: str | Path,
    date: str | dt.date,
    days: int = 1,
    rules: str | Path = DEFAULT_RULES_PATH,
    hazards: str | Path | None = None,
    inspections: str | Path | None = None,
    crs: str | None = None,
    roads: str | Path | None = None,
    max_access_m: float = 500.0,
) -> list[str]:
    """Check a plan written by ``patrol plan`` against its inputs; list every violation.

    With ``roads`` (the ``--roads`` lines), travel is recomputed along those roads instead of
    straight lines times the detour factor: each point walks straight (× detour) to its foot on the
    nearest street (none farther than ``max_access_m``, the ``--max-access-m`` of the run), and
    every venue reported ``unreachable`` must be one that no team with its roles can reach, serve
    in its opening hours and leave again within a shift.

    Parameters
    ----------
    out_dir
        The ``--out`` directory holding stops.csv, unassigned.csv, summary.json and
        routes.geojson.
    grids
        The grid polygons given to the planner (read only to make sure they exist).
    venues
        One venue layer/table or several (CSV/XLSX with lon, lat; GeoJSON/GPKG/SHP points).
    teams
        The teams CSV/XLSX (or YAML); or the ``teams.csv`` a plan from people wrote (a ``day``
        column: each day is judged with its own teams), to be checked against the roster with
        :func:`check_roster`.
    date
        The first planned day (``YYYY-MM-DD``).
    days
        How many days were planned.
    rules
        The rules TOML the planner used.
    hazards, inspections
        The optional hazards and inspections tables.
    crs
        The ``--crs`` of the run: the CRS of lon/lat rows without their own ``crs`` cell and of
        layers that do not declare one.

    Returns
    -------
    list[str]
        Human-readable violations, each naming the file and the day, team, seq or venue;
        empty when the plan is feasible.

    Raises
    ------
    ValueError
        When an *input* file is unreadable or invalid (the plan cannot be judged then).
    """
    out = Path(out_dir)
    day0 = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
    day_list = [(day0 + dt.timedelta(days=k)).isoformat() for k in range(days)]
    if not Path(grids).exists():
        msg = f"grids input not found: {grids}"
        raise ValueError(msg)
    rule_set = _load_rules(rules)
    venue_paths = [Path(venues)] if isinstance(venues, (str, Path)) else [Path(p) for p in venues]
    venue_table = _read_venues(venue_paths, rule_set, crs)
    team_days = _read_team_days(Path(teams), rule_set, crs)
    fixed = "" in team_days

    def teams_on(day: str) -> Mapping[str, _Team]:
        return team_days[""] if fixed else team_days.get(day, {})

    team_table = {tid: t for teams_of_day in team_days.values() for tid, t in teams_of_day.items()}

    problems: list[str] = []
    stops: list[_Stop] = []
    travel_km = 0.0
    road_legs = None
    stops_df = _read_output_csv(out / "stops.csv", STOPS_COLUMNS, problems)
    if stops_df is not None:
        if fixed:
            stops = _check_stop_rows(stops_df, venue_table, team_table, rule_set, day_list, problems)
        else:
            stops = sorted((s for day, part in stops_df.groupby("day", sort=True)
                            for s in _check_stop_rows(part, venue_table, teams_on(str(day)), rule_set,
                                                      day_list, problems)),
                           key=lambda s: s.row)
        _check_duplicates(stops, problems)
        road_legs = None if roads is None else _RoadLegs(
            Path(roads), starts=[(t.lon, t.lat) for t in team_table.values()], detour_factor=rule_set.detour_factor,
            max_access_m=max_access_m)
        travel_km = _check_tours(stops, venue_table, teams_on, rule_set, problems, road_legs)
    unassigned_df = _read_output_csv(out / "unassigned.csv", UNASSIGNED_COLUMNS, problems)
    unassigned: set[str] = set()
    if unassigned_df is not None:
        unassigned = _check_unassigned(unassigned_df, venue_table, [teams_on(d) for d in day_list], rule_set, problems)
        if road_legs is not None:
            _check_unreachable(unassigned_df, venue_table, team_table, rule_set, road_legs, problems)
    if stops_df is not None and unassigned_df is not None:
        planned = {s.venue_id for s in stops}
        must = _must_venues(
            venue_table, rule_set, day0,
            Path(hazards) if hazards is not None else None,
            Path(inspections) if inspections is not None else None,
        )
        for vid, why in sorted(must.items()):
            if vid not in planned and vid not in unassigned:
                problems.append(
                    f"coverage: venue {vid} must be visited on {day0} ({why}) "
                    "but is neither in stops.csv nor in unassigned.csv"
                )
    if stops_df is None:
        _check_summary_keys_only(out / "summary.json", problems)
    else:
        _check_summary(
            out / "summary.json",
            n_stops=len(stops),
            days=days,
            n_teams=len(team_table),
            travel_km=travel_km,
            problems=problems,
            stops=stops,
        )
        _check_routes(out / "routes.geojson", stops, venue_table, problems)
    return problems


def _check_summary_keys_only(path: Path, problems: list[str]) -> None:
    """When stops.csv is unusable, still check that summary.json exists and has the keys."""
    summary = _read_json(path, problems)
    if summary is None:
        return
    if not isinstance(summary, dict) or not SUMMARY_KEYS <= set(summary):
        problems.append(f"summary.json: keys do not include {sorted(SUMMARY_KEYS)}")


# --------------------------------------------------------------------------------------------
# Teams formed from people (patrol plan --people)
# --------------------------------------------------------------------------------------------
_ROSTER_HEADERS = {
    "工号": "person_id", "人员编号": "person_id", "编号": "person_id", "id": "person_id",
    "姓名": "name", "名称": "name",
    "角色": "role", "roles": "role", "岗位": "role", "责任网格": "home_grids", "出行方式": "mode", "工作日": "days",
    "出勤日": "days", "请假": "off", "休假": "off", "班次": "shift",
}
_ROLE_WORDS = {**_ROLE_LABELS_ZH, "物业人员": "property", "专职安全员": "safety_officer", "网格长": "grid_worker"}
_MODE_WORDS = {"步行": "walk", "电动车": "ebike", "电动自行车": "ebike", "bike": "ebike", "e-bike": "ebike",
               "foot": "walk"}
_WEEKDAY_WORDS = {w: k for k, names in enumerate((
    ("周一", "星期一", "mon", "monday"), ("周二", "星期二", "tue", "tuesday"), ("周三", "星期三", "wed", "wednesday"),
    ("周四", "星期四", "thu", "thursday"), ("周五", "星期五", "fri", "friday"), ("周六", "星期六", "sat", "saturday"),
    ("周日", "周天", "星期日", "星期天", "sun", "sunday"))) for w in names}
TEAMS_COLUMNS: tuple[str, ...] = ("day", "team_id", "roles", "shift", "mode", "home_grids", "people")


@dataclass(frozen=True)
class _Person:
    person_id: str
    role: str
    home_grids: frozenset[str]
    mode: str
    days: frozenset[object]  # weekday numbers and dates; empty = every day
    off: frozenset[object]
    shifts: tuple[tuple[int, int], ...]

    def works_on(self, day: dt.date) -> bool:
        def named(spec: frozenset[object]) -> bool:
            return day.weekday() in spec or day in spec
        return (not self.days or named(self.days)) and not named(self.off)


def _day_spec(text: str) -> frozenset[object]:
    """Weekdays and dates as the roster's users write them (the forms the tests use)."""
    out: set[object] = set()
    text = re.sub(r"\s*([-~至到])\s*", r"\1", text.strip())
    for part in (p for p in re.split(r"[;,，；、|\s]+", text) if p):
        key = part.lower()
        if key in ("每天", "每日", "daily"):
            out |= set(range(7))
        elif key in ("工作日", "weekdays"):
            out |= set(range(5))
        elif key in ("周末", "weekend"):
            out |= {5, 6}
        elif key in _WEEKDAY_WORDS:
            out.add(_WEEKDAY_WORDS[key])
        elif (m := re.match(r"^(.+?)[-至到~](.+)$", key)) and m[1] in _WEEKDAY_WORDS and m[2] in _WEEKDAY_WORDS:
            first, last = _WEEKDAY_WORDS[m[1]], _WEEKDAY_WORDS[m[2]]
            out |= {(first + k) % 7 for k in range((last - first) % 7 + 1)}
        elif m := re.match(r"^(.+?)[~至到](.+)$", part):
            first, last = _to_date(m[1]), _to_date(m[2])
            out |= {first + dt.timedelta(days=k) for k in range((last - first).days + 1)}
        else:
            out.add(_to_date(part))
    return frozenset(out)


def _read_roster(path: Path) -> dict[str, _Person]:
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        records = raw.get("people", raw) if isinstance(raw, dict) else raw
        df = pd.DataFrame([{_ROSTER_HEADERS.get(str(k).strip(), str(k).strip().lower()):
                            (";".join(map(str, v)) if isinstance(v,
                                                                 list) else v) for k, v in r.items()} for r in records])
    else:
        df = _read_table(path)
        df.columns = [_ROSTER_HEADERS.get(c, c) for c in df.columns]
    people = {}
    for row in df.to_dict("records"):
        pid = _text(row.get("person_id")) or _text(row.get("name"))
        role = _text(row.get("role"))
        mode = _text(row.get("mode")).lower() or DEFAULT_MODE
        people[pid] = _Person(
            person_id=pid, role=_ROLE_WORDS.get(role, role),
            home_grids=frozenset(g.strip() for g in re.split(r"[;；,，、|/]",
                                                             _text(row.get("home_grids"))) if g.strip()),
            mode=_MODE_WORDS.get(mode, mode), days=_day_spec(_text(row.get("days"))),
            off=_day_spec(_text(row.get("off"))), shifts=_parse_shifts(_text(row.get("shift")) or DEFAULT_SHIFT),
        )
    return people


def check_roster(
    out_dir: str | Path,
    *,
    people: str | Path,
    date: str | dt.date,
    days: int = 1,
    rules: str | Path = DEFAULT_RULES_PATH,
) -> list[str]:
    """Check the teams a plan from people formed (``teams.csv``) against the roster it was given.

    Every team's roles are its members' roles and cover what each of its stops needs; nobody is on
    two teams of a day, works on a day they do not work (``days``, ``off``) or outside their shifts;
    a team has at most one grid worker, whose grids are its home grids; a team with a walker walks.
    Run :func:`check_plan` with ``teams=<out>/teams.csv`` for the routes themselves.

    Returns
    -------
    list[str]
        Violations, each naming teams.csv's row (or stops.csv's), the day, the team and the person.
    """
    out = Path(out_dir)
    day0 = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
    day_list = [(day0 + dt.timedelta(days=k)).isoformat() for k in range(days)]
    rule_set = _load_rules(rules)
    roster = _read_roster(Path(people))
    problems: list[str] = []
    path = out / "teams.csv"
    if not path.is_file():
        return ["teams.csv: file is missing"]
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in TEAMS_COLUMNS if c not in df.columns]
    if missing:
        return [f"teams.csv: columns {missing} are missing"]
    seen: dict[tuple[str, str], str] = {}
    roles_of: dict[tuple[str, str], frozenset[str]] = {}
    for i, row in enumerate(df.to_dict("records")):
        where = f"teams.csv row {i + 2} (day {row['day']}, team {row['team_id']})"
        if row["day"] not in day_list:
            problems.append(f"{where}: day {row['day']!r} is not a planned day")
            continue
        day = dt.date.fromisoformat(row["day"])
        if (row["day"], row["team_id"]) in roles_of:
            problems.append(f"{where}: team {row['team_id']} appears twice on {row['day']}")
        members = [p for p in row["people"].split(";") if p]
        if not members:
            problems.append(f"{where}: the team has no people")
        shifts = _parse_shifts(row["shift"])
        team_roles: set[str] = set()
        for pid in members:
            person = roster.get(pid)
            if person is None:
                problems.append(f"{where}: person {pid!r} is not in the roster")
                continue
            team_roles.add(person.role)
            if (row["day"], pid) in seen:
                problems.append(f"{where}: person {pid} is also on team {seen[(row['day'], pid)]} that day")
            seen[(row["day"], pid)] = row["team_id"]
            if not person.works_on(day):
                problems.append(f"{where}: person {pid} does not work on {row['day']} ({day:%A})")
            for a, b in shifts:
                if not any(a >= s0 and b <= s1 for s0, s1 in person.shifts):
                    problems.append(f"{where}: shift {_fmt(a)}-{_fmt(b)} is outside person {pid}'s shifts "
                                    + ", ".join(f"{_fmt(s0)}-{_fmt(s1)}" for s0, s1 in person.shifts))
        written = frozenset(_ROLE_LABELS_ZH.get(r, r) for r in row["roles"].split(";") if r)
        if members and written != team_roles:
            problems.append(f"{where}: roles {sorted(written)} are not its people's roles {sorted(team_roles)}")
        roles_of[(row["day"], row["team_id"])] = frozenset(team_roles)
        workers = [roster[p] for p in members if p in roster and roster[p].role == "grid_worker"]
        home = frozenset(g for g in row["home_grids"].split(";") if g)
        if len(workers) > 1:
            problems.append(f"{where}: {len(workers)} grid workers on one team")
        elif workers and home != workers[0].home_grids:
            problems.append(f"{where}: home_grids {sorted(home)} are not its grid worker's grids "
                            f"{sorted(workers[0].home_grids)}")
        walkers = [p for p in members if p in roster and roster[p].mode == "walk"]
        if walkers and row["mode"] != "walk":
            problems.append(f"{where}: mode {row['mode']} but {walkers[0]} walks")
    stops = pd.read_csv(out / "stops.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for i, row in enumerate(stops.to_dict("records")):
        key = (row["day"], row["team_id"])
        where = f"stops.csv row {i + 2} (day {row['day']}, team {row['team_id']}, venue {row['venue_id']})"
        if key not in roles_of:
            problems.append(f"{where}: team {row['team_id']} is not in teams.csv on {row['day']}")
            continue
        needed = rule_set.categories[row["category"]].required_roles
        if not needed <= roles_of[key]:
            problems.append(f"{where}: its people lack {', '.join(sorted(needed - roles_of[key]))} "
                            f"for {row['category']}")
    return problems
