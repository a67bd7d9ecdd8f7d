"""Campaigns (专项排查): declaring one on its page, its progress against the tables, `patrol campaign report`."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import patrol
from web_helpers import TODAY, csrf_token, form_once, login

START, END = TODAY - dt.timedelta(days=6), TODAY + dt.timedelta(days=14)
FORM = {"name": "冬季出租屋消防安全专项排查", "start": START.isoformat(), "end": END.isoformat(),
        "categories": ["rental_housing", "many_in_one"], "grids": "G01, G02，G03",
        "hazard_types": ["ebike_flying_wire", "stairwell_clutter"], "checklist": "电动车是否进楼入户\n楼道是否堆物\n"}


def _declare(client, data: dict):
    page = client.get("/campaigns").get_data(as_text=True)
    return client.post("/campaigns", data={**form_once(page), **data, "csrf_token": csrf_token(page)})


def _count(app) -> int:
    from ledger.models import db

    with app.app_context():
        return db.session.execute(sa.text("SELECT count(*) FROM campaign")).scalar()


def expected_progress(app, campaign_id: int) -> dict:
    """Venues in scope and those inspected (done) in the campaign's period so far, and hazards by type, in SQL."""
    from ledger.models import db

    with app.app_context(), db.engine.connect() as conn:
        c = conn.execute(sa.text("SELECT * FROM campaign WHERE id = :i"), {"i": campaign_id}).mappings().one()
        cats, grids = [x for x in c["categories"].split(";") if x], [x for x in c["grids"].split(";") if x]
        venues = [r for r in conn.execute(sa.text("SELECT venue_id, grid_id, category, retired FROM venue")).mappings()
                  if not r["retired"] and (not cats or r["category"] in cats) and (not grids or r["grid_id"] in grids)]
        ids = {v["venue_id"] for v in venues}
        until = min(TODAY, END).isoformat()
        seen = {r[0] for r in conn.execute(sa.text(
            "SELECT venue_id FROM inspection WHERE outcome = 'done' AND date >= :s AND date <= :u"),
            {"s": START.isoformat(), "u": until}) if r[0] in ids}
        types: dict[str, int] = {}
        for r in conn.execute(sa.text("SELECT venue_id, type FROM hazard WHERE found_on >= :s AND found_on <= :u"),
                              {"s": START.isoformat(), "u": until}):
            if r[0] in ids:
                types[r[1]] = types.get(r[1], 0) + 1
    per_grid = {}
    for v in venues:
        total, covered = per_grid.get(v["grid_id"], (0, 0))
        per_grid[v["grid_id"]] = (total + 1, covered + (v["venue_id"] in seen))
    return {"total": len(venues), "covered": len(seen), "grids": per_grid, "types": types}


@pytest.fixture(scope="module")
def declared(app):
    """The campaign, declared through the form, with one hazard found at a venue in scope during it."""
    from ledger.models import Hazard, Inspection, Venue, db

    client = app.test_client()
    login(client, "coord")
    response = _declare(client, FORM)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    campaign_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    with app.app_context():
        venue = db.session.scalars(db.select(Venue).where(Venue.category == "rental_housing",
                                                          Venue.grid_id.in_(["G01", "G02", "G03"]))).first()
        db.session.add(Inspection(venue_id=venue.venue_id, date=TODAY - dt.timedelta(days=1), team_id="T01",
                                  outcome="done"))
        db.session.add(Hazard(hazard_id="HC001", venue_id=venue.venue_id, type="ebike_flying_wire",
                              found_on=TODAY - dt.timedelta(days=1),
                              deadline=TODAY + dt.timedelta(days=3), status="found"))
        db.session.commit()
    return campaign_id


def test_declared_campaign_shows_its_progress_as_the_tables_say(app, client, declared):
    login(client, "viewer")
    page = client.get(f"/campaigns/{declared}").get_data(as_text=True)
    want = expected_progress(app, declared)
    assert want["covered"] >= 1 and want["total"] > want["covered"]
    assert re.search(r'id="covered">(\d+)<', page).group(1) == str(want["covered"])
    assert re.search(r'id="total">(\d+)<', page).group(1) == str(want["total"])
    for grid_id, (total, covered) in want["grids"].items():
        row = re.search(rf'<tr data-grid="{grid_id}">.*?<td>(\d+) / (\d+)</td>', page, re.S)
        assert (int(row.group(1)), int(row.group(2))) == (covered, total), grid_id
    for kind, n in want["types"].items():
        assert re.search(rf'<tr data-type="{kind}"><td>[^<]*</td><td>{n}</td>', page), kind
    rows = re.findall(r'<tr data-type="([^"]+)"><td>([^<]*)</td><td>(\d+)</td>', page)
    focus = FORM["hazard_types"]
    assert [code for code, _, _ in rows[:len(focus)]] == focus  # the hazard types in focus first, found or not
    assert all(label.endswith("★") == (code in focus) for code, label, _ in rows)
    assert {code: int(n) for code, _, n in rows} == {**dict.fromkeys(focus, 0), **want["types"]}
    assert "电动车是否进楼入户" in page and 'id="enough"' in page
    listing = client.get("/campaigns").get_data(as_text=True)
    assert f'data-campaign="{declared}"' in listing and 'id="campaign-form"' not in listing  # viewers do not declare


def test_a_form_saved_twice_is_one_campaign(app, client, declared):
    login(client, "coord")
    before = _count(app)
    page = client.get("/campaigns").get_data(as_text=True)
    data = {**form_once(page), **FORM, "name": "重复提交测试", "csrf_token": csrf_token(page)}
    assert client.post("/campaigns", data=data).status_code == 302
    assert client.post("/campaigns", data=data).status_code == 302  # the same one-time token: not saved again
    assert _count(app) == before + 1


@pytest.mark.parametrize(("change", "field"), [
    ({"end": (START - dt.timedelta(days=1)).isoformat()}, "end"), ({"start": "2026-02-30"}, "start"),
    ({"grids": "G01, G999"}, "grids"), ({"categories": ["小饭店"]}, "categories"), ({"name": " "}, "name"),
    ({"hazard_types": ["nonsense"]}, "hazard_types"), ({"end": (START + dt.timedelta(days=400)).isoformat()}, "end"),
])
def test_bad_campaigns_are_refused_naming_the_field_and_nothing_is_written(app, client, declared, change, field):
    login(client, "coord")
    before = _count(app)
    response = _declare(client, {**FORM, "name": f"坏的 {field}", **change})
    assert response.status_code == 400
    error = re.search(r'id="error">(.*?)</div>', response.get_data(as_text=True), re.S)
    assert error is not None and f"：{field}" in error.group(1), error  # the error names the field (Chinese first)
    assert _count(app) == before


def test_only_coordinators_declare(app, client, declared):
    login(client, "viewer")
    page = client.get("/campaigns").get_data(as_text=True)
    response = client.post("/campaigns", data={**FORM, "once": "x" * 20, "csrf_token": csrf_token(page)})
    assert response.status_code == 403
    login(client, "patrol1")
    assert client.get("/campaigns").status_code == 403


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=30), start=st.text(max_size=12) | st.dates().map(str),
       end=st.text(max_size=12) | st.dates().map(str), grids=st.text(max_size=20), checklist=st.text(max_size=60))
def test_any_campaign_form_is_saved_or_refused_whole(app, client, declared, name, start, end, grids, checklist):
    login(client, "coord")
    before = _count(app)
    response = _declare(client, {"name": name, "start": start, "end": end, "grids": grids, "checklist": checklist})
    assert response.status_code in (302, 400), response.get_data(as_text=True)[:500]
    assert _count(app) in ((before,) if response.status_code == 400 else (before, before + 1))


def test_patrol_campaign_report(app, declared, monkeypatch, capsys):
    for key, value in {"PATROL_INSTANCE": app.instance_path, "DATABASE_URL": app.config["DATABASE_URL"]}.items():
        monkeypatch.setenv(key, value)
    want = expected_progress(app, declared)
    assert patrol.main(["campaign", "report", "--id", str(declared), "--date", str(TODAY)]) == 0
    out = capsys.readouterr().out
    assert f"已覆盖 {want['covered']}/{want['total']} 处场所" in out and FORM["name"] in out
    for grid_id, (total, covered) in want["grids"].items():
        assert f"\n{grid_id}\t{covered}\t{total}\t" in out
    assert "电动自行车飞线充电 1" in out
    assert patrol.main(["campaign", "report", "--date", str(TODAY)]) == 0  # the campaigns running that day
    assert FORM["name"] in capsys.readouterr().out
    assert patrol.main(["campaign", "report", "--id", "99999"]) == 2
    assert "--id 99999" in capsys.readouterr().err
