"""Small offline drawings for printed sheets: a route sketch map (SVG); the QR codes are in :mod:`webmap.qrcodes`.

No tile server is needed: the sketch draws the grids around the route, roads when given, the
route line and numbered stops, in a local equirectangular projection (fine at street scale).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import geopandas as gpd
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, box

from planner.tables import split_access

WIDTH, HEIGHT, PAD = 520, 300, 14
LEG_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd")  # one per tour (shift) of the day


def route_sketch_svg(
    legs: Sequence[Sequence[tuple[float, float]]],
    stops: Sequence[tuple[int, float, float]],
    office: tuple[float, float],
    *,
    grids: gpd.GeoDataFrame | None = None,
    roads: gpd.GeoDataFrame | None = None,
    title: str = "",
    access: Sequence[tuple[tuple[float, float], tuple[float, float]]] = (),
    access_label: str = "",
) -> str:
    """An SVG sketch of a team's day.

    Parameters
    ----------
    legs
        One lon/lat polyline per tour (per shift), office → stops → office.
    stops
        (number, lon, lat) of each stop, numbered as on the sheet.
    office
        The start point (lon, lat).
    grids, roads
        Optional WGS84 layers drawn underneath (clipped to the sketch's extent).
    access
        The access legs on real roads, (foot on the street, venue or start) pairs: the parts of
        ``legs`` that are one are drawn dashed, with ``access_label`` in a corner legend.
    """
    points = [office, *[(x, y) for _, x, y in stops], *[p for leg in legs for p in leg]]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    margin = max(maxx - minx, maxy - miny, 0.002) * 0.08
    minx, maxx, miny, maxy = minx - margin, maxx + margin, miny - margin, maxy + margin
    kx = math.cos(math.radians((miny + maxy) / 2))  # metres per degree of longitude shrink with latitude
    scale = min((WIDTH - 2 * PAD) / ((maxx - minx) * kx), (HEIGHT - 2 * PAD) / (maxy - miny))
    ox = (WIDTH - (maxx - minx) * kx * scale) / 2
    oy = (HEIGHT - (maxy - miny) * scale) / 2

    def xy(lon: float, lat: float) -> str:
        return f"{ox + (lon - minx) * kx * scale:.1f},{HEIGHT - oy - (lat - miny) * scale:.1f}"

    extent = box(minx, miny, maxx, maxy)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="sketch" role="img">',
             f"<title>{escape(title)}</title>",
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fbfbf8" stroke="#888"/>']
    if grids is not None:
        for geom, label in zip(grids.geometry, grids.get("grid_id", [""] * len(grids))):
            clipped = geom.intersection(extent)
            for poly in _parts(clipped, Polygon, MultiPolygon):
                ring = " ".join(xy(x, y) for x, y in poly.exterior.coords)
                parts.append(f'<polygon points="{ring}" fill="none" stroke="#7aa6c2" stroke-width="0.8"/>')
            if not clipped.is_empty:
                c = clipped.representative_point()
                parts.append(f'<text x="{xy(c.x, c.y).split(",")[0]}" y="{xy(c.x, c.y).split(",")[1]}" '
                             f'font-size="9" fill="#7aa6c2" text-anchor="middle">{escape(str(label))}</text>')
    if roads is not None:
        for geom in roads.geometry:
            for line in _parts(geom.intersection(extent), LineString, MultiLineString):
                parts.append(f'<polyline points="{" ".join(xy(x, y) for x, y in line.coords)}" fill="none" '
                             'stroke="#c9c3b5" stroke-width="1.2"/>')
    colours = LEG_COLOURS
    dashed = False
    for k, leg in enumerate(legs):
        on_road, off_road = split_access(list(leg), list(access))
        colour = colours[k % len(colours)]
        for part in on_road:
            parts.append(f'<polyline points="{" ".join(xy(x, y) for x, y in part)}" fill="none" '
                         f'stroke="{colour}" stroke-width="2" stroke-linejoin="round"/>')
        for part in off_road:
            dashed = True
            parts.append(f'<polyline class="access" points="{" ".join(xy(x, y) for x, y in part)}" fill="none" '
                         f'stroke="{colour}" stroke-width="1.6" stroke-dasharray="3 2.5"/>')
    if dashed and access_label:
        parts.append(f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{PAD + 22}" y2="{HEIGHT - PAD}" stroke="#333" '
                     'stroke-width="1.6" '
                     f'stroke-dasharray="3 2.5"/><text x="{PAD + 27}" y="{HEIGHT - PAD + 3}" font-size="9" fill="#333">'
                     f'{escape(access_label)}</text>')
    ox_, oy_ = xy(*office).split(",")
    parts.append(f'<rect x="{float(ox_) - 6}" y="{float(oy_) - 6}" width="12" height="12" fill="#111"/>')
    for number, lon, lat in stops:
        cx, cy = xy(lon, lat).split(",")
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="7" fill="#fff" stroke="#111" stroke-width="1.2"/>'
                     f'<text x="{cx}" y="{float(cy) + 3.2:.1f}" font-size="9" text-anchor="middle" '
                     f'font-weight="bold">{number}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _parts(geom, single: type, multi: type) -> list:
    """The pieces of ``geom`` of type ``single`` (a clipped geometry may come back as any kind)."""
    if geom.is_empty:
        return []
    if isinstance(geom, single):
        return [geom]
    if isinstance(geom, multi):
        return list(geom.geoms)
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, single)]
