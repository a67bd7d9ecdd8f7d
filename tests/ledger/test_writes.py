"""Every write through the one service: who may write what (role × door × object), the same rules at every door,
and writes that happen once (one-time form tokens, Idempotency-Key, imports by natural key)."""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from web_helpers import TODAY, api_token, csrf_token, login, post_form

DAY_AGO, TWO_AGO, TOMORROW, LONG_AGO = (TODAY - dt.timedelta(days=1), TODAY - dt.timedelta(days=2),
                                        TODAY + dt.timedelta(days=1), dt.date(2020, 1, 1))
# object → (day, team, venue, when its hazard was found); venues are the demo's, each object its own
OBJECTS = {
    "own": (TODAY, "T01", "V0101", DAY_AGO),  # on T01's finished plan of the day
    "added": (DAY_AGO, "T01", "V0111", TWO_AGO),  # added to T01's day by a coordinator
    "other_team": (TODAY, "T02", "V0201", DAY_AGO),  # T02's stop
    "foreign_venue": (TODAY, "T01", "V0202", DAY_AGO),  # T01 on a venue of T02's route
    "unfinished_plan": (TODAY, "T01", "V0301", DAY_AGO),  # only in a plan that failed
    "no_plan": (LONG_AGO, "T01", "V0243", DAY_AGO),  # the tester's post: a day without any plan
    "future": (TOMORROW, "T01", "V0102", DAY_AGO),
    "recheck_before_found": (TWO_AGO, "T01", "V0121", DAY_AGO),  # planned, but the hazard was found after that day
}
TABLES = ("inspection", "hazard", "hazard_event", "added_stop", "write_key")
CLOSING = {"form_fixed", "api_result", "form_close", "api_close"}
ADDING = {"form_add", "api_add"}
COORDINATOR_ONLY = {*ADDING, "api_report"}
ALLOWED = {"form": 302, "form_fixed": 302, "form_close": 302, "form_add": 302, "api_inspection": 201, "api_result": 201,
           "api_hazard": 201, "api_add": 201, "api_close": 200, "api_report": 200}


@pytest.fixture(scope="module")
def world(app):
    """Finished plans of T01 and T02 (today, and T01 two days ago), a failed plan, and a venue added to T01's day."""
    from ledger.models import PlanRun, PlanStop, User, db
    from ledger.results import add_stop
    from ledger.transaction import transaction

    stops = {(TODAY, "T01"): ["V0101", "V0102", "V0103"], (TODAY, "T02"): ["V0201", "V0202"],
             (TWO_AGO, "T01"): ["V0121"]}
    with app.app_context(), transaction():
        done = PlanRun(created_by="coord", start=TWO_AGO, days=3, status="done", progress=1.0)
        failed = PlanRun(created_by="coord", start=TODAY, days=1, status="failed")
        db.session.add_all([done, failed])
        db.session.flush()
        for (day, team), venues in stops.items():
            db.session.add_all(PlanStop(plan_id=done.id, day=day, team_id=team, seq=k, venue_id=v, reason="due",
                                        arrive="09:00", depart="09:10") for k, v in enumerate(venues, start=1))
        db.session.add(PlanStop(plan_id=failed.id, day=TODAY, team_id="T01", seq=1, venue_id="V0301", reason="due",
                                arrive="09:00", depart="09:10"))
        coordinator = db.session.scalars(db.select(User).where(User.username == "coord")).one()
        add_stop(coordinator, day=DAY_AGO, team_id="T01", venue_id="V0111")
    return stops


def snapshot(app) -> tuple:
    """Everything a write could change: row counts, every hazard's state, every venue's last inspection."""
    from ledger.models import Hazard, Venue, db

    with app.app_context():
        counts = tuple(db.session.execute(db.text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in TABLES)
        hazards = tuple(db.session.execute(db.select(Hazard.hazard_id, Hazard.status,
                                                     Hazard.closed_on).order_by(Hazard.hazard_id)))
        seen = tuple(db.session.execute(db.select(Venue.venue_id, Venue.last_inspected).order_by(Venue.venue_id)))
    return counts, hazards, seen


def new_hazard(app, venue_id: str, found_on: dt.date, status: str) -> str:
    """A hazard of ``venue_id`` in ``status``, made by the service as a coordinator would (found, then moved on)."""
    from ledger.lifecycle import advance, record_hazard
    from ledger.transaction import transaction

    five = {"measure": "整改", "responsible_unit": "物业", "responsible_person": "王", "deadline": TOMORROW.isoformat(),
            "standard": "达标"}
    with app.app_context(), transaction():
        h = record_hazard(venue_id=venue_id, type="escape_route_clutter", severity="general", description="楼道堆物",
                          user="coord", found_on=found_on)
        for step in ("report", "rectify", "feedback")[:("found", "reported", "rectifying", "feedback").index(status)]:
            advance(h, step, user="coord", fields=five)
        return h.hazard_id


def added_stops(app, day: dt.date, team_id: str, venue_id: str) -> int:
    from ledger.models import AddedStop, db

    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(AddedStop).where(
            AddedStop.day == day, AddedStop.team_id == team_id, AddedStop.venue_id == venue_id))


def token_of(app, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(app, username)}"}


def forged_post(client, url: str, data: dict):
    """A form posted straight at ``url`` with a valid CSRF token and a fresh one-time token (as a script would)."""
    token = csrf_token(client.get("/").get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token, "once": secrets.token_urlsafe(12)})


def write(client, auth: dict, door: str, obj: str, hazard_id: str):
    """Try one write of ``door`` on the object ``obj``; return the response."""
    day, team, venue, _ = OBJECTS[obj]
    if door in ADDING:  # another team's days, so that the stops a coordinator adds here change no other case
        team = "T05"
    stop = f"/stops/{day}/{team}/{venue}"
    if door == "form":
        return forged_post(client, stop,
                           {"outcome": "done", "hazard_type": "fire_lane_blocked", "description": "通道堵塞"})
    if door == "form_fixed":
        return forged_post(client, stop, {"outcome": "done", "fixed": hazard_id})
    if door == "form_close":
        return forged_post(client, f"/hazards/{hazard_id}", {"action": "close", "recheck_on": day.isoformat()})
    if door == "form_add":
        return forged_post(client, f"{stop}/add", {})
    body = {"api_inspection": {"venue_id": venue, "date": day.isoformat(), "team_id": team},
            "api_result": {"venue_id": venue, "day": day.isoformat(), "team_id": team, "fixed": [hazard_id],
                           "hazards": [{"type": "fire_lane_blocked", "description": "通道堵塞"}]},
            "api_hazard": {"venue_id": venue, "found_on": day.isoformat(), "team_id": team,
                           "type": "fire_lane_blocked"},
            "api_add": {"venue_id": venue, "day": day.isoformat(), "team_id": team},
            "api_close": {"action": "close", "recheck_on": day.isoformat()},
            "api_report": {"action": "report"}}[door]
    url = {"api_inspection": "/api/v1/inspections", "api_result": "/api/v1/results", "api_hazard": "/api/v1/hazards",
           "api_add": "/api/v1/stops"}.get(door, f"/api/v1/hazards/{hazard_id}/events")
    return client.post(url, json=body, headers=auth)


def expected(role: str, door: str, obj: str) -> int:
    """The status the rules give: roles first, then the day, then the team's stops, then the re-check's date."""
    day, _, _, found = OBJECTS[obj]
    if role == "viewer" or (door in COORDINATOR_ONLY and role != "coordinator"):
        return 403
    if door in COORDINATOR_ONLY:
        return ALLOWED[door]
    if day > TODAY:
        return 400
    if role == "patrol" and obj not in ("own", "added", "recheck_before_found"):
        return 403
    if door in CLOSING and day < found:
        return 400
    return ALLOWED[door]


@pytest.mark.parametrize("door", sorted(ALLOWED))
@pytest.mark.parametrize("role", ["coord", "patrol1", "viewer"])
def test_the_permission_matrix_and_a_refused_write_changes_nothing(app, client, world, role, door):
    login(client, role)
    auth = token_of(app, role)
    kind = {"coord": "coordinator", "patrol1": "patrol", "viewer": "viewer"}[role]
    for obj, (_, _, venue, found) in OBJECTS.items():
        hazard_id = new_hazard(app, venue, found, "found" if door == "api_report" else "feedback")
        before = snapshot(app)
        response = write(client, auth, door, obj, hazard_id)
        want = expected(kind, door, obj)
        assert response.status_code == want, (obj, response.get_data(as_text=True)[-600:])
        if want != ALLOWED[door]:
            assert snapshot(app) == before, obj
        elif door in ADDING:  # adding a stop twice changes nothing: check that it is there
            assert added_stops(app, OBJECTS[obj][0], "T05", venue) == 1, obj
        else:
            assert snapshot(app) != before, obj
        if door.startswith("api") and want != ALLOWED[door]:
            assert set(response.get_json()) == {"error", "message", "file", "row", "field"}


def test_the_testers_forged_stop_is_refused(app, client, world):
    """Issue 12: patrol T01 posted /stops/2020-01-01/T01/V0243 with fixed=<a hazard>: a day without a plan."""
    hazard_id = new_hazard(app, "V0243", DAY_AGO, "feedback")
    login(client, "patrol1")
    before = snapshot(app)
    response = forged_post(client, f"/stops/{LONG_AGO}/T01/V0243", {"outcome": "done", "fixed": hazard_id})
    assert response.status_code == 403 and "V0243" in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_coordinator_adds_a_venue_to_a_teams_day_and_then_its_patrol_may_record_it(app, client, world):
    url = f"/stops/{TODAY}/T01/V0150"
    login(client, "patrol1")
    page = client.get(url).get_data(as_text=True)
    assert 'id="not-on-day"' in page and 'id="add-to-day"' not in page and 'id="result"' not in page
    assert post_form(client, url, {"outcome": "done"}).status_code == 403
    login(client, "coord")
    assert 'id="add-to-day"' in client.get(url).get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    added = client.post(f"{url}/add", data={"csrf_token": csrf_token(page), "once": secrets.token_urlsafe(12)})
    assert added.status_code == 302
    login(client, "patrol1")
    assert 'id="not-on-day"' not in client.get(url).get_data(as_text=True)
    assert post_form(client, url, {"outcome": "done", "notes": "加入后登记"}).status_code == 302


# --- one validation at every door (issue 11) ---------------------------------------------------------------------

PAGES = ("/", "/map", "/map/frame", "/gaps", "/gaps/frame", "/hotspots", "/hotspots/frame", "/ledger/problems",
         "/ledger/rectification", "/ledger/closed", "/review?period=month", "/import", "/plan", "/venues/V0101")


def test_a_patrols_token_cannot_post_tomorrow_or_a_recheck_before_the_finding(app, client, world):
    auth = token_of(app, "patrol1")
    hazard_id = new_hazard(app, "V0121", DAY_AGO, "feedback")
    before = snapshot(app)
    tomorrow = client.post("/api/v1/inspections",
                           json={"venue_id": "V0101", "date": TOMORROW.isoformat()}, headers=auth)
    assert tomorrow.status_code == 400 and tomorrow.get_json()["field"] == "date"
    assert "是未来的日期" in tomorrow.get_json()["message"]  # in the language chosen: Chinese by default
    early = client.post(f"/api/v1/hazards/{hazard_id}/events",
                        json={"action": "close", "recheck_on": TWO_AGO.isoformat()}, headers=auth)
    assert early.status_code == 400 and early.get_json()["field"] == "recheck_on"
    at_stop = client.post("/api/v1/results",
                          json={"venue_id": "V0121", "day": TWO_AGO.isoformat(), "fixed": [hazard_id]}, headers=auth)
    assert at_stop.status_code == 400 and at_stop.get_json()["field"] == "fixed"
    assert snapshot(app) == before
    login(client, "coord")
    for page in PAGES:
        assert client.get(page).status_code == 200, page
    plan = client.get(f"/api/v1/plans/{_done_plan(app)}", headers=auth)
    assert plan.status_code == 200 and {s["team_id"] for s in plan.get_json()["stops"]} == {"T01"}


def _done_plan(app) -> int:
    from ledger.models import PlanRun, db

    with app.app_context():
        return db.session.scalars(db.select(PlanRun.id).where(PlanRun.status == "done")).first()


@pytest.mark.parametrize(("form", "field"), [
    ({"outcome": "maybe"}, "outcome"),
    ({"outcome": "done", "hazard_type": "no_such_type"}, "hazard_type"),
    ({"outcome": "done", "hazard_type": "fire_lane_blocked", "severity": "huge"}, "severity"),
    ({"outcome": "closed_door", "fixed": "H0001"}, "fixed"),
    ({"outcome": "done", "fixed": "H-none"}, "fixed"),
])
def test_the_result_form_re_renders_with_the_field_named(app, client, world, form, field):
    login(client, "patrol1")
    before = snapshot(app)
    response = post_form(client, f"/stops/{TODAY}/T01/V0103", form)
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and f"（字段：{field}）" in text and 'id="result"' in text
    assert snapshot(app) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"venue_id": "V9999"}, "venue_id"),
    ({"venue_id": "V0101", "team_id": "T99"}, "team_id"),
    ({"venue_id": "V0101", "outcome": "maybe"}, "outcome"),
    ({"venue_id": "V0101", "date": "2026-02-30"}, "date"),
    ({"venue_id": "V0101", "date": TOMORROW.isoformat()}, "date"),
])
def test_the_api_applies_the_readers_rules(app, client, world, body, field):
    auth = token_of(app, "coord")
    before = snapshot(app)
    response = client.post("/api/v1/inspections", json=body, headers=auth)
    assert response.status_code == 400 and response.get_json()["field"] == field
    assert snapshot(app) == before


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
bodies = st.fixed_dictionaries({}, optional={
    "venue_id": st.one_of(st.sampled_from(["V0101", "V0121", "V0201", "V9999", ""]), texts, st.integers()),
    "team_id": st.one_of(st.sampled_from(["T01", "T02", "T99"]), texts, st.none()),
    "day": st.one_of(st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31)).map(str), texts),
    "outcome": st.one_of(st.sampled_from(["done", "closed_door", "refused"]), texts, st.booleans()),
    "notes": st.one_of(texts, st.lists(texts, max_size=2)),
    "fixed": st.one_of(st.lists(st.one_of(st.sampled_from(["H0001", "H0002"]), texts), max_size=2), texts),
    "hazards": st.one_of(st.lists(st.fixed_dictionaries({"type": st.sampled_from(["fire_lane_blocked", "nope", ""])},
                                                        optional={"severity": st.sampled_from(["major", "x", ""])}),
                                  max_size=2), texts),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_any_result_body_is_recorded_or_refused_cleanly(app, client, world, body):
    auth = token_of(app, "patrol1")
    before = snapshot(app)
    response = client.post("/api/v1/results", json=body, headers=auth)
    assert response.status_code in (201, 400, 403), response.get_data(as_text=True)[-500:]
    if response.status_code != 201:
        assert snapshot(app) == before and response.get_json()["field"]
    else:
        assert snapshot(app) != before


# --- writes happen once ------------------------------------------------------------------------------------------

def test_the_result_form_posted_twice_records_once(app, client, world):
    from ledger.models import Hazard, Inspection, db

    login(client, "patrol1")
    url = f"/stops/{TODAY}/T01/V0102"
    page = client.get(url).get_data(as_text=True)
    form = {"outcome": "done", "hazard_type": "gas_misuse", "description": "私拉燃气管", "notes": "两次提交",
            "csrf_token": csrf_token(page),
            "once": page.split('name="once" value="')[-1].split('"')[0]}
    first = client.post(url, data=form)
    before = snapshot(app)
    second = client.post(url, data=form)
    assert first.status_code == second.status_code == 302
    assert snapshot(app) == before
    assert "没有重复记录" in client.get(url).get_data(as_text=True)
    with app.app_context():
        assert len(db.session.scalars(db.select(Hazard).where(Hazard.venue_id == "V0102",
                                                              Hazard.type == "gas_misuse")).all()) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(Inspection).where(
            Inspection.venue_id == "V0102", Inspection.notes == "两次提交")) == 1
    fresh = post_form(client, url, {"outcome": "done", "hazard_type": "gas_misuse", "description": "又一处"})
    assert fresh.status_code == 302 and snapshot(app) != before  # a new form (a new token) is a new record


def test_a_form_without_its_one_time_token_is_refused(app, client, world):
    login(client, "patrol1")
    url = f"/stops/{TODAY}/T01/V0103"
    before = snapshot(app)
    response = client.post(url,
                           data={"outcome": "done", "csrf_token": csrf_token(client.get(url).get_data(as_text=True))})
    assert response.status_code == 400 and "（字段：once）" in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(app, client, world):
    auth = token_of(app, "patrol1")
    body = {"venue_id": "V0103", "outcome": "done", "notes": "重试", "hazards": [{"type": "fire_lane_blocked"}]}
    key = {**auth, "Idempotency-Key": "phone-1-stop-3"}
    first = client.post("/api/v1/results", json=body, headers=key)
    assert first.status_code == 201 and len(first.get_json()["hazards"]) == 1
    before = snapshot(app)
    again = client.post("/api/v1/results", json=body, headers=key)
    assert (again.status_code, again.get_json()) == (201, first.get_json())
    assert again.headers["Idempotent-Replayed"] == "true" and snapshot(app) == before
    other = client.post("/api/v1/results", json={**body, "notes": "别的"}, headers=key)
    assert other.status_code == 422 and other.get_json()["field"] == "Idempotency-Key" and snapshot(app) == before
    coordinator = {**token_of(app, "coord"), "Idempotency-Key": "phone-1-stop-3"}  # keys belong to their user
    assert client.post("/api/v1/results", json={**body, "team_id": "T01"}, headers=coordinator).status_code == 201
    refused = {**auth, "Idempotency-Key": "refused-once"}
    bad = {"venue_id": "V0103", "outcome": "maybe"}
    assert client.post("/api/v1/results", json=bad, headers=refused).status_code == 400
    assert client.post("/api/v1/results", json={**bad, "outcome": "done"},
                       headers=refused).status_code == 201  # errors are not kept


def test_identical_requests_at_the_same_moment_write_once(app, live_server, world):
    from ledger.models import Inspection, db

    auth = token_of(app, "patrol1")
    body = json.dumps({"venue_id": "V0101", "outcome": "refused", "notes": "同时重试"}).encode()
    start = threading.Barrier(6)

    def post(_: int) -> tuple[int, dict]:
        request = urllib.request.Request(f"{live_server}/api/v1/results", data=body, method="POST", headers={
            **auth, "Content-Type": "application/json", "Idempotency-Key": "twins"})
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as err:
            return err.code, json.load(err)

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(post, range(6)))
    assert {status for status, _ in answers} == {201}, answers
    assert len({json.dumps(b, sort_keys=True) for _, b in answers}) == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Inspection)
                                 .where(Inspection.notes == "同时重试")) == 1


def _import(client, kind: str, data: bytes, name: str):
    return post_form(client, "/import", {"kind": kind, "file": (io.BytesIO(data), name)},
                     content_type="multipart/form-data")


def test_a_file_imported_twice_changes_the_database_once(app, client, world):
    login(client, "coord")
    inspections = pd.DataFrame({"venue_id": ["V0401", "V0402", "V0402"],
                                "date": ["2026-11-20", "2026-11-20", "2026-11-21"],
                                "team_id": ["T03", "T03", "T03"], "outcome": ["done", "refused", "done"],
                                "notes": ["", "", ""]})
    data = inspections.to_csv(index=False).encode()
    first = _import(client, "inspections", data, "检查记录.csv")
    assert first.status_code == 200
    assert 'id="n-new">3<' in first.get_data(as_text=True)
    before = snapshot(app)
    again = _import(client, "inspections", data, "检查记录.csv").get_data(as_text=True)
    assert 'id="n-new">0<' in again and 'id="n-unchanged">3<' in again and snapshot(app) == before
    inspections.loc[1, "notes"] = "店主拒绝"
    changed = _import(client, "inspections", inspections.to_csv(index=False).encode(),
                      "检查记录.csv").get_data(as_text=True)
    assert 'id="n-changed">1<' in changed and 'id="n-new">0<' in changed
    hazards = pd.DataFrame({"hazard_id": ["K001"], "venue_id": ["V0401"], "type": ["gas_misuse"],
                            "found_on": ["2026-11-20"]})
    assert 'id="n-new">1<' in _import(client, "hazards", hazards.to_csv(index=False).encode(),
                                      "h.csv").get_data(as_text=True)
    before = snapshot(app)
    assert 'id="n-unchanged">1<' in _import(client, "hazards", hazards.to_csv(index=False).encode(),
                                            "h.csv").get_data(as_text=True)
    assert snapshot(app) == before


def test_venues_imported_again_keep_the_inspections_recorded_since(app, client, world):
    from pathlib import Path

    from ledger.models import Venue, db

    login(client, "coord")
    demo = Path(__file__).resolve().parents[2] / "data" / "demo" / "venues.csv"
    recorded = client.post("/api/v1/inspections", json={"venue_id": "V0101", "team_id": "T01"},
                           headers=token_of(app, "coord"))
    assert recorded.status_code == 201
    with app.app_context():
        seen = db.session.get(Venue, "V0101").last_inspected
    response = _import(client, "venues", demo.read_bytes(), "venues.csv")
    assert response.status_code == 200 and 'id="n-new">0<' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Venue, "V0101").last_inspected == seen == TODAY


def test_the_import_api_says_what_changed_and_is_for_coordinators(app, client, world):
    data = pd.DataFrame({"venue_id": ["V0403"], "date": ["2026-11-19"],
                         "team_id": ["T04"]}).to_csv(index=False).encode()

    def upload(who: str):
        return client.post("/api/v1/imports/inspections", data={"file": (io.BytesIO(data), "记录.csv")},
                           headers=token_of(app, who), content_type="multipart/form-data")

    before = snapshot(app)
    assert upload("patrol1").status_code == 403 and snapshot(app) == before
    assert upload("coord").get_json() == {"kind": "inspections", "rows": 1, "new": 1, "changed": 0, "unchanged": 0}
    assert upload("coord").get_json() == {"kind": "inspections", "rows": 1, "new": 0, "changed": 0, "unchanged": 1}
    bad = client.post("/api/v1/imports/inspections",
                      data={"file": (io.BytesIO(b"venue_id,date\nV9999,2026-11-19\n"), "坏.csv")},
                      headers=token_of(app, "coord"), content_type="multipart/form-data")
    assert bad.status_code == 400 and (bad.get_json()["file"], bad.get_json()["row"]) == ("坏.csv", 2)


def test_a_hazard_step_posted_twice_is_one_step(app, client, world):
    from ledger.models import HazardEvent, db

    hazard_id = new_hazard(app, "V0104", DAY_AGO, "found")
    login(client, "coord")
    page = client.get(f"/hazards/{hazard_id}").get_data(as_text=True)
    form = {"action": "report", "csrf_token": csrf_token(page),
            "once": page.split('name="once" value="')[1].split('"')[0]}
    assert client.post(f"/hazards/{hazard_id}", data=form).status_code == 302
    assert client.post(f"/hazards/{hazard_id}", data=form).status_code == 302  # not a 400 "already reported"
    with app.app_context():
        actions = db.session.scalars(db.select(HazardEvent.action).where(HazardEvent.hazard_id == hazard_id)
                                     .order_by(HazardEvent.id)).all()
    assert actions == ["found", "report"]
    assert "没有重复记录" in client.get(f"/hazards/{hazard_id}").get_data(as_text=True)


@pytest.mark.parametrize(("model", "key", "body"), [("Venue", "V0160", {"team_id": "T01", "venue_id": "V0160"}),
                                                    ("Team", "T06", {"team_id": "T06", "venue_id": "V0161"})])
def test_a_retired_venue_or_team_gets_no_new_stop(app, client, world, model, key, body):
    import ledger.models as models
    from ledger.transaction import transaction

    with app.app_context(), transaction():
        models.db.session.get(getattr(models, model), key).retired = True
    try:
        before = snapshot(app)
        answer = client.post("/api/v1/stops", json={**body, "day": str(TODAY)}, headers=token_of(app, "coord"))
        assert answer.status_code == 400
        assert answer.get_json()["field"] == ("venue_id" if model == "Venue" else "team_id")
        assert snapshot(app) == before
    finally:
        with app.app_context(), transaction():
            models.db.session.get(getattr(models, model), key).retired = False
