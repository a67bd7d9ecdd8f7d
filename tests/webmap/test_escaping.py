"""Hostile names in the files of `patrol plan`: map.html and sheets.html show them as text, stops.csv keeps them
from running as spreadsheet formulas; the escaping helpers on any text."""

from __future__ import annotations

import html
import json

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import box

from gis.cells import looks_like_formula, read_text_csv, write_text_csv
from webmap.escaping import html_text

GRID_ID = '"><svg data-xss onload=alert(1)>'
NAMES = {
    "grid": "\"'><img src=x data-xss onerror=alert(2)>`${alert(2)}`</script>",
    "venue": "\"'><img src=x data-xss onerror=alert(3)>`${alert(3)}`</script><svg data-xss onload=alert(3)>",
    "formula": '=HYPERLINK("http://evil.example","<b data-xss>点我</b>")',
    "address": "@SUM(1)<img src=x data-xss onerror=alert(4)>",
    "team": "`${alert(5)}`<img src=x data-xss onerror=alert(5)>",
    "start": "</script><script>alert(6)</script>",
}


@given(st.text())
def test_html_text_shows_any_text_as_typed_and_breaks_out_of_nothing(text):
    shown = html_text(text)
    assert html.unescape(shown) == text
    assert not set(shown) & set("<>\"'`$\\")


@given(st.lists(st.text(max_size=12) | st.integers() | st.none(), min_size=1, max_size=6))
def test_csv_cells_never_start_a_formula_and_read_back_as_written(tmp_path_factory, cells):
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    frame = pd.DataFrame({"v": [c if c is None or isinstance(c, int) else c.replace("\r",
                                                                                    "") for c in cells]}, dtype=object)
    frame = frame.fillna("")  # pandas reads an empty cell back as NaN either way
    write_text_csv(frame, path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert not any(looks_like_formula(v) for v, c in zip(raw["v"],
                                                         frame["v"]) if isinstance(c, str))  # numbers stay numbers
    back = read_text_csv(path, dtype=str, keep_default_na=False)
    assert back["v"].tolist() == [str(v) for v in frame["v"]]


@pytest.fixture(scope="module")
def hostile_plan(tmp_path_factory):
    import subprocess
    import sys
    from pathlib import Path

    folder = tmp_path_factory.mktemp("hostile")
    grids = gpd.GeoDataFrame({"grid_id": [GRID_ID], "name": [NAMES["grid"]], "community": [NAMES["grid"]],
                              "worker": [NAMES["formula"]]}, geometry=[box(113.30, 23.10, 113.31, 23.11)],
                              crs="EPSG:4326")
    grids.to_file(folder / "grids.geojson", driver="GeoJSON", engine="pyogrio")
    pd.DataFrame([
        {"venue_id": "V1", "name": NAMES["venue"], "category": "small_shop", "address": NAMES["address"],
         "lon": 113.303, "lat": 23.103,
         "last_inspected": "2026-01-05"},  # (a venue never inspected is the `inputs` work on planner/horizon.py)
        {"venue_id": "=V2", "name": NAMES["formula"], "category": "small_shop", "address": "", "lon": 113.306,
         "lat": 23.106, "last_inspected": "2026-01-05"},
    ]).to_csv(folder / "venues.csv", index=False)
    pd.DataFrame([{"team_id": "T1", "name": NAMES["team"], "roles": "grid_worker;property;volunteer;safety_officer",
                   "start_lon": 113.305, "start_lat": 23.105, "shift": "09:00-17:00", "mode": "walk",
                   "members": "网格员 <img/src=x/data-xss/onerror=alert(7)>",
                   "start_name": NAMES["start"]}]).to_csv(folder / "teams.csv", index=False)
    out = folder / "plan"
    # a process of its own: patrol.ProgressPrinter binds sys.stderr at import, which pytest may have closed since
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, str(root / "patrol.py"), "plan", "--grids", str(folder / "grids.geojson"),
                           "--venues", str(folder / "venues.csv"),
                        "--teams", str(folder / "teams.csv"), "--date", "2026-11-23", "--time-limit", "2", "--no-pdf",
                        "--out", str(out)], capture_output=True, text=True, timeout=600,
                        env={**__import__("os").environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def test_stops_csv_quotes_formulas_and_reads_back(hostile_plan):
    raw = pd.read_csv(hostile_plan / "stops.csv", dtype=str)
    assert set(raw["venue_id"]) == {"V1", "'=V2"}  # two must visits, an open day: both planned at any search effort
    assert "'" + NAMES["formula"] in set(raw["name"])
    assert not any(looks_like_formula(v) for v in raw.to_numpy().ravel() if isinstance(v, str))
    back = read_text_csv(hostile_plan / "stops.csv", dtype=str)
    assert set(back["venue_id"]) == {"V1", "=V2"} and NAMES["formula"] in set(back["name"])


@pytest.mark.browser
def test_map_and_sheets_of_patrol_plan_show_hostile_names_as_text(hostile_plan):
    from playwright.sync_api import sync_playwright

    from web_helpers import CHROMIUM_ARGS

    dialogs, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((hostile_plan / "map.html").as_uri())
        page.wait_for_function("() => window.L && document.querySelector('.leaflet-control-layers')")
        layers = page.locator(".leaflet-control-layers").inner_text()
        assert NAMES["team"] in layers  # the route layer's name in the layer list
        shown = json.loads(page.evaluate("""() => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const texts = [];
            map.eachLayer(l => {
                if (l.getPopup && l.getPopup()) { l.openPopup(); texts.push(l.getPopup().getElement().textContent); }
                if (l.getTooltip && l.getTooltip() && l.getLatLng) {
                    l.openTooltip(); texts.push(l.getTooltip().getElement().textContent);
                }
            });
            return JSON.stringify(texts); }"""))
        text = " | ".join(shown)
        for key in ("venue", "formula", "address", "team"):
            assert NAMES[key] in text, key
        assert page.locator("[data-xss]").count() == 0
        page.goto((hostile_plan / "sheets.html").as_uri())
        sheet = page.locator("body").inner_text()
        assert NAMES["team"] in sheet and NAMES["start"] in sheet and NAMES["venue"] in sheet
        assert "<img/src=x/data-xss/onerror=alert(7)>" in sheet
        assert page.locator("[data-xss]").count() == 0
        browser.close()
    assert not dialogs, dialogs
    assert not errors, errors
