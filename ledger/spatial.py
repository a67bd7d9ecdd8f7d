"""Venues in a bounding box, by the database's spatial index: PostGIS's GiST where there is one, else a B-tree.

Migration ``s1p2a3t4i5a6`` gives each database one index for the question "which venues lie in this box":

- PostgreSQL with the PostGIS extension: ``venue.geom``, a ``geometry(Point, 4326)`` column that the
  database computes from ``lon`` and ``lat`` itself (``GENERATED ALWAYS … STORED``) with a GiST index.
  Every insert and update (imports' Core ``executemany`` included) keeps it without our code knowing it;
  the ORM does not map it, so no GeoAlchemy2 is needed: the one query that reads it is built here.
- SQLite, and PostgreSQL without PostGIS: a B-tree on ``(lon, lat)``.

Both answer the same closed box: ``minlon <= lon <= maxlon`` and ``minlat <= lat <= maxlat``. PostGIS's
``&&`` compares single-precision boxes (a point a metre outside may match), so on that path the plain
columns are compared too; they have no index there, so the planner's only index is the GiST.
"""

from __future__ import annotations

import weakref
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .models import Venue, db

_POSTGIS_OF: weakref.WeakKeyDictionary[Engine, str | None] = weakref.WeakKeyDictionary()

# the schema of the PostGIS extension, when the venue table of the current schema has its geometry column
_POSTGIS_SCHEMA = sa.text("""
    SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'postgis' AND EXISTS (
        SELECT 1 FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'venue' AND column_name = 'geom')
""")


class Box(NamedTuple):
    """A WGS84 bounding box, in degrees, west ≤ east and south ≤ north (the box does not cross 180°)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


def postgis_schema() -> str | None:
    """The schema of PostGIS's functions when ``venue.geom`` is there (PostgreSQL with PostGIS), else ``None``.

    Asked once per engine: the schema changes only with a migration, and migrations run before the first request.
    """
    engine = db.engine
    if engine not in _POSTGIS_OF:
        schema = None
        if engine.dialect.name == "postgresql":
            schema = db.session.execute(_POSTGIS_SCHEMA).scalar()
        _POSTGIS_OF[engine] = schema
    return _POSTGIS_OF[engine]


def venue_in_box(box: Box) -> sa.ColumnElement[bool]:
    """The condition "the venue lies in ``box``" (edges included), for a ``select`` of :class:`Venue`."""
    exact = sa.and_(Venue.lon.between(box.min_lon, box.max_lon), Venue.lat.between(box.min_lat, box.max_lat))
    schema = postgis_schema()
    if schema is None:
        return exact  # the (lon, lat) B-tree
    gis = db.engine.dialect.identifier_preparer.quote_schema(schema)  # not in every search_path (the tests' isn't)
    envelope = sa.text(f"venue.geom OPERATOR({gis}.&&) {gis}.ST_MakeEnvelope(:min_lon, :min_lat, :max_lon, :max_lat,"
                       " 4326)").bindparams(**box._asdict())
    return sa.and_(envelope, exact)  # the GiST finds the candidates, the columns decide the edges exactly
