"""Map builders: take ``m: folium.Map | None`` and add the LayerControl last."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from gis.layers import Layers
from gis.rules import Rules
from planner.tables import access_legs

from .i18n import t
from .layers import (
    TEAM_COLOURS,
    detail_zoom,
    grid_layer,
    office_layer,
    plan_summary_layer,
    route_layer,
    venue_layers,
    venue_state_layers,
    venue_summary_layer,
)

VENDOR = Path(__file__).resolve().parent / "static" / "vendor"


class _MetricScale(MacroElement):
    """A metres-only scale bar (folium's ``control_scale`` also shows feet, which nobody here reads)."""

    _template = Template("{% macro script(this, kwargs) %}L.control.scale({imperial: false}).addTo({{ "
                         "this._parent.get_name() }});{% endmacro %}")


def offline_assets(m: folium.Map) -> folium.Map:
    """Inline the vendored Leaflet into the page and drop folium's CDN assets we do not use.

    The map then opens from a file with no internet (tiles aside), on intranets and where
    public CDNs are blocked. Plugins that need more scripts add them with ``inline_script``.
    """
    m.default_js = []
    m.default_css = []
    leaflet = VENDOR / "leaflet"

    def _data_uri(match: re.Match) -> str:
        png = (leaflet / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(png).decode()})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", _data_uri, (leaflet / "leaflet.css").read_text(encoding="utf-8"))
    m.get_root().header.add_child(folium.Element(f"<style>{css}</style>"), name="leaflet_css_inline")
    inline_script(m, leaflet / "leaflet.js", name="leaflet_js_inline")
    inline_script(m, VENDOR / "jquery" / "jquery.min.js", name="jquery_js_inline")
    return m


def inline_script(m: folium.Map, path: Path, *, name: str) -> None:
    """Put a vendored script into the page's header (after those already there)."""
    code = path.read_text(encoding="utf-8").replace("</script", "<\\/script")
    m.get_root().header.add_child(folium.Element(f"<script>{code}</script>"), name=name)


def base_map(grids: gpd.GeoDataFrame, *, offline: bool = True, lang: str = "zh") -> folium.Map:
    """A map fitted to the grids, with OpenStreetMap tiles (WGS84, no GCJ-02 offset).

    With ``offline`` (the default) Leaflet is inlined so the file works without internet.
    """
    minx, miny, maxx, maxy = grids.to_crs("EPSG:4326").total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=14, tiles=None)
    m.add_child(_MetricScale())
    folium.TileLayer("OpenStreetMap", name=t("basemap", lang)).add_to(m)
    if offline:
        offline_assets(m)
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
    unplanned: Sequence[str] = (),
    m: folium.Map | None = None,
) -> folium.Map:
    """The plan on a map: grids, venues by group, one coloured route layer per team and day.

    A district (more venues than :data:`~webmap.layers.DETAIL_FROM_VENUES`) shows its venues from
    :data:`~webmap.layers.DETAIL_ZOOM` on, and below it each grid's planned stops and its must visits
    left ``unplanned`` (venue ids, as in unassigned.csv) as the venue map does (:func:`venue_state_map`).
    """
    m = m if m is not None else base_map(grids, lang=lang)
    grid_layer(grids, lang=lang).add_to(m)
    if detail_zoom(len(venues)) is not None:
        plan_summary_layer(grids, venues, stops, unplanned, lang=lang).add_to(m)
    for layer in venue_layers(venues, rules, lang=lang):
        layer.add_to(m)
    lines = routes[routes["kind"] == "route"]
    legs = access_legs(routes)
    colour = {tid: TEAM_COLOURS[i % len(TEAM_COLOURS)] for i, tid in enumerate(teams.index)}
    first_day = lines["day"].min() if len(lines) else None
    for line in lines.itertuples():
        team_stops = stops[(stops["team_id"] == line.team_id) & (stops["day"] == line.day)]
        name = teams.at[line.team_id, "name"] if line.team_id in teams.index else line.team_id
        route_layer(line.team_id, name, line.day, team_stops, list(line.geometry.coords),
                    colour=colour.get(line.team_id, "#333"), lang=lang, show=line.day == first_day,
                    access=legs.get((line.day, line.team_id))).add_to(m)
    office_layer(teams, lang=lang).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def venue_state_map(layers: Layers, states: pd.Series, *, community: str = "", grid: str = "", group: str = "",
                    category: str = "", lang: str = "zh", m: folium.Map | None = None) -> folium.Map:
    """The venue map: grids, and venues coloured by their state (``states``, from ``gis.coverage.venue_states``).

    The filters keep one community's grids, one grid, one venue group or one category; a filter
    that matches no grid shows the whole street, empty. A district (many venues) shows a summary
    per grid until single venues are readable.
    """
    grids, venues = layers.grids, layers.venues
    if community:
        grids = grids[grids["community"] == community]
        venues = venues[venues["grid_id"].isin(grids.index)]
    if grid:
        venues = venues[venues["grid_id"] == grid]
    if group:
        venues = venues[venues["category"].map(lambda c: layers.rules.categories[c].group) == group]
    if category:
        venues = venues[venues["category"] == category]
    m = m if m is not None else base_map(grids if len(grids) else layers.grids, lang=lang)
    if len(grids):
        grid_layer(grids, lang=lang).add_to(m)
    min_zoom = detail_zoom(len(venues))
    if min_zoom is not None and len(grids):
        venue_summary_layer(grids, venues, states, lang=lang).add_to(m)
    for layer in venue_state_layers(venues, states, layers.rules, lang=lang, min_zoom=min_zoom):
        layer.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m
