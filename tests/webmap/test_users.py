"""Accounts: the coordinator makes them, each patrol belongs to one team.

Tokens and passwords; every route needs a login.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from web_helpers import PASSWORDS, TODAY, add_to_day, csrf_token, login, post_form


def _shown(html: str, what: str) -> str:
    match = re.search(rf'id="shown-{what}">([^<]+)<', html)
    assert match, html[-1500:]
    return match.group(1)


def user_count(app) -> int:
    from ledger.models import User, db

    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(User))


def _log_in_as(client, username: str, password: str) -> int:
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login",
                       data={"username": username, "password": password, "csrf_token": csrf_token(page)}).status_code


def test_coordinator_makes_a_patrol_account_that_sees_only_its_team(app, client):
    from ledger.models import User, db

    login(client, "coord")
    made = post_form(client, "/users",
                     {"action": "create", "username": "t02-leader", "role": "patrol", "team_id": "T02"})
    assert made.status_code == 200
    password = _shown(made.get_data(as_text=True), "password")
    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.username == "t02-leader")).one()
        assert user.team_id == "T02" and user.role == "patrol"
        assert password not in user.password_hash and user.check_password(password)
    other = app.test_client()
    assert _log_in_as(other, "t02-leader", password) == 302
    assert other.get("/stops/2026-11-22/T02/V0001").status_code == 200
    assert other.get("/stops/2026-11-22/T01/V0001").status_code == 403
    assert other.get("/users").status_code == 403


@pytest.mark.parametrize(("form", "field"), [
    ({"username": "coord", "role": "viewer"}, "username"),
    ({"username": "x y", "role": "viewer"}, "username"),
    ({"username": "nobody-team", "role": "patrol", "team_id": ""}, "team_id"),
    ({"username": "ghost-team", "role": "patrol", "team_id": "T99"}, "team_id"),
    ({"username": "boss", "role": "admin"}, "role"),
    ({"username": "shortpw", "role": "viewer", "password": "123"}, "password"),
])
def test_bad_accounts_are_refused_naming_the_field(app, client, form, field):
    login(client, "coord")
    before = user_count(app)
    refused = post_form(client, "/users", {"action": "create", **form})
    assert refused.status_code == 400
    assert f"（字段：{field}）" in refused.get_data(as_text=True)
    assert user_count(app) == before


def test_reset_password_and_tokens(app, client):
    login(client, "coord")
    from ledger.models import User, db

    with app.app_context():
        uid = db.session.scalars(db.select(User.id).where(User.username == "viewer")).one()
    token = _shown(post_form(client, "/users",
                             {"action": "token", "user_id": str(uid)}).get_data(as_text=True), "token")
    assert client.get("/api/v1/venues?limit=2", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    newer = _shown(post_form(client, "/users",
                             {"action": "token", "user_id": str(uid)}).get_data(as_text=True), "token")
    assert client.get("/api/v1/venues?limit=2", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/venues?limit=2", headers={"Authorization": f"Bearer {newer}"}).status_code == 200
    fresh = _shown(post_form(client, "/users",
                             {"action": "reset", "user_id": str(uid)}).get_data(as_text=True), "password")
    assert _log_in_as(app.test_client(), "viewer", PASSWORDS["viewer"]) == 200  # the old password no longer works
    assert _log_in_as(app.test_client(), "viewer", fresh) == 302
    with app.app_context():  # put it back for the other tests of this module
        db.session.scalars(db.select(User).where(User.username == "viewer")).one().set_password(PASSWORDS["viewer"])
        db.session.commit()


def test_everyone_changes_their_own_password_and_gets_a_token(app, client):
    login(client, "patrol1")
    wrong = post_form(client, "/account", {"action": "password", "old_password": "nope",
                                           "new_password": "long-enough-1", "repeat_password": "long-enough-1"})
    assert wrong.status_code == 400 and "old_password" in wrong.get_data(as_text=True)
    differ = post_form(client, "/account", {"action": "password", "old_password": PASSWORDS["patrol1"],
                                            "new_password": "long-enough-1", "repeat_password": "long-enough-2"})
    assert differ.status_code == 400 and "repeat_password" in differ.get_data(as_text=True)
    done = post_form(client, "/account", {"action": "password", "old_password": PASSWORDS["patrol1"],
                                          "new_password": "long-enough-1", "repeat_password": "long-enough-1"})
    assert done.status_code == 302
    assert _log_in_as(app.test_client(), "patrol1", "long-enough-1") == 302
    token = re.search(r'id="token">([^<]+)<',
                      post_form(client, "/account", {"action": "token"}).get_data(as_text=True)).group(1)
    add_to_day(app, TODAY, "T01", "V0005")
    mine = client.post("/api/v1/inspections", json={"venue_id": "V0005", "team_id": "T01"},
                       headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 201 and mine.get_json()["recorded_by"] == "patrol1"
    from ledger.models import User, db

    with app.app_context():
        db.session.scalars(db.select(User).where(User.username == "patrol1")).one().set_password(PASSWORDS["patrol1"])
        db.session.commit()


def test_viewer_and_patrol_may_not_manage_accounts(client):
    for who in ("viewer", "patrol1"):
        login(client, who)
        assert client.get("/users").status_code == 403
        token = csrf_token(client.get("/account").get_data(as_text=True))
        made = client.post("/users",
                           data={"action": "create", "username": "sneaky", "role": "coordinator", "csrf_token": token})
        assert made.status_code == 403


def test_a_patrol_sees_its_own_team_sheet_of_a_plan_only(app, client):
    from ledger.models import PlanRun, PlanStop, db

    with app.app_context():
        run = PlanRun(created_by="coord", start=dt.date(2026, 11, 22), days=1, status="done", progress=1.0,
                      summary={"visits": 2, "must_visits": 2, "must_visits_planned": 2, "travel_km": 1.0})
        db.session.add(run)
        db.session.flush()
        for seq, team in enumerate(("T01", "T02"), start=1):
            db.session.add(PlanStop(plan_id=run.id, day=dt.date(2026, 11, 22), team_id=team, seq=seq,
                                    venue_id=f"V000{seq}", reason="due", arrive="09:10", depart="09:30"))
        db.session.commit()
        plan_id = run.id
    login(client, "patrol1")
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert f"/plans/{plan_id}/sheets/T01" in page and f"/plans/{plan_id}/sheets/T02" not in page
    assert "stops.csv" not in page
    assert f'href="/plans/{plan_id}/sheets/T01" class="my-sheet"' in client.get("/").get_data(as_text=True)
    stops = client.get(f"/api/v1/plans/{plan_id}").get_json()["stops"]
    assert [s["team_id"] for s in stops] == ["T01"]
    login(client, "coord")
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert f"/plans/{plan_id}/sheets/T01" in page and f"/plans/{plan_id}/sheets/T02" in page
    assert [s["team_id"] for s in client.get(f"/api/v1/plans/{plan_id}").get_json()["stops"]] == ["T01", "T02"]
    stored = client.get("/plan").get_data(as_text=True)
    assert f'href="/plans/{plan_id}">#{plan_id}</a></td><td>2026-11-22</td>' in stored and "2/2" in stored


OPEN = {"auth.login", "auth.logout", "static", "api.openapi", "field.manifest"}


def test_every_route_needs_a_login(app):
    """Walk the URL map: each route, called without logging in, sends to the login page (or 401 under /api)."""
    values = {"plan_id": "1", "team_id": "T01", "venue_id": "V0001", "day": "2026-11-22", "hazard_id": "H0001",
              "kind": "problems", "name": "x.png", "filename": "x", "campaign_id": "1", "notice_id": "1", "job_id": "x",
              "file_id": "1"}
    client = app.test_client()
    seen = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OPEN:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:\w+:)?{arg}>", values[arg], url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            expected = (401,) if url.startswith("/api/") else (302, 400)  # 400: a form POST without its CSRF token
            assert response.status_code in expected, (method, url, response.status_code)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"]
            seen += 1
    assert seen >= 30


def test_pages_speak_chinese_for_codes(client):
    login(client, "coord")
    ledger = client.get("/ledger/rectification").get_data(as_text=True)
    assert "整改中" in ledger and ">rectifying<" not in ledger
    assert "协调员" in client.get("/").get_data(as_text=True)
    english = client.get("/ledger/rectification?lang=en").get_data(as_text=True)
    assert ">rectifying<" in english
    client.get("/?lang=zh")


def test_english_pages_name_categories_and_hazard_types_in_english(client):
    from gis.rules import DEFAULT_RULES_PATH, Rules

    rules = Rules.from_toml(DEFAULT_RULES_PATH)
    login(client, "viewer")
    venue = client.get("/venues/V0010?lang=en").get_data(as_text=True).split("<main>")[1]
    assert "Many-in-one place" in venue and "多合一场所" not in venue
    ledger = client.get("/ledger/rectification?lang=en").get_data(as_text=True).split("<main>")[1]
    assert any(h.label_en in ledger for h in rules.hazard_types.values())
    assert not any(h.label_zh in ledger for h in rules.hazard_types.values())
    client.get("/?lang=zh")
