"""Real headless Chromium (Debian's) against the app on loopback: what a coordinator, a patrol and a viewer do."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

from web_helpers import log_in

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def test_coordinator_imports_plans_records_and_closes_a_hazard(browser, live_server, tmp_path, request):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    log_in(page, live_server, "coord")

    # import a hazards file exported from the street's own spreadsheet
    hazards = pd.DataFrame({"隐患编号": ["B001"], "场所编号": ["V0030"], "隐患类型": ["楼道堆物"],
                            "发现日期": ["2026-11-20"]})
    upload = tmp_path / "新发现隐患.csv"
    hazards.to_csv(upload, index=False)
    page.goto(f"{live_server}/import")
    page.select_option("#kind", "hazards")
    page.set_input_files("#file", str(upload))
    page.click("#upload")
    expect(page.locator("#n-new")).to_have_text("1", timeout=30_000)  # imported in the background, then the counts

    # plan a day and watch the progress bar finish
    page.goto(f"{live_server}/plan")
    page.fill("input[name=date]", "2026-11-22")  # today in the tests: results can be recorded at once
    page.fill("input[name=time_limit]", "2")
    page.click("#start-plan")
    expect(page.locator("#status")).to_have_attribute("data-status", "done", timeout=90_000)
    expect(page.locator("#bar")).to_have_attribute("style", re.compile(r"width: 100%"))
    expect(page.locator("#summary")).to_contain_text("巡查点")
    expect(page.locator("#team-sheets a").first).to_be_visible()
    plan_id = page.url.rstrip("/").split("/")[-1]
    shot = tmp_path / "plan.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000

    # the first stop of T01: record a hazard the way the QR code's form does
    plan = page.request.get(f"{live_server}/api/v1/plans/{plan_id}").json()
    stop = next(s for s in plan["stops"] if s["team_id"] == "T01")
    page.goto(f"{live_server}/stops/{stop['day']}/T01/{stop['venue_id']}")
    page.select_option("#hazard_type", "fire_equipment_missing")
    page.fill("input[name=description]", "灭火器过期")
    page.click("#save")
    expect(page.locator(".flash")).to_contain_text("已保存")
    hazards = page.request.get(f"{live_server}/api/v1/hazards?status=found").json()
    hid = next(h["hazard_id"] for h in hazards if h["venue_id"] == stop["venue_id"]
               and h["type"] == "fire_equipment_missing")

    # through the loop to 销号
    page.goto(f"{live_server}/hazards/{hid}")
    page.click("#report")
    page.click("#rectify")  # without the 五落实: refused, with the field named
    expect(page.locator("#error")).to_contain_text("measure")
    page.fill("#f-measure", "更换灭火器")
    page.fill("#f-responsible_unit", "店主")
    page.fill("#f-responsible_person", "李老板")
    page.fill("#f-deadline", stop["day"])
    page.fill("#f-standard", "灭火器在有效期内")
    page.click("#rectify")
    page.click("#feedback")
    page.click("#close")
    expect(page.locator("#hazard-status")).to_have_attribute("data-status", "closed")
    expect(page.locator("#hazard-status")).to_have_text("已销号")
    expect(page.locator("#events td[data-action=close]")).to_have_text("复查销号")
    page.close()


def test_viewer_is_refused_an_edit(browser, live_server):
    page = browser.new_page()
    log_in(page, live_server, "viewer")
    page.goto(f"{live_server}/hazards/H0002")
    expect(page.locator("#advance")).to_have_count(0)
    token = page.content().split('name="csrf_token" value="')[1].split('"')[0]
    status = page.evaluate("""async ([url, token]) => {
        const body = new URLSearchParams({action: "report", csrf_token: token});
        return (await fetch(url, {method: "POST", body})).status; }""", [f"{live_server}/hazards/H0002", token])
    assert status == 403
    assert page.goto(f"{live_server}/plan").status == 403
    page.close()


def test_map_page_screenshot(browser, live_server, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    log_in(page, live_server, "viewer")
    frame_response = page.request.get(f"{live_server}/map/frame")
    assert frame_response.status == 200, frame_response.text()[-2000:]
    page.goto(f"{live_server}/map")
    frame = page.frame_locator("#map")
    expect(frame.locator(".leaflet-control-layers")).to_contain_text("重大隐患未销号", timeout=30_000)
    expect(frame.locator("path.leaflet-interactive").first).to_be_visible()
    shot = tmp_path / "map.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 50_000
    # click a venue: its popup links to its history, which opens in the whole window
    page.goto(f"{live_server}/map?group=high_risk")
    page.frame_locator("#map").locator("path.leaflet-interactive").first.wait_for()
    frame = next(f for f in page.frames if "/map/frame" in f.url)
    frame.evaluate("""() => {
        const map = Object.values(window).find(v => v instanceof L.Map);
        let marker = null;
        map.eachLayer(l => { if (!marker && l instanceof L.CircleMarker && l.getPopup()) marker = l; });
        marker.fire("click", {latlng: marker.getLatLng()}); }""")
    link = page.frame_locator("#map").locator(".leaflet-popup-content a")
    expect(link).to_have_text("检查与隐患记录")
    link.click()
    expect(page).to_have_url(re.compile(r"/venues/V\d+$"))
    expect(page.locator("#inspections")).to_be_visible()
    page.screenshot(path=str(tmp_path / "venue.png"))
    page.goto(f"{live_server}/map?lang=en")
    expect(page.locator("nav")).to_contain_text("Map")
    expect(page.frame_locator("#map")
           .locator(".leaflet-control-layers")).to_contain_text("Open major hazard", timeout=30_000)
    page.close()


@pytest.mark.parametrize(("path", "first_row"), [("/hotspots", "G04"), ("/gaps", "1")])
def test_meeting_maps_show_map_legend_and_ranked_table_side_by_side(browser, live_server, tmp_path, path, first_row):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors = []
    log_in(page, live_server, "viewer")
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}{path}")
    frame = page.frame_locator("iframe.map")
    expect(frame.locator(".leaflet-control-layers")).to_be_visible(timeout=30_000)
    expect(frame.locator(".ranked .map-legend")).to_be_visible()
    expect(frame.locator(".ranked tr").nth(1).locator("td").first).to_have_text(first_row)
    leaflet = frame.locator(".folium-map").bounding_box()
    panel = frame.locator(".ranked").bounding_box()
    assert leaflet["x"] + leaflet["width"] <= panel["x"] + 1  # the table hides no part of the map
    assert frame.locator(".leaflet-control-scale-line").count() == 1  # metres only
    expect(frame.locator(".leaflet-control-scale-line")).to_contain_text(" m")
    shot = tmp_path / "meeting.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 50_000
    assert not errors, errors
    page.close()


def test_review_projector_mode_in_the_browser(browser, live_server):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    log_in(page, live_server, "viewer")
    page.goto(f"{live_server}/review?period=month")
    page.click("#projector")
    expect(page.locator("nav")).to_have_count(0)
    expect(page.locator("#export-pdf")).to_have_count(0)
    assert float(page.evaluate("getComputedStyle(document.querySelector('#kpi-found')).fontSize").rstrip("px")) >= 36
    with page.expect_download() as download:
        page.goto(f"{live_server}/review?period=month")
        page.click("#export-png")
    assert download.value.suggested_filename.endswith(".png")
    page.close()
