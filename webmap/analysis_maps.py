"""Maps for meetings: hazard hotspots (heatmap + Gi* classes) and coverage gaps (choropleth)."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
from folium.plugins import HeatMap

from gis.hotspots import SEVERITY_WEIGHT

from .i18n import t
from .maps import VENDOR, base_map, inline_script

HOTSPOT_COLOURS = {"hot": "#b2182b", "near_hot": "#f4a582", "cold": "#2166ac", "near_cold": "#92c5de", "none": "#f7f7f7"}
GAP_STEPS = ((0.5, "#b30000"), (0.7, "#e34a33"), (0.85, "#fc8d59"), (0.95, "#fdcc8a"), (1.01, "#c7e9c0"))


def _legend(m: folium.Map, title: str, rows: list[tuple[str, str]]) -> None:
    """A fixed legend box in the lower left that a projector shows large enough."""
    items = "".join(f'<div><span style="display:inline-block;width:14px;height:14px;background:{c};'
                    f'border:1px solid #555;margin-right:6px;vertical-align:middle"></span>{label}</div>' for c, label in rows)
    html = (f'<div class="map-legend" style="position:fixed;bottom:24px;left:12px;z-index:9999;background:#fff;'
            f'padding:8px 12px;border:1px solid #999;border-radius:4px;font-size:14px;line-height:1.6">'
            f"<b>{title}</b>{items}</div>")
    m.get_root().html.add_child(folium.Element(html))


def hotspot_map(table: gpd.GeoDataFrame, points: pd.DataFrame, *, lang: str = "zh") -> folium.Map:
    """Gi* classes per grid and a severity-weighted heatmap of the hazard points.

    ``points`` has lon, lat and severity of each hazard (its venue's position).
    """
    m = base_map(table.set_index("grid_id"), lang=lang)

    def style(feature: dict) -> dict:
        cls = feature["properties"]["hotspot"]
        return {"fillColor": HOTSPOT_COLOURS[cls], "color": "#555", "weight": 1, "fillOpacity": 0.55 if cls != "none" else 0.1}

    fields = ["grid_id", "name", "hazards_general", "hazards_major", "z", "confidence", "label"]
    shown = table.assign(label=table["hotspot"].map(lambda c: t(f"hotspot.{c}", lang)))
    folium.GeoJson(
        shown[[*fields, "hotspot", "geometry"]].to_json(), name=t("hotspot.layer", lang), style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[t(f"hotspot.col.{f}", lang) for f in fields]),
    ).add_to(m)
    heat = HeatMap(
        [[lat, lon, SEVERITY_WEIGHT.get(sev, 1.0)] for lon, lat, sev in zip(points["lon"], points["lat"], points["severity"])],
        name=t("hotspot.heat", lang), radius=22, blur=18, min_opacity=0.3,
    )
    heat.default_js = []  # the plugin's CDN script is replaced by the vendored copy below
    heat.add_to(m)
    inline_script(m, VENDOR / "leaflet-heat" / "leaflet-heat.js", name="leaflet_heat_inline")
    folium.LayerControl(collapsed=False).add_to(m)
    _legend(m, t("hotspot.legend", lang), [(HOTSPOT_COLOURS[c], t(f"hotspot.{c}", lang)) for c in HOTSPOT_COLOURS])
    return m


def gap_map(grids: gpd.GeoDataFrame, venues: pd.DataFrame, venue_xy: gpd.GeoSeries, *, lang: str = "zh") -> folium.Map:
    """Share of each grid's venues inspected within their interval, with never-inspected venues marked."""
    m = base_map(grids.set_index("grid_id"), lang=lang)

    def colour(share: float | None) -> str:
        if share is None or share != share:
            return "#dddddd"
        return next(c for bound, c in GAP_STEPS if share < bound)

    fields = ["gap_rank", "grid_id", "name", "venues", "covered_share", "never_inspected", "overdue", "done_this_month"]
    folium.GeoJson(
        grids[[*fields, "geometry"]].to_json(), name=t("gaps.layer", lang),
        style_function=lambda f: {"fillColor": colour(f["properties"]["covered_share"]), "color": "#555", "weight": 1, "fillOpacity": 0.6},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[t(f"gaps.col.{f}", lang) for f in fields]),
    ).add_to(m)
    never = folium.FeatureGroup(name=t("gaps.never", lang))
    for vid, row in venues[venues["never_inspected"]].set_index("venue_id").iterrows():
        p = venue_xy.loc[vid]
        folium.CircleMarker([p.y, p.x], radius=5, color="#000", weight=1, fill=True, fill_color="#ffff33",
                            fill_opacity=1, tooltip=f"{row['name']}（{t('gaps.never', lang)}）").add_to(never)
    never.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    labels = ["<50%", "50-70%", "70-85%", "85-95%", "≥95%"]
    _legend(m, t("gaps.legend", lang), [(c, lab) for (_, c), lab in zip(GAP_STEPS, labels)] + [("#ffff33", t("gaps.never", lang))])
    return m
