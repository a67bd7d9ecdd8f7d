"""Maps for meetings: hazard hotspots (heatmap + Gi* classes) and coverage gaps (choropleth)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

import folium
import geopandas as gpd
import pandas as pd
from folium.plugins import HeatMap

from gis.hotspots import SEVERITY_WEIGHT

from .escaping import html_columns, html_text
from .i18n import t
from .maps import VENDOR, base_map, inline_script
from .points import CanvasPoints

NO_VISIT_STYLE = {"color": "#000", "weight": 3, "dashArray": "6 4"}  # grids with no visit this month
HOTSPOT_COLOURS = {"hot": "#b2182b", "near_hot": "#f4a582", "cold": "#2166ac", "near_cold": "#92c5de",
                   "none": "#f7f7f7"}
HEAT_GRADIENT = "linear-gradient(to right, blue, cyan, lime, yellow, red)"  # Leaflet.heat's default colours
GAP_STEPS = ((0.5, "#b30000"), (0.7, "#e34a33"), (0.85, "#fc8d59"), (0.95, "#fdcc8a"), (1.01, "#c7e9c0"))


def _legend(title: str, rows: list[tuple[str, str]], notes: Sequence[str] = ()) -> str:
    """The legend's HTML: ``rows`` are (CSS background, label); ``notes`` are lines of plain text under them."""
    items = "".join(f'<div><span style="display:inline-block;width:14px;height:14px;margin-right:6px;'
                    'vertical-align:middle;box-sizing:border-box;border:1px solid '
                    f'#555;background:{c}"></span>{escape(label)}</div>' for c, label in rows)
    extra = "".join(f'<div style="font-size:13px;color:#333">{escape(n)}</div>' for n in notes)
    return (f'<div class="map-legend" style="padding:4px 0 8px;font-size:15px;line-height:1.6">'
            f"<b>{escape(title)}</b>{items}{extra}</div>")


def _side_panel(m: folium.Map, legend: str, title: str, frame: pd.DataFrame, columns: list[str], prefix: str, lang: str,
               *, percent: tuple[str, ...] = ()) -> None:
    """The legend and a ranked table on the right 40 % of the page.

    The map is narrowed beside them: nothing on the map is hidden under a box, and the panel's type stays large on a
    projector.

    Columns named in ``percent`` are shares (0-1) shown as percentages.
    """
    head = "".join(f"<th>{escape(t(prefix + c, lang))}</th>" for c in columns)
    rows = "".join("<tr>"
                   + "".join(f"<td>{escape(_cell(v, lang, c in percent))}</td>" for c, v in zip(columns, r)) + "</tr>"
                   for r in frame[columns].itertuples(index=False))
    if frame.empty:
        rows = f'<tr><td colspan="{len(columns)}">{escape(t("table.none", lang))}</td></tr>'
    html = (f'<style>.folium-map {{ width: 59% !important; }}</style>'
            '<div class="ranked" '
            'style="position:fixed;top:0;right:0;bottom:0;width:40%;box-sizing:border-box;overflow:auto;z-index:9998;'
            f'background:#fff;border-left:1px solid #999;padding:6px 8px;font-size:15px">{legend}<b>{escape(title)}</b>'
            f'<table style="border-collapse:collapse;width:100%;font-size:14px;hyphens:auto" lang="{lang}" border="1" '
            f'cellpadding="2"><tr>{head}</tr>{rows}</table></div>')
    m.get_root().html.add_child(folium.Element(html))


def _cell(value: object, lang: str, percent: bool = False) -> str:
    if isinstance(value, bool):
        return ("是" if lang == "zh" else "yes") if value else ""
    if isinstance(value, float):
        return "" if value != value else f"{value:.0%}" if percent else f"{value:.2f}"
    return str(value)


def _grid_labels(m: folium.Map, grids: gpd.GeoDataFrame, texts: pd.Series, *, name: str) -> None:
    """Permanent labels on the grids named in ``texts`` (grid_id → text): readable on a projector, no hovering."""
    where = grids.set_index("grid_id").geometry.representative_point()
    group = folium.FeatureGroup(name=name)
    for gid, text in texts.items():
        p = where.loc[gid]
        folium.Marker([p.y, p.x], icon=folium.DivIcon(
            html='<div class="grid-label" '
                 'style="transform:translate(-50%,-50%);display:inline-block;white-space:nowrap;'
                 'font:bold 14px sans-serif;background:rgba(255,255,255,.85);border:1px solid #333;padding:1px '
                 f'4px">{escape(text)}</div>',
            icon_size=(0, 0))).add_to(group)
    group.add_to(m)


def _period_text(since: dt.date | None, until: dt.date | None, lang: str) -> str:
    """"统计期：2026-08-24 至 2026-11-22" (either end may be open)."""
    start = since.isoformat() if since else "…"
    end = until.isoformat() if until else "…"
    return f"统计期：{start} 至 {end}" if lang == "zh" else f"Period: {start} to {end}"


def hotspot_map(table: gpd.GeoDataFrame, points: pd.DataFrame, *, lang: str = "zh",
                since: dt.date | None = None, until: dt.date | None = None) -> folium.Map:
    """Gi* classes per grid, a severity-weighted heatmap of the hazard points and the significant grids ranked.

    ``points`` has lon, lat and severity of each hazard (its venue's position) found in [since, until].
    """
    m = base_map(table.set_index("grid_id"), lang=lang)

    def style(feature: dict) -> dict:
        cls = feature["properties"]["hotspot"]
        return {"fillColor": HOTSPOT_COLOURS[cls], "color": "#555", "weight": 1,
                "fillOpacity": 0.55 if cls != "none" else 0.1}

    fields = ["grid_id", "name", "hazards_general", "hazards_major", "z", "confidence", "label"]
    shown = table.assign(label=table["hotspot"].map(lambda c: t(f"hotspot.{c}", lang)))
    folium.GeoJson(
        html_columns(shown[[*fields, "hotspot", "geometry"]], ["grid_id", "name"]).to_json(),
        name=t("hotspot.layer", lang), style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[t(f"hotspot.col.{f}", lang) for f in fields]),
    ).add_to(m)
    heat = HeatMap(
        [[lat, lon, SEVERITY_WEIGHT.get(sev, 1.0)] for lon, lat, sev in zip(points["lon"], points["lat"],
                                                                            points["severity"])],
        name=t("hotspot.heat", lang), radius=22, blur=18, min_opacity=0.3,
    )
    heat.default_js = []  # the plugin's CDN script is replaced by the vendored copy below
    heat.add_to(m)
    inline_script(m, VENDOR / "leaflet-heat" / "leaflet-heat.js", name="leaflet_heat_inline")
    significant = shown[shown["hotspot"] != "none"]
    _grid_labels(m, table, pd.Series(significant["grid_id"].to_numpy(), index=significant["grid_id"]),
                 name=t("labels", lang))
    folium.LayerControl(collapsed=False).add_to(m)
    legend = _legend(t("hotspot.legend", lang),
                     [(HOTSPOT_COLOURS[c], t(f"hotspot.{c}", lang)) for c in HOTSPOT_COLOURS]
                     + [(HEAT_GRADIENT, t("hotspot.heat_scale", lang))],
                     [_period_text(since, until, lang), t("hotspot.note", lang).format(hazards=len(points))])
    short = significant.assign(label=significant["hotspot"].map(lambda c: t(f"hotspot.short.{c}", lang)))
    _side_panel(m, legend, t("hotspot.table", lang), short, fields, "hotspot.col.", lang)
    return m


def _marked_venues(venues: pd.DataFrame, venue_xy: gpd.GeoSeries, *, name: str, tooltip: str, style: dict,
                   reasons: Sequence[str] = ()) -> folium.FeatureGroup:
    """Venues (indexed by id) marked on one canvas layer: a district's thousands stay one compact script."""
    layer = folium.FeatureGroup(name=name)
    if len(venues):
        where = venue_xy.loc[venues.index]
        columns = {"name": [html_text(v) for v in venues["name"]]}
        if reasons:
            columns["reason"] = [html_text(r) for r in reasons]
        CanvasPoints(where.y, where.x, columns=columns, tooltip=tooltip, style=style).add_to(layer)
    return layer


def gap_map(grids: gpd.GeoDataFrame, venues: pd.DataFrame, venue_xy: gpd.GeoSeries, *, lang: str = "zh",
            on: dt.date | None = None) -> folium.Map:
    """Share of each grid's venues inspected within their interval.

    Worst ranked beside the map, grids without a visit this month outlined, never-inspected and unreachable venues
    marked.
    """
    m = base_map(grids.set_index("grid_id"), lang=lang)

    def colour(share: float | None) -> str:
        if share is None or share != share:
            return "#dddddd"
        return next(c for bound, c in GAP_STEPS if share < bound)

    fields = ["gap_rank", "grid_id", "name", "venues", "covered_share", "never_inspected", "overdue", "unreachable",
              "done_this_month"]
    folium.GeoJson(
        html_columns(grids[[*fields, "no_visit_this_month", "geometry"]], ["grid_id", "name"]).to_json(),
        name=t("gaps.layer", lang),
        style_function=lambda f: {"fillColor": colour(f["properties"]["covered_share"]), "fillOpacity": 0.6,
                                  **(NO_VISIT_STYLE if f["properties"]["no_visit_this_month"]
                                     else {"color": "#555", "weight": 1})},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[t(f"gaps.col.{f}", lang) for f in fields]),
    ).add_to(m)
    never = venues[venues["never_inspected"]].set_index("venue_id")
    _marked_venues(never, venue_xy, name=t("gaps.never", lang),
                   tooltip=f"{{name}}（{html_text(t('gaps.never', lang))}）",
                   style={"radius": 5, "color": "#000", "weight": 1, "fill": True, "fillColor": "#ffff33",
                          "fillOpacity": 1}).add_to(m)
    far = venues[venues["unreachable_reason"] != ""].set_index("venue_id")
    _marked_venues(far, venue_xy, name=t("gaps.unreachable", lang),
                   tooltip=f"{{name}}（{html_text(t('gaps.unreachable', lang))}：{{reason}}）",
                   reasons=[t("unassigned." + r, lang) for r in far["unreachable_reason"]],
                   style={"radius": 7, "color": "#000", "weight": 2, "fill": True, "fillColor": "#7b3294",
                          "fillOpacity": 1}).add_to(m)
    worst = grids[grids["covered_share"] < 0.95].head(5).set_index("grid_id")["gap_rank"]
    _grid_labels(m, grids, pd.Series([f"#{rank} {gid}" for gid, rank in worst.items()], index=worst.index),
                 name=t("labels", lang))
    folium.LayerControl(collapsed=False).add_to(m)
    labels = ["<50%", "50-70%", "70-85%", "85-95%", "≥95%"]
    legend = _legend(t("gaps.legend", lang), [(c, lab) for (_, c), lab in zip(GAP_STEPS, labels)]
                     + [("#ffff33", t("gaps.never", lang)), ("#7b3294", t("gaps.unreachable", lang)),
                        ("#fff;border:2px dashed #000", t("gaps.col.no_visit_this_month", lang))],
                     [t("gaps.note", lang).format(on=on.isoformat() if on else "")])
    worst15 = grids.head(15).assign(grid=lambda g: g["grid_id"] + " " + g["name"].fillna(""))
    _side_panel(m, legend, t("gaps.table", lang), worst15, ["gap_rank", "grid", *fields[3:]], "gaps.col.", lang,
               percent=("covered_share",))
    return m
