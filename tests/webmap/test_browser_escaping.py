"""All text is data: hostile text in every field of every layer, imported through /import, shown on every page
to every role in headless Chromium (under the CSP): no dialog, no injected element, the text shown as typed."""

from __future__ import annotations

import io
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook
from shapely.geometry import box

from conftest import missing
from web_helpers import TODAY, csrf_token, log_in, login

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
# escaping does not depend on the database: one run (SQLite) keeps the browser time down
pytestmark = [pytest.mark.browser, pytest.mark.parametrize("app", ["sqlite"], indirect=True)]


def long(n: int) -> str:
    """A payload for a text field: HTML, attribute, JavaScript template literal and </script> breakouts at once."""
    return f"\"'><img src=x data-xss onerror=alert({n})>`${{alert({n})}}`</script><svg data-xss onload=alert({n})>"


def short(n: int) -> str:
    """A payload that fits an id (64 characters)."""
    return f'"><svg data-xss onload=alert({n})>'


HOSTILE = {
    "grid.name": long(1), "grid.community": long(2), "grid.worker": long(3), "grid.grid_id": short(4),
    "venue.venue_id": short(5), "venue.name": long(6), "venue.address": f"@SUM(1+1){short(7)}", "venue.phone": short(8),
    "venue2.name": long(9), "team.name": long(10), "team.start_name": long(11),
    "team.members": "网格员 <img/src=x/data-xss/onerror=alert(12)>、物业 李四", "team.team_id": short(13),
    "hazard.description": long(14), "hazard.responsible_unit": f'=HYPERLINK("http://evil.example","{short(15)}")',
    "hazard.responsible_person": long(16), "hazard.standard": long(17), "hazard.measure": long(18),
    "inspection.notes": long(19),
}
HAZARD_ID = "HX-0001"


def _upload(client, kind: str, name: str, data: bytes) -> None:
    token = csrf_token(client.get("/import").get_data(as_text=True))
    response = client.post("/import", data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[-1500:]


def _csv(rows: list[dict]) -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode()


@pytest.fixture(scope="module")
def hostile(app):
    """The demo street with hostile text in every field, imported through /import, and a plan made from the web."""
    client = app.test_client()
    login(client, "coord")
    grids = gpd.read_file(DEMO / "grids.geojson")
    g01 = grids[grids["grid_id"] == "G01"].copy()
    g01[["name", "community", "worker"]] = [HOSTILE["grid.name"], HOSTILE["grid.community"], HOSTILE["grid.worker"]]
    minx, miny, maxx, maxy = grids.total_bounds
    extra = gpd.GeoDataFrame({"grid_id": [HOSTILE["grid.grid_id"]], "name": ["东侧网格"],
                              "community": [HOSTILE["grid.community"]],
                              "worker": ["王五"]},
                              geometry=[box(maxx + 0.0005, miny + 0.02, maxx + 0.006, miny + 0.03)], crs=grids.crs)
    _upload(client, "grids", "grids.geojson", pd.concat([g01, extra]).to_json().encode())
    inside = g01.geometry.iloc[0].representative_point()
    east = extra.geometry.iloc[0].centroid
    _upload(client, "venues", "venues.csv", _csv([
        {"venue_id": HOSTILE["venue.venue_id"], "name": HOSTILE["venue.name"], "category": "small_shop",
         "address": HOSTILE["venue.address"], "lon": inside.x, "lat": inside.y, "phone": HOSTILE["venue.phone"]},
        {"venue_id": "VX-0002", "name": HOSTILE["venue2.name"], "category": "small_shop", "address": "东路1号",
         "lon": east.x, "lat": east.y, "phone": ""},
    ]))
    teams = pd.read_csv(DEMO / "teams.csv", dtype=str)
    t01 = teams[teams["team_id"] == "T01"].assign(name=HOSTILE["team.name"], start_name=HOSTILE["team.start_name"],
                                                  members=HOSTILE["team.members"], start_lon=inside.x,
                                                  start_lat=inside.y)
    t01["home_grids"] = "G01"
    other = t01.assign(team_id=HOSTILE["team.team_id"], start_lon=east.x, start_lat=east.y,
                       home_grids=HOSTILE["grid.grid_id"])
    _upload(client, "teams", "teams.csv", _csv(pd.concat([t01, other]).to_dict("records")))
    _upload(client, "hazards", "hazards.csv", _csv([{
        "hazard_id": HAZARD_ID, "venue_id": HOSTILE["venue.venue_id"], "type": "fire_lane_blocked",
        "found_on": "2026-11-01",
        "severity": "major", "status": "rectifying", "deadline": "2026-11-15", "measure": HOSTILE["hazard.measure"],
        "responsible_unit": HOSTILE["hazard.responsible_unit"],
        "responsible_person": HOSTILE["hazard.responsible_person"],
        "standard": HOSTILE["hazard.standard"], "description": HOSTILE["hazard.description"]}]))
    _upload(client, "inspections", "inspections.csv", _csv([
        {"venue_id": HOSTILE["venue.venue_id"], "date": "2026-11-02", "team_id": "T01", "outcome": "done",
         "notes": HOSTILE["inspection.notes"]}]))

    token = csrf_token(client.get("/plan").get_data(as_text=True))
    started = client.post("/plan", data={"csrf_token": token, "date": TODAY.isoformat(), "days": "1", "time_limit": "2",
                                         "teams": ["T01", HOSTILE["team.team_id"]]})
    assert started.status_code == 302, started.get_data(as_text=True)[-1500:]
    plan_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
    deadline = time.monotonic() + 240
    while (progress := client.get(f"/plans/{plan_id}/progress").get_json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, progress
        time.sleep(1)
    assert progress["status"] == "done", progress
    stops = client.get(f"/api/v1/plans/{plan_id}").get_json()["stops"]
    return {"plan_id": plan_id, "stops": stops, "venue": (inside.x, inside.y), "venue2": (east.x, east.y)}


def _pages(role: str, hostile: dict) -> list[str]:
    from urllib.parse import quote

    vid, tid = quote(HOSTILE["venue.venue_id"], safe=""), quote(HOSTILE["team.team_id"], safe="")
    plan = hostile["plan_id"]
    pages = ["/", "/map", f"/venues/{vid}", "/gaps", "/hotspots?days=365", "/review", "/review?by=grid",
             f"/plans/{plan}",
             f"/hazards/{HAZARD_ID}", "/ledger/problems", "/ledger/rectification", "/ledger/closed", "/account"]
    if role in ("coordinator", "patrol"):
        pages += [f"/plans/{plan}/sheets/T01", f"/stops/{TODAY.isoformat()}/T01/{vid}"]
    if role == "coordinator":
        pages += [f"/plans/{plan}/sheets/{tid}", "/users", "/import", "/plan", f"/plans/{plan}/files/map.html",
                  f"/plans/{plan}/files/sheets.html", "/map?community=" + quote(HOSTILE["grid.community"], safe="")]
    return pages


OPEN_POPUP = """([lon, lat]) => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    let shown = null;
    map.eachLayer(l => {
        const at = l.getLatLng && l.getLatLng();
        if (!shown && at && Math.abs(at.lng - lon) < 1e-6 && Math.abs(at.lat - lat) < 1e-6) {
            if (l.getPopup()) { l.openPopup(); }
            if (l.getTooltip()) { l.openTooltip(); }
            shown = l;
        }
    });
    const boxes = document.querySelectorAll(".leaflet-popup-content, .leaflet-tooltip");
    return [...boxes].map(e => e.textContent).join(" | ");
}"""
GRID_TOOLTIP = """(needle) => {
    // folium binds a GeoJSON layer's tooltip on the whole layer: hover (mouseover) each matching polygon
    const map = Object.values(window).find(v => v instanceof L.Map);
    const texts = [];
    map.eachLayer(group => {
        if (!(group instanceof L.GeoJSON) || !group.getTooltip()) return;
        group.eachLayer(l => {
            if (JSON.stringify(l.feature.properties).includes(needle)) {
                l.fire("mouseover", {latlng: l.getBounds().getCenter()}, true);
                texts.push(group.getTooltip().getElement().textContent);
                l.fire("mouseout", {}, true);
            }
        });
    });
    return texts.join(" | ");
}"""


def _map_frame(page):
    return next(f for f in page.frames if "/frame" in f.url or f.url.endswith("map.html"))


@pytest.mark.parametrize(("role", "user"), [("coordinator", "coord"), ("patrol", "patrol1"), ("viewer", "viewer")])
def test_hostile_text_shows_as_text_on_every_page_for_every_role(browser, live_server, hostile, role, user):
    dialogs, violations, errors, injected = [], [], [], []
    # one context per role in the module's one browser
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())  # no internet here
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append((page.url, d.message)), d.dismiss()))
    page.on("console", lambda m: violations.append((page.url, m.text)) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: errors.append((page.url, str(e))))
    log_in(page, live_server, user)
    for path in _pages(role, hostile):
        response = page.goto(f"{live_server}{path}")
        assert response.status == 200, (path, response.status)
        page.wait_for_load_state("load")
        for frame in page.frames:
            if frame.url.startswith("http"):
                frame.wait_for_load_state("load")
                if "/frame" in frame.url or frame.url.endswith("map.html"):
                    frame.wait_for_function("() => window.L && document.querySelector('.leaflet-control-layers')")
                if frame.locator("[data-xss]").count():
                    injected.append((path, frame.url, frame.locator("[data-xss]").first.evaluate("e => e.outerHTML")))
        text = page.locator("body").inner_text()
        if path.startswith(("/venues/", "/hazards/", "/ledger/rectification", "/stops/")):
            assert HOSTILE["venue.name"] in text, path  # the name as typed, not as markup
        if path.startswith("/hazards/"):
            for field in ("description", "responsible_unit", "responsible_person", "standard", "measure"):
                assert HOSTILE[f"hazard.{field}"] in text, field
        if path.startswith("/venues/"):
            assert HOSTILE["inspection.notes"] in text
        if "/sheets/T01" in path:
            assert HOSTILE["team.name"] in text and HOSTILE["team.start_name"] in text
            assert "<img/src=x/data-xss/onerror=alert(12)>" in text  # the member's name
        if path == "/users":
            assert HOSTILE["team.team_id"] in text
        if path == "/map":
            frame = _map_frame(page)
            shown = frame.evaluate(OPEN_POPUP, list(hostile["venue"]))
            assert HOSTILE["venue.name"] in shown and "G01" in shown
            grid = frame.evaluate(GRID_TOOLTIP, "G01")
            for field in ("name", "community", "worker"):
                assert HOSTILE[f"grid.{field}"] in grid, field
            assert HOSTILE["grid.grid_id"] in frame.evaluate(GRID_TOOLTIP, "东侧网格")
            assert not frame.locator("[data-xss]").count()
        if path == "/gaps":
            frame = _map_frame(page)
            assert HOSTILE["venue2.name"] in frame.evaluate(OPEN_POPUP, list(hostile["venue2"]))
            assert HOSTILE["grid.name"] in frame.evaluate(GRID_TOOLTIP, "G01")
            assert HOSTILE["grid.grid_id"] in frame.evaluate(GRID_TOOLTIP, "东侧网格")
        if path == f"/plans/{hostile['plan_id']}" and role != "patrol":  # patrols see their sheet, not the map
            frame = _map_frame(page)
            layers = frame.locator(".leaflet-control-layers").inner_text()
            assert HOSTILE["team.name"] in layers
            shown = frame.evaluate(OPEN_POPUP, list(hostile["venue"]))
            assert HOSTILE["venue.name"] in shown and HOSTILE["venue.address"] in shown
            assert not frame.locator("[data-xss]").count()
    context.close()
    assert not dialogs, dialogs
    assert not injected, injected
    assert not violations, violations[:5]
    assert not errors, errors[:5]


def test_the_ledger_workbook_keeps_hostile_text_as_text(app, hostile):
    client = app.test_client()
    login(client, "viewer")
    response = client.get("/ledger/rectification.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("隐患编号")].value == HAZARD_ID)
    unit = row[header.index("责任单位")]
    assert unit.value == HOSTILE["hazard.responsible_unit"] and unit.data_type == "s" and unit.quotePrefix
    address = row[header.index("地址")]
    assert address.value == HOSTILE["venue.address"] and address.data_type == "s"
    assert row[header.index("场所名称")].value == HOSTILE["venue.name"]
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)  # no formula anywhere in the ledger


def test_the_route_sheet_pdf_prints_hostile_text_as_text(app, hostile, tmp_path):
    import subprocess

    from webmap.sheets import pdf_available

    if not pdf_available():
        missing("WeasyPrint with Pango")
    client = app.test_client()
    login(client, "coord")
    response = client.get(f"/plans/{hostile['plan_id']}/sheets/T01?format=pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    (tmp_path / "t01.pdf").write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "t01.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(text.split())  # the PDF wraps long names over lines
    assert "".join(HOSTILE["team.name"].split()) in flat  # printed as typed, markup and all
