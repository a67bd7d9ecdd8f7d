"""The plan as the tables of the `patrol plan` contract, and route geometry.

The tables are stops and unassigned (columns: ``contract``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point

from gis.timeparse import format_hhmm

from .contract import STOP_COLUMNS, UNASSIGNED_COLUMNS
from .model import Plan


def stops_table(plan: Plan, venues: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per planned visit, in the column order of ``stops.csv``."""
    rows = []
    for dp in plan.days:
        by_team: dict[str, list] = {}
        for tour in sorted(dp.tours, key=lambda t: (t.team_id, t.shift)):
            by_team.setdefault(tour.team_id, []).extend(tour.stops)
        for team_id, stops in sorted(by_team.items()):
            for seq, stop in enumerate(stops, start=1):
                venue = venues.loc[stop.venue_id]
                rows.append({
                    "day": dp.day.isoformat(), "team_id": team_id, "seq": seq,
                    "venue_id": stop.venue_id, "name": venue["name"], "category": venue["category"],
                    "reason": stop.reason, "arrive": format_hhmm(stop.arrive_s),
                    "depart": format_hhmm(stop.depart_s),
                    "lon": round(float(venue.geometry.x), 7), "lat": round(float(venue.geometry.y), 7),
                    "risk": round(stop.risk, 3), "shift": stop.shift,
                    "arrive_s": stop.arrive_s, "depart_s": stop.depart_s,
                })
    frame = pd.DataFrame(rows, columns=STOP_COLUMNS + ["shift", "arrive_s", "depart_s"])
    return frame


def unassigned_table(plan: Plan) -> pd.DataFrame:
    """Must visits not planned in the horizon, with the reason code, as ``unassigned.csv``."""
    return pd.DataFrame(
        [{"venue_id": u.venue_id, "reason": u.reason, "day": day.isoformat(),
          "risk": u.risk} for day, u in plan.unassigned],
        columns=UNASSIGNED_COLUMNS + ["day", "risk"],
    )


def routes_frame(plan: Plan, stops: pd.DataFrame) -> gpd.GeoDataFrame:
    """One LineString per team and day (through the office between shifts) and a Point per stop.

    On real roads the line is the way walked: along the streets and the access legs between each
    venue (and the start) and its foot on the street. Each stop then carries ``access_m`` (straight
    metres of its access leg) and its foot ``road_lon``/``road_lat``, each line the same for its
    start (``start_access_m``, ``start_road_lon``, ``start_road_lat``).
    """
    features = []
    feet: dict[tuple[str, str], dict[str, float]] = {}
    for dp, problem in zip(plan.days, plan.problems):
        for _, part in problem.parts or ((0, problem),):
            if part.network is not None:
                day = dp.day.isoformat()
                feet |= {(day, v.venue_id): _foot(part, v.node) for v in part.visits}
                feet |= {(day, f"start:{v.team_id}"): _foot(part, v.start_node) for v in part.vehicles}
        by_team: dict[str, list] = {}
        for tour in sorted(dp.tours, key=lambda t: (t.team_id, t.shift)):
            by_team.setdefault(tour.team_id, []).append(tour)
        for team_id, tours in sorted(by_team.items()):
            coords = []
            for tour in tours:
                coords.extend(_tour_lonlat(problem, tour.nodes))
            start = {f"start_{k}": v for k, v in feet.get((dp.day.isoformat(), f"start:{team_id}"), {}).items()}
            features.append({
                "kind": "route", "day": dp.day.isoformat(), "team_id": team_id,
                "km": round(sum(t.dist_m for t in tours) / 1000, 3),
                "minutes": round(sum(t.travel_s for t in tours) / 60, 1),
                **start, "geometry": LineString(coords),
            })
    for row in stops.itertuples():
        features.append({
            "kind": "stop", "day": row.day, "team_id": row.team_id, "seq": row.seq,
            "venue_id": row.venue_id, "name": row.name, "category": row.category, "reason": row.reason,
            "arrive": row.arrive, "depart": row.depart, "risk": row.risk,
            **feet.get((row.day, row.venue_id), {}), "geometry": Point(row.lon, row.lat),
        })
    if not features:  # a plan without tours (e.g. no solution within the time limit) still writes its files
        return gpd.GeoDataFrame({"kind": [], "day": [], "team_id": []}, geometry=gpd.GeoSeries([]), crs="EPSG:4326")
    return gpd.GeoDataFrame(features, geometry="geometry", crs="EPSG:4326")


def _foot(problem, node: int) -> dict[str, float]:
    """Where ``node`` meets the roads: its access leg's straight metres and its foot on the street."""
    foot = int(problem.road_nodes[node])
    if foot < 0:
        return {}
    lon, lat = problem.network.lonlat[foot]
    return {"access_m": round(float(problem.access_m[node]), 1), "road_lon": round(float(lon), 7),
            "road_lat": round(float(lat), 7)}


def access_legs(routes: gpd.GeoDataFrame) -> dict[tuple[str, str],
                                                  list[tuple[tuple[float, float], tuple[float, float]]]]:
    """Per (day, team_id) the access legs of its route.

    Each leg is (foot on the street, venue or start), from :func:`routes_frame`'s columns; empty when the plan does not
    follow roads.
    """
    legs: dict[tuple[str, str], list] = {}
    if "road_lon" in routes:
        points = routes[(routes["kind"] == "stop") & routes["road_lon"].notna()]
        for day, team, lon, lat, at in zip(points["day"], points["team_id"], points["road_lon"], points["road_lat"],
                                           points.geometry):
            legs.setdefault((day, team), []).append(((float(lon), float(lat)), (at.x, at.y)))
    if "start_road_lon" in routes:
        lines = routes[(routes["kind"] == "route") & routes["start_road_lon"].notna()]
        for day, team, lon, lat, line in zip(lines["day"], lines["team_id"], lines["start_road_lon"],
                                             lines["start_road_lat"], lines.geometry):
            legs.setdefault((day, team), []).append(((float(lon), float(lat)), tuple(line.coords[0])))
    return legs


def split_access(coords: list[tuple[float, float]], legs: list[tuple[tuple[float, float], tuple[float, float]]],
                 *, tol_deg: float = 2e-7) -> tuple[list[list[tuple[float, float]]], list[list[tuple[float, float]]]]:
    """A route line cut into the parts along the streets and its access legs (for drawing them apart).

    A segment of ``coords`` is an access leg when its ends are a leg's foot and venue (either way,
    within ``tol_deg``, about 2 cm); the rest of the line, in runs, is along the streets.
    """
    ends = np.array([[*foot, *venue] for foot, venue in legs], dtype=float).reshape(-1, 4)
    on_road: list[list[tuple[float, float]]] = []
    access: list[list[tuple[float, float]]] = []
    run: list[tuple[float, float]] = []
    for a, b in zip(coords, coords[1:]):
        seg = np.array([*a, *b])
        is_leg = bool(len(ends)) and bool(((np.abs(ends - seg) < tol_deg).all(axis=1)
                                            | (np.abs(ends - np.r_[seg[2:], seg[:2]]) < tol_deg).all(axis=1)).any())
        if is_leg:
            access.append([a, b])
            if len(run) > 1:
                on_road.append(run)
            run = []
        elif run:
            run.append(b)
        else:
            run = [a, b]
    if len(run) > 1:
        on_road.append(run)
    return on_road, access


def _tour_lonlat(problem, nodes: tuple[int, ...]) -> list[tuple[float, float]]:
    """The tour's line: straight between stops, or along the roads when the problem has a road network."""
    for first, part in reversed(problem.parts):  # a merged plan: the tour is in one part's nodes
        if nodes[0] >= first:
            return _tour_lonlat(part, tuple(n - first for n in nodes))
    if problem.network is None or problem.road_nodes is None:
        return [tuple(problem.lonlat[n]) for n in nodes]
    from gis.roads import path_line

    points: list[tuple[float, float]] = []
    for a, b in zip(nodes, nodes[1:]):
        on_road = list(path_line(problem.network, [int(problem.road_nodes[a]), int(problem.road_nodes[b])]).coords)
        for p in [tuple(problem.lonlat[a]), *on_road, tuple(problem.lonlat[b])]:
            if not points or p != points[-1]:
                points.append(p)
    return points
