"""The field app in real headless Chromium, as issue 16 checks it: a patrol's phone (390 px, emulated position)
records five results offline, with photos and a signed notice, survives a reload, uploads each once when back
online; the coordinator's /live board sees the events arrive without a reload, flags the far check-in, re-plans
the rest of the day, and the phone shows the new order."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from playwright.sync_api import expect

from web_helpers import TODAY, log_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
CAMPAIGN = "<i>冬季</i>消防安全专项排查"


def north(lon: float, lat: float, metres: float) -> dict[str, float]:
    return {"longitude": lon, "latitude": lat + metres / 111_195.0, "accuracy": 8}


def a_photo(path) -> None:
    """A camera-sized JPEG (noise, so that it does not shrink by itself): the phone scales it down before queueing."""
    from PIL import Image

    Image.frombytes("RGB", (2400, 1800), os.urandom(2400 * 1800 * 3)).save(path, "JPEG", quality=90)


def field_rows(app):
    from ledger.field_models import FieldFile, FieldVisit, Notice
    from ledger.models import Inspection, db

    with app.app_context():
        visits = db.session.scalars(db.select(FieldVisit).where(FieldVisit.day == TODAY,
                                                                FieldVisit.team_id == "T01")).all()
        inspections = db.session.scalars(db.select(Inspection)
                                         .where(Inspection.id.in_([v.inspection_id for v in visits]))).all()
        files = db.session.execute(db.select(FieldFile.kind, FieldFile.size, FieldFile.media_type)
                                   .where(FieldFile.visit_id.in_([v.id for v in visits]))).all()
        notices = db.session.scalars(db.select(Notice).where(Notice.visit_id.in_([v.id for v in visits]))).all()
        return ([(v.venue_id, v.far, v.method) for v in visits], [i.venue_id for i in inspections], files,
                [n.hazard_ids for n in notices])


def campaign_ticks(app) -> dict[str, list[str]]:
    """The campaign items ticked at T01's stops today, by venue."""
    from ledger.field_models import FieldVisit
    from ledger.models import db

    with app.app_context():
        visits = db.session.scalars(
            db.select(FieldVisit).where(FieldVisit.day == TODAY, FieldVisit.team_id == "T01")
        ).all()
        return {
            v.venue_id: [i for c in v.campaign_checklist for i in c["items"]] for v in visits if v.campaign_checklist
        }


def watch(page, problems: list[str]) -> None:
    """Collect the page's script errors and CSP refusals into ``problems``."""
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)


def plan_today(coordinator, live_server: str) -> None:
    """A web plan of today (two solver seconds), started on /plan and waited for."""
    coordinator.goto(f"{live_server}/plan")
    coordinator.fill("input[name=date]", TODAY.isoformat())
    coordinator.fill("input[name=time_limit]", "2")
    coordinator.click("#start-plan")
    expect(coordinator.locator("#status")).to_have_attribute("data-status", "done", timeout=120_000)


def open_phone(browser, live_server: str, problems: list[str]):
    """patrol1's phone (390 px, touch, a position to emulate) on /m/, controlled by the service worker."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, permissions=["geolocation"],
                                  geolocation={"longitude": 0, "latitude": 0})
    phone = context.new_page()
    watch(phone, problems)
    log_in(phone, live_server, "patrol1")
    phone.goto(f"{live_server}/m/")
    expect(phone.locator("li.stop").first).to_be_visible()
    assert phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()  # now the service worker controls the page
    assert phone.evaluate("navigator.serviceWorker.controller !== null")
    return context, phone


def served(caplog, path: str) -> int:
    """How many times the server answered GET ``path`` (its request log)."""
    return sum(f'"GET {path} ' in r.getMessage() for r in caplog.records)


def test_a_patrols_offline_day_reaches_the_live_board_once_and_the_replan_reaches_the_phone(
    app, browser, live_server, tmp_path, caplog
):
    app.config.update(NOW="10:00", LIVE_STREAM_S=30)
    office = browser.new_context(viewport={"width": 1280, "height": 900})
    coordinator = office.new_page()
    problems: list[str] = []  # script errors and CSP refusals on either page
    watch(coordinator, problems)
    log_in(coordinator, live_server, "coord")
    plan_today(coordinator, live_server)
    coordinator.goto(f"{live_server}/campaigns")  # a campaign (专项排查) over every venue, declared after the plan
    coordinator.fill("#name", CAMPAIGN)
    coordinator.fill("#start", TODAY.isoformat())
    coordinator.fill("#end", (TODAY + dt.timedelta(days=7)).isoformat())
    coordinator.fill("#checklist", "电动车是否进楼入户\n楼道是否堆物")
    coordinator.check("input[name='hazard_types'][value='escape_route_clutter']")  # the hazard type in focus
    coordinator.click("#declare")
    expect(coordinator.locator("#covered")).to_be_visible()

    phone_context, phone = open_phone(browser, live_server, problems)
    day = phone.request.get(f"{live_server}/api/v1/teams/T01/today").json()
    todo = [s for s in day["stops"] if not s["done"]]  # the demo street has results of today already
    if len(todo) < 6:  # however little search the plan's two seconds bought: the coordinator adds venues to the day
        planned = {s["venue_id"] for s in day["stops"]}
        spare = [
            v["venue_id"]
            for v in coordinator.request.get(f"{live_server}/api/v1/venues?limit=80").json()
            if v["venue_id"] not in planned and v["last_inspected"] != TODAY.isoformat()
        ]
        for venue_id in spare[: 6 - len(todo)]:
            added = coordinator.request.post(
                f"{live_server}/api/v1/stops", data={"venue_id": venue_id, "team_id": "T01"}
            )
            assert added.status == 201, added.text()
        phone.reload()
        day = phone.request.get(f"{live_server}/api/v1/teams/T01/today").json()
    already = sum(1 for s in day["stops"] if s["done"])
    stops = [s for s in day["stops"] if not s["done"]]
    assert len(stops) >= 6
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling on a phone
    first = phone.locator(f"li.stop[data-venue='{stops[0]['venue_id']}']")
    expect(first.locator("a.nav-amap")).to_have_attribute("href", stops[0]["nav"]["amap"])
    expect(first).to_contain_text(stops[0]["arrive"])
    expect(first).to_contain_text(stops[0]["reason_label"])

    board = coordinator
    board.goto(f"{live_server}/live")
    expect(board.locator("#stream-state")).to_have_attribute("data-state", "open")

    photo = tmp_path / "现场照片.jpg"
    a_photo(photo)
    phone_context.set_offline(True)
    expect(phone.locator("#net")).to_have_attribute("data-online", "0")
    for k, stop in enumerate(stops[:5]):
        phone_context.set_geolocation(north(stop["lon"], stop["lat"], 400 if k == 0 else 25))
        phone.locator(f"li.stop[data-venue='{stop['venue_id']}'] button.record").click()
        phone.click("#checkin")
        expect(phone.locator("#checkin-state")).to_contain_text("m")
        expect(phone.locator("#checkin-state")).to_have_attribute("data-far", "1" if k == 0 else "0")
        if stop["checklist"]:
            phone.locator("#checklist input").first.check()
        campaign = phone.locator("#campaign-checklist fieldset.campaign")
        expect(campaign).to_have_count(1)
        expect(campaign.locator("legend")).to_have_text(f"专项排查：{CAMPAIGN}")  # the coordinator's text, as text
        expect(campaign.locator("p")).to_have_text("重点隐患：★ 疏散通道堆物")
        if k == 2:
            campaign.locator("input[value='楼道是否堆物']").check()
        phone.click("#add-hazard")
        hazard = phone.locator("fieldset.hazard").last
        expect(hazard.locator(".h-type option").first).to_have_text("★ 疏散通道堆物")  # the focus first, marked
        expect(hazard.locator(".h-type option:has-text('★')")).to_have_count(1)
        hazard.locator(".h-type").select_option("escape_route_clutter")
        hazard.locator(".h-description").fill(f"楼道堆物 {k + 1}")
        hazard.locator(".h-photos").set_input_files(str(photo))
        expect(hazard).to_have_attribute("data-photos", "1")
        if k == 1:  # a 隐患整改通知书, signed on the screen
            phone.check("#notice-toggle")
            phone.fill("#n-measure", "清理楼道堆物")
            phone.fill("#n-unit", "晓港物业")
            phone.fill("#n-person", "李四")
            phone.fill("#n-deadline", TODAY.isoformat())
            phone.fill("#n-standard", "楼道畅通无堆物")
            phone.fill("#n-signer", "李四")
            box = phone.locator("#signature").bounding_box()
            phone.mouse.move(box["x"] + 20, box["y"] + 80)
            phone.mouse.down()
            for step in range(1, 12):
                phone.mouse.move(box["x"] + 20 + step * 25, box["y"] + 80 + (30 if step % 2 else -30))
            phone.mouse.up()
        phone.click("#save")
        expect(phone.locator("#pending")).to_have_attribute("data-count", str(k + 1))
    assert field_rows(app)[0] == []  # nothing reached the server while offline

    asked = served(caplog, "/m/")
    assert asked >= 2  # the log is seen: the phone opened /m/ twice online
    phone.reload()  # offline: the service worker gives the app, IndexedDB still holds the five results
    expect(phone.locator("#pending")).to_have_attribute("data-count", "5")
    expect(phone.locator("li.stop[data-state='queued']")).to_have_count(5)
    assert served(caplog, "/m/") == asked  # the page came from the service worker's copy, not the server

    phone_context.set_offline(False)
    expect(phone.locator("#pending")).to_have_attribute("data-count", "0", timeout=30_000)
    phone.click("#refresh")  # a second upload round: nothing is left to send twice
    expect(phone.locator("li.stop[data-state='done']")).to_have_count(5 + already, timeout=15_000)
    visits, inspections, files, notices = field_rows(app)
    assert sorted(v for v, _, _ in visits) == sorted(s["venue_id"] for s in stops[:5])  # exactly five, once each
    assert sorted(inspections) == sorted(s["venue_id"] for s in stops[:5])
    assert [far for v, far, _ in visits if v == stops[0]["venue_id"]] == [True]
    assert sum(far for _, far, _ in visits) == 1
    photos = [f for f in files if f[0] == "photo"]
    assert len(photos) == 5 and all(media == "image/jpeg" and size < 1_000_000 for _, size, media in photos)
    assert photo.stat().st_size > 2 * max(size for _, size, _ in photos)  # compressed on the phone
    assert [f[0] for f in files].count("signature") == 1 and len(notices) == 1 and len(notices[0]) == 1
    assert campaign_ticks(app) == {stops[2]["venue_id"]: ["楼道是否堆物"]}  # stored with its result, only there

    # the board got the five results by Server-Sent Events, without a reload, and flags the far check-in
    expect(board.locator("#events li.result")).to_have_count(5, timeout=20_000)
    expect(board.locator("#events li.far")).to_have_count(1)
    row = board.locator("#teams tr[data-team='T01']")
    expect(row.locator("td.flags")).to_contain_text(stops[0]["venue_id"])
    expect(row.locator("td").nth(2)).to_have_text(str(5 + already))  # stops done
    expect(board.locator("#live-map .leaflet-tooltip").filter(has_text="T01")).to_have_count(1)

    # re-plan the rest of the day; the phone gets the new order by itself
    board.click("#replan")
    expect(board.locator("#replan-result[data-plan]")).to_have_count(1, timeout=90_000)
    plan_id = board.locator("#replan-result").get_attribute("data-plan")
    new_day = phone.request.get(f"{live_server}/api/v1/teams/T01/today").json()
    assert str(new_day["plan_id"]) == plan_id and new_day["version"] != day["version"]
    expect(phone.locator("#stops")).to_have_attribute("data-version", new_day["version"], timeout=20_000)
    shown = phone.eval_on_selector_all("li.stop", "els => els.map(e => e.dataset.venue)")
    assert shown == [s["venue_id"] for s in new_day["stops"]]
    done_first = {s["venue_id"] for s in stops[:5]}
    assert done_first <= {s["venue_id"] for s in new_day["stops"] if s["done"]}
    expect(board.locator("#events li.replan").first).to_be_visible()

    # the signed notice prints as a PDF
    expect(phone.locator("#notice-links a")).to_have_count(1)
    pdf = phone.request.get(live_server + phone.locator("#notice-links a").get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert problems == []
    phone_context.close()
    office.close()
    time.sleep(3 * app.config["LIVE_POLL_S"])  # the server's streams notice the closed pages at their next round


def shown_order(phone) -> list[str]:
    return phone.eval_on_selector_all("li.stop", "els => els.map(e => e.dataset.venue)")


def expect_route_map(phone, day: dict) -> None:
    """The phone's route map holds the day's grids (one path a polygon), the office, each stop and the route line."""
    polygons = sum(len(f["geometry"]["coordinates"]) if f["geometry"]["type"] == "MultiPolygon" else 1
                   for f in day["grids"]["features"])
    assert polygons >= 1
    route_map = phone.locator("#route-map svg")
    expect(route_map.locator("path.grid")).to_have_count(polygons)
    expect(route_map.locator("circle.stop")).to_have_count(len(day["stops"]))
    expect(route_map.locator("rect.office")).to_have_count(1)
    expect(route_map.locator("polyline.route")).to_have_count(1)
    circles = route_map.locator("circle.stop").evaluate_all("els => els.map(e => e.dataset.venue)")
    assert circles == [s["venue_id"] for s in day["stops"]]  # the stops in order


def test_the_route_map_draws_offline_and_a_replan_made_while_offline_reaches_the_phone_once_online(
    app, browser, live_server
):
    # tiles from this site (a stand-in for a tile server on the intranet): drawn while online, never needed
    app.config.update(NOW="10:00", LIVE_STREAM_S=30, FIELD_TILE_URL="/static/field/icon-192.png?z={z}&x={x}&y={y}")
    problems: list[str] = []
    office = browser.new_context(viewport={"width": 1280, "height": 900})
    coordinator = office.new_page()
    watch(coordinator, problems)
    log_in(coordinator, live_server, "coord")
    if coordinator.request.get(f"{live_server}/api/v1/teams/T01/today").json()["plan_id"] is None:
        plan_today(coordinator, live_server)  # run alone: the first test of the module made none
    phone_context, phone = open_phone(browser, live_server, problems)
    day = phone.request.get(f"{live_server}/api/v1/teams/T01/today").json()
    expect(phone.locator("#stops")).to_have_attribute("data-version", day["version"])
    expect_route_map(phone, day)
    expect(phone.locator("#route-map image.tile").first).to_be_attached()  # online: the background tiles

    phone_context.set_offline(True)
    expect(phone.locator("#net")).to_have_attribute("data-online", "0")
    phone.reload()  # no network: the service worker gives the app, the browser kept the day
    expect(phone.locator("#stops")).to_have_attribute("data-version", day["version"])
    expect_route_map(phone, day)
    expect(phone.locator("#route-map image.tile")).to_have_count(0)  # offline: vectors only
    assert shown_order(phone) == [s["venue_id"] for s in day["stops"]]

    # the coordinator re-plans the rest of the day while the phone has no signal
    replanned = coordinator.request.post(f"{live_server}/api/v1/replan", data={"at": "10:00"},
                                         headers={"Idempotency-Key": "replan-while-the-phone-is-offline"},
                                         timeout=120_000)
    assert replanned.status == 201, replanned.text()
    new_day = coordinator.request.get(f"{live_server}/api/v1/teams/T01/today").json()
    assert new_day["plan_id"] == replanned.json()["plan_id"] and new_day["version"] != day["version"]
    expect(phone.locator("#stops")).to_have_attribute("data-version", day["version"])  # it cannot know yet

    phone_context.set_offline(False)  # back in signal: the new order arrives by itself, no reload, no tap
    expect(phone.locator("#stops")).to_have_attribute("data-version", new_day["version"], timeout=30_000)
    assert shown_order(phone) == [s["venue_id"] for s in new_day["stops"]]
    expect_route_map(phone, new_day)

    phone_context.set_offline(True)
    phone.reload()  # offline again: the kept day is the new one, never the old order
    expect(phone.locator("#net")).to_have_attribute("data-online", "0")
    expect(phone.locator("#stops")).to_have_attribute("data-version", new_day["version"])
    assert shown_order(phone) == [s["venue_id"] for s in new_day["stops"]]
    expect_route_map(phone, new_day)
    assert problems == []
    app.config.update(FIELD_TILE_URL="")
    phone_context.close()
    office.close()
    time.sleep(3 * app.config["LIVE_POLL_S"])  # the server's streams notice the closed pages at their next round
