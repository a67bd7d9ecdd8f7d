"""The meeting maps: the ranked table and legend beside the map, what each layer marks, nothing from a CDN."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import folium
import pytest
from folium.plugins import HeatMap

from gis.gaps import grid_gaps, venue_gaps
from gis.hotspots import hazard_points, hazards_in_period, hotspot_table
from gis.layers import read_layers
from planner.plan import unreachable_venues
from webmap.analysis_maps import gap_map, hotspot_map
from webmap.escaping import html_text
from webmap.i18n import t
from webmap.points import CanvasPoints

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
TODAY = dt.date.fromisoformat(json.loads((DEMO / "meta.json").read_text(encoding="utf-8"))["today"])
SINCE = TODAY - dt.timedelta(days=90)


@pytest.fixture(scope="module")
def demo():
    return read_layers(grids=DEMO / "grids.geojson", venues=[DEMO / "venues.csv", DEMO / "venues_amap.csv"],
                       teams=DEMO / "teams.csv", hazards=DEMO / "hazards.csv", inspections=DEMO / "inspections.csv",
                       as_of=TODAY)


def _panel_rows(html: str) -> list[list[str]]:
    panel = html.split('class="ranked"', 1)[1].split("</table>", 1)[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", panel) if "<td>" in row]


def _groups(m: folium.Map) -> dict[str, folium.FeatureGroup]:
    return {c.layer_name: c for c in m._children.values() if isinstance(c, folium.FeatureGroup)}


def _markers(group: folium.FeatureGroup) -> list[folium.Marker]:
    return [c for c in group._children.values() if isinstance(c, folium.Marker)]


def _offline(html: str) -> None:
    assert not re.search(r'<script[^>]+src="http', html) and not re.search(r'<link[^>]+href="http', html)


def test_hotspot_map_ranks_the_significant_grids_and_says_the_period(demo):
    table = hotspot_table(demo.grids, demo.venues, demo.hazards, SINCE, TODAY)
    points = hazard_points(hazards_in_period(demo.hazards, SINCE, TODAY), demo.venues)
    m = hotspot_map(table, points, since=SINCE, until=TODAY)
    html = m.get_root().render()
    rows = _panel_rows(html)
    significant = table[table["hotspot"] != "none"]
    assert [r[0] for r in rows] == list(significant["grid_id"]) and len(rows) > 0
    assert rows[0][-1] == "热点" and rows[0][4] == f"{significant['z'].iat[0]:.2f}"
    labels = _markers(_groups(m)["网格编号标注"])
    assert sorted(label.location for label in labels) == sorted(
        [p.y, p.x] for p in table.set_index("grid_id").loc[significant["grid_id"]].geometry.representative_point())
    assert f"统计期：{SINCE} 至 {TODAY}" in html and f"共 {len(points)} 条隐患" in html
    heat = next(c for c in m._children.values() if isinstance(c, HeatMap))
    assert dict(zip(points["severity"], (w for _, _, w in heat.data))) == {"major": 3.0, "general": 1.0}
    assert "L.control.scale({imperial: false})" in html and "热力图：蓝少 → 红多" in html
    _offline(html)


def test_gap_map_marks_blind_spots_unreachable_venues_and_idle_grids(demo):
    unreachable = unreachable_venues(venues=demo.venues, teams=demo.teams, rules=demo.rules, day=TODAY,
                                     grids=demo.grids)
    per_venue = venue_gaps(demo.venues, demo.rules, TODAY, demo.inspections, unreachable)
    per_grid = grid_gaps(demo.grids, per_venue, TODAY, demo.inspections)
    m = gap_map(per_grid, per_venue, demo.venues.geometry, on=TODAY, lang="en")
    groups = _groups(m)
    far = [c for c in groups["Unreachable in a shift"]._children.values() if isinstance(c, CanvasPoints)]
    assert len(far) == 1 and far[0].count == (per_venue["unreachable_reason"] != "").sum() > 0  # one canvas layer
    assert set(far[0].columns["reason"]) == {html_text(t("unassigned." + r,
                                                         "en")) for r in per_venue["unreachable_reason"] if r}
    never = [c for c in groups["Never inspected"]._children.values() if isinstance(c, CanvasPoints)]
    assert len(never) == 1 and never[0].count == per_venue["never_inspected"].sum() > 0
    assert set(never[0].columns["name"]) == set(per_venue.loc[per_venue["never_inspected"], "name"].map(html_text))
    assert not any(isinstance(c, folium.CircleMarker) for g in groups.values() for c in g._children.values())
    choropleth = next(c for c in m._children.values() if isinstance(c, folium.GeoJson))
    dashed = {f["properties"]["grid_id"] for f in choropleth.data["features"]
              if choropleth.style_function(f).get("dashArray")}
    blind_spot = json.loads((DEMO / "meta.json").read_text(encoding="utf-8"))["blind_spot_grid"]
    assert dashed == set(per_grid.loc[per_grid["no_visit_this_month"], "grid_id"]) and blind_spot in dashed
    html = m.get_root().render()
    rows = _panel_rows(html)
    assert [r[1].split()[0] for r in rows] == list(per_grid["grid_id"].head(15))  # worst first, as the table files
    assert rows[0][1].startswith(blind_spot + " ") and rows[0][3] == "0%"
    labels = [label.icon.options["html"] for label in _markers(groups["Grid labels"])]
    assert len(labels) == 5 and f"#1 {blind_spot}<" in labels[0]
    assert "No visit this month" in html and f"As of {TODAY}" in html
    _offline(html)
