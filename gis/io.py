"""Readers of the input layers: validate everything, convert to WGS84, join venues to grids.

Each reader checks the whole file before returning and raises one :class:`InputError` naming
the file, the row (Excel numbering) or feature, and the field, with every other problem in
``.more``. Readers return new frames indexed by their id and never change their inputs.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from pathlib import Path
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._table import Problems, Table, field_name, parse_date, parse_float, read_frame, split_list
from .crs import normalize_crs_name, to_wgs84_lonlat, transform_geoseries_to_wgs84
from .errors import DataWarning, InputError
from .i18n import gettext as _
from .rules import MODES, ROLE_LABELS_ZH, ROLES, Rules
from .timeparse import parse_hhmm, parse_shifts
from .workdays import EXAMPLE as WORKDAYS_EXAMPLE
from .workdays import parse_workdays

UNASSIGNED_GRID = "unassigned"
DEFAULT_SHIFT = "09:00-12:00,14:00-17:30"
HAZARD_STATUSES = ("found", "reported", "rectifying", "feedback", "closed")
_STATUS_ALIASES = {
    "发现": "found", "已发现": "found", "报告": "reported", "已报告": "reported", "open": "reported",
    "待整改": "reported", "处置": "rectifying", "整改中": "rectifying", "整改": "rectifying",
    "反馈": "feedback", "待复查": "feedback", "销号": "closed", "已销号": "closed", "已关闭": "closed",
}
_SEVERITY_ALIASES = {"一般": "general", "重大": "major", "general": "general", "major": "major"}
OUTCOMES = ("done", "closed_door", "refused")
_OUTCOME_ALIASES = {
    "已检查": "done", "完成": "done", "正常": "done", "检查": "done", "关门": "closed_door",
    "闭门": "closed_door", "未营业": "closed_door", "拒绝": "refused", "拒检": "refused", "拒绝检查": "refused",
}
_ROLE_ALIASES = {label: code for code, label in ROLE_LABELS_ZH.items()} | {
    "物业人员": "property", "安全员": "safety_officer", "专职安全员": "safety_officer", "网格长": "grid_worker",
}
_MODE_ALIASES = {"步行": "walk", "foot": "walk", "电动车": "ebike", "电动自行车": "ebike", "e-bike": "ebike",
                 "bike": "ebike"}


def _name(path: str | Path | Table) -> str:
    return path.name if isinstance(path, Table) else Path(path).name


def _source(path: str | Path | Table) -> Path | Table:
    """What :func:`read_frame` reads: a file, or rows already in memory."""
    return path if isinstance(path, Table) else Path(path)


def _resolve_crs_arg(crs: str | None, file: str) -> str | None:
    if crs is None or str(crs).strip() == "":
        return None
    try:
        return normalize_crs_name(crs)
    except ValueError as err:
        msg = _("crs: %(problem)s", problem=err)
        raise InputError(msg, file=file, field="crs") from err


# --- grids -------------------------------------------------------------------------------

def read_grids(path: str | Path | Table, *, crs: str | None = None) -> gpd.GeoDataFrame:
    """Read grid polygons (网格) from GeoJSON, GeoPackage or Shapefile.

    Parameters
    ----------
    path
        The layer; needs a ``grid_id`` field; ``name``, ``community``, ``worker`` are optional.
    crs
        The coordinates' CRS when the file's own is wrong or missing (e.g. ``"gcj02"`` for a
        layer drawn on AMap).

    Returns
    -------
    GeoDataFrame indexed by ``grid_id`` (str) in EPSG:4326.

    Raises
    ------
    InputError
        Missing field, duplicate or empty id, empty, invalid or non-polygon geometry, unknown CRS.
    """
    file = _name(path)
    frame, unit = read_frame(_source(path))
    if unit != "feature":
        msg = _("grids must be a GIS layer of polygons (GeoJSON, GeoPackage or Shapefile)")
        raise InputError(msg, file=file)
    problems = Problems(file, unit)
    problems.require_columns(frame, ["grid_id"])
    problems.unique_ids(frame["grid_id"], "grid_id")
    for i, geom in frame.geometry.items():
        if geom is None or geom.is_empty:
            problems.add(i, "geometry", _("geometry is empty: draw the grid's polygon or remove the feature"))
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.add(i, "geometry", _("geometry is a %(type)s; grids must be polygons", type=geom.geom_type))
        elif not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            problems.add(i, "geometry",
                         _("geometry is not valid (%(reason)s); repair it (QGIS 'Fix geometries' or "
                           "shapely.make_valid) or redraw it", reason=reason))
    problems.raise_if_any()
    geoms = _layer_to_wgs84(frame, file, crs)
    out = gpd.GeoDataFrame(
        {col: frame[col].to_numpy() for col in ("name", "community", "worker") if col in frame},
        geometry=geoms.to_numpy(), crs="EPSG:4326", index=pd.Index(frame["grid_id"], name="grid_id"),
    )
    for col in ("name", "community", "worker"):
        if col not in out:
            out[col] = out.index if col == "name" else ""
    return out[["name", "community", "worker", "geometry"]]


def _layer_to_wgs84(frame: gpd.GeoDataFrame, file: str, crs: str | None) -> gpd.GeoSeries:
    given = _resolve_crs_arg(crs, file)
    if given is not None:
        return transform_geoseries_to_wgs84(gpd.GeoSeries(frame.geometry.values), given)
    if frame.crs is None:
        msg = _("crs: the layer has no CRS (a Shapefile without .prj?); "
                "give it with --crs (e.g. EPSG:4326, EPSG:4490, gcj02)")
        raise InputError(msg, file=file, field="crs")
    return gpd.GeoSeries(frame.geometry.values, crs=frame.crs).to_crs("EPSG:4326")


# --- points (venues, team start points) --------------------------------------------------

def _points_from_table(
    frame: pd.DataFrame,
    problems: Problems,
    *,
    lon_field: str,
    lat_field: str,
    default_crs: str | None,
) -> gpd.GeoSeries:
    """WGS84 points from lon/lat columns; rows may name their own CRS in a ``crs`` column."""
    lon = np.full(len(frame), np.nan)
    lat = np.full(len(frame), np.nan)
    row_crs = []
    cells = {f: frame[f].tolist() for f in (lon_field, lat_field)}  # plain lists: pandas' per-cell access is slow
    own_crs = frame["crs"].tolist() if "crs" in frame else [""] * len(frame)
    for i in range(len(frame)):
        own = own_crs[i]
        code = default_crs or "EPSG:4326"
        if own:
            try:
                code = normalize_crs_name(own)
            except ValueError as err:
                problems.add(i, "crs", _("crs %(crs)r: %(problem)s", crs=own, problem=err))
                row_crs.append(None)
                continue
        row_crs.append(code)
        values = []
        for field in (lon_field, lat_field):
            text = cells[field][i]
            if text == "":
                problems.add(i, field, _("%(field)s is empty: every row needs %(lon)s and %(lat)s",
                                         field=field, lon=lon_field, lat=lat_field))
                values.append(None)
                continue
            try:
                values.append(parse_float(text))
            except ValueError:
                problems.add(i, field, _("%(field)s %(value)r is not a number", field=field, value=text))
                values.append(None)
        if None in values:
            continue
        x, y = values
        if _is_geographic(code):
            trouble = _lonlat_trouble(x, y, lon_field, lat_field)
            if trouble:
                problems.add(i, trouble[0], trouble[1])
                continue
        lon[i], lat[i] = x, y
    problems.raise_if_any()
    out_lon, out_lat = lon.copy(), lat.copy()
    for code in set(row_crs):
        rows = np.array([c == code for c in row_crs])
        out_lon[rows], out_lat[rows] = to_wgs84_lonlat(lon[rows], lat[rows], code)
    for i in range(len(frame)):
        if row_crs[i] and not _is_geographic(row_crs[i]):
            trouble = _lonlat_trouble(out_lon[i], out_lat[i], lon_field, lat_field)
            if trouble:
                problems.add(i, lon_field,
                             _("%(lon)s/%(lat)s in %(crs)s fall outside the world (%(x).4f, %(y).4f): "
                               "is the CRS right?", lon=lon_field, lat=lat_field, crs=row_crs[i],
                               x=out_lon[i], y=out_lat[i]))
    problems.raise_if_any()
    return gpd.GeoSeries(gpd.points_from_xy(out_lon, out_lat), crs="EPSG:4326")


@functools.lru_cache(maxsize=64)
def _is_geographic(code: str) -> bool:  # asked once per row: pyproj's CRS parsing is the slow part of a read
    if code in ("gcj02", "bd09"):
        return True
    import pyproj

    return pyproj.CRS.from_user_input(code).is_geographic


def _lonlat_trouble(lon: float, lat: float, lon_field: str, lat_field: str) -> tuple[str, str] | None:
    in_china_lon, in_china_lat = 73 <= lon <= 136, 3 <= lat <= 54
    if (73 <= lat <= 136 and 3 <= lon <= 54) or (abs(lat) > 90 and abs(lon) <= 90):
        return lon_field, _("%(lon)s %(x)g and %(lat)s %(y)g look swapped: %(lon)s is the "
                            "longitude (73-136 in China), %(lat)s the latitude (3-54)",
                            lon=lon_field, lat=lat_field, x=lon, y=lat)
    if not -180 <= lon <= 180:
        return lon_field, _("%(field)s %(value)g is not a longitude (-180 to 180)", field=lon_field, value=lon)
    if not -90 <= lat <= 90:
        return lat_field, _("%(field)s %(value)g is not a latitude (-90 to 90)", field=lat_field, value=lat)
    if lon == 0 and lat == 0:
        return lon_field, _("%(lon)s/%(lat)s are 0,0: the coordinates are missing", lon=lon_field, lat=lat_field)
    del in_china_lon, in_china_lat
    return None


def _points_from_layer(frame: gpd.GeoDataFrame, problems: Problems, file: str, crs: str | None) -> gpd.GeoSeries:
    for i, geom in frame.geometry.items():
        if geom is None or geom.is_empty:
            problems.add(i, "geometry", _("geometry is empty: every venue needs a point"))
        elif geom.geom_type != "Point":
            problems.add(i, "geometry", _("geometry is a %(type)s; venues must be points", type=geom.geom_type))
    problems.raise_if_any()
    given = _resolve_crs_arg(crs, file)
    if (given is None and frame.crs is not None and frame.crs.is_geographic) or (given and _is_geographic(given)):
        for i, geom in frame.geometry.items():
            trouble = _lonlat_trouble(geom.x, geom.y, "lon", "lat")
            if trouble:
                problems.add(i, "geometry", trouble[1])
        problems.raise_if_any()
    return _layer_to_wgs84(frame, file, crs)


# --- venues ------------------------------------------------------------------------------

def read_venues(
    paths: str | Path | Table | Sequence[str | Path | Table],
    *,
    rules: Rules,
    grids: gpd.GeoDataFrame | None = None,
    crs: str | None = None,
    as_of: dt.date | None = None,
) -> gpd.GeoDataFrame:
    """Read venue points (场所) from one or more files and join them to grids.

    Parameters
    ----------
    paths
        GeoJSON/GPKG/SHP points, or CSV/XLSX with ``lon``/``lat`` (a ``crs`` column may name a
        row's CRS: ``gcj02`` for AMap/Tencent exports, ``bd09`` for Baidu).
    rules
        For category codes, Chinese labels and aliases, and default opening hours.
    grids
        From :func:`read_grids`; venues without ``grid_id`` get the grid that contains them.
        A venue outside every grid is kept with grid ``"unassigned"`` and a :class:`DataWarning`.
    crs
        The CRS of rows that do not name one (default WGS84).
    as_of
        Dates after this day (the plan date) are rejected as being in the future.

    Returns
    -------
    GeoDataFrame indexed by ``venue_id`` with name, category, group, address, grid_id, open_s,
    close_s (seconds after midnight; close may pass 86400), last_inspected (date or None),
    risk (float, NaN when not given), phone, source_file, source_row, geometry (EPSG:4326).
    """
    path_list = [paths] if isinstance(paths, (str, Path, Table)) else list(paths)
    parts = [_read_venue_file(_source(p), rules=rules, crs=crs, as_of=as_of) for p in path_list]
    venues = pd.concat(parts) if len(parts) > 1 else parts[0]
    dup = venues.index.duplicated(keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        first = venues.loc[venues.index[i]].iloc[0]
        again = venues.iloc[i]
        msg = _("venue_id %(value)r appears again (first in %(file)s row %(row)s)",
                value=venues.index[i], file=first["source_file"], row=first["source_row"])
        raise InputError(msg, file=again["source_file"], row=int(again["source_row"]), field="venue_id")
    venues = gpd.GeoDataFrame(venues, geometry="geometry", crs="EPSG:4326")
    if grids is not None:
        venues = _join_grids(venues, grids)
    return venues


def _read_venue_file(path: Path | Table, *, rules: Rules, crs: str | None, as_of: dt.date | None) -> gpd.GeoDataFrame:
    file = path.name
    frame, unit = read_frame(path)
    problems = Problems(file, unit)
    needed = ["venue_id", "name", "category"] + (["lon", "lat"] if unit == "row" else [])
    problems.require_columns(frame, needed)
    problems.unique_ids(frame["venue_id"], "venue_id")
    categories = []
    for i, value in frame["category"].items():
        code = rules.resolve_category(value)
        if code is None:
            hint = rules.suggest_category(value)
            problems.add(i, "category",
                         _("category %(value)r is not a known category (did you mean %(hint)s?)",
                           value=value, hint=hint)
                         if hint else _("category %(value)r is not a known category", value=value))
        categories.append(code)
    opens, closes = [], []
    hours = {f: frame[f].tolist() if f in frame else [""] * len(frame) for f in ("open", "close")}
    for i in range(len(frame)):
        cat = rules.categories.get(categories[i]) if categories[i] else None
        times = []
        for field in ("open", "close"):
            text = hours[field][i]
            if text == "":
                times.append(None)
                continue
            try:
                times.append(parse_hhmm(text))
            except ValueError:
                problems.add(i, field, _("%(field)s %(value)r is not a time HH:MM (e.g. 09:00, 21:30, 24:00)",
                                         field=field, value=text))
                times.append(None)
        o = times[0] if times[0] is not None else (cat.open_s if cat else 0)
        c = times[1] if times[1] is not None else (cat.close_s if cat else 86400)
        if c <= o:  # closes after midnight
            c += 86400
        opens.append(o)
        closes.append(c)
    last = _dates(frame, "last_inspected", problems, as_of=as_of)
    risk = np.full(len(frame), np.nan)
    if "risk" in frame:
        for i, text in frame["risk"].items():
            if text == "":
                continue
            try:
                value = parse_float(text)
            except ValueError:
                problems.add(i, "risk", _("%(field)s %(value)r is not a number", field="risk", value=text))
                continue
            if not 0 <= value <= 1:
                problems.add(i, "risk", _("risk %(value)r should be between 0 and 1", value=text))
            risk[i] = value
    if unit == "row":
        geoms = _points_from_table(frame, problems, lon_field="lon", lat_field="lat",
                                   default_crs=_resolve_crs_arg(crs, file))
    else:
        problems.raise_if_any()
        geoms = _points_from_layer(frame, problems, file, crs)
    problems.raise_if_any()
    out = gpd.GeoDataFrame(
        {
            "name": frame["name"].to_numpy(),
            "category": categories,
            "group": [rules.categories[c].group for c in categories],
            "address": frame["address"].to_numpy() if "address" in frame else "",
            "grid_id": frame["grid_id"].to_numpy() if "grid_id" in frame else "",
            "open_s": np.asarray(opens, dtype=int),
            "close_s": np.asarray(closes, dtype=int),
            "last_inspected": last,
            "risk": risk,
            "phone": frame["phone"].to_numpy() if "phone" in frame else "",
            "source_file": file,
            "source_row": [problems.row_number(i) for i in range(len(frame))],
        },
        geometry=geoms.to_numpy(),
        crs="EPSG:4326",
        index=pd.Index(frame["venue_id"].to_numpy(), name="venue_id"),
    )
    return out


def _dates(frame: pd.DataFrame, field: str, problems: Problems, *, as_of: dt.date | None,
           required: bool = False) -> list[dt.date | None]:
    out: list[dt.date | None] = []
    column = frame[field] if field in frame else pd.Series([""] * len(frame))
    for i, text in column.items():
        if text == "":
            if required:
                problems.add(i, field, _("%(field)s is empty", field=field))
            out.append(None)
            continue
        try:
            day = parse_date(text)
        except ValueError:
            problems.add(i, field, _("%(field)s %(value)r is not a date YYYY-MM-DD", field=field, value=text))
            out.append(None)
            continue
        if as_of is not None and day > as_of:
            problems.add(i, field, _("%(field)s %(day)s is in the future (after %(as_of)s, the plan date)",
                                     field=field, day=day.isoformat(), as_of=as_of.isoformat()))
        out.append(day)
    return out


def _join_grids(venues: gpd.GeoDataFrame, grids: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    venues = venues.copy()
    given = venues["grid_id"].astype(str) != ""
    unknown = given & ~venues["grid_id"].isin(grids.index)
    if unknown.any():
        row = venues[unknown].iloc[0]
        known = ", ".join(list(grids.index[:5]))
        msg = _("grid_id %(value)r is not a grid of the grids layer (known: %(known)s…)",
                value=row["grid_id"], known=known)
        raise InputError(msg, file=row["source_file"], row=int(row["source_row"]), field="grid_id")
    todo = venues[~given]
    if len(todo):
        # "intersects", not "within": a venue on the line between two grids belongs to one of them (the first)
        joined = gpd.sjoin(todo[["geometry"]], grids[["geometry"]].reset_index(), how="left", predicate="intersects")
        joined = joined[~joined.index.duplicated(keep="first")]
        venues.loc[todo.index, "grid_id"] = joined["grid_id"].fillna(UNASSIGNED_GRID).to_numpy()
    outside = venues["grid_id"] == UNASSIGNED_GRID
    if outside.any():
        rows = ", ".join(_("%(file)s row %(row)s", file=r.source_file, row=r.source_row)
                            for r in venues[outside].head(5).itertuples())
        warnings.warn(
            _("%(count)d venue(s) lie outside every grid (%(rows)s); they are planned with grid '%(grid)s'. "
              "Are the coordinates in the right CRS (--crs)?",
              count=int(outside.sum()), rows=rows + ("…" if outside.sum() > 5 else ""), grid=UNASSIGNED_GRID),
            DataWarning, stacklevel=3,
        )
    return venues


# --- teams -------------------------------------------------------------------------------

def read_teams(
    path: str | Path | Table,
    *,
    grids: gpd.GeoDataFrame | None = None,
    crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Read joint patrol teams (联合巡查小组) from CSV, XLSX or YAML.

    Returns
    -------
    GeoDataFrame indexed by ``team_id`` with name, roles (frozenset), shifts (tuple of
    (start_s, end_s)), mode (walk · ebike), home_grids (tuple), members (str), start_name (where
    the team sets out, e.g. the community office: printed on the sheets; may be empty) and the start
    point as geometry (EPSG:4326).
    """
    path = _source(path)
    file = path.name
    if isinstance(path, Path) and path.suffix.lower() in (".yaml", ".yml"):
        frame, unit = _read_yaml_teams(path), "row"
    else:
        frame, unit = read_frame(path)
    problems = Problems(file, unit)
    problems.require_columns(frame, ["team_id", "roles", "start_lon", "start_lat"])
    problems.unique_ids(frame["team_id"], "team_id")
    roles, shifts, modes, homes = [], [], [], []
    for i in range(len(frame)):
        team_roles = set()
        for r in split_list(frame["roles"].iat[i]):
            code = r if r in ROLES else _ROLE_ALIASES.get(r)
            if code is None:
                problems.add(i, "roles", _not_a_role("roles", r))
            else:
                team_roles.add(code)
        if not frame["roles"].iat[i].strip():
            problems.add(i, "roles",
                         _("roles is empty: list the team's roles, e.g. grid_worker;property;volunteer;safety_officer"))
        roles.append(frozenset(team_roles))
        shifts.append(_shift_cell(frame, i, problems))
        modes.append(_mode_cell(frame, i, problems))
        homes.append(_home_grids_cell(frame, i, problems, grids))
    geoms = _points_from_table(frame, problems, lon_field="start_lon", lat_field="start_lat",
                               default_crs=_resolve_crs_arg(crs, file))
    problems.raise_if_any()
    return gpd.GeoDataFrame(
        {
            "name": frame["name"].to_numpy() if "name" in frame else frame["team_id"].to_numpy(),
            "roles": roles,
            "shifts": shifts,
            "mode": modes,
            "home_grids": homes,
            "members": frame["members"].to_numpy() if "members" in frame else "",
            "start_name": frame["start_name"].to_numpy() if "start_name" in frame else "",
        },
        geometry=geoms.to_numpy(),
        crs="EPSG:4326",
        index=pd.Index(frame["team_id"].to_numpy(), name="team_id"),
    )


TEAM_FIELDS = ("name", "roles", "shifts", "mode", "home_grids", "members", "start_name")


def no_teams() -> gpd.GeoDataFrame:
    """A teams layer without teams, in the shape :func:`read_teams` returns."""
    return gpd.GeoDataFrame({f: [] for f in TEAM_FIELDS}, geometry=gpd.GeoSeries([], crs="EPSG:4326"),
                            crs="EPSG:4326", index=pd.Index([], name="team_id", dtype=object))


def _shift_cell(frame: pd.DataFrame, i: int, problems: Problems) -> tuple[tuple[int, int], ...]:
    text = frame["shift"].iat[i] if "shift" in frame and frame["shift"].iat[i] else DEFAULT_SHIFT
    try:
        return parse_shifts(text)
    except ValueError as err:
        problems.add(i, "shift", _("%(field)s %(problem)s (e.g. %(example)s)", field="shift", problem=err,
                                   example=DEFAULT_SHIFT))
        return ()


def _mode_cell(frame: pd.DataFrame, i: int, problems: Problems) -> str:
    mode = (frame["mode"].iat[i] if "mode" in frame else "").strip().lower() or "walk"
    mode = _MODE_ALIASES.get(mode, mode)
    if mode not in MODES:
        problems.add(i, "mode", _("mode %(value)r should be walk or ebike (步行 · 电动车)", value=mode))
    return mode


def _home_grids_cell(frame: pd.DataFrame, i: int, problems: Problems,
                     grids: gpd.GeoDataFrame | None) -> tuple[str, ...]:
    home = tuple(split_list(frame["home_grids"].iat[i])) if "home_grids" in frame else ()
    if grids is not None:
        for g in home:
            if g not in grids.index:
                problems.add(i, "home_grids", _("home_grids %(value)r is not a grid of the grids layer", value=g))
    return home


def _not_a_role(field: str, value: str) -> str:
    return _("%(field)s %(value)r is not a role (one of %(roles)s; or %(labels)s)", field=field, value=value,
             roles=", ".join(ROLES), labels=", ".join(ROLE_LABELS_ZH.values()))


def _read_yaml_teams(path: Path) -> pd.DataFrame:
    return _read_yaml_list(path, key="teams", example="team_id: …, roles: …, start_lon: …, start_lat: …")


def _read_yaml_list(path: Path, *, key: str, example: str) -> pd.DataFrame:
    """A YAML list of records (or a mapping holding it under ``key``) as a frame of text cells."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        msg = _("is not valid YAML: %(error)s", error=err)
        raise InputError(msg, file=path.name) from err
    items = data.get(key, data) if isinstance(data, dict) else data
    if not isinstance(items, list):
        msg = _("should be a list of %(key)s (or a mapping with a '%(key)s' list)", key=key)
        raise InputError(msg, file=path.name)

    def text(v: object) -> str:
        if isinstance(v, list):
            return ";".join(map(str, v))
        return "" if v is None else str(v).strip()

    first_field = example.split(":")[0]
    for k, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            msg = (_("%(field)s: team %(k)d is %(item)r, not a team (%(example)s)", field=first_field, k=k, item=item,
                     example=example) if key == "teams" else
                   _("%(field)s: person %(k)d is %(item)r, not a person (%(example)s)", field=first_field, k=k,
                     item=item, example=example))
            raise InputError(msg, file=path.name, row=k, field=first_field, unit="item")
    return pd.DataFrame([{field_name(k): text(v) for k, v in item.items()} for item in items]).fillna("")


# --- people (a roster) ----------------------------------------------------------------

#: Roster headers beyond the common ones: a person has one role, and sets out from a point of their own.
_PEOPLE_HEADERS = {
    "角色": "role", "roles": "role", "岗位": "role", "身份": "role", "姓名": "name", "人员": "name",
    "人员编号": "person_id", "工号": "person_id", "编号": "person_id", "id": "person_id",
    "工作日": "days", "出勤日": "days", "在岗日": "days", "可排班日": "days", "可巡查日": "days", "日期": "days",
    "请假": "off", "休假": "off", "不在岗": "off", "不可排班": "off",
    "经度": "start_lon", "纬度": "start_lat", "lon": "start_lon", "lat": "start_lat",
    "出发经度": "start_lon", "出发纬度": "start_lat",
}
#: Roles that may lead a team: they need a point to set out from (their own, or their home grids').
LEAD_ROLES = ("grid_worker", "safety_officer")


def read_people(
    path: str | Path,
    *,
    grids: gpd.GeoDataFrame | None = None,
    crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a roster of people (人员名单) from CSV, XLSX or YAML: who can patrol, in which role, when.

    Parameters
    ----------
    path
        Needs ``name`` and ``role`` (one of the four roles, or its Chinese label); optional
        ``person_id`` (else the name is the id, and must be unique), ``home_grids``, ``mode``,
        ``days`` (weekdays and dates: "周一-周五", "Mon;Wed", "2026-11-25"; empty: every day),
        ``off`` (days not available, the same way), ``shift`` (as for teams), ``start_lon``,
        ``start_lat`` and ``start_name`` (where the person sets out).
    grids
        For checking ``home_grids``, and for a start point where the file gives none: the
        representative point of the person's home grids.
    crs
        The CRS of start coordinates of rows that do not name one (default WGS84).

    Returns
    -------
    GeoDataFrame indexed by ``person_id`` with name, role, home_grids (tuple), mode, days and off
    (:class:`~gis.workdays.Workdays`), shifts, start_name and the start point as geometry (EPSG:4326;
    None for a person without start or home grids, who never leads a team, and, without ``grids``, for
    one whose start would be a point of their home grids).

    Raises
    ------
    InputError
        Missing column, unknown role or grid, bad days or shift, a grid worker or safety officer with
        no point to set out from, a name or person_id twice.
    """
    path = Path(path)
    file = path.name
    if path.suffix.lower() in (".yaml", ".yml"):
        frame, unit = _read_yaml_list(path, key="people", example="name: …, role: …"), "row"
        frame = frame.rename(columns={c: _PEOPLE_HEADERS.get(c, c) for c in frame.columns})
    else:
        frame, unit = read_frame(path, header_aliases=_PEOPLE_HEADERS)
    problems = Problems(file, unit)
    problems.require_columns(frame, ["name", "role"])
    if len(frame) == 0:
        problems.add(None, "name", _("name: the roster lists no people (one row per person: name, role, …)"))
        problems.raise_if_any()
    ids = frame["person_id"] if "person_id" in frame else frame["name"]
    id_field = "person_id" if "person_id" in frame else "name"
    problems.unique_ids(ids, id_field, hint="" if id_field == "person_id" else _(
        ": give each person a person_id (工号), or tell the two apart in the name"))
    if id_field == "person_id":
        for i, name in frame["name"].items():
            if name == "":
                problems.add(i, "name", _("%(field)s is empty", field="name"))
    roles, modes, homes, days, offs, shifts = [], [], [], [], [], []
    for i in range(len(frame)):
        roles.append(_one_role(frame["role"].iat[i], i, problems))
        modes.append(_mode_cell(frame, i, problems))
        homes.append(_home_grids_cell(frame, i, problems, grids))
        for field, out in (("days", days), ("off", offs)):
            text = frame[field].iat[i] if field in frame else ""
            try:
                out.append(parse_workdays(text))
            except ValueError as err:
                problems.add(i, field, _("%(field)s %(problem)s (e.g. %(example)s)", field=field, problem=err,
                                         example=WORKDAYS_EXAMPLE))
                out.append(None)
        shifts.append(_shift_cell(frame, i, problems))
    starts = _optional_starts(frame, problems, crs=crs, file=file)
    for i in range(len(frame)):
        if starts[i] is None and homes[i] and grids is not None and all(g in grids.index for g in homes[i]):
            starts[i] = grids.loc[list(homes[i])].geometry.union_all().representative_point()
        if starts[i] is None and roles[i] in LEAD_ROLES and not (homes[i] and grids is None):
            problems.add(i, "start_lon",
                         _("start_lon: %(name)r (%(role)s) has neither home_grids nor start_lon/start_lat: give one, "
                           "so that a team they lead knows where to set out",
                           name=frame["name"].iat[i], role=ROLE_LABELS_ZH[roles[i]]))
    problems.raise_if_any()
    return gpd.GeoDataFrame(
        {
            "name": frame["name"].to_numpy(),
            "role": roles,
            "home_grids": homes,
            "mode": modes,
            "days": days,
            "off": offs,
            "shifts": shifts,
            "start_name": frame["start_name"].to_numpy() if "start_name" in frame else "",
            "source_row": [problems.row_number(i) for i in range(len(frame))],
        },
        geometry=starts,
        crs="EPSG:4326",
        index=pd.Index(ids.to_numpy(), name="person_id"),
    )


def _one_role(text: str, i: int, problems: Problems) -> str | None:
    parts = split_list(text)
    if not parts:
        problems.add(i, "role", _("role is empty: one of %(roles)s (%(labels)s)", roles=", ".join(ROLES),
                                  labels=", ".join(ROLE_LABELS_ZH.values())))
        return None
    if len(parts) > 1:
        problems.add(i, "role", _("role %(value)r names %(count)d roles: a person has one role in the roster",
                                  value=text, count=len(parts)))
        return None
    code = parts[0] if parts[0] in ROLES else _ROLE_ALIASES.get(parts[0], _ROLE_ALIASES.get(parts[0].lower()))
    if code is None:
        problems.add(i, "role", _not_a_role("role", parts[0]))
    return code


def _optional_starts(frame: pd.DataFrame, problems: Problems, *, crs: str | None, file: str) -> list:
    """Each row's start point where it gives start_lon/start_lat (both or neither), else None."""
    starts: list = [None] * len(frame)
    lon = frame["start_lon"] if "start_lon" in frame else pd.Series([""] * len(frame))
    lat = frame["start_lat"] if "start_lat" in frame else pd.Series([""] * len(frame))
    given = [i for i in range(len(frame)) if lon.iat[i] != "" or lat.iat[i] != ""]
    if not given:
        return starts
    part = frame.iloc[given].reset_index(drop=True).copy()
    part["start_lon"], part["start_lat"] = lon.iloc[given].to_numpy(), lat.iloc[given].to_numpy()
    own = _RowsOf(problems, given)
    try:
        points = _points_from_table(part, own, lon_field="start_lon", lat_field="start_lat",
                                    default_crs=_resolve_crs_arg(crs, file))
    except InputError:
        return starts  # the problems are in ``problems`` already, raised with the others
    for k, i in enumerate(given):
        starts[i] = points.iloc[k]
    return starts


class _RowsOf(Problems):
    """The problems of some rows of a file, numbered as in the whole file."""

    def __init__(self, whole: Problems, rows: list[int]) -> None:
        super().__init__(whole.file, whole.unit)
        self.whole, self.rows = whole, rows

    def add(self, index: int | None, field: str | None, problem: str) -> None:
        self.whole.add(None if index is None else self.rows[index], field, problem)
        self.items.append(self.whole.items[-1])


# --- hazards and inspections ------------------------------------------------------------

def read_hazards(
    path: str | Path | Table,
    *,
    venues: gpd.GeoDataFrame,
    rules: Rules,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Read hazards (隐患) from CSV/XLSX: hazard_id, venue_id, type, found_on, and the 五落实 fields.

    Returns
    -------
    DataFrame indexed by ``hazard_id``: venue_id, type (code), found_on, severity
    (general · major), status (found · reported · rectifying · feedback · closed), deadline,
    measure, responsible_unit, responsible_person, standard, description, closed_on (the day of
    销号 of a closed hazard, when the file gives it).
    """
    file = _name(path)
    frame, unit = read_frame(_source(path))
    problems = Problems(file, unit)
    problems.require_columns(frame, ["hazard_id", "venue_id", "type", "found_on"])
    problems.unique_ids(frame["hazard_id"], "hazard_id")
    _known_venues(frame, venues, problems)
    types, severities, statuses = [], [], []
    for i in range(len(frame)):
        code = rules.resolve_hazard_type(frame["type"].iat[i])
        if code is None:
            names = [f"{h.code} ({h.label_zh})" for h in list(rules.hazard_types.values())[:4]]
            problems.add(i, "type", _("type %(value)r is not a hazard type of the rules (e.g. %(names)s …)",
                                      value=frame["type"].iat[i], names=", ".join(names)))
        types.append(code)
        sev = frame["severity"].iat[i].strip().lower() if "severity" in frame else ""
        if sev == "":
            sev = rules.hazard_types[code].severity if code else "general"
        elif sev in _SEVERITY_ALIASES:
            sev = _SEVERITY_ALIASES[sev]
        else:
            problems.add(i, "severity", _("severity %(value)r should be general or major (一般 · 重大)", value=sev))
        severities.append(sev)
        st = frame["status"].iat[i].strip() if "status" in frame else ""
        st = _STATUS_ALIASES.get(st, st.lower()) or "reported"
        if st not in HAZARD_STATUSES:
            problems.add(i, "status", _("status %(value)r should be one of %(statuses)s", value=st,
                                        statuses=", ".join(HAZARD_STATUSES)))
        statuses.append(st)
    found = _dates(frame, "found_on", problems, as_of=as_of, required=True)
    deadline = _dates(frame, "deadline", problems, as_of=None)
    for i in range(len(frame)):
        if deadline[i] is None and found[i] is not None and types[i] is not None:
            deadline[i] = found[i] + dt.timedelta(days=rules.hazard_types[types[i]].deadline_days)
        elif deadline[i] is not None and found[i] is not None and deadline[i] < found[i]:
            problems.add(i, "deadline", _("%(field)s %(day)s is before found_on %(found)s", field="deadline",
                                          day=deadline[i], found=found[i]))
    closed_on = _dates(frame, "closed_on", problems, as_of=as_of)
    for i in range(len(frame)):
        if closed_on[i] is not None and statuses[i] != "closed":
            problems.add(i, "closed_on", _("closed_on %(day)s is given but the status is %(status)s, not closed",
                                           day=closed_on[i], status=statuses[i]))
        elif closed_on[i] is not None and found[i] is not None and closed_on[i] < found[i]:
            problems.add(i, "closed_on", _("%(field)s %(day)s is before found_on %(found)s", field="closed_on",
                                           day=closed_on[i], found=found[i]))
    problems.raise_if_any()
    text_cols = ("measure", "responsible_unit", "responsible_person", "standard", "description")
    return pd.DataFrame(
        {
            "venue_id": frame["venue_id"].to_numpy(),
            "type": types,
            "found_on": found,
            "severity": severities,
            "status": statuses,
            "deadline": deadline,
            "closed_on": closed_on,
            **{c: (frame[c].to_numpy() if c in frame else "") for c in text_cols},
        },
        index=pd.Index(frame["hazard_id"].to_numpy(), name="hazard_id"),
    )


def read_inspections(
    path: str | Path | Table,
    *,
    venues: gpd.GeoDataFrame,
    teams: pd.DataFrame | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Read past inspections (巡查记录) from CSV/XLSX: venue_id, date, and team_id, outcome, notes.

    Returns
    -------
    DataFrame (index: row order) with venue_id, date, team_id, outcome (done · closed_door ·
    refused), notes.
    """
    file = _name(path)
    frame, unit = read_frame(_source(path))
    problems = Problems(file, unit)
    problems.require_columns(frame, ["venue_id", "date"])
    _known_venues(frame, venues, problems)
    outcomes = []
    for i in range(len(frame)):
        text = frame["outcome"].iat[i].strip() if "outcome" in frame else ""
        value = _OUTCOME_ALIASES.get(text, text.lower()) or "done"
        if value not in OUTCOMES:
            problems.add(i, "outcome",
                         _("outcome %(value)r should be done, closed_door or refused (已检查 · 关门 · 拒绝)",
                           value=text))
        outcomes.append(value)
        if teams is not None and "team_id" in frame:
            team = frame["team_id"].iat[i]
            if team and team not in teams.index:
                problems.add(i, "team_id", _("team_id %(value)r is not a team of the teams file", value=team))
    dates = _dates(frame, "date", problems, as_of=as_of, required=True)
    problems.raise_if_any()
    return pd.DataFrame(
        {
            "venue_id": frame["venue_id"].to_numpy(),
            "date": dates,
            "team_id": frame["team_id"].to_numpy() if "team_id" in frame else "",
            "outcome": outcomes,
            "notes": frame["notes"].to_numpy() if "notes" in frame else "",
        }
    )


def _known_venues(frame: pd.DataFrame, venues: pd.DataFrame, problems: Problems) -> None:
    for i, vid in frame["venue_id"].items():
        if vid == "":
            problems.add(i, "venue_id", _("%(field)s is empty", field="venue_id"))
        elif vid not in venues.index:
            problems.add(i, "venue_id", _("venue_id %(value)r is not a venue of the venues file(s)", value=vid))


