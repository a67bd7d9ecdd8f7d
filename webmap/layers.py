"""Folium layers: each function returns one FeatureGroup named from i18n and reprojects itself."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

import folium
import geopandas as gpd
import pandas as pd

from gis.coverage import ATTENTION, VENUE_STATES
from gis.rules import GROUPS, Rules
from planner.tables import split_access

from .escaping import html_columns, html_text
from .i18n import category_label, t
from .points import CanvasPoints, NumberedStops

GROUP_COLOURS = {
    "nine_small": "#e6550d", "many_in_one": "#a50f15", "rental": "#3182bd",
    "high_risk": "#54278f", "other": "#636363",
}
TEAM_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
                "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6", "#ff7f00"]


def grid_layer(grids: gpd.GeoDataFrame, *, lang: str = "zh") -> folium.FeatureGroup:
    """Grid polygons with their id, name, community and grid worker on hover (as text: Leaflet shows HTML)."""
    layer = folium.FeatureGroup(name=t("grids", lang))
    fields = ["grid_id", "name", "community", "worker"]
    data = html_columns(grids.to_crs("EPSG:4326").reset_index(), fields)
    folium.GeoJson(
        data[[*fields, "geometry"]],
        style_function=lambda _: {"color": "#2b8cbe", "weight": 1.5, "fillOpacity": 0.04},
        tooltip=folium.GeoJsonTooltip(
            fields=fields,
            aliases=[t("grid", lang), t("name", lang), t("community", lang), t("worker", lang)],
        ),
    ).add_to(layer)
    return layer


DETAIL_FROM_VENUES = 3000  # more venues than this: single venues only from DETAIL_ZOOM on, a summary per grid below
DETAIL_ZOOM = 16


def detail_zoom(venues: int) -> int | None:
    """The zoom level from which single venues are drawn: every level for a street, DETAIL_ZOOM for a district."""
    return DETAIL_ZOOM if venues > DETAIL_FROM_VENUES else None


def _texts(values: Iterable[object]) -> list[str]:
    """Each value as escaped text for a :class:`CanvasPoints` column."""
    return [html_text(v) for v in values]


def venue_layers(venues: gpd.GeoDataFrame, rules: Rules, *, lang: str = "zh",
                 status: pd.DataFrame | None = None) -> list[folium.FeatureGroup]:
    """One layer per venue group (nine small, many-in-one, rental, high-risk, other), drawn on canvas."""
    data = venues.to_crs("EPSG:4326")
    min_zoom = detail_zoom(len(data))
    layers = []
    for group in GROUPS:
        part = data[data["group"] == group]
        if part.empty:
            continue
        layer = folium.FeatureGroup(name=f"{t('group.' + group, lang)} ({len(part)})", show=group != "other")
        last = (status["last_inspected"].reindex(part.index) if status is not None
                else part.get("last_inspected", pd.Series(None, index=part.index)))
        columns = {"name": _texts(part["name"]),
                   "category": _texts(category_label(rules, c, lang) for c in part["category"]),
                   "address": _texts(part.get("address", pd.Series("", index=part.index))),
                   "last": [html_text(v) if v is not None and v == v else html_text(t("never", lang)) for v in last]}
        CanvasPoints(part.geometry.y, part.geometry.x, columns=columns, tooltip="{name}",
                     popup=(f"<b>{{name}}</b><br>{{category}}<br>{{address}}<br>"
                            f"{html_text(t('last_inspected', lang))}: {{last}}"),
                     style={"radius": 4, "color": GROUP_COLOURS[group], "weight": 1, "fill": True, "fillOpacity": 0.8},
                     min_zoom=min_zoom).add_to(layer)
        layers.append(layer)
    return layers


def route_layer(team_id: str, team_name: str, day: str, stops: pd.DataFrame, line_lonlat: list[tuple[float, float]],
                *, colour: str, lang: str = "zh", show: bool = True, access: list | None = None) -> folium.FeatureGroup:
    """A team's route of one day: the line (office → stops → office) and numbered stops.

    ``access`` are the route's access legs on real roads, (foot on the street, venue) pairs: drawn
    dashed, the rest of the line solid along the streets.
    """
    name = f"{t('route', lang)} {team_name} {day} ({len(stops)} {t('stops_count', lang)})"
    layer = folium.FeatureGroup(name=html_text(name), show=show)  # the layer list shows names as HTML
    on_road, legs = split_access(line_lonlat, access or [])
    for part in on_road:
        folium.PolyLine([(lat, lon) for lon, lat in part], color=colour, weight=3, opacity=0.85).add_to(layer)
    for leg in legs:
        folium.PolyLine([(lat, lon) for lon, lat in leg], color=colour, weight=2, opacity=0.9, dash_array="4 5",
                        tooltip=t("access_leg", lang)).add_to(layer)
    NumberedStops(stops["lat"], stops["lon"], labels=_texts(stops["seq"]), colour=colour,
                  tooltips=[html_text(f"{row.seq}. {row.name} {row.arrive}-{row.depart} "
                                      f"({t('reason.' + row.reason, lang)})") for row in stops.itertuples()],
                  ).add_to(layer)
    return layer


def office_layer(teams: gpd.GeoDataFrame, *, lang: str = "zh") -> folium.FeatureGroup:
    """Each team's start point (the community office), where its tours begin and end."""
    layer = folium.FeatureGroup(name=t("start_point", lang))
    data = teams.to_crs("EPSG:4326")
    for tid, team in data.iterrows():
        html = ('<div style="background:#222;color:#fff;border-radius:3px;padding:1px 4px;'
                f'font:bold 11px sans-serif;white-space:nowrap">&#8962; {html_text(team["name"])}</div>')
        folium.Marker((team.geometry.y, team.geometry.x), icon=folium.DivIcon(html=html, icon_anchor=(8, 8)),
                      tooltip=html_text(f"{t('start_point', lang)}: {team['name']} ({tid})")).add_to(layer)
    return layer


STATUS_COLOURS = dict(zip(VENUE_STATES, ("#67000d", "#e31a1c", "#ff7f00", "#ffd92f", "#33a02c"), strict=True))


def venue_state_layers(venues: gpd.GeoDataFrame, states: pd.Series, rules: Rules, *, lang: str = "zh",
                       link: str = "/venues/{}", min_zoom: int | None = None) -> list[folium.FeatureGroup]:
    """One layer per state (major hazard first), drawn on canvas.

    A click opens a popup that links the venue's history page.

    ``min_zoom``: single venues are shown only from this zoom on (see :func:`detail_zoom`).
    """
    data = venues.to_crs("EPSG:4326")
    layers = []
    for state, colour in STATUS_COLOURS.items():
        part = data[states.reindex(data.index) == state]
        swatch = f'<span style="color:{colour};font-size:120%">●</span> '  # the layer list doubles as the legend
        layer = folium.FeatureGroup(name=f"{swatch}{t('state.' + state, lang)} ({len(part)})")
        groups = [rules.categories[c].group if c in rules.categories else "other" for c in part["category"]]
        columns = {"name": _texts(part["name"]), "group": _texts(t("group." + g, lang) for g in groups),
                   "category": _texts(category_label(rules, c, lang) for c in part["category"]),
                   "grid": _texts(part["grid_id"]),
                   "href": _texts(link.format(quote(str(vid), safe="")) for vid in part.index)}
        popup = (f"<b>{{name}}</b><br>{{group}} · {{category}} · {{grid}}<br>{html_text(t('state.' + state, lang))}<br>"
                 f'<a href="{{href}}" target="_top">{html_text(t("history", lang))}</a>')
        CanvasPoints(part.geometry.y, part.geometry.x, columns=columns, tooltip="{name}", popup=popup,
                     style={"radius": 5, "color": "#333", "weight": 1, "fill": True, "fillColor": colour,
                            "fillOpacity": 0.9},
                     min_zoom=min_zoom).add_to(layer)
        layers.append(layer)
    return layers


SUMMARY_STEPS = ((0.1, "#fee5d9"), (0.25, "#fcae91"), (0.5, "#fb6a4a"), (1.01, "#cb181d"))


def venue_summary_layer(grids: gpd.GeoDataFrame, venues: gpd.GeoDataFrame, states: pd.Series, *,
                        lang: str = "zh") -> folium.FeatureGroup:
    """Each grid coloured by its share of venues that need attention (open hazard or overdue), with the counts on hover.

    What a district shows below :data:`DETAIL_ZOOM`, where single venues would be a smear.
    """
    counts = pd.DataFrame({"venues": 1, "attention": states.reindex(venues.index).isin(ATTENTION)},
                          index=venues.index)
    return _grid_summary_layer(grids, counts.groupby(venues["grid_id"]).sum(), share=("attention", "venues"),
                               name=t("venue_summary", lang), aliases=[t("venue_summary.venues", lang),
                                                                       t("venue_summary.attention", lang)],
                               lang=lang)


def plan_summary_layer(grids: gpd.GeoDataFrame, venues: gpd.GeoDataFrame, stops: pd.DataFrame,
                       unplanned: Iterable[str], *, lang: str = "zh") -> folium.FeatureGroup:
    """Each grid's venues, planned stops and must visits left unplanned, coloured by the share of its must work left.

    What the plan map of a district shows below :data:`DETAIL_ZOOM`, from the plan's own tables: ``stops``
    (stops.csv) and ``unplanned`` (the venue ids of unassigned.csv).
    """
    grid_of = venues["grid_id"]
    counts = pd.DataFrame({
        "venues": grid_of.value_counts(),
        "planned": grid_of.reindex(stops["venue_id"]).value_counts(),
        "unplanned": grid_of.reindex(list(unplanned)).value_counts(),
    }).fillna(0).astype(int)
    counts["must"] = counts["planned"] + counts["unplanned"]
    return _grid_summary_layer(grids, counts[["venues", "planned", "unplanned", "must"]], share=("unplanned", "must"),
                               name=t("plan_summary", lang),
                               aliases=[t("venue_summary.venues", lang), t("plan_summary.planned", lang),
                                        t("plan_summary.unplanned", lang)], shown=3, lang=lang)


def _grid_summary_layer(grids: gpd.GeoDataFrame, per_grid: pd.DataFrame, *, share: tuple[str, str], name: str,
                        aliases: list[str], lang: str, shown: int | None = None) -> folium.FeatureGroup:
    """Grid polygons coloured by ``share`` (numerator, denominator columns of ``per_grid``, by grid id).

    The first ``shown`` columns (default all) of ``per_grid`` are on hover after the grid's id and name.
    """
    data = grids.to_crs("EPSG:4326").reset_index()
    columns = list(per_grid.columns)
    for column in columns:
        data[column] = data["grid_id"].map(per_grid[column]).fillna(0).astype(int)
    part, whole = share
    data["share"] = (data[part] / data[whole].where(data[whole] > 0)).fillna(0.0)
    fields = ["grid_id", "name", *columns[:shown]]
    layer = folium.FeatureGroup(name=name)
    folium.GeoJson(
        html_columns(data[[*fields, "share", "geometry"]], ["grid_id", "name"]),
        style_function=lambda f: {"color": "#555", "weight": 1, "fillOpacity": 0.55,
                                  "fillColor": next(c for bound, c in SUMMARY_STEPS
                                                    if f["properties"]["share"] < bound)},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[t("grid", lang), t("name", lang), *aliases]),
    ).add_to(layer)
    return layer
