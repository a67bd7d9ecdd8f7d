"""Real roads: a street network and shortest-path distances between venues on it.

The network comes from lines (GeoJSON/GPKG/SHP) or an OSM XML/PBF extract.

Lines are joined where they cross or one ends on another (within 0.5 m), except across levels: a bridge or tunnel
(OSM ``layer``, ``bridge``, ``tunnel``; a ``layer`` column in line files) meets the ways it crosses only where it
shares a vertex with them, as OSM ways share a node. Vertices become graph nodes (merged within
0.5 m), consecutive vertices become edges with their length in metres.

Points (venues, each team's start) are joined to the roads at their *foot*: the nearest point of
the nearest street, which splits that street. Teams' starts use the main pieces of the network
(clipped extracts leave many small pieces along their edge), venues the pieces the starts are on.
The straight walk from a point to its foot (the access leg) is walked at the mode's speed, times the
detour factor; a point farther than ``max_access_m`` from every such street is unreachable.
Distances come from ``scipy.sparse.csgraph.dijkstra``.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from shapely.geometry import LineString

from ._table import GIS_SUFFIXES, Problems, read_frame
from .crs import transform_geoseries_to_wgs84
from .errors import InputError
from .i18n import gettext as _
from .io import _resolve_crs_arg

OSM_SUFFIXES = (".osm", ".pbf")
_NOT_WALKABLE = frozenset({"motorway", "motorway_link", "construction", "proposed", "planned", "abandoned",
                           "razed", "platform", "raceway", "bus_guideway", "busway", "escape", "no"})
#: A piece of network holding at least this share of the road length is one a team may set out on.
MAIN_PIECE_SHARE = 0.05
_MERGE_CELLS_PER_M = 2  # vertices closer than 0.5 m are one node


def read_roads(path: str | Path) -> gpd.GeoDataFrame:
    """Road centre lines in WGS84, with each line's ``level``.

    From GeoJSON/GPKG/SHP lines or an OSM extract (GDAL's OSM driver, offline); ``level`` is 0 on the ground, above for
    bridges, below for tunnels.
    """
    path = Path(path)
    if not path.exists():
        msg = _("file not found")
        raise InputError(msg, file=path.name)
    try:
        if path.suffix.lower() in OSM_SUFFIXES:
            roads = _walkable(gpd.GeoDataFrame(pyogrio.read_dataframe(path, layer="lines")))
        else:
            roads = gpd.read_file(path, engine="pyogrio")
    except pyogrio.errors.DataSourceError as err:
        msg = _("not a readable road layer: %(error)s", error=err)
        raise InputError(msg, file=path.name) from err
    if roads.crs is None:
        roads = roads.set_crs("EPSG:4326")
    roads = roads.to_crs("EPSG:4326")
    lines = roads[roads.geometry.geom_type.isin(["LineString", "MultiLineString"]) & ~roads.geometry.is_empty]
    if lines.empty:
        msg = _("no road lines (LineString) in the layer")
        raise InputError(msg, file=path.name, field="geometry")
    return lines.assign(level=road_levels(lines)).reset_index(drop=True)


#: Headers of road layers as offices and extracts name them (Geofabrik's shapefiles call the class ``fclass``).
ROAD_HEADER_ALIASES = {"路名": "name", "道路名称": "name", "道路": "name", "fclass": "highway", "等级": "highway",
                       "道路等级": "highway", "道路类型": "highway", "类型": "highway", "class": "highway"}
_LINES = ("LineString", "MultiLineString")


def read_road_layer(path: str | Path, *, crs: str | None = None) -> gpd.GeoDataFrame:
    """Road lines to store: ``name``, ``highway``, ``level`` and the line in WGS84, every feature checked.

    The files :func:`read_roads` takes. Where :func:`read_roads` (the CLI's) passes over what is not a road
    line, this reader refuses the file: a feature of a line layer whose geometry is missing, not a line or
    not longitude/latitude is an error naming the feature and the field ``geometry``. An OSM extract keeps
    the ways a team may use (:func:`read_roads`).

    Parameters
    ----------
    path
        GeoJSON/GeoPackage/Shapefile lines (``name`` and ``highway`` optional, Chinese headers accepted), or an
        OSM ``.osm``/``.pbf`` extract.
    crs
        The coordinates' CRS when the file's own is wrong or missing (e.g. ``"gcj02"``); a layer with none
        is taken as WGS84, as :func:`read_roads` does. Not used for OSM extracts (always WGS84).

    Returns
    -------
    GeoDataFrame with ``name``, ``highway`` (text, '' when not given), ``level`` and ``geometry`` in EPSG:4326.

    Raises
    ------
    InputError
        Unreadable file, no road line, or the first bad feature (file, feature, field), the others in ``.more``.
    """
    path = Path(path)
    if path.suffix.lower() in OSM_SUFFIXES:
        roads = read_roads(path)
        text = {c: roads[c].fillna("").astype(str) if c in roads else "" for c in ("name", "highway")}
        return gpd.GeoDataFrame({**text, "level": roads["level"]}, geometry=roads.geometry.values, crs="EPSG:4326")
    if path.suffix.lower() not in GIS_SUFFIXES:
        msg = _("file type %(suffix)s is not a road layer (use GeoJSON, GeoPackage, Shapefile or an OSM .osm/.pbf "
                "extract)", suffix=path.suffix or _("(none)"))
        raise InputError(msg, file=path.name)
    frame, unit = read_frame(path, header_aliases=ROAD_HEADER_ALIASES)
    problems = Problems(path.name, unit)
    for i, geom in frame.geometry.items():
        if geom is None or geom.is_empty:
            problems.add(i, "geometry", _("geometry is empty: draw the road's line or remove the feature"))
        elif geom.geom_type not in _LINES:
            problems.add(i, "geometry", _("geometry is a %(type)s; roads must be lines (LineString)",
                                          type=geom.geom_type))
    problems.raise_if_any()
    if not len(frame):
        msg = _("no road lines (LineString) in the layer")
        raise InputError(msg, file=path.name, field="geometry")
    given = _resolve_crs_arg(crs, path.name)
    if given is not None:
        lines = transform_geoseries_to_wgs84(gpd.GeoSeries(frame.geometry.values), given)
    else:
        lines = gpd.GeoSeries(frame.geometry.values, crs=frame.crs or "EPSG:4326").to_crs("EPSG:4326")
    for i, (x0, y0, x1, y1) in enumerate(lines.bounds.to_numpy()):
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            problems.add(i, "geometry", _("geometry: coordinates (%(x).1f, %(y).1f) are not longitude/latitude; "
                                          "give the layer's CRS (e.g. EPSG:4547)", x=x0, y=y0))
    problems.raise_if_any()
    text = {c: frame[c].astype(str).to_numpy() if c in frame else "" for c in ("name", "highway")}
    out = gpd.GeoDataFrame(text, geometry=lines.values, crs="EPSG:4326", index=pd.RangeIndex(len(frame)))
    return out.assign(level=road_levels(frame).to_numpy())[["name", "highway", "level", "geometry"]]


def _walkable(ways: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """OSM ways a team on foot or on an e-bike may use.

    Highways, without motorways, ways not built (yet), platforms and ways closed to the public (``access`` no/private,
    ``foot`` no).
    """
    if "highway" not in ways:
        return ways.iloc[:0]
    highway = ways["highway"].fillna("")
    other = ways["other_tags"].fillna("") if "other_tags" in ways else pd.Series("", index=ways.index)
    closed = other.str.contains(r'"(?:access|foot)"=>"(?:no|private)"', regex=True)
    return ways[(highway != "") & ~highway.isin(_NOT_WALKABLE) & ~closed]


def road_levels(roads: pd.DataFrame) -> pd.Series:
    """Each line's level: its ``layer`` (a column, or the OSM tag), else 1 for a bridge, -1 for a tunnel, else 0."""
    def column(name: str) -> pd.Series:
        if name in roads:
            return roads[name].astype("string").str.strip().str.lower()
        if "other_tags" in roads:  # GDAL's OSM driver keeps the tags it has no column for here
            return roads["other_tags"].astype("string").str.extract(rf'"{name}"=>"([^"]*)"', flags=re.I)[0].str.lower()
        return pd.Series(pd.NA, index=roads.index, dtype="string")

    layer = pd.to_numeric(column("layer"), errors="coerce")
    layer = layer.where(layer.abs() <= 10).round()  # OSM layers run -5..5; anything else is not a level
    bridge = column("bridge").fillna("no").isin(["", "no", "0", "false"]).map({True: 0, False: 1})
    tunnel = column("tunnel").fillna("no").isin(["", "no", "0", "false"]).map({True: 0, False: -1})
    return layer.fillna(bridge + tunnel).astype(int).rename("level")


@dataclasses.dataclass(frozen=True)
class RoadNetwork:
    """A street graph in local metres, with each node's WGS84 position for drawing."""

    xy_m: np.ndarray  # node positions in the local projected CRS
    lonlat: np.ndarray  # the same nodes in WGS84
    graph: object  # scipy CSR matrix of edge metres (symmetric)
    crs: object
    edges: np.ndarray  # (m, 2) node pairs: every street segment once

    @classmethod
    def from_lines(cls, roads: gpd.GeoDataFrame, crs, *, source: str = "roads") -> RoadNetwork:
        """Build the graph: lines noded where they cross on the same level, vertices merged within 0.5 m.

        Raises
        ------
        InputError
            When no line is longer than 0.5 m (``source`` names the file in the message).
        """
        projected = roads.to_crs(crs).geometry
        levels = roads["level"] if "level" in roads else road_levels(roads)
        coords, pairs, start = [], [], 0
        for _level, group in projected.groupby(levels.to_numpy()):
            # Street layers drawn by hand rarely share a vertex where lines cross or end on another:
            # noding on a 0.5 m grid (snap rounding) joins them there.
            noded = shapely.get_parts(shapely.union_all(shapely.get_parts(group.to_numpy()),
                                                        grid_size=1 / _MERGE_CELLS_PER_M))
            for line in noded[(shapely.get_type_id(noded) == 1) & ~shapely.is_empty(noded)]:
                xy = np.asarray(line.coords)[:, :2]
                coords.append(xy)
                pairs.append(np.column_stack([np.arange(start, start + len(xy) - 1),
                                              np.arange(start + 1, start + len(xy))]))
                start += len(xy)
        if not coords:
            msg = _("no road line is longer than 0.5 m")
            raise InputError(msg, file=source, field="geometry")
        xy = np.vstack(coords)
        keys = np.round(xy * _MERGE_CELLS_PER_M).astype(np.int64)
        _keys, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        edges = inverse.ravel()[np.vstack(pairs)]
        edges = np.unique(np.sort(edges[edges[:, 0] != edges[:, 1]], axis=1), axis=0)
        nodes_xy = xy[first]
        lon, lat = pyproj.Transformer.from_crs(crs, "EPSG:4326",
                                               always_xy=True).transform(nodes_xy[:, 0], nodes_xy[:, 1])
        return cls(nodes_xy, np.column_stack([lon, lat]), _graph(nodes_xy, edges), crs, edges)

    def pieces(self) -> np.ndarray:
        """The connected piece of each node (0, 1, …)."""
        return connected_components(self.graph, directed=False)[1]

    def connect(self, xy_m: np.ndarray, *, starts: int, max_access_m: float = 500.0,
                detour_factor: float = 1.0) -> Snapped:
        """Join points to the roads at their feet and measure every pair along the roads.

        Parameters
        ----------
        xy_m
            Points in this network's CRS; the first ``starts`` are the teams' starts, the rest venues.
        starts
            How many of the points are teams' starts. Starts join the main pieces of the network
            (:data:`MAIN_PIECE_SHARE`), or any piece when no main one is within ``max_access_m``; the
            others join the pieces that the starts are on (the main pieces when there are no starts).
        max_access_m
            Straight metres a point may be from its street; farther ones are unreachable.
        detour_factor
            The access leg is its straight line times this factor.

        Returns
        -------
        Snapped
            The network split at the feet, each point's foot node and access metres, and the
            metres between every pair (infinite where no road connects them).
        """
        xy = np.asarray(xy_m, dtype=float).reshape(-1, 2)
        piece = self.pieces()
        seg_piece = piece[self.edges[:, 0]]
        seg_len = np.hypot(*(self.xy_m[self.edges[:, 1]] - self.xy_m[self.edges[:, 0]]).T)
        share = np.bincount(seg_piece, weights=seg_len) / max(seg_len.sum(), 1e-9)
        main = np.flatnonzero(share >= min(MAIN_PIECE_SHARE, share.max()))
        edge = np.full(len(xy), -1)
        access = np.full(len(xy), np.inf)
        if starts:
            edge[:starts], access[:starts] = self._nearest_edge(xy[:starts], np.isin(seg_piece, main))
            far = access[:starts] > max_access_m
            if far.any():
                anywhere = self._nearest_edge(xy[:starts][far], np.ones(len(seg_piece), dtype=bool))
                edge[:starts][far], access[:starts][far] = anywhere
        reached = access[:starts] <= max_access_m
        served = np.unique(seg_piece[edge[:starts][reached]]) if starts else main
        if len(xy) > starts and len(served):
            edge[starts:], access[starts:] = self._nearest_edge(xy[starts:], np.isin(seg_piece, served))
        joined = access <= max_access_m
        network, node = self._split_at_feet(xy, np.where(joined, edge, -1))
        metres = np.full((len(xy), len(xy)), np.inf)
        ids = np.flatnonzero(joined)
        if len(ids):
            sources, where = np.unique(node[ids], return_inverse=True)
            on_roads = dijkstra(network.graph, directed=False, indices=sources)[:, sources][where][:, where]
            walk = access[ids] * detour_factor
            metres[np.ix_(ids, ids)] = walk[:, None] + on_roads + walk[None, :]
        np.fill_diagonal(metres, 0.0)
        return Snapped(network, node, np.where(joined, access, np.inf), metres)

    def _nearest_edge(self, xy: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The nearest allowed edge of each point and the straight metres to it."""
        if not len(xy) or not allowed.any():
            return np.full(len(xy), -1), np.full(len(xy), np.inf)
        candidates = np.flatnonzero(allowed)
        segments = shapely.linestrings(np.stack([self.xy_m[self.edges[candidates, 0]],
                                                 self.xy_m[self.edges[candidates, 1]]], axis=1))
        (point, hit), dist = shapely.STRtree(segments).query_nearest(shapely.points(xy), return_distance=True,
                                                                     all_matches=False)
        edge, access = np.full(len(xy), -1), np.full(len(xy), np.inf)
        edge[point], access[point] = candidates[hit], dist
        return edge, access

    def _split_at_feet(self, xy: np.ndarray, edge: np.ndarray) -> tuple[RoadNetwork, np.ndarray]:
        """The network with each point's foot on its ``edge`` (-1: none) as a new node; the foot node of each point."""
        node = np.full(len(xy), -1)
        ids = np.flatnonzero(edge >= 0)
        if not len(ids):
            return self, node
        a, b = self.xy_m[self.edges[edge[ids], 0]], self.xy_m[self.edges[edge[ids], 1]]
        squared = np.einsum("ij,ij->i", b - a, b - a)
        t = np.clip(np.einsum("ij,ij->i", xy[ids] - a, b - a) / np.maximum(squared, 1e-12), 0.0, 1.0)
        order = np.lexsort((t, edge[ids]))  # feet along each edge, from its first node on
        ids, t = ids[order], t[order]
        feet = a[order] + t[:, None] * (b - a)[order]
        new = len(self.xy_m) + np.arange(len(ids))
        node[ids] = new
        on = edge[ids]
        first = np.r_[True, on[1:] != on[:-1]]
        last = np.r_[on[1:] != on[:-1], True]
        prev = np.where(first, self.edges[on, 0], np.r_[-1, new[:-1]])
        chain = np.vstack([np.column_stack([prev, new]), np.column_stack([new[last], self.edges[on[last], 1]])])
        edges = np.vstack([np.delete(self.edges, np.unique(on), axis=0), chain])
        nodes_xy = np.vstack([self.xy_m, feet])
        lon, lat = pyproj.Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True).transform(feet[:, 0], feet[:, 1])
        network = RoadNetwork(nodes_xy, np.vstack([self.lonlat, np.column_stack([lon, lat])]),
                              _graph(nodes_xy, edges), self.crs, edges)
        return network, node

    def path_lonlat(self, a: int, b: int) -> list[tuple[float, float]]:
        """WGS84 vertices of the shortest path between graph nodes ``a`` and ``b`` (empty if none)."""
        _dist, pred = dijkstra(self.graph, directed=False, indices=a, return_predecessors=True)
        if a != b and pred[b] < 0:
            return []
        nodes = [b]
        while nodes[-1] != a:
            nodes.append(pred[nodes[-1]])
        return [tuple(self.lonlat[n]) for n in reversed(nodes)]


@dataclasses.dataclass(frozen=True)
class Snapped:
    """Points joined to the roads (:meth:`RoadNetwork.connect`)."""

    network: RoadNetwork  # the roads with each point's foot as a node (its street split there)
    node: np.ndarray  # each point's foot node in ``network`` (-1: not joined)
    access_m: np.ndarray  # straight metres from each point to its foot (inf: no street within reach)
    metres: np.ndarray  # n×n metres along the roads, access legs (× detour) included; inf where not connected


def _graph(xy_m: np.ndarray, edges: np.ndarray):
    """Symmetric CSR matrix of edge metres (a tiny floor keeps zero-length edges: csgraph drops zeros)."""
    length = np.maximum(np.hypot(*(xy_m[edges[:, 0]] - xy_m[edges[:, 1]]).T), 1e-6)
    n = len(xy_m)
    return coo_matrix((np.r_[length, length], (np.r_[edges[:, 0], edges[:, 1]], np.r_[edges[:, 1], edges[:, 0]])),
                      shape=(n, n)).tocsr()


def path_line(network: RoadNetwork, nodes: list[int]) -> LineString:
    """A LineString through graph ``nodes`` in order, following the roads between them."""
    points: list[tuple[float, float]] = []
    for a, b in zip(nodes, nodes[1:]):
        leg = network.path_lonlat(a, b) or [tuple(network.lonlat[a]), tuple(network.lonlat[b])]
        points.extend(leg if not points else leg[1:])
    return LineString(points if len(points) > 1 else points * 2)
