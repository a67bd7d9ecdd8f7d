"""The command-centre screen (/screen): its numbers against the tables, and a 1920×1080 screenshot in Chromium."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa

from web_helpers import PASSWORDS, TODAY, api_token, login

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def today_out(app):
    """Today: a finished plan with two teams' stops, some of them recorded; a hazard overdue long enough for red."""
    from ledger.models import Hazard, Inspection, PlanRun, PlanStop, db

    with app.app_context():
        run = PlanRun(created_by="coord", start=TODAY, days=1, status="done")
        db.session.add(run)
        db.session.flush()
        for seq, (team, venue) in enumerate([("T01", "V0101"), ("T01", "V0102"), ("T01", "V0103"), ("T02", "V0104"),
                                             ("T02", "V0105")]):
            db.session.add(PlanStop(plan_id=run.id, day=TODAY, team_id=team, seq=seq, venue_id=venue, reason="due",
                                    arrive="09:00", depart="09:10"))
        for team, venue in (("T01", "V0101"), ("T01", "V0102"), ("T02", "V0104")):
            db.session.add(Inspection(venue_id=venue, date=TODAY, team_id=team, outcome="done"))
        db.session.add(Hazard(hazard_id="HS001", venue_id="V0101", type="other", severity="general",
                              status="rectifying",
                              found_on=TODAY - dt.timedelta(days=30), deadline=TODAY - dt.timedelta(days=20)))
        db.session.commit()
    return app


def expected_numbers(engine: sa.Engine) -> dict[str, int | str]:
    """The screen's numbers from the tables, by the definitions (not through ledger code)."""
    rules = tomllib.loads((ROOT / "data" / "rules.toml").read_text(encoding="utf-8"))["notify"]
    day = TODAY.isoformat()
    with engine.connect() as conn:
        hazards = [dict(r._mapping)
                   for r in conn.execute(sa.text("SELECT status, severity, found_on, deadline, closed_on FROM hazard"))]
        newest = conn.execute(sa.text("SELECT max(s.plan_id) FROM stop s JOIN plan p ON p.id = s.plan_id "
                                      "WHERE p.status = 'done' AND s.day = :d"), {"d": day}).scalar()
        planned = {tuple(r)
                   for r in conn.execute(sa.text("SELECT team_id, venue_id FROM stop WHERE plan_id = :p AND day = :d"),
                                                  {"p": newest, "d": day})}
        planned |= {tuple(r)
                    for r in conn.execute(sa.text("SELECT team_id, venue_id FROM "
                                                  "added_stop WHERE day = :d"), {"d": day})}
        visited = {tuple(r)
                   for r in conn.execute(sa.text("SELECT team_id, venue_id FROM inspection WHERE date = "
                                                 ":d AND team_id <> ''"),
                                                  {"d": day})}

    def day_of(v):
        return None if v is None else (v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10]))

    out: dict[str,
              int | str] = {s: sum(h["status"] == s for h in hazards) for s in ("found", "reported",
                                                                                "rectifying", "feedback")}
    out["open"] = sum(h["status"] != "closed" for h in hazards)
    out["overdue"] = sum(h["status"] != "closed" and h["deadline"] is not None and day_of(h["deadline"]) < TODAY
                         for h in hazards)
    yellow = red = 0
    for h in hazards:
        if h["status"] in ("found", "reported", "rectifying") and h["deadline"] is not None:
            sev = rules[h["severity"] if h["severity"] in rules else "general"]
            late = (TODAY - day_of(h["deadline"])).days
            if late >= sev["yellow_after_days"] + sev["red_after_days"]:
                red += 1
            elif late >= sev["yellow_after_days"]:
                yellow += 1
    out["yellow"], out["red"] = yellow, red
    known = [h for h in hazards if day_of(h["found_on"]) <= TODAY]
    closed = sum(h["closed_on"] is not None and day_of(h["closed_on"]) <= TODAY for h in known)
    out["closure_rate"] = f"{100 * closed / len(known):.0f}%"
    out["teams_out"] = len({t for t, _ in planned | visited})
    out["stops_planned"], out["stops_done"] = len(planned), len(planned & visited)
    return out


def test_screen_page_is_chromeless_refreshes_itself_and_has_no_script(today_out, client):
    login(client, "viewer")
    response = client.get("/screen")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="60">' in html
    assert "<nav" not in html and "<script" not in html  # nothing the CSP has to allow
    assert "script-src 'self' 'nonce-" in response.headers["Content-Security-Policy"]
    assert 'src="/hotspots/frame?days=90"' in html  # the hotspot map builder's own frame


def test_screen_is_for_coordinators_and_viewers(today_out, client):
    assert client.get("/screen").status_code == 302  # to the login page
    login(client, "patrol1")
    assert client.get("/screen").status_code == 403


@pytest.mark.browser
def test_screen_at_1920x1080_shows_the_ledgers_numbers(today_out, live_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from ledger.models import db
    from web_helpers import CHROMIUM_ARGS

    with today_out.app_context():
        want = expected_numbers(db.engine)
    assert want["stops_planned"] == 5 and want["stops_done"] == 3 and want["red"] >= 1  # the fixture's day is in it
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))  # scripts (map tiles fail offline: not ours)
        page.goto(f"{live_server}/login")
        page.fill("#username", "viewer")
        page.fill("#password", PASSWORDS["viewer"])
        page.click("#login")
        page.goto(f"{live_server}/screen")
        frame = page.frame_locator("#hotspots")
        expect(frame.locator(".leaflet-control-layers")).to_be_visible(timeout=60_000)
        shot = tmp_path / "screen.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 100_000
        shown = {name: page.locator(f"#{css}").inner_text() for name, css in (
            ("teams_out", "teams-out"), ("stops_done", "stops-done"), ("stops_planned", "stops-planned"),
            ("open", "open-hazards"), ("overdue", "overdue"), ("yellow", "yellow-cards"), ("red", "red-cards"),
            ("closure_rate", "closure-rate"))}
        for stage in ("found", "reported", "rectifying", "feedback"):
            shown[stage] = page.locator(f'[data-stage="{stage}"]').inner_text()
        assert shown == {k: str(v) for k, v in want.items()}
        api = page.request.get(f"{live_server}/api/v1/kpi?period=month&by=grid",
                               headers={"Authorization": f"Bearer {api_token(today_out, 'viewer')}"}).json()
        top = [r["key"] for r in api["rows"] if r["rank"] is not None][:5]
        assert page.locator("#ranking tr[data-key]").evaluate_all("rows => rows.map(r => r.dataset.key)")[:5] == top
        # one screen: nothing scrolls, and the numbers are readable across a room
        assert page.evaluate("[document.documentElement.scrollWidth, "
                             "document.documentElement.scrollHeight]") == [1920, 1080]
        assert float(page.evaluate("getComputedStyle(document.querySelector('#open-hazards')).fontSize")
                     .rstrip("px")) >= 64
        for panel in ("#ranking", "#stages", "#teams"):
            fits = page.locator(panel).evaluate("e => e.scrollHeight <= e.clientHeight + 1")
            assert fits, f"{panel} is cut off"
        assert not errors, errors
        browser.close()
