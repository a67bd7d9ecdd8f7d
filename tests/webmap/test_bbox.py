"""GET /api/v1/venues?bbox=…: the venues in a box against a recomputation from the table, its errors, the spatial
index on each database (PostGIS's GiST where the database has it, a B-tree on lon, lat elsewhere) and the
migration that makes it."""

from __future__ import annotations

import math
import os
import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import missing
from web_helpers import api_token

SPATIAL = "s1p2a3t4i5a6"


@pytest.fixture(scope="module")
def token(app) -> str:
    return api_token(app, "viewer")


@pytest.fixture(scope="module")
def coords(app) -> list[tuple[str, float, float, bool]]:
    """Every stored venue: id, lon, lat, retired (read from the table, not through the API)."""
    from ledger.models import Venue, db

    with app.app_context():
        return [tuple(r) for r in db.session.execute(db.select(Venue.venue_id, Venue.lon, Venue.lat, Venue.retired))]


def _get(client, token: str, **args):
    return client.get("/api/v1/venues", query_string=args, headers={"Authorization": f"Bearer {token}"})


def _inside(coords, box, *, retired: bool = True) -> list[str]:
    return sorted(v for v, lon, lat, gone in coords
                  if box[0] <= lon <= box[2] and box[1] <= lat <= box[3] and (retired or not gone))


def _postgis(app) -> str | None:
    """The PostGIS schema of the app's database; in CI a PostgreSQL without PostGIS fails (.ci/services makes it)."""
    from ledger.spatial import postgis_schema

    with app.app_context():
        schema = postgis_schema()
        dialect = app.extensions["sqlalchemy"].engine.dialect.name
    if dialect == "postgresql" and schema is None and os.environ.get("CI"):
        missing("PostGIS")
    return schema


def _boxes(coords) -> list[tuple[float, float, float, float]]:
    """Boxes worth asking: a quarter of the venues' extent, edges exactly on a venue, edges a hair beside one (PostGIS's
    single-precision boxes would take it), a point, the whole world, and a box where there is nothing."""
    lons, lats = sorted(c[1] for c in coords), sorted(c[2] for c in coords)
    mid_lon, mid_lat = lons[len(lons) // 2], lats[len(lats) // 2]
    _, lon0, lat0, _ = coords[len(coords) // 3]
    hair = 1e-7
    return [(lons[0], lats[0], mid_lon, mid_lat), (mid_lon, mid_lat, lons[-1], lats[-1]),
            (lon0, lat0, lons[-1], lats[-1]), (lons[0], lats[0], lon0, lat0),
            (lon0 + hair, lat0 - 0.01, lon0 + 0.01, lat0 + 0.01), (lon0 - 0.01, lat0 - 0.01, lon0 - hair, lat0 + 0.01),
            (lon0, lat0, lon0, lat0), (-180, -90, 180, 90), (0, 0, 1, 1)]


def test_the_box_holds_the_venues_whose_lon_lat_lie_in_it(app, client, token, coords):
    for box in _boxes(coords):
        got = _get(client, token, bbox=",".join(map(repr, box)), include_retired="1", limit=10000)
        assert got.status_code == 200, box
        assert [v["venue_id"] for v in got.get_json()] == _inside(coords, box), box
    assert any(_inside(coords, b) for b in _boxes(coords)[:4]) and not _inside(coords, (0, 0, 1, 1))


def test_the_box_goes_with_the_other_filters_and_the_limit(app, client, token, coords):
    from ledger.models import Venue, db

    with app.app_context():
        category = db.session.scalar(db.select(Venue.category).group_by(Venue.category)
                                     .order_by(sa.func.count().desc()).limit(1))
        of_category = set(db.session.scalars(db.select(Venue.venue_id).where(Venue.category == category)))
    box = _boxes(coords)[0]
    inside = [v for v in _inside(coords, box, retired=False) if v in of_category]
    assert len(inside) > 2
    got = _get(client, token, bbox=",".join(map(str, box)), category=category, limit=2).get_json()
    assert [v["venue_id"] for v in got] == inside[:2]
    assert all(v["category"] == category and not v["retired"] for v in got)
    assert _get(client, token, bbox="", limit=5).status_code == 200  # empty: no box, as the other filters


def test_the_box_needs_a_token_or_a_session(client):
    assert client.get("/api/v1/venues?bbox=0,0,1,1").status_code == 401


FOUR = r"bbox '.*': should be four numbers minlon,minlat,maxlon,maxlat \(WGS84 degrees\)"
RANGE = r"bbox '.*': longitudes should lie within -180…180 and latitudes within -90…90"
ORDER = r"bbox '.*': a minimum is greater than its maximum \(a box across 180° is two requests\)"


@pytest.mark.parametrize(("value", "message"), [
    ("1,2,3", FOUR), ("1,2,3,4,5", FOUR), ("a,b,c,d", FOUR), ("1,2,,4", FOUR), ("nan,0,1,1", FOUR),
    ("0,0,inf,1", FOUR), ("1_0,0,20,1", FOUR), ("١,0,2,1", FOUR), ("0x1,0,2,1", FOUR), (",,,", FOUR),
    ("-181,0,1,1", RANGE), ("0,0,180.5,1", RANGE), ("0,-91,1,1", RANGE), ("0,0,1,90.0001", RANGE),
    ("0,0,1e309,1", RANGE), ("2,0,1,1", ORDER), ("0,2,1,1", ORDER), ("170,0,-170,1", ORDER),
])
def test_a_bad_box_is_a_400_naming_bbox(client, token, value, message):
    english = _get(client, token, bbox=value, lang="en")
    assert english.status_code == 400, value
    body = english.get_json()
    assert body["field"] == "bbox" and body["file"] == "request"
    assert re.search(message, body["message"]), body["message"]
    chinese = _get(client, token, bbox=value, lang="zh").get_json()
    assert chinese["field"] == "bbox" and re.search(r"[\u4e00-\u9fff]", chinese["message"]), chinese["message"]


def test_the_box_is_in_the_openapi_document(client):
    params = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/venues"]["get"]["parameters"]
    bbox = next(p for p in params if p["name"] == "bbox")
    assert bbox["in"] == "query" and bbox["schema"]["minItems"] == bbox["schema"]["maxItems"] == 4
    assert {"grid_id", "category", "include_retired", "limit"} <= {p["name"] for p in params}


_number = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.floats(-200, 200).map(lambda v: f"{v:.6f}"), st.integers(-200, 200).map(str),
                    st.text(alphabet="0123456789.-+eE naif_١", max_size=8))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bbox=st.one_of(st.lists(_number, min_size=0, max_size=6).map(",".join), st.text(max_size=30)))
def test_any_box_is_an_answer_or_a_400(app, client, token, coords, bbox):
    response = _get(client, token, bbox=bbox, include_retired="1", limit=10000)
    assert response.status_code in (200, 400), bbox
    body = response.get_json()
    if response.status_code == 400:
        assert body["field"] in ("bbox", "path"), body  # "path": a NUL character, refused before the view
        return
    if not bbox.strip():
        assert len(body) == len(coords)
        return
    box = [float(v) for v in bbox.split(",")]
    assert all(math.isfinite(v) for v in box) and box[0] <= box[2] and box[1] <= box[3]
    assert [v["venue_id"] for v in body] == _inside(coords, box)


def _statement_of_api_venues(app, box) -> tuple[str, dict]:
    """The SQL and parameters that ``ledger.queries.api_venues`` sends for ``box``."""
    from ledger import queries
    from ledger.models import db
    from ledger.spatial import Box

    sent = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "FROM venue" in statement:
            sent.append((statement, parameters))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", seen)
        try:
            queries.api_venues(bbox=Box(*box), limit=1000)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", seen)
    return sent[-1]


def test_the_box_is_answered_by_the_databases_spatial_index(app, coords):
    """With PostGIS: the GiST index of the generated point, alone; elsewhere: the lon/lat index, alone."""
    from ledger.models import db

    schema = _postgis(app)
    statement, parameters = _statement_of_api_venues(app, _boxes(coords)[0])
    with app.app_context(), db.engine.connect() as conn, conn.begin():
        if conn.dialect.name == "sqlite":
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
            names = set(conn.scalars(sa.text("SELECT name FROM sqlite_master WHERE tbl_name = 'venue'")))
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a small table: force the planner's hand
            plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))
            names = set(conn.scalars(sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'venue' "
                                             "AND schemaname = current_schema()")))
    if schema is not None:
        assert "&&" in statement and "ST_MakeEnvelope" in statement
        assert "ix_venue_geom" in plan, plan
        assert "ix_venue_geom" in names and "ix_venue_lon_lat" not in names  # one spatial index: the GiST
    else:
        assert "ix_venue_lon_lat" in names and "ix_venue_geom" not in names
        if conn.dialect.name == "sqlite":
            assert "ix_venue_lon_lat" in plan, plan


def test_the_box_follows_inserts_and_updates_of_lon_lat(app, client, token):
    from ledger.models import Venue, db

    schema = _postgis(app)
    row = {"venue_id": "VBOX1", "name": "框内", "category": "small_shop", "address": "", "grid_id": "G01",
           "lon": 100.5, "lat": 20.25, "open": "", "close": "", "phone": "", "retired": False}
    gis = f'"{schema}"'
    point = sa.text(f"SELECT {gis}.ST_X(geom), {gis}.ST_Y(geom), {gis}.ST_SRID(geom) FROM venue "
                    "WHERE venue_id = 'VBOX1'")
    with app.app_context():
        db.session.execute(sa.insert(Venue), [row])  # as the imports insert: Core executemany, no geom given
        db.session.commit()
        if schema is not None:  # the database keeps the point itself
            assert tuple(db.session.execute(point).one()) == (100.5, 20.25, 4326)
        else:
            assert "geom" not in {c["name"] for c in sa.inspect(db.engine).get_columns("venue")}
        venue = db.session.get(Venue, "VBOX1")
        venue.lon, venue.lat = 101.75, 21.5
        db.session.commit()
        if schema is not None:
            assert tuple(db.session.execute(point).one()) == (101.75, 21.5, 4326)
    assert [v["venue_id"] for v in _get(client, token, bbox="101.7,21.4,101.8,21.6").get_json()] == ["VBOX1"]
    assert _get(client, token, bbox="100.4,20.2,100.6,20.3").get_json() == []
    with app.app_context():
        db.session.execute(sa.delete(Venue).where(Venue.venue_id == "VBOX1"))
        db.session.commit()


def test_the_migration_goes_down_and_up_again(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import downgrade, upgrade

    from ledger.models import db
    from webmap.web import MIGRATIONS

    migrate = app.extensions["migrate"]
    with app.app_context():
        script = ScriptDirectory.from_config(migrate.migrate.get_config(str(MIGRATIONS)))
        assert len(script.get_heads()) == 1 and SPATIAL in {r.revision for r in script.walk_revisions()}
        assert script.get_revision(SPATIAL).down_revision == "r0a1d2s3l4n5"
        postgis = _postgis(app) is not None
        db.session.remove()  # no open transaction of ours holds the venue table against the DDL
        downgrade(directory=str(MIGRATIONS), revision="r0a1d2s3l4n5")
        assert "geom" not in _columns(db) and not {"ix_venue_lon_lat", "ix_venue_geom"} & _indexes(db)
        upgrade(directory=str(MIGRATIONS))
        assert ("geom" in _columns(db)) is postgis
        spatial = _indexes(db) & {"ix_venue_lon_lat", "ix_venue_geom"}
        assert spatial == ({"ix_venue_geom"} if postgis else {"ix_venue_lon_lat"})


def _columns(db) -> set[str]:
    """The venue table's columns (not by SQLAlchemy's reflection, which does not know PostGIS's geometry type)."""
    with db.engine.connect() as conn:
        return set(conn.execute(sa.text("SELECT * FROM venue LIMIT 0")).keys())


def _indexes(db) -> set[str]:
    with db.engine.connect() as conn:
        return {i["name"] for i in sa.inspect(conn).get_indexes("venue")}
