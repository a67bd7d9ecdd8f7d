"""Venues on one canvas: every venue once, texts escaped, a district summarised per grid below the detail zoom."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import folium
import pandas as pd
import pytest
from playwright.sync_api import sync_playwright

from gis.layers import read_layers
from webmap.layers import (
    DETAIL_FROM_VENUES,
    DETAIL_ZOOM,
    STATUS_COLOURS,
    grid_layer,
    venue_state_layers,
    venue_summary_layer,
)
from webmap.maps import base_map
from webmap.points import CanvasPoints

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
TODAY = dt.date.fromisoformat(json.loads((DEMO / "meta.json").read_text(encoding="utf-8"))["today"])
HOSTILE = "<img src=x onerror=alert(1)>`${alert(2)}`\\"


@pytest.fixture(scope="module")
def demo():
    return read_layers(grids=DEMO / "grids.geojson", venues=[DEMO / "venues.csv", DEMO / "venues_amap.csv"],
                       teams=DEMO / "teams.csv", as_of=TODAY)


def _district(demo, copies: int):
    """The demo's venues ``copies`` times over (new ids, a few metres apart): more than a street's worth."""
    parts = []
    for k in range(copies):
        part = demo.venues.copy()
        part.index = [f"{vid}-{k}" for vid in part.index]
        part["geometry"] = part.geometry.translate(xoff=k * 2e-5, yoff=k * 2e-5)
        parts.append(part)
    venues = pd.concat(parts)
    venues.index.name = "venue_id"
    states = pd.Series([list(STATUS_COLOURS)[i % len(STATUS_COLOURS)] for i in range(len(venues))], index=venues.index)
    return venues, states


def _points(m: folium.Map) -> list[CanvasPoints]:
    return [c for g in m._children.values() if isinstance(g, folium.FeatureGroup)
            for c in g._children.values() if isinstance(c, CanvasPoints)]


def _district_map(demo, venues, states) -> folium.Map:
    m = base_map(demo.grids)
    grid_layer(demo.grids).add_to(m)
    venue_summary_layer(demo.grids, venues, states).add_to(m)
    for layer in venue_state_layers(venues, states, demo.rules, min_zoom=DETAIL_ZOOM):
        layer.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def test_state_layers_hold_every_venue_once_with_its_link(demo):
    venues, states = _district(demo, 1)
    layers = venue_state_layers(venues, states, demo.rules)
    points = [c for layer in layers for c in layer._children.values() if isinstance(c, CanvasPoints)]
    assert [p.count for p in points] == [int((states == s).sum()) for s in STATUS_COLOURS]
    assert sorted(h for p in points for h in p.columns["href"]) == sorted(f"/venues/{v}" for v in venues.index)
    assert [layer.layer_name.split("> ", 1)[1] for layer in layers][0].startswith("重大隐患未销号 (")


def test_user_text_is_escaped_in_the_page(demo):
    venues, states = _district(demo, 1)
    venues.loc[venues.index[0], "name"] = HOSTILE
    m = base_map(demo.grids)
    for layer in venue_state_layers(venues, states, demo.rules):
        layer.add_to(m)
    html = m.get_root().render()
    assert "<img src=x" not in html and "${alert(2)}" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&#96;&#36;{alert(2)}&#96;&#92;" in html


def test_a_district_shows_a_summary_per_grid_and_venues_from_the_detail_zoom(demo):
    copies = DETAIL_FROM_VENUES // len(demo.venues) + 1
    venues, states = _district(demo, copies)
    m = _district_map(demo, venues, states)
    points = _points(m)
    assert sum(p.count for p in points) == len(venues) > DETAIL_FROM_VENUES
    assert all(p.min_zoom == DETAIL_ZOOM for p in points)
    summary = next(g for g in m._children.values() if isinstance(g,
                                                                 folium.FeatureGroup)
                                                                 and g.layer_name.startswith("场所概况"))
    features = next(c for c in summary._children.values() if isinstance(c, folium.GeoJson)).data["features"]
    assert len(features) == len(demo.grids)
    assert sum(f["properties"]["venues"] for f in features) == len(venues)
    attention = states.isin(["major_hazard", "open_hazard", "overdue"]).sum()
    assert sum(f["properties"]["attention"] for f in features) == attention


def test_the_page_is_small_per_venue(demo):
    venues, states = _district(demo, 6)
    html = _district_map(demo, venues, states).get_root().render()
    inlined = sum(len(s) for s in re.findall(r"<script>.*?</script>|<style>.*?</style>",
                                             html[:html.index("</head>")], re.DOTALL))
    assert (len(html.encode()) - inlined) / len(venues) < 120  # a CircleMarker each was ~1,900 bytes


@pytest.mark.browser
def test_in_chromium_venues_appear_from_the_detail_zoom_and_open_their_popup(demo, tmp_path):
    venues, states = _district(demo, DETAIL_FROM_VENUES // len(demo.venues) + 1)
    venues.loc[venues.index[0], "name"] = HOSTILE
    states.iloc[0] = "major_hazard"
    path = tmp_path / "district.html"
    _district_map(demo, venues, states).save(str(path))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        count = """() => { const map = Object.values(window).find(v => v instanceof L.Map); let n = 0;
                           map.eachLayer(l => { if (l instanceof L.CircleMarker) n++; });
                           return [map.getZoom(), n]; }"""
        zoom, shown = page.evaluate(count)
        assert zoom < DETAIL_ZOOM and shown == 0
        page.evaluate(f"""() => {{ const map = Object.values(window).find(v => v instanceof L.Map);
                          map.setView([{venues.geometry.y.iloc[0]}, {venues.geometry.x.iloc[0]}], {DETAIL_ZOOM},
                                      {{animate: false}}); }}""")
        page.wait_for_function("() => { const map = Object.values(window).find(v => v instanceof L.Map); let n = 0;"
                               " map.eachLayer(l => { if (l instanceof L.CircleMarker) n++; }); return n > 0; }")
        assert page.evaluate(count)[1] == len(venues)
        page.evaluate("""() => { const map = Object.values(window).find(v => v instanceof L.Map); let first = null;
                         map.eachLayer(l => { if (!first && l instanceof L.CircleMarker) first = l; });
                         first.openPopup(); }""")
        popup = page.locator(".leaflet-popup-content")
        assert popup.locator("b").inner_text() == HOSTILE  # shown as typed, never run
        assert popup.locator("img").count() == 0 and popup.locator("a").get_attribute("href").startswith("/venues/")
        assert errors == []
        browser.close()
