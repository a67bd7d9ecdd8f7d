"""Real roads: a street network from lines (GeoJSON/GPKG/SHP, or an OSM XML/PBF extract) and
shortest-path distances between venues on it.

Line vertices become graph nodes (merged within 0.5 m), consecutive vertices become edges with
their length in metres. Points are snapped to the nearest node; the walk from a point to its node
is added as a straight line. Distances come from ``scipy.sparse.csgraph.dijkstra``; points in
pieces of the network that do not connect get an infinite distance (planned as unreachable).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely.geometry import LineString, MultiLineString

from .errors import InputError

OSM_SUFFIXES = (".osm", ".pbf")
_NOT_WALKABLE = frozenset({"motorway", "motorway_link", "construction", "proposed", "planned", "abandoned",
                           "razed", "platform", "raceway", "bus_guideway", "busway", "escape", "no"})


def read_roads(path: str | Path) -> gpd.GeoDataFrame:
    """Road centre lines in WGS84 from GeoJSON/GPKG/SHP lines or an OSM extract (GDAL's OSM driver, offline)."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path.name)
    try:
        if path.suffix.lower() in OSM_SUFFIXES:
            roads = _walkable(gpd.GeoDataFrame(pyogrio.read_dataframe(path, layer="lines")))
        else:
            roads = gpd.read_file(path, engine="pyogrio")
    except pyogrio.errors.DataSourceError as err:
        raise InputError(f"not a readable road layer: {err}", file=path.name) from err
    if roads.crs is None:
        roads = roads.set_crs("EPSG:4326")
    roads = roads.to_crs("EPSG:4326")
    lines = roads[roads.geometry.geom_type.isin(["LineString", "MultiLineString"]) & ~roads.geometry.is_empty]
    if lines.empty:
        raise InputError("no road lines (LineString) in the layer", file=path.name, field="geometry")
    return lines.reset_index(drop=True)


def _walkable(ways: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """OSM ways a team on foot or on an e-bike may use: highways, without motorways, ways not built
    (yet), platforms and ways closed to the public (``access`` no/private, ``foot`` no)."""
    if "highway" not in ways:
        return ways.iloc[:0]
    highway = ways["highway"].fillna("")
    other = ways["other_tags"].fillna("") if "other_tags" in ways else pd.Series("", index=ways.index)
    closed = other.str.contains(r'"(?:access|foot)"=>"(?:no|private)"', regex=True)
    return ways[(highway != "") & ~highway.isin(_NOT_WALKABLE) & ~closed]


@dataclasses.dataclass(frozen=True)
class RoadNetwork:
    """A street graph in local metres, with each node's WGS84 position for drawing."""

    xy_m: np.ndarray  # node positions in the local projected CRS
    lonlat: np.ndarray  # the same nodes in WGS84
    graph: object  # scipy CSR matrix of edge metres (symmetric)
    crs: object

    @classmethod
    def from_lines(cls, roads: gpd.GeoDataFrame, crs) -> RoadNetwork:
        """Build the graph: vertices merged within 0.5 m, an edge per consecutive vertex pair."""
        projected = roads.to_crs(crs).geometry
        # Lines that cross are joined where they cross (noding), as street layers drawn by hand rarely
        # share a vertex there; bridges over a road are joined too, a known simplification.
        noded = shapely.node(shapely.MultiLineString([p for g in projected for p in getattr(g, "geoms", [g])]))
        coords, pairs, start = [], [], 0
        for line in noded.geoms:
            xy = np.asarray(line.coords)[:, :2]
            coords.append(xy)
            pairs.append(np.column_stack([np.arange(start, start + len(xy) - 1), np.arange(start + 1, start + len(xy))]))
            start += len(xy)
        xy = np.vstack(coords)
        keys = np.round(xy * 2).astype(np.int64)  # 0.5 m cells
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        edges = inverse[np.vstack(pairs)]
        edges = edges[edges[:, 0] != edges[:, 1]]
        length = np.hypot(*(xy[first][edges[:, 0]] - xy[first][edges[:, 1]]).T)
        n = len(first)
        graph = coo_matrix((np.concatenate([length, length]), (np.concatenate([edges[:, 0], edges[:, 1]]),
                                                               np.concatenate([edges[:, 1], edges[:, 0]]))), shape=(n, n)).tocsr()
        lon, lat = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(xy[first][:, 0], xy[first][:, 1])
        return cls(xy[first], np.column_stack([lon, lat]), graph, crs)

    def snap(self, xy_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of each point and the straight metres to it."""
        dist, node = cKDTree(self.xy_m).query(np.asarray(xy_m, dtype=float))
        return node, dist

    def distances_m(self, xy_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Metres between every pair of points along the roads (access walks included; inf when not connected),
        and the snapped node of each point."""
        node, access = self.snap(xy_m)
        unique, where = np.unique(node, return_inverse=True)
        on_graph = dijkstra(self.graph, directed=False, indices=unique)[:, unique]
        network = on_graph[where][:, where]
        total = access[:, None] + network + access[None, :]
        np.fill_diagonal(total, 0.0)
        return total, node

    def path_lonlat(self, a: int, b: int) -> list[tuple[float, float]]:
        """WGS84 vertices of the shortest path between graph nodes ``a`` and ``b`` (empty if none)."""
        _, pred = dijkstra(self.graph, directed=False, indices=a, return_predecessors=True)
        if a != b and pred[b] < 0:
            return []
        nodes = [b]
        while nodes[-1] != a:
            nodes.append(pred[nodes[-1]])
        return [tuple(self.lonlat[n]) for n in reversed(nodes)]


def path_line(network: RoadNetwork, nodes: list[int]) -> LineString:
    """A LineString through graph ``nodes`` in order, following the roads between them."""
    points: list[tuple[float, float]] = []
    for a, b in zip(nodes, nodes[1:]):
        leg = network.path_lonlat(a, b) or [tuple(network.lonlat[a]), tuple(network.lonlat[b])]
        points.extend(leg if not points else leg[1:])
    return LineString(points if len(points) > 1 else points * 2)
