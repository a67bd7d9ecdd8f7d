"""The web import meets files as users bring them.

Rows are imported, or the page names file, row and field and nothing changed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from inputgen import LAYERS, TODAY, cases, minimal_files, write_messy
from web_helpers import PASSWORDS, csrf_token, login, post_form, wait_for_plan

LAYER_TABLES = ("grid", "venue", "team", "person", "inspection", "hazard", "hazard_event")


def _empty_app(instance: Path):
    """The app on a new SQLite file without the demo street, with the test accounts."""
    from ledger.models import User, db
    from webmap.web import create_app

    os.environ["PATROL_INSTANCE"] = str(instance)
    try:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{instance / 'patrol.sqlite'}", "TODAY": TODAY,
                          "LOAD_DEMO": False, "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})
    finally:
        os.environ.pop("PATROL_INSTANCE", None)
    with app.app_context():
        for name, role in (("coord", "coordinator"), ("viewer", "viewer")):
            user = User(username=name, role=role, team_id="")
            user.set_password(PASSWORDS[name])
            db.session.add(user)
        db.session.commit()
    return app


@pytest.fixture(scope="module")
def empty_app(tmp_path_factory):
    app = _empty_app(tmp_path_factory.mktemp("empty-instance"))
    yield app
    from ledger.models import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def snapshot(app) -> dict[str, list]:
    """Every row of the layer tables: what a rejected import must leave exactly as it was."""
    from ledger.models import db

    with app.app_context():
        return {t: sorted(map(repr, db.session.execute(db.text(f'SELECT * FROM "{t}"')).all())) for t in LAYER_TABLES}


def upload(client, kind: str, path: Path):
    return post_form(client, "/import", {"kind": kind, "file": (io.BytesIO(path.read_bytes()), path.name)},
                     content_type="multipart/form-data")


def test_minimal_layers_import_and_every_page_works(tmp_path_factory):
    app = _empty_app(tmp_path_factory.mktemp("minimal-instance"))
    client = app.test_client()
    login(client, "coord")
    paths = minimal_files(tmp_path_factory.mktemp("minimal-files"))
    for kind in LAYERS:
        page = upload(client, kind, paths[kind])
        assert page.status_code == 200, page.get_data(as_text=True)[-800:]
    for url in ("/", "/map", "/map/frame", "/gaps", "/gaps/frame", "/hotspots", "/hotspots/frame", "/review",
                "/review?period=quarter&by=grid", "/venues/V01", "/ledger/problems"):
        assert client.get(url).status_code == 200, url
    gaps = client.get("/gaps/frame").get_data(as_text=True)
    # a never-inspected venue is marked so: on the canvas layer its name is a data column (JSON, maybe \\u-escaped)
    # and the tooltip a template "{name}（从未检查）"
    assert "场所1" in gaps or json.dumps("场所1")[1:-1] in gaps
    assert any(t in gaps for t in ("{name}（从未检查）", json.dumps("{name}（从未检查）")[1:-1]))
    response = post_form(client, "/plan", {"date": (TODAY + dt.timedelta(days=1)).isoformat(), "days": "1",
                                           "time_limit": "1", "teams": ["T1"]})
    assert response.status_code == 302
    state = wait_for_plan(client, response.headers["Location"])
    assert state["status"] == "done", state["message"]
    assert state["summary"]["must_visits"] >= 4  # the never-inspected venues are overdue from the start
    assert client.get(response.headers["Location"]).status_code == 200


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.function_scoped_fixture])
@given(case=cases())
def test_an_import_adds_its_rows_or_names_the_mistake_and_changes_nothing(empty_app, case):
    truth, styles, flaw = case
    client = empty_app.test_client()
    login(client, "coord")
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_messy(truth, styles, Path(tmp), flaw=flaw)
        for kind in [k for k in LAYERS if k in paths]:
            before = snapshot(empty_app)
            seen_before = _last_inspected(empty_app)
            page = upload(client, kind, paths[kind])
            html = page.get_data(as_text=True)
            assert page.status_code in (200, 400), html[-800:]
            if page.status_code == 400:
                assert paths[kind].name in html and (" 行：" in html or "field" in html), html[-800:]
                assert snapshot(empty_app) == before
                if flaw is not None and flaw.layer == kind:
                    assert f"{paths[kind].name} 第 {flaw.row + 2} 行：{flaw.field}" in html, html[-800:]
                return
            assert flaw is None or flaw.layer != kind, f"the mistake in {kind} was imported: {flaw}"
            if kind == "venues":
                _assert_venues_stored(empty_app, truth, with_dates="last_inspected" in styles["venues"].columns,
                                      seen_before=seen_before)


def _last_inspected(app) -> dict:
    from ledger.models import Venue, db

    with app.app_context():
        return dict(db.session.execute(db.select(Venue.venue_id, Venue.last_inspected)).all())


def _assert_venues_stored(app, truth, *, with_dates: bool, seen_before: dict) -> None:
    """The file's venues are stored as read; a re-import never moves a known last inspection back."""
    from ledger.models import Venue, db

    with app.app_context():
        for v in truth.venues:
            stored = db.session.get(Venue, v["venue_id"])
            assert stored is not None and stored.name == v["name"] and stored.category == v["category"]
            assert abs(stored.lon - v["lon"]) < 1e-6 and abs(stored.lat - v["lat"]) < 1e-6
            if with_dates:
                dates = [d for d in (seen_before.get(v["venue_id"]), v["last_inspected"]) if d is not None]
                assert stored.last_inspected == (max(dates) if dates else None)


def _import_job(client, kind: str, path: Path) -> dict:
    """An import through the page's background job, polled as the page's script does: its last state."""
    page = client.get("/import").get_data(as_text=True)
    started = client.post("/import/jobs", data={"csrf_token": csrf_token(page), "kind": kind,
                                                "file": (io.BytesIO(path.read_bytes()), path.name)},
                          content_type="multipart/form-data")
    assert started.status_code == 202, started.get_data(as_text=True)
    job = started.get_json()
    for _ in range(600):
        state = client.get(job["progress"]).get_json()
        if state["status"] in ("done", "failed"):
            return {**state, "page": job["page"]}
        time.sleep(0.1)
    raise AssertionError(f"the import did not end: {state}")


def test_a_background_import_reports_its_progress_to_the_end(tmp_path_factory):
    app = _empty_app(tmp_path_factory.mktemp("job-instance"))
    client = app.test_client()
    login(client, "coord")
    paths = minimal_files(tmp_path_factory.mktemp("job-files"), n_venues=7)
    assert _import_job(client, "grids", paths["grids"])["status"] == "done"
    state = _import_job(client, "venues", paths["venues"])
    assert (state["status"], state["progress"], state["message"]) == ("done", 1.0, "已导入")
    assert state["done"] == {"kind": "venues", "rows": 7, "new": 7, "changed": 0, "unchanged": 0}
    page = client.get(state["page"]).get_data(as_text=True)
    assert '<td id="n-new">7</td>' in page
    again = _import_job(client, "venues", paths["venues"])
    assert again["done"] == {"kind": "venues", "rows": 7, "new": 0, "changed": 0, "unchanged": 7}

    before = snapshot(app)
    text = paths["venues"].read_text(encoding="utf-8").splitlines()
    bad = tmp_path_factory.mktemp("job-bad") / "venues.csv"
    header = text[0].split(",")
    row = text[2].split(",")
    row[header.index("lon")] = "东经"
    bad.write_text("\n".join([text[0], text[1], ",".join(row), *text[3:]]) + "\n", encoding="utf-8")
    failed = _import_job(client, "venues", bad)
    assert failed["status"] == "failed" and failed["done"] is None
    assert (failed["error"]["file"], failed["error"]["row"], failed["error"]["field"]) == ("venues.csv", 3, "lon")
    assert snapshot(app) == before
    assert client.get(failed["page"]).status_code == 400
    with app.app_context():
        from ledger.models import db

        db.session.remove()
        db.engine.dispose()
