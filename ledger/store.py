"""Moving layers between files and the database, through the same readers and validation as the CLI.

An import is one transaction: the file is read and validated completely first (``gis.io``), and
only then are its rows written; any error leaves every table as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import mapping
from sqlalchemy import insert, select, update

from gis import Table, table_of
from gis.errors import InputError
from gis.i18n import gettext
from gis.io import read_grids, read_hazards, read_inspections, read_teams, read_venues
from gis.layers import Layers, RecordProblem, read_layers
from gis.roads import read_road_layer
from gis.rules import Rules, members_by_role
from gis.timeparse import format_hhmm, local_today

from .bulk import CHUNK_ROWS, write_in_chunks
from .lifecycle import IMPORTED, import_hazards
from .models import Grid, Hazard, Inspection, Person, Team, Venue, db
from .roads import replace_roads
from .transaction import transaction

#: The layers the planner reads (stored as rows the readers take back); KINDS adds what an import may bring.
LAYER_KINDS = ("grids", "venues", "teams", "hazards", "inspections")
KINDS = (*LAYER_KINDS, "roads")


def _hhmm(seconds: float) -> str:
    return format_hhmm(seconds % 86400) if seconds != 86400 else "24:00"


def _date(value) -> dt.date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    return pd.Timestamp(value).date()


#: The columns of each layer, in the order a file of it is written (``export_files``) and read.
_COLUMNS = {
    "grids": ["grid_id", "name", "community", "worker"],
    "venues": ["venue_id", "name", "category", "address", "grid_id", "lon", "lat", "open", "close", "last_inspected",
               "risk", "phone"],
    "teams": ["team_id", "name", "roles", "start_lon", "start_lat", "shift", "mode", "home_grids", "members",
              "start_name"],
    "hazards": ["hazard_id", "venue_id", "type", "found_on", "severity", "status", "deadline", "measure",
                "responsible_unit", "responsible_person", "standard", "description", "closed_on"],
    "inspections": ["venue_id", "date", "team_id", "outcome", "notes"],
}
_MODELS = {"grids": Grid, "venues": Venue, "teams": Team, "hazards": Hazard, "inspections": Inspection}


def stored_tables(kinds: Sequence[str] = LAYER_KINDS) -> dict[str, Table | None]:
    """The database's layers as the tables the readers take, named as their files would be; empty layers are ``None``.

    Cells are the text a file exported from these rows would hold, so the readers validate them
    exactly as they validate that file. Retired venues and teams (:mod:`ledger.retire`) are left
    out, with the hazards and inspections of retired venues. Only ``kinds`` are read (the others
    are ``None``).
    """
    retired = {m: set(db.session.scalars(db.select(m.venue_id if m is Venue else m.team_id).where(m.retired.is_(True))))
               for m in (Venue, Team)}
    tables: dict[str, Table | None] = dict.fromkeys(LAYER_KINDS)
    for kind in kinds:
        model, columns = _MODELS[kind], _COLUMNS[kind]
        q = db.select(*(getattr(model, c) for c in columns + (["geometry"] if kind == "grids" else [])))
        q = q.where(model.retired.is_(False)) if model in retired else q
        q = q.order_by(model.id) if kind == "inspections" else q.order_by(getattr(model, _KEYS[kind]))
        rows = db.session.execute(q).all()
        if kind in ("hazards", "inspections"):
            rows = _without_retired(rows, columns, retired)
        if not rows:
            continue
        if kind == "grids":
            cells = table_of("grids.geojson", columns, [r[:-1] for r in rows]).frame
            geometry = shapely.from_geojson([r[-1] for r in rows])
            tables[kind] = Table("grids.geojson",
                                 gpd.GeoDataFrame(cells, geometry=geometry, crs="EPSG:4326"), "feature")
        else:
            tables[kind] = table_of(f"{kind}.csv", columns, rows)
    return tables


def export_files(folder: Path) -> dict[str, Path | None]:
    """Write the database's layers as files the readers take (WGS84); empty layers are ``None``.

    The files hold the same cells as :func:`stored_tables`, retired venues and teams left out likewise.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path | None] = dict.fromkeys(LAYER_KINDS)
    for kind, table in stored_tables().items():
        if table is None:
            continue
        paths[kind] = folder / table.name
        if kind == "grids":
            table.frame.to_file(paths[kind], driver="GeoJSON", engine="pyogrio")
        else:
            table.frame.to_csv(paths[kind], index=False)
    return paths


def _without_retired(rows: Sequence[Sequence], columns: list[str], retired: dict[type, set[str]]) -> list[tuple]:
    """Hazards and inspections of venues still in use; an inspection by a retired team keeps its date, not the team."""
    venue, team = columns.index("venue_id"), columns.index("team_id") if "team_id" in columns else None
    kept = [tuple(r) for r in rows if r[venue] not in retired[Venue]]
    if team is None:
        return kept
    return [(*r[:team], "", *r[team + 1:]) if r[team] in retired[Team] else r for r in kept]


def layers_from_db(rules: Rules, *, as_of: dt.date | None = None) -> Layers:
    """The database's current layers, validated by the same readers as files, leniently.

    Data already stored never blocks a page or a plan: a stored record that breaks a rule of the
    readers (an inspection dated after ``as_of``, a hazard closed before it was found, a venue of a
    category the rules no longer know …) is left out of the computation, or used without the
    offending optional value, and listed in ``Layers.problems`` for the pages to show.

    Raises
    ------
    InputError
        Only when grids, venues or teams are missing altogether, or a whole layer is unusable.
    """
    tables = stored_tables()
    if tables["grids"] is None or tables["venues"] is None or tables["teams"] is None:
        msg = "grids, venues and teams must be imported before planning"
        raise InputError(msg, file="database")
    as_of = as_of or local_today()
    layers, problems = _repaired(tables, lambda: read_layers(
        grids=tables["grids"], venues=tables["venues"], teams=tables["teams"], hazards=tables["hazards"],
        inspections=tables["inspections"], rules=rules, as_of=as_of))
    return replace(layers, problems=tuple(problems))


T = TypeVar("T")


def _repaired(tables: dict[str, Table | None], read: Callable[[], T]) -> tuple[T, list[RecordProblem]]:
    """``read()`` the stored tables, setting aside every stored record a reader refuses, until it reads.

    ``read`` reads ``tables`` when it is called: each repair replaces a table there.
    """
    problems: list[RecordProblem] = []
    for _ in range(_MAX_REPAIRS):
        try:
            return read(), problems
        except InputError as err:
            problems += _set_aside(tables, err)
            last = err
    raise last  # still refused after every repair: the last error is the honest answer


_MAX_REPAIRS = 12  # each round repairs every row named in one table; a handful of tables → a handful of rounds
#: The id column of each layer (an inspection is shown in its venue's history).
_KEYS = {"grids": "grid_id", "venues": "venue_id", "teams": "team_id", "hazards": "hazard_id",
         "inspections": "venue_id"}
#: Fields a record can do without: a bad value is ignored and the record kept.
_OPTIONAL = {
    "venues": {"address", "grid_id", "open", "close", "last_inspected", "risk", "phone"},
    "teams": {"name", "shift", "mode", "home_grids", "members", "start_name"},
    "hazards": {"severity", "deadline", "closed_on", "measure", "responsible_unit", "responsible_person", "standard",
                "description"},
    "inspections": {"team_id", "outcome", "notes"},
}


def _set_aside(tables: dict[str, Table | None], err: InputError) -> list[RecordProblem]:
    """Repair the table ``err`` names: blank each bad optional value, drop each row with a bad required one.

    The rows left are numbered afresh, as the file written from them would be. Raises ``err`` again
    when it names no row (a whole layer is unusable): nothing can be set aside then.
    """
    kind = next((k for k, t in tables.items() if t is not None and t.name == err.file), None)
    found = [err, *err.more]
    if kind is None or kind == "grids" or any(e.row is None for e in found):
        raise err
    frame = tables[kind].frame.copy()
    drop: set[int] = set()
    out = []
    for e in found:
        i = e.row - 2
        keep = e.field in _OPTIONAL[kind] and e.field in frame.columns
        if keep:
            frame.iat[i, frame.columns.get_loc(e.field)] = ""
        else:
            drop.add(i)
        out.append(RecordProblem(kind, frame.iat[i, frame.columns.get_loc(_KEYS[kind])], e.field, e.problem,
                                 "ignored_field" if keep else "left_out"))
    frame = frame.drop(index=sorted(drop)).reset_index(drop=True)
    if frame.empty and kind in ("venues", "teams"):
        raise err
    tables[kind] = None if frame.empty else Table(tables[kind].name, frame)
    return out


#: The stored layers an import of each kind is checked against (venues are joined to the stored grids).
_CHECKED_AGAINST = {"grids": (), "roads": (), "venues": ("grids",), "teams": ("grids",), "hazards": ("grids", "venues"),
                    "inspections": ("grids", "venues", "teams")}


def _current(rules: Rules, as_of: dt.date, kind: str) -> dict[str, object]:
    """The layers already in the database that an import of ``kind`` is checked against (ids, grids); others None."""
    tables = stored_tables(_CHECKED_AGAINST[kind])

    def read() -> dict[str, object]:
        grids = read_grids(tables["grids"]) if tables["grids"] else None
        venues = read_venues(tables["venues"], rules=rules, grids=grids, as_of=as_of) if tables["venues"] else None
        teams = read_teams(tables["teams"], grids=grids) if tables["teams"] else None
        return {"grids": grids, "venues": venues, "teams": teams}

    return _repaired(tables, read)[0]


SHAPEFILE_PARTS = frozenset({".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml"})


def _main_files(paths: Sequence[Path]) -> list[Path]:
    """The files to read: a shapefile's side files (.dbf, .shx, .prj …) go with their .shp, not on their own."""
    shapes = {p.with_suffix("").name for p in paths if p.suffix.lower() == ".shp"}
    return [p for p in paths if not (p.suffix.lower() in SHAPEFILE_PARTS and p.with_suffix("").name in shapes)]


@dataclass(frozen=True)
class Imported:
    """What an import did: how many of the file's rows were new, changed something, or were already so."""

    kind: str
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def rows(self) -> int:
        return self.new + self.changed + self.unchanged

    def __str__(self) -> str:
        return (f"{self.kind}: {self.rows}（新增 {self.new} · 更新 {self.changed} · 未变 {self.unchanged}; "
                f"new {self.new}, changed {self.changed}, unchanged {self.unchanged}）")

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "rows": self.rows, "new": self.new, "changed": self.changed,
                "unchanged": self.unchanged}


def import_layer(kind: str, paths: Sequence[Path], rules: Rules, *, as_of: dt.date | None = None,
                 crs: str | None = None, user: str = "import", progress: Progress | None = None) -> Imported:
    """Validate ``paths`` as a ``kind`` layer and upsert its rows by their natural key in one transaction.

    Rows are matched by their id (grids, venues, teams, hazards) or, for inspections, by venue, date
    and team: a file imported twice changes the database once. Grids, venues and teams are written
    in bulk (one statement per :data:`CHUNK_ROWS` rows). Hazards go through
    :func:`ledger.lifecycle.import_hazards`: each new or changed hazard gets an event by ``user``,
    and a known hazard's status is never changed by a file. Roads have no id: the road layer is
    replaced as a whole (:func:`ledger.roads.replace_roads`). ``progress(share, message)`` is told
    when the file is read and after each chunk written.

    Raises
    ------
    InputError
        Naming the file, row and field; the database is left unchanged.
    """
    if kind not in KINDS:
        msg = f"kind {kind!r} should be one of {', '.join(KINDS)}"
        raise InputError(msg, file="import", field="kind")
    say = progress or (lambda _share, _message: None)
    as_of = as_of or dt.date.today()
    paths = _main_files(paths)
    if kind != "venues" and len(paths) > 1:
        msg = gettext("file: one %(kind)s file at a time, not %(n)d (%(files)s)", kind=kind, n=len(paths),
                      files=", ".join(p.name for p in paths))
        raise InputError(msg, file=paths[0].name, field="file")
    say(0.0, gettext("reading and checking %(files)s", files=", ".join(p.name for p in paths)))
    have = _current(rules, as_of, kind)
    if kind in ("hazards", "inspections") and have["venues"] is None:
        msg = gettext("venues must be imported before hazards and inspections")
        raise InputError(msg, file=paths[0].name)
    with transaction():
        if kind == "roads":
            frame = read_road_layer(paths[0], crs=crs)
            say(READ_SHARE, _rows_read(len(frame)))
            new, unchanged = replace_roads(frame, progress=say, start=READ_SHARE)
            return Imported(kind, new=new, unchanged=unchanged)
        if kind == "grids":
            frame = read_grids(paths[0], crs=crs)
            say(READ_SHARE, _rows_read(len(frame)))
            return _upsert(kind, Grid, "grid_id", [
                {"grid_id": gid, "name": str(r.get("name", "") or ""), "community": str(r.get("community", "") or ""),
                 "worker": str(r.get("worker", "") or ""), "geometry": json.dumps(mapping(r.geometry))}
                for gid, r in frame.iterrows()], progress=say)
        if kind == "venues":
            frame = read_venues(list(paths), rules=rules, grids=have["grids"], crs=crs, as_of=as_of)
            say(READ_SHARE, _rows_read(len(frame)))
            return _upsert(kind, Venue, "venue_id", _venue_rows(frame), keep_latest="last_inspected", progress=say)
        if kind == "teams":
            frame = read_teams(paths[0], grids=have["grids"], crs=crs)
            say(READ_SHARE, _rows_read(len(frame)))
            return _upsert(kind, Team, "team_id", [
                {"team_id": tid, "name": r["name"], "roles": ";".join(sorted(r["roles"])), "start_lon": r.geometry.x,
                 "start_lat": r.geometry.y, "shift": ",".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in r["shifts"]),
                 "mode": r["mode"], "home_grids": ";".join(r["home_grids"]), "members": str(r["members"] or ""),
                 "start_name": str(r["start_name"] or "")}
                for tid, r in frame.iterrows()], on_change=_replace_people, progress=say)
        if kind == "hazards":
            frame = read_hazards(paths[0], venues=have["venues"], rules=rules, as_of=as_of)
            say(READ_SHARE, _rows_read(len(frame)))
            counts = import_hazards([(hid, k, _hazard_values(r)) for k, (hid,
                                                                         r) in enumerate(frame.iterrows(), start=2)],
                                    file=paths[0].name, user=user)
            return Imported(kind, **counts)
        frame = read_inspections(paths[0], venues=have["venues"], teams=have["teams"], as_of=as_of)
        say(READ_SHARE, _rows_read(len(frame)))
        return _upsert_inspections([
            {"venue_id": r["venue_id"], "date": _date(r["date"]), "team_id": str(r.get("team_id", "") or ""),
             "outcome": r["outcome"], "notes": str(r.get("notes", "") or "")} for _, r in frame.iterrows()])


Progress = Callable[[float, str], None]
#: The share of an import's progress that reading and checking the file takes.
READ_SHARE = 0.4


def _rows_read(n: int) -> str:
    return gettext("%(rows)d rows checked, writing", rows=n)


def _text(column: pd.Series) -> list[str]:
    return [str(v) if isinstance(v, str) or not pd.isna(v) else "" for v in column]


def _venue_rows(frame: gpd.GeoDataFrame) -> list[dict]:
    """The rows of ``read_venues`` as the values of Venue rows, column by column."""
    n = len(frame)
    risk = frame["risk"] if "risk" in frame else pd.Series([None] * n, index=frame.index)
    last = frame["last_inspected"] if "last_inspected" in frame else [None] * n
    columns = {
        "venue_id": [str(v) for v in frame.index], "name": frame["name"].tolist(),
        "category": frame["category"].tolist(),
        "address": _text(frame["address"]) if "address" in frame else [""] * n,
        "grid_id": frame["grid_id"].tolist(),
        "lon": [round(float(x), 7) for x in frame.geometry.x], "lat": [round(float(y), 7) for y in frame.geometry.y],
        "open": [_hhmm(s) for s in frame["open_s"]], "close": [_hhmm(s) for s in frame["close_s"]],
        "last_inspected": [_date(d) for d in last],
        "risk": [None if pd.isna(r) else float(r) for r in risk],
        "phone": _text(frame["phone"]) if "phone" in frame else [""] * n,
    }
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def _upsert(kind: str, model: type[db.Model], key: str, rows: list[dict], *,
            on_change: Callable[[dict], None] | None = None, keep_latest: str | None = None,
            progress: Progress | None = None) -> Imported:
    """Add the rows whose ``key`` is new, update those that differ, leave the others; count each kind.

    The stored rows are compared as plain values and written in bulk through the session (so the
    layers' data version moves with them): the new ones as one Core INSERT (executemany) and the
    changed ones as one ORM UPDATE by primary key per :data:`CHUNK_ROWS` rows. ``keep_latest``
    names a date column that a file never moves back (a venue's last inspection recorded in the
    app since the file was made). ``on_change`` is called with the values of each new or changed
    row once they are written.
    """
    table = model.__table__
    fields = list(rows[0]) if rows else []
    known: dict[str, dict] = {}
    keys = [r[key] for r in rows]
    for i in range(0, len(keys), CHUNK_ROWS):
        q = select(*(table.c[f] for f in fields)).where(table.c[key].in_(keys[i:i + CHUNK_ROWS]))
        known.update({r[key]: r for r in (row._asdict() for row in db.session.execute(q))})
    new, changed = [], []
    for values in rows:
        row = known.get(values[key])
        if row is None:
            new.append(values)
            known[values[key]] = values  # a key twice in the file: its second row updates the first
            continue
        if keep_latest and row[keep_latest] is not None:
            values = {**values, keep_latest: max(d for d in (row[keep_latest], values[keep_latest]) if d is not None)}
        if values != row:
            changed.append(values)
            row.update(values)
    write_in_chunks([(insert(table), new), (update(model), changed)], progress=progress, start=READ_SHARE)
    if on_change is not None:
        for values in (*new, *changed):
            on_change(values)
    return Imported(kind, len(new), len(changed), len(rows) - len(new) - len(changed))


def _replace_people(team: dict) -> None:
    """A new or changed team's members become its people again, one Person each."""
    db.session.execute(db.delete(Person).where(Person.team_id == team["team_id"]))
    db.session.add_all(_people(team["team_id"], team["members"]))


def _upsert_inspections(rows: list[dict]) -> Imported:
    """Inspections matched by venue, date and team: a known one takes the file's outcome and notes."""
    venues = {r["venue_id"] for r in rows}
    known: dict[tuple, Inspection] = {}
    for row in db.session.scalars(db.select(Inspection).where(Inspection.venue_id.in_(venues)).order_by(Inspection.id)):
        known.setdefault((row.venue_id, row.date, row.team_id), row)
    new = changed = 0
    for values in rows:
        key = (values["venue_id"], values["date"], values["team_id"])
        row = known.get(key)
        if row is None:
            known[key] = Inspection(**values, recorded_by="import")
            db.session.add(known[key])
            new += 1
        elif (row.outcome, row.notes) != (values["outcome"], values["notes"]):
            row.outcome, row.notes = values["outcome"], values["notes"]
            changed += 1
    return Imported("inspections", new, changed, len(rows) - new - changed)


def _hazard_values(r: pd.Series) -> dict[str, object]:
    """One row of ``read_hazards`` as the values of a Hazard.

    A closed one without 销号日期 keeps its deadline, as before.
    """
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
    counts = {"grids": import_layer("grids", [demo_dir / "grids.geojson"], rules, as_of=as_of).rows}
    counts["venues"] = import_layer("venues", [demo_dir / "venues.csv", demo_dir / "venues_amap.csv"], rules,
                                    as_of=as_of).rows
    for kind in ("teams", "hazards", "inspections"):
        counts[kind] = import_layer(kind, [demo_dir / f"{kind}.csv"], rules, as_of=as_of).rows
    return counts
