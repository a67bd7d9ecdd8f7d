"""The plan as the tables of the `patrol plan` contract (stops, unassigned) and route geometry."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point

from gis.timeparse import format_hhmm

from .model import Plan

STOP_COLUMNS = ["day", "team_id", "seq", "venue_id", "name", "category", "reason",
                "arrive", "depart", "lon", "lat", "risk"]
UNASSIGNED_COLUMNS = ["venue_id", "reason"]


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
        [{"venue_id": u.venue_id, "reason": u.reason, "day": day.isoformat(), "risk": u.risk} for day, u in plan.unassigned],
        columns=UNASSIGNED_COLUMNS + ["day", "risk"],
    )


def routes_frame(plan: Plan, stops: pd.DataFrame) -> gpd.GeoDataFrame:
    """One LineString per team and day (through the office between shifts) and a Point per stop."""
    features = []
    for dp, problem in zip(plan.days, plan.problems):
        by_team: dict[str, list] = {}
        for tour in sorted(dp.tours, key=lambda t: (t.team_id, t.shift)):
            by_team.setdefault(tour.team_id, []).append(tour)
        for team_id, tours in sorted(by_team.items()):
            coords = []
            for tour in tours:
                coords.extend(_tour_lonlat(problem, tour.nodes))
            features.append({
                "kind": "route", "day": dp.day.isoformat(), "team_id": team_id,
                "km": round(sum(t.dist_m for t in tours) / 1000, 3),
                "minutes": round(sum(t.travel_s for t in tours) / 60, 1),
                "geometry": LineString(coords),
            })
    for row in stops.itertuples():
        features.append({
            "kind": "stop", "day": row.day, "team_id": row.team_id, "seq": row.seq,
            "venue_id": row.venue_id, "name": row.name, "category": row.category, "reason": row.reason,
            "arrive": row.arrive, "depart": row.depart, "risk": row.risk,
            "geometry": Point(row.lon, row.lat),
        })
    if not features:  # a plan without tours (e.g. no solution within the time limit) still writes its files
        return gpd.GeoDataFrame({"kind": [], "day": [], "team_id": []}, geometry=gpd.GeoSeries([]), crs="EPSG:4326")
    return gpd.GeoDataFrame(features, geometry="geometry", crs="EPSG:4326")


def _tour_lonlat(problem, nodes: tuple[int, ...]) -> list[tuple[float, float]]:
    """The tour's line: straight between stops, or along the roads when the problem has a road network."""
    if problem.network is None or problem.road_nodes is None:
        return [tuple(problem.lonlat[n]) for n in nodes]
    from gis.roads import path_line

    points: list[tuple[float, float]] = []
    for a, b in zip(nodes, nodes[1:]):
        on_road = list(path_line(problem.network, [int(problem.road_nodes[a]), int(problem.road_nodes[b])]).coords)
        points.extend([tuple(problem.lonlat[a]), *on_road, tuple(problem.lonlat[b])])
    return points
