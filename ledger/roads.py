"""The road layer (道路) in the database: replaced as a whole by an import, read back near a day's stops.

The web app keeps the roads for the phone's route map (the lines drawn beneath the route, offline too).
An import writes the whole layer in the import's one transaction: the rows of the last import go, the
file's come, so a road deleted from the file is gone from the map.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Sequence

import geopandas as gpd
import numpy as np
import shapely
from sqlalchemy import delete, insert

from .bulk import write_in_chunks
from .models import Road, db

#: What the phone gets around the day's stops: metres beyond their box, the lines' simplification, the size cap.
MARGIN_M = 300.0
TOLERANCE_M = 3.0
MAX_SEGMENTS = 3000
_M_PER_DEG_LAT = 111_195.0
#: Road classes, most important first: when the roads near a day are more than the cap, these are kept first.
_CLASS_ORDER = ("motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
                "living_street", "pedestrian", "service", "track", "cycleway", "footway", "path", "steps")


def replace_roads(roads: gpd.GeoDataFrame, *, progress: Callable[[float, str], None] | None = None,
                  start: float = 0.0) -> tuple[int, int]:
    """Replace the stored road layer with ``roads`` (WGS84 lines from :func:`gis.roads.read_road_layer`).

    Runs inside the caller's transaction. A road is "unchanged" when the stored layer had a road with the
    same line, name, class and level, else "new"; the stored roads not in ``roads`` are deleted with the
    rest. Names longer than the column (200 characters) are cut there.

    Returns
    -------
    (new, unchanged)
        How many of the file's roads the stored layer did not have, and how many it had.
    """
    known = Counter(db.session.execute(db.select(Road.geometry, Road.name, Road.highway, Road.level)).all())
    bounds = roads.geometry.bounds.to_numpy()
    rows = [{"name": str(name)[:200], "highway": str(highway)[:64], "level": int(level),
             "min_lon": float(b[0]), "min_lat": float(b[1]), "max_lon": float(b[2]), "max_lat": float(b[3]),
             "geometry": shapely.to_geojson(geom, indent=None)}
            for name, highway, level, geom, b in zip(roads["name"], roads["highway"], roads["level"],
                                                     roads.geometry, bounds)]
    unchanged = 0
    for r in rows:
        key = (r["geometry"], r["name"], r["highway"], r["level"])
        if known[key] > 0:
            known[key] -= 1
            unchanged += 1
    db.session.execute(delete(Road))
    write_in_chunks([(insert(Road), rows)], progress=progress, start=start)
    return len(rows) - unchanged, unchanged


def stored_roads() -> gpd.GeoDataFrame | None:
    """The stored road layer as the lines :class:`gis.roads.RoadNetwork` is built from (WGS84); None when empty."""
    rows = db.session.execute(db.select(Road.name, Road.highway, Road.level, Road.geometry).order_by(Road.id)).all()
    if not rows:
        return None
    return gpd.GeoDataFrame({"name": [r.name for r in rows], "highway": [r.highway for r in rows],
                             "level": [r.level for r in rows]},
                            geometry=shapely.from_geojson([r.geometry for r in rows]), crs="EPSG:4326")


def roads_near(points: Sequence[tuple[float, float]], *, margin_m: float = MARGIN_M,
               tolerance_m: float = TOLERANCE_M, max_segments: int = MAX_SEGMENTS) -> dict:
    """The stored roads around ``points`` (lon, lat) as a GeoJSON FeatureCollection for the phone.

    The lines are clipped to the points' bounding box widened by ``margin_m``, simplified to ``tolerance_m``
    and rounded to 5 decimals (about a metre). When they hold more than ``max_segments`` segments, the
    more important classes (:data:`_CLASS_ORDER`), then the longer roads, are kept until the next one
    would pass the cap, and ``cut`` says so. Besides ``features`` (properties ``name``, ``highway``):
    ``bbox`` (the box clipped to), ``segments`` (those sent), ``segments_near`` (before the cap) and ``cut``.
    """
    empty = {"type": "FeatureCollection", "features": [], "bbox": None, "segments": 0, "segments_near": 0,
             "cut": False}
    if not points:
        return empty
    lon, lat = np.asarray(points, dtype=float).T
    dlat = margin_m / _M_PER_DEG_LAT
    dlon = margin_m / (_M_PER_DEG_LAT * max(math.cos(math.radians(float(np.abs(lat).max()))), 0.01))
    box = [float(lon.min() - dlon), float(lat.min() - dlat), float(lon.max() + dlon), float(lat.max() + dlat)]
    q = db.select(Road.id, Road.name, Road.highway, Road.geometry).where(
        Road.min_lon <= box[2], Road.max_lon >= box[0], Road.min_lat <= box[3], Road.max_lat >= box[1])
    found = db.session.execute(q.order_by(Road.id)).all()
    if not found:
        return {**empty, "bbox": [round(v, 5) for v in box]}
    lines = shapely.clip_by_rect(shapely.from_geojson([r.geometry for r in found]), *box)
    lines = shapely.simplify(lines, tolerance_m / _M_PER_DEG_LAT, preserve_topology=False)
    lines = shapely.set_precision(lines, 1e-5)
    kept = [(r, g) for r, g in zip(found, lines) if not g.is_empty and g.geom_type in ("LineString",
                                                                                      "MultiLineString")]
    sizes = [int(shapely.get_num_coordinates(g)) - len(shapely.get_parts(g)) for _, g in kept]
    rank = {c: k for k, c in enumerate(_CLASS_ORDER)}
    order = sorted(range(len(kept)), key=lambda k: (rank.get(kept[k][0].highway, len(rank)), -kept[k][1].length, k))
    features, total = [], 0
    for k in order:
        if total + sizes[k] > max_segments:
            break  # strictly by importance: no lesser road in place of one left out
        total += sizes[k]
        road, geom = kept[k]
        features.append((road.id, {"type": "Feature", "id": road.id,
                                   "properties": {"name": road.name, "highway": road.highway},
                                   "geometry": json.loads(shapely.to_geojson(geom))}))
    features.sort(key=lambda f: f[0])  # the stored order: the same day gives the same data
    return {"type": "FeatureCollection", "features": [f for _, f in features], "bbox": [round(v, 5) for v in box],
            "segments": total, "segments_near": sum(sizes), "cut": total < sum(sizes)}
