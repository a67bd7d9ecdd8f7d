"""Map builders: take ``m: folium.Map | None`` and add the LayerControl last."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from gis.rules import Rules

from .layers import TEAM_COLOURS, grid_layer, route_layer, venue_layers


def base_map(grids: gpd.GeoDataFrame) -> folium.Map:
    """A map fitted to the grids, with OpenStreetMap tiles (WGS84, no GCJ-02 offset)."""
    minx, miny, maxx, maxy = grids.to_crs("EPSG:4326").total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=14, tiles="OpenStreetMap",
                   control_scale=True)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


def plan_map(
    stops: pd.DataFrame,
    routes: gpd.GeoDataFrame,
    *,
    grids: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    teams: gpd.GeoDataFrame,
    rules: Rules,
    lang: str = "zh",
    m: folium.Map | None = None,
) -> folium.Map:
    """The plan on a map: grids, venues by group, one coloured route layer per team and day."""
    m = m if m is not None else base_map(grids)
    grid_layer(grids, lang=lang).add_to(m)
    for layer in venue_layers(venues, rules, lang=lang):
        layer.add_to(m)
    lines = routes[routes["kind"] == "route"]
    colour = {tid: TEAM_COLOURS[i % len(TEAM_COLOURS)] for i, tid in enumerate(teams.index)}
    first_day = lines["day"].min() if len(lines) else None
    for line in lines.itertuples():
        team_stops = stops[(stops["team_id"] == line.team_id) & (stops["day"] == line.day)]
        name = teams.at[line.team_id, "name"] if line.team_id in teams.index else line.team_id
        route_layer(line.team_id, name, line.day, team_stops, list(line.geometry.coords),
                    colour=colour.get(line.team_id, "#333"), lang=lang, show=line.day == first_day).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m
