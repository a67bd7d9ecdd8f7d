"""The ranking (考核): GET /api/v1/kpi against an independent recomputation from the tables, its errors, the page
and the Excel export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_reference import reference_ranking
from web_helpers import TODAY, api_token, login

COUNTS = ("inspections", "patrols", "stops_planned", "stops_kept", "hazards_found")
GRID_COUNTS = ("venues", "venues_covered", "hazards_due", "hazards_closed_on_time", "hazards_open", "overdue",
               "hazards_closed")
FRACTIONS = ("stops_done", "hazards_per_patrol")
GRID_FRACTIONS = ("coverage", "closed_on_time", "no_overdue", "days_to_close")


@pytest.fixture(scope="module")
def worked(app):
    """The demo, plus two finished plans (the newer one counts for 11-19), kept and missed stops, an added stop and a
    hazard found at a team's inspection; a grid whose name a spreadsheet would run as a formula."""
    from ledger.models import AddedStop, Grid, Hazard, Inspection, PlanRun, PlanStop, db

    with app.app_context():
        old = PlanRun(created_by="coord", start=dt.date(2026, 11, 18), days=2, status="done")
        new = PlanRun(created_by="coord", start=dt.date(2026, 11, 19), days=2, status="done")
        failed = PlanRun(created_by="coord", start=dt.date(2026, 11, 20), days=1, status="failed")
        db.session.add_all([old, new, failed])
        db.session.flush()
        stops = [(old, "2026-11-18", "T01", "V0001"), (old, "2026-11-18", "T01", "V0003"),
                 (old, "2026-11-19", "T01", "V0004"),  # replaced by the newer plan of 11-19: not counted
                 (new, "2026-11-19", "T01", "V0005"), (new, "2026-11-19", "T02", "V0006"),
                 (new, "2026-11-20", "T02", "V0007"), (new, "2026-11-20", "T02", "V0008"),
                 (failed, "2026-11-21", "T03", "V0009"),  # a failed plan's stops are not planned
                 (new, "2026-10-20", "T01", "V0010")]  # last period
        for seq, (run, day, team, venue) in enumerate(stops):
            db.session.add(PlanStop(plan_id=run.id, day=dt.date.fromisoformat(day), team_id=team, seq=seq,
                                    venue_id=venue, reason="due", arrive="09:00", depart="09:10"))
        db.session.add(AddedStop(day=dt.date(2026, 11, 20), team_id="T02", venue_id="V0011", added_by="coord"))
        for day, team, venue, outcome in (("2026-11-18", "T01", "V0001", "done"),
                                          ("2026-11-19", "T01", "V0004", "done"),
                                          ("2026-11-19", "T01", "V0005", "closed_door"),
                                          ("2026-11-20", "T02", "V0007", "done"),
                                          ("2026-11-20", "T03", "V0008", "done"),  # another team: not T02's stop kept
                                          ("2026-11-20", "T02", "V0011", "done"),
                                          ("2026-10-20", "T01", "V0010", "done"), ("2026-11-21", "", "V0012", "done")):
            db.session.add(Inspection(venue_id=venue, date=dt.date.fromisoformat(day), team_id=team, outcome=outcome))
        db.session.add(Hazard(hazard_id="HK001", venue_id="V0007", type="other", severity="general", status="found",
                              found_on=dt.date(2026, 11, 20), deadline=dt.date(2026, 11, 21)))
        db.session.add(Hazard(hazard_id="HK002", venue_id="V0001", type="other", severity="general", status="closed",
                              found_on=dt.date(2026, 11, 2), deadline=dt.date(2026, 11, 9),
                              closed_on=dt.date(2026, 11, 5)))
        db.session.get(Grid, "G01").name = '=HYPERLINK("http://evil.example","点我")'
        db.session.commit()
    return app


def _api(client, token: str, **params):
    return client.get("/api/v1/kpi", query_string=params, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("period", ["week", "month", "quarter"])
@pytest.mark.parametrize("by", ["grid", "worker", "team", "community"])
def test_ranking_agrees_with_an_independent_recomputation(worked, client, period, by):
    from ledger.models import db

    token = api_token(worked, "viewer")
    for on in (TODAY, dt.date(2026, 10, 15)):
        response = _api(client, token, period=period, by=by, on=on.isoformat())
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        with worked.app_context():
            expected = reference_ranking(db.engine, period, by, on)
        rows = {r["key"]: r for r in body["rows"]}
        assert set(rows) == set(expected), (by, on)
        for key, want in expected.items():
            got = rows[key]
            for name in COUNTS + (GRID_COUNTS if by != "team" else ()):
                assert got[name] == want[name], (period, by, on, key, name)
            for name in FRACTIONS + (GRID_FRACTIONS if by != "team" else ()) + ("score", "score_last"):
                assert (got[name] is None) == (want[name] is None), (period, by, on, key, name)
                if want[name] is not None:
                    assert got[name] == pytest.approx(want[name], abs=1e-3), (period, by, on, key, name)
            assert (got["rank"], got["rank_last"], got["rank_change"]) == (want["rank"], want["rank_last"],
                                                                           want["rank_change"])
        ranks = [r["rank"] for r in body["rows"] if r["rank"] is not None]
        assert ranks == sorted(ranks) and ranks[0] == 1  # in rank order


def test_every_team_of_the_demo_found_hazards_this_quarter(worked, client):
    rows = _api(client, api_token(worked, "viewer"), period="quarter", by="team", on=TODAY.isoformat()).get_json()[
        "rows"
    ]
    assert len(rows) == 6 and all(r["hazards_found"] > 0 and r["hazards_per_patrol"] > 0 for r in rows), rows


def test_planned_stops_follow_the_newest_finished_plan(worked, client):
    token = api_token(worked, "coord")
    teams = {r["key"]: r for r in _api(client, token, period="week", by="team", on="2026-11-22").get_json()["rows"]}
    # T01: 11-18 V0001 (kept) and V0003; 11-19 V0005 of the newer plan (a closed door: the team went). V0004 was the
    # replaced plan's.
    assert (teams["T01"]["stops_planned"], teams["T01"]["stops_kept"]) == (3, 2)
    # T02: 11-19 V0006; 11-20 V0007 (kept), V0008 (T03 went, not T02) and the added V0011 (kept)
    assert (teams["T02"]["stops_planned"], teams["T02"]["stops_kept"]) == (4, 2)
    assert teams["T02"]["stops_done"] == pytest.approx(0.5)
    assert teams["T02"]["hazards_found"] >= 1  # HK001, found at T02's inspection of V0007
    assert teams["T03"]["stops_planned"] == 0 and teams["T03"]["stops_done"] is None  # the failed plan's stop
    assert teams["T01"]["coverage"] is None  # a team has no coverage of its own


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "year"}, "period"),
        ({"by": "street"}, "by"),
        ({"on": "2026-13-01"}, "on"),
        ({"on": "yesterday"}, "on"),
        ({"on": (TODAY + dt.timedelta(days=1)).isoformat()}, "on"),
        ({"on": "0001-01-01", "period": "month"}, "on"),  # the last period would be before year 1 (schemathesis)
        ({"on": "1999-12-31", "period": "quarter"}, "on"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(worked, client, params, field):
    response = _api(client, api_token(worked, "coord"), **params)
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == field and field in body["message"]


def test_who_may_read_the_ranking(worked, client):
    assert client.get("/api/v1/kpi").status_code == 401
    assert _api(client, api_token(worked, "patrol1")).status_code == 403
    login(client, "patrol1")
    assert client.get("/kpi").status_code == 403
    assert client.get("/kpi.xlsx").status_code == 403


def test_the_api_is_in_the_openapi_document(worked, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    names = {p["name"] for p in doc["paths"]["/api/v1/kpi"]["get"]["parameters"]}
    assert names == {"period", "by", "on"} and "400" in doc["paths"]["/api/v1/kpi"]["get"]["responses"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    period=st.one_of(st.sampled_from(["week", "month", "quarter"]), st.text(max_size=12)),
    by=st.one_of(st.sampled_from(["grid", "worker", "team", "community"]), st.text(max_size=12)),
    on=st.one_of(
        st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)).map(dt.date.isoformat),
        st.text(max_size=12),
    ),
)
def test_any_parameters_are_an_answer_or_a_400(worked, client, period, by, on):
    token = api_token(worked, "viewer")
    response = _api(client, token, period=period, by=by, on=on)
    assert response.status_code in (200, 400), (period, by, on)
    body = response.get_json()
    if response.status_code == 400:
        assert body["field"] in ("period", "by", "on", "path")  # "path": a NUL character, refused before the view
    else:
        assert isinstance(body["rows"], list)


def test_ranking_page_and_excel_export(worked, client):
    from openpyxl import load_workbook

    login(client, "viewer")
    page = client.get("/kpi?period=month&by=grid&on=2026-11-22")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="ranking"' in html and "=HYPERLINK(&#34;http://evil.example&#34;" in html  # escaped, shown as text
    api = _api(client, api_token(worked, "viewer"), period="month", by="grid", on="2026-11-22").get_json()
    assert f'data-key="{api["rows"][0]["key"]}"' in html
    response = client.get("/kpi.xlsx?period=month&by=grid&on=2026-11-22")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[2]]
    table = [
        dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=3, max_row=2 + len(api["rows"]))
    ]
    assert [(r["编号"], r["排名"], r["得分"]) for r in table] == [
        (r["key"], r["rank"], r["score"]) for r in api["rows"]
    ]  # a Chinese session
    evil = next(
        c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")
    )
    assert evil.data_type == "s" and evil.quotePrefix
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert client.get("/kpi?period=year").status_code == 400
