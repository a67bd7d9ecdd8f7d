"""The plan pages say which season (``[seasons.*]``) is in force and what it changes."""

from __future__ import annotations

import datetime as dt

from web_helpers import login


def _plan(app, start: dt.date) -> int:
    from ledger.models import PlanRun, db

    with app.app_context():
        run = PlanRun(created_by="coord", start=start, days=1, status="done")
        db.session.add(run)
        db.session.commit()
        return run.id


def test_the_plan_page_shows_the_season_of_its_first_day(app, client):
    login(client, "coord")
    winter = client.get(f"/plans/{_plan(app, dt.date(2026, 11, 23))}").get_data(as_text=True)
    assert 'id="seasons-in-force"' in winter and 'data-season="winter_fire"' in winter
    notes = winter.split('id="seasons-in-force"')[1].split("</div>")[0]
    assert "冬春火灾防控期" in winter and "60" in notes
    assert "出租屋" in notes and "电动自行车飞线充电" in notes  # a category's and a hazard type's labels
    spring = client.get(f"/plans/{_plan(app, dt.date(2026, 4, 10))}").get_data(as_text=True)
    assert 'id="seasons-in-force"' not in spring
    english = client.get(f"/plans/{_plan(app, dt.date(2026, 7, 1))}?lang=en").get_data(as_text=True)
    assert 'data-season="summer_water"' in english and "Summer water safety" in english
    winter_en = client.get(f"/plans/{_plan(app, dt.date(2026, 12, 1))}?lang=en").get_data(as_text=True)
    notes_en = winter_en.split('id="seasons-in-force"')[1].split("</div>")[0]
    assert "Rental housing" in notes_en and "E-bike flying-wire charging" in notes_en


def test_the_plan_form_shows_the_season_of_tomorrow(app, client):
    login(client, "coord")
    page = client.get("/plan").get_data(as_text=True)  # tomorrow is 2026-11-23 in the tests
    assert 'data-season="winter_fire"' in page
