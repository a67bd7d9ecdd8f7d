"""Moving layers between files and the database, through the same readers and validation as the CLI.

An import is one transaction: the file is read and validated completely first (``gis.io``), and
only then are its rows written; any error leaves every table as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import mapping, shape

from gis.errors import InputError
from gis.io import read_grids, read_hazards, read_inspections, read_teams, read_venues
from gis.layers import Layers, read_layers
from gis.rules import Rules, members_by_role
from gis.timeparse import format_hhmm

from .lifecycle import IMPORTED, import_hazards
from .models import Grid, Hazard, Inspection, Person, Team, Venue, db

KINDS = ("grids", "venues", "teams", "hazards", "inspections")


def _hhmm(seconds: float) -> str:
    return format_hhmm(seconds % 86400) if seconds != 86400 else "24:00"


def _date(value) -> dt.date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    return pd.Timestamp(value).date()


def export_files(folder: Path) -> dict[str, Path | None]:
    """Write the database's layers as files the readers take (WGS84); empty layers are ``None``.

    Retired venues and teams (:mod:`ledger.retire`) are left out, with the hazards and inspections of retired venues.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path | None] = dict.fromkeys(KINDS)
    grids = db.session.scalars(db.select(Grid)).all()
    if grids:
        frame = gpd.GeoDataFrame(
            {"grid_id": [g.grid_id for g in grids], "name": [g.name for g in grids],
             "community": [g.community for g in grids], "worker": [g.worker for g in grids]},
            geometry=[shape(json.loads(g.geometry)) for g in grids], crs="EPSG:4326")
        paths["grids"] = folder / "grids.geojson"
        frame.to_file(paths["grids"], driver="GeoJSON", engine="pyogrio")
    tables = {
        "venues": (Venue, ["venue_id", "name", "category", "address", "grid_id", "lon", "lat", "open", "close",
                           "last_inspected", "risk", "phone"]),
        "teams": (Team, ["team_id", "name", "roles", "start_lon", "start_lat", "shift", "mode", "home_grids", "members", "start_name"]),
        "hazards": (Hazard, ["hazard_id", "venue_id", "type", "found_on", "severity", "status", "deadline", "measure",
                             "responsible_unit", "responsible_person", "standard", "description", "closed_on"]),
        "inspections": (Inspection, ["venue_id", "date", "team_id", "outcome", "notes"]),
    }
    retired = {m: set(db.session.scalars(db.select(m.venue_id if m is Venue else m.team_id).where(m.retired.is_(True))))
               for m in (Venue, Team)}
    for kind, (model, columns) in tables.items():
        q = db.select(model).where(model.retired.is_(False)) if model in retired else db.select(model)
        records = [{c: getattr(r, c) for c in columns} for r in db.session.scalars(q)]
        records = _without_retired(records, retired) if model in (Hazard, Inspection) else records
        if records:
            paths[kind] = folder / f"{kind}.csv"
            pd.DataFrame(records, columns=columns).to_csv(paths[kind], index=False)
    return paths


def _without_retired(records: list[dict], retired: dict[type, set[str]]) -> list[dict]:
    """Hazards and inspections of venues still in use; an inspection by a retired team keeps its date, not the team."""
    kept = [r for r in records if r["venue_id"] not in retired[Venue]]
    return [{**r, "team_id": ""} if r.get("team_id") in retired[Team] else r for r in kept]


def layers_from_db(rules: Rules, *, as_of: dt.date | None = None) -> Layers:
    """The database's current layers, validated by the same readers as files."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = export_files(Path(tmp))
        if paths["grids"] is None or paths["venues"] is None or paths["teams"] is None:
            msg = "grids, venues and teams must be imported before planning"
            raise InputError(msg, file="database")
        return read_layers(grids=paths["grids"], venues=paths["venues"], teams=paths["teams"], hazards=paths["hazards"],
                           inspections=paths["inspections"], rules=rules, as_of=as_of or dt.date.today())


def _current(rules: Rules, as_of: dt.date) -> dict[str, object]:
    """The layers already in the database that an import is checked against (ids, grids)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = export_files(Path(tmp))
        grids = read_grids(paths["grids"]) if paths["grids"] else None
        venues = read_venues(paths["venues"], rules=rules, grids=grids, as_of=as_of) if paths["venues"] else None
        teams = read_teams(paths["teams"], grids=grids) if paths["teams"] else None
    return {"grids": grids, "venues": venues, "teams": teams}


SHAPEFILE_PARTS = frozenset({".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml"})


def _main_files(paths: Sequence[Path]) -> list[Path]:
    """The files to read: a shapefile's side files (.dbf, .shx, .prj …) go with their .shp, not on their own."""
    shapes = {p.with_suffix("").name for p in paths if p.suffix.lower() == ".shp"}
    return [p for p in paths if not (p.suffix.lower() in SHAPEFILE_PARTS and p.with_suffix("").name in shapes)]


def import_layer(kind: str, paths: Sequence[Path], rules: Rules, *, as_of: dt.date | None = None, crs: str | None = None,
                 user: str = "import") -> int:
    """Validate ``paths`` as a ``kind`` layer and upsert its rows in one transaction; return the row count.

    Hazards go through :func:`ledger.lifecycle.import_hazards`: each new or changed hazard gets an
    event by ``user``, and a known hazard's status is never changed by a file.

    Raises
    ------
    InputError
        Naming the file, row and field; the database is left unchanged.
    """
    if kind not in KINDS:
        msg = f"kind {kind!r} should be one of {', '.join(KINDS)}"
        raise InputError(msg, file="import", field="kind")
    as_of = as_of or dt.date.today()
    paths = _main_files(paths)
    if kind != "venues" and len(paths) > 1:
        msg = f"file: one {kind} file at a time, not {len(paths)} ({', '.join(p.name for p in paths)})"
        raise InputError(msg, file=paths[0].name, field="file")
    have = _current(rules, as_of)
    rows: list[db.Model]
    if kind == "grids":
        frame = read_grids(paths[0], crs=crs)
        rows = [Grid(grid_id=gid, name=str(r.get("name", "") or ""), community=str(r.get("community", "") or ""),
                     worker=str(r.get("worker", "") or ""), geometry=json.dumps(mapping(r.geometry)))
                for gid, r in frame.iterrows()]
    elif kind == "venues":
        frame = read_venues(list(paths), rules=rules, grids=have["grids"], crs=crs, as_of=as_of)
        rows = [Venue(venue_id=vid, name=r["name"], category=r["category"], address=str(r.get("address", "") or ""),
                      grid_id=r["grid_id"], lon=round(r.geometry.x, 7), lat=round(r.geometry.y, 7),
                      open=_hhmm(r["open_s"]), close=_hhmm(r["close_s"]), last_inspected=_date(r.get("last_inspected")),
                      risk=None if pd.isna(r.get("risk")) else float(r["risk"]), phone=str(r.get("phone", "") or ""))
                for vid, r in frame.iterrows()]
    elif kind == "teams":
        frame = read_teams(paths[0], grids=have["grids"], crs=crs)
        rows = []
        for tid, r in frame.iterrows():
            rows.append(Team(team_id=tid, name=r["name"], roles=";".join(sorted(r["roles"])), start_lon=r.geometry.x,
                             start_lat=r.geometry.y, shift=",".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in r["shifts"]),
                             mode=r["mode"], home_grids=";".join(r["home_grids"]), members=str(r["members"] or ""),
                             start_name=str(r["start_name"] or "")))
            rows += _people(tid, str(r["members"] or ""))
    else:
        if have["venues"] is None:
            msg = "venues must be imported before hazards and inspections"
            raise InputError(msg, file=paths[0].name)
        if kind == "hazards":
            frame = read_hazards(paths[0], venues=have["venues"], rules=rules, as_of=as_of)
            try:
                import_hazards([(hid, k, _hazard_values(r)) for k, (hid, r) in enumerate(frame.iterrows(), start=2)],
                               file=paths[0].name, user=user)
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
            return len(frame)
        else:
            frame = read_inspections(paths[0], venues=have["venues"], teams=have["teams"], as_of=as_of)
            rows = [Inspection(venue_id=r["venue_id"], date=_date(r["date"]), team_id=str(r.get("team_id", "") or ""),
                               outcome=r["outcome"], notes=str(r.get("notes", "") or ""), recorded_by="import")
                    for _, r in frame.iterrows()]
    try:
        if kind == "teams":
            db.session.execute(db.delete(Person).where(Person.team_id.in_([r.team_id for r in rows if isinstance(r, Team)])))
        for row in rows:
            db.session.merge(row) if kind != "inspections" else db.session.add(row)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(frame)


def _hazard_values(r: pd.Series) -> dict[str, object]:
    """One row of ``read_hazards`` as the values of a Hazard (a closed one without 销号日期: its deadline, as before)."""
    values = {k: _date(r[k]) if k in ("found_on", "deadline", "closed_on") else (r[k] or "") for k in IMPORTED}
    values["status"] = r["status"]
    if values["status"] == "closed" and values["closed_on"] is None:
        values["closed_on"] = values["deadline"]
    return values


def _people(team_id: str, members: str) -> list[Person]:
    """Members written as "网格员 张三、物业 李四" become one Person each, with their role."""
    return [Person(team_id=team_id, role=role, name=name) for role, name in members_by_role(members)]


def load_demo(demo_dir: Path, rules: Rules, *, as_of: dt.date) -> dict[str, int]:
    """Import the embedded demo street (first start on an empty database)."""
    counts = {"grids": import_layer("grids", [demo_dir / "grids.geojson"], rules, as_of=as_of)}
    counts["venues"] = import_layer("venues", [demo_dir / "venues.csv", demo_dir / "venues_amap.csv"], rules, as_of=as_of)
    for kind in ("teams", "hazards", "inspections"):
        counts[kind] = import_layer(kind, [demo_dir / f"{kind}.csv"], rules, as_of=as_of)
    return counts
