"""The roads on the phone's route map, in real headless Chromium: a coordinator imports the road layer on the import
page; a patrol's phone (390 px) draws the roads near its day beneath the route, keeps the day in IndexedDB and
draws them again offline after a reload; a day an older app kept in localStorage moves to IndexedDB once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser_field import open_phone, watch

from web_helpers import TODAY, add_to_day, log_in

pytestmark = pytest.mark.browser
DEMO_ROADS = Path(__file__).resolve().parents[2] / "data" / "demo" / "roads.geojson"
ODD_NAME = '<img src=x onerror="document.title=1">路'
KEY = "patrol-today:T01"
OPEN_DB = """const db = await new Promise((ok, fail) => {
    const r = indexedDB.open("patrol-field");
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });"""
KEPT_DAY = """async (key) => {
  %s
  const got = await new Promise((ok, fail) => {
    const q = db.transaction("days").objectStore("days").get(key);
    q.onsuccess = () => ok(q.result || null);
    q.onerror = () => fail(q.error);
  });
  db.close();
  return got && got.day;
}""" % OPEN_DB
FORGET_DAY = """async (key) => {
  %s
  await new Promise((ok, fail) => {
    const tx = db.transaction("days", "readwrite");
    tx.objectStore("days").delete(key);
    tx.oncomplete = ok;
    tx.onerror = () => fail(tx.error);
  });
  db.close();
}""" % OPEN_DB


def road_paths(day: dict) -> int:
    """The paths the phone draws for the day's roads: one a line of two points or more."""
    lines = 0
    for f in day["roads"]["features"]:
        g = f["geometry"]
        parts = [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]
        lines += sum(1 for part in parts if len(part) >= 2)
    return lines


def expect_roads(phone, day: dict) -> None:
    route_map = phone.locator("#route-map svg")
    expect(route_map.locator("g.roads path.road")).to_have_count(road_paths(day))
    expect(route_map.locator("path.road.major").first).to_be_attached()  # the demo's primary roads, drawn wider
    # beneath the route: the roads' group comes before the route line in the picture
    assert route_map.evaluate("svg => [...svg.children].indexOf(svg.querySelector('g.roads')) < "
                              "[...svg.children].indexOf(svg.querySelector('polyline.route'))")
    odd = route_map.locator("path.road title").filter(has_text="onerror")
    expect(odd).to_have_count(1)
    assert odd.text_content() == ODD_NAME  # the file's name shown as text
    expect(phone.locator("#route-map img")).to_have_count(0)


def test_the_phone_draws_the_imported_roads_offline_after_a_reload(app, browser, live_server, tmp_path):
    from ledger.models import Venue, db

    with app.app_context():
        venues = db.session.scalars(db.select(Venue.venue_id).where(Venue.grid_id == "G01")
                                    .order_by(Venue.venue_id).limit(4)).all()
        first = db.session.get(Venue, venues[0])
        lon, lat = first.lon, first.lat
    add_to_day(app, TODAY, "T01", *venues)
    roads = json.loads(DEMO_ROADS.read_text(encoding="utf-8"))
    roads["features"].append({"type": "Feature", "properties": {"name": ODD_NAME, "highway": "footway"},
                              "geometry": {"type": "LineString", "coordinates": [[lon, lat], [lon + 0.0008, lat]]}})
    road_file = tmp_path / "街道道路.geojson"
    road_file.write_text(json.dumps(roads, ensure_ascii=False), encoding="utf-8")

    problems: list[str] = []
    office = browser.new_context(viewport={"width": 1280, "height": 900})
    coordinator = office.new_page()
    watch(coordinator, problems)
    log_in(coordinator, live_server, "coord")
    coordinator.goto(f"{live_server}/import")
    coordinator.select_option("#kind", "roads")
    coordinator.set_input_files("#file", str(road_file))
    coordinator.click("#upload")
    expect(coordinator.locator("#n-new")).to_have_text("173", timeout=60_000)

    phone_context, phone = open_phone(browser, live_server, problems)
    day = phone.request.get(f"{live_server}/api/v1/teams/T01/today").json()
    assert road_paths(day) >= 10 and not day["roads"]["cut"]
    expect(phone.locator("#stops")).to_have_attribute("data-version", day["version"])
    expect_roads(phone, day)
    assert phone.evaluate(KEPT_DAY, KEY)["roads"] == day["roads"]  # kept in IndexedDB ...
    assert phone.evaluate(f"localStorage.getItem('{KEY}')") is None  # ... not in localStorage

    phone_context.set_offline(True)
    phone.reload()  # no network: the service worker gives the app, IndexedDB the day
    expect(phone.locator("#net")).to_have_attribute("data-online", "0")
    expect(phone.locator("#stops")).to_have_attribute("data-version", day["version"])
    expect(phone.locator("li.stop")).to_have_count(len(day["stops"]))
    expect_roads(phone, day)

    # a phone that an older app kept the day for in localStorage: the copy moves to IndexedDB once, offline too
    old = {**day, "version": "kept-by-the-old-app"}
    phone.evaluate(FORGET_DAY, KEY)
    phone.evaluate("([key, day]) => localStorage.setItem(key, day)", [KEY, json.dumps(old)])
    phone.reload()
    expect(phone.locator("#stops")).to_have_attribute("data-version", "kept-by-the-old-app")
    expect_roads(phone, old)
    assert phone.evaluate(f"localStorage.getItem('{KEY}')") is None
    assert phone.evaluate(KEPT_DAY, KEY)["version"] == "kept-by-the-old-app"
    phone.reload()  # moved once: the next offline start reads it from IndexedDB
    expect(phone.locator("#stops")).to_have_attribute("data-version", "kept-by-the-old-app")

    phone_context.set_offline(False)  # online again: the fresh day replaces the moved copy
    phone.click("#refresh")
    expect(phone.locator("#stops")).to_have_attribute("data-version", day["version"], timeout=20_000)
    assert phone.evaluate(KEPT_DAY, KEY)["version"] == day["version"]
    assert phone.title() != "1" and problems == []
    phone_context.close()
    office.close()
