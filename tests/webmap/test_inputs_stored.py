"""Data already stored never blocks a page or a plan: records that break a rule are set aside and shown as a warning."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from web_helpers import TODAY, login, post_form, wait_for_plan

FUTURE = TODAY + dt.timedelta(days=3)


@pytest.fixture(scope="module")
def bad_rows(app):  # noqa: F811
    """An inspection dated after today and a hazard closed before it was found, written straight to the database."""
    from ledger.models import Hazard, Inspection, db

    with app.app_context():
        db.session.add(Inspection(venue_id="V0007", date=FUTURE, team_id="T01", outcome="done", notes="",
                                  recorded_by="api"))
        hazard = db.session.scalars(db.select(Hazard).where(Hazard.status == "closed")
                                    .order_by(Hazard.hazard_id)).first()
        hazard.closed_on = hazard.found_on - dt.timedelta(days=2)
        db.session.commit()
        return {"hazard": hazard.hazard_id, "found_on": hazard.found_on}


def test_stored_records_that_break_a_rule_are_set_aside(app, bad_rows):  # noqa: F811
    with app.app_context():
        layers = app.extensions["patrol"].layers(TODAY)
    found = {(p.kind, p.key, p.field, p.action) for p in layers.problems}
    assert found == {("inspections", "V0007", "date", "left_out"),
                     ("hazards", bad_rows["hazard"], "closed_on", "ignored_field")}
    assert FUTURE not in set(layers.inspections["date"])  # left out of the computation
    assert layers.hazards.at[bad_rows["hazard"], "status"] == "closed"  # kept, without the impossible day


@pytest.mark.parametrize("url", ["/map", "/gaps", "/hotspots", "/review", "/plan"])
def test_every_data_page_renders_and_links_the_records(client, bad_rows, url):  # noqa: F811
    login(client, "coord")
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="data-problems"' in html
    assert f'href="/hazards/{bad_rows["hazard"]}"' in html
    assert f"closed_on {bad_rows['found_on'] - dt.timedelta(days=2)}" in html
    assert 'href="/venues/V0007"' in html and f"date {FUTURE} 是未来的日期" in html


@pytest.mark.parametrize("url", ["/map/frame", "/gaps/frame", "/hotspots/frame", "/venues/V0007",
                                 "/map?lang=en"])
def test_maps_and_histories_render_with_the_bad_rows(client, bad_rows, url):  # noqa: F811
    login(client, "viewer")
    page = client.get(url)
    assert page.status_code == 200
    if "/frame" in url:
        assert "2 条已存记录有误" in page.get_data(as_text=True)
    if url == "/map?lang=en":
        assert "Stored records that break a rule" in page.get_data(as_text=True)


def test_a_plan_its_sheets_and_an_import_still_work(app, client, bad_rows):  # noqa: F811
    login(client, "coord")
    response = post_form(client, "/plan", {"date": (TODAY + dt.timedelta(days=1)).isoformat(), "days": "1",
                                           "time_limit": "1", "teams": ["T01"]})
    assert response.status_code == 302
    plan_url = response.headers["Location"]
    state = wait_for_plan(client, plan_url)
    assert state["status"] == "done", state["message"]
    page = client.get(plan_url).get_data(as_text=True)
    assert 'id="data-problems"' in page
    assert client.get(plan_url.rstrip("/") + "/sheets/T01").status_code == 200
    seen = (io.BytesIO(b"venue_id,date\nV0008,2026-11-20\n"), "seen.csv")
    imported = post_form(client, "/import", {"kind": "inspections", "file": seen}, content_type="multipart/form-data")
    assert imported.status_code == 200 and "导入成功" in imported.get_data(as_text=True)
