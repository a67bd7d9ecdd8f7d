"""Helpers of the web tests: logging in and posting forms with their CSRF token."""

from __future__ import annotations

import datetime as dt
import re

TODAY = dt.date(2026, 11, 22)
PASSWORDS = {"coord": "coord-test-pw", "patrol1": "patrol-test-pw", "viewer": "viewer-test-pw"}


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def login(client, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": username, "password": PASSWORDS[username], "csrf_token": csrf_token(page)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def post_form(client, url: str, data: dict, **kwargs):
    """POST a form the way a browser does: with the CSRF token of the page it came from."""
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token(page)}, **kwargs)


def wait_for_plan(client, plan_url: str, *, timeout_s: float = 120) -> dict:
    """Poll a background plan's progress until it is done or failed; its last state."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        state = client.get(plan_url + "/progress").get_json()
        if state["status"] in ("done", "failed") or time.monotonic() > deadline:
            return state
        time.sleep(0.5)
