"""Helpers of the web and ledger tests: logging in, posting forms with their CSRF token, counting rows."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

TODAY = dt.date(2026, 11, 22)
TABLES = ("grid", "venue", "team", "person", "inspection", "hazard", "hazard_event", "plan", "stop", "user")
PASSWORDS = {"coord": "coord-test-pw", "patrol1": "patrol-test-pw", "viewer": "viewer-test-pw"}
# Debian's Chromium, headless, offline (the ``browser`` fixture of tests/conftest.py)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def table_counts(app) -> dict[str, int]:
    """Rows per table of :data:`TABLES` (a write that should change nothing leaves them as they were)."""
    from ledger.models import db

    with app.app_context():
        return {t: db.session.execute(db.text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in TABLES}


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def login(client, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login",
                           data={"username": username, "password": PASSWORDS[username], "csrf_token": csrf_token(page)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def form_once(html: str) -> dict[str, str]:
    """The page's one-time form token (hidden field ``once``), when it has one."""
    match = re.search(r'name="once" value="([^"]+)"', html)
    return {"once": match.group(1)} if match else {}


def post_form(client, url: str, data: dict, **kwargs):
    """POST a form the way a browser does: with the CSRF token (and one-time token) of the page it came from."""
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={**form_once(page), **data, "csrf_token": csrf_token(page)}, **kwargs)


def add_to_day(app, day: dt.date | str, team_id: str, *venue_ids: str) -> None:
    """Put venues on a team's stops of a day, as a coordinator does (so that the team's patrol may record them)."""
    from ledger.models import User, db
    from ledger.results import add_stop
    from ledger.transaction import transaction

    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    with app.app_context(), transaction():
        coordinator = db.session.scalars(db.select(User).where(User.role == "coordinator")).first()
        for venue_id in venue_ids:
            add_stop(coordinator, day=day, team_id=team_id, venue_id=venue_id)


def wait_for_plan(client, plan_url: str, *, timeout_s: float = 120) -> dict:
    """Poll a background plan's progress until it is done or failed; its last state."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        state = client.get(plan_url + "/progress").get_json()
        if state["status"] in ("done", "failed") or time.monotonic() > deadline:
            return state
        time.sleep(0.5)


def api_token(app, username: str) -> str:
    """A new API token for the account ``username``."""
    from ledger.models import User, db

    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.username == username)).one()
        token = user.new_token()
        db.session.commit()
    return token


def log_in(page, base: str, user: str) -> None:
    """Log ``user`` in on a Playwright ``page`` of the app at ``base``."""
    from playwright.sync_api import expect

    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORDS[user])
    page.click("#login")
    expect(page.locator("nav")).to_contain_text(user)


def counted_sheet_drawings(monkeypatch) -> Counter:
    """Count what the route sheets' two builders make: QR codes (by URL asked for) and route sketches.

    The real builders still draw.
    """
    import webmap.sheets

    calls: Counter = Counter()
    real_qr, real_sketch = webmap.sheets.qr_data_uris, webmap.sheets.route_sketch_svg

    def qr_codes(urls, **kwargs):
        calls["qr_data_uri"] += len(urls)
        return real_qr(urls, **kwargs)

    def sketch(*args, **kwargs):
        calls["route_sketch_svg"] += 1
        return real_sketch(*args, **kwargs)
    monkeypatch.setattr(webmap.sheets, "qr_data_uris", qr_codes)
    monkeypatch.setattr(webmap.sheets, "route_sketch_svg", sketch)
    return calls
