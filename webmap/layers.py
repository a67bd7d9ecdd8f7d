"""Folium layers: each function returns one FeatureGroup named from i18n and reprojects itself."""

from __future__ import annotations

from urllib.parse import quote

import folium
import geopandas as gpd
import pandas as pd

from gis.rules import GROUPS, Rules
from planner.tables import split_access

from .escaping import html_columns, html_text
from .i18n import category_label, t

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


def venue_layers(venues: gpd.GeoDataFrame, rules: Rules, *, lang: str = "zh", status: pd.DataFrame | None = None) -> list[folium.FeatureGroup]:
    """One layer per venue group (nine small, many-in-one, rental, high-risk, other)."""
    data = venues.to_crs("EPSG:4326")
    layers = []
    for group in GROUPS:
        part = data[data["group"] == group]
        if part.empty:
            continue
        layer = folium.FeatureGroup(name=f"{t('group.' + group, lang)} ({len(part)})", show=group != "other")
        for vid, v in part.iterrows():
            last = status.at[vid, "last_inspected"] if status is not None else v.get("last_inspected")
            popup = (f"<b>{html_text(v['name'])}</b><br>{html_text(category_label(rules, v['category'], lang))}<br>"
                     f"{html_text(v.get('address', ''))}<br>{t('last_inspected', lang)}: {html_text(last or t('never', lang))}")
            folium.CircleMarker(
                (v.geometry.y, v.geometry.x), radius=4, color=GROUP_COLOURS[group], weight=1,
                fill=True, fill_opacity=0.8, popup=folium.Popup(popup, max_width=260),
                tooltip=html_text(v["name"]),
            ).add_to(layer)
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
    for row in stops.itertuples():
        html = (f'<div style="background:{colour};color:#fff;border-radius:50%;width:20px;height:20px;'
                f'text-align:center;font:bold 11px/20px sans-serif;border:1px solid #fff">{html_text(row.seq)}</div>')
        folium.Marker(
            (row.lat, row.lon), icon=folium.DivIcon(html=html, icon_size=(20, 20), icon_anchor=(10, 10)),
            tooltip=html_text(f"{row.seq}. {row.name} {row.arrive}-{row.depart} ({t('reason.' + row.reason, lang)})"),
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


STATUS_COLOURS = {"major_hazard": "#67000d", "open_hazard": "#e31a1c", "overdue": "#ff7f00", "due": "#ffd92f", "ok": "#33a02c"}


def venue_status_classes(venues: gpd.GeoDataFrame, status: pd.DataFrame, hazards: pd.DataFrame | None,
                         on: "dt.date", *, due_within_days: int = 7) -> pd.Series:
    """Each venue's worst state: major_hazard, open_hazard, overdue, due (within a week) or ok."""
    import datetime as dt

    from gis.risk import open_hazards

    current = open_hazards(hazards)
    major = set(current.loc[current["severity"] == "major", "venue_id"])
    any_open = set(current["venue_id"])
    soon = on + dt.timedelta(days=due_within_days)

    def state(vid: str) -> str:
        due = status.at[vid, "due_on"]
        if vid in major:
            return "major_hazard"
        if vid in any_open:
            return "open_hazard"
        if due is None or due < on:
            return "overdue"
        return "due" if due <= soon else "ok"

    return pd.Series([state(v) for v in venues.index], index=venues.index, name="state")


def venue_state_layers(venues: gpd.GeoDataFrame, states: pd.Series, rules: Rules, *, lang: str = "zh",
                       link: str = "/venues/{}") -> list[folium.FeatureGroup]:
    """One layer per state (major hazard first); a click opens the venue's history page."""
    data = venues.to_crs("EPSG:4326")
    layers = []
    for state, colour in STATUS_COLOURS.items():
        part = data[states.reindex(data.index) == state]
        swatch = f'<span style="color:{colour};font-size:120%">●</span> '  # the layer list doubles as the legend
        layer = folium.FeatureGroup(name=f"{swatch}{t('state.' + state, lang)} ({len(part)})")
        for vid, v in part.iterrows():
            group = rules.categories[v["category"]].group if v["category"] in rules.categories else "other"
            href = link.format(quote(str(vid), safe=""))
            popup = (f"<b>{html_text(v['name'])}</b><br>{t('group.' + group, lang)} · "
                     f"{html_text(category_label(rules, v['category'], lang))} · {html_text(v['grid_id'])}<br>"
                     f"{t('state.' + state, lang)}<br><a href=\"{html_text(href)}\" target=\"_top\">{t('history', lang)}</a>")
            folium.CircleMarker((v.geometry.y, v.geometry.x), radius=5, color="#333", weight=1, fill=True,
                                fill_color=colour, fill_opacity=0.9, popup=folium.Popup(popup, max_width=260),
                                tooltip=html_text(v["name"])).add_to(layer)
        layers.append(layer)
    return layers
