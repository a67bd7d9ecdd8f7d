"""A campaign declared on the web reaches the web plan: its venues not yet seen are planned within it, the sheets carry
its checklist. Judged from the plan's stored stops and the tables, never by comparing routes."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
import sqlalchemy as sa

from web_helpers import TODAY, csrf_token, form_once, login, post_form, wait_for_plan

START, END = TODAY - dt.timedelta(days=6), TODAY + dt.timedelta(days=4)  # begun a week ago; the plan's last day is END
GRIDS = ("G02", "G06", "G21")
FORM = {"name": "冬季出租屋消防安全专项排查", "start": START.isoformat(), "end": END.isoformat(),
        "categories": ["rental_housing"], "grids": "，".join(GRIDS), "hazard_types": ["ebike_flying_wire"],
        "checklist": "电动车是否进楼入户\n<b>楼道</b>是否堆物\n"}
LATE_START = TODAY + dt.timedelta(days=3)  # the plan's third day: a campaign starting partway through the plan
LATE = {"name": "小旅馆消防专项", "start": LATE_START.isoformat(), "end": END.isoformat(),
        "categories": ["small_hotel"], "grids": "", "checklist": "疏散通道是否畅通\n"}
PLAN = {"date": (TODAY + dt.timedelta(days=1)).isoformat(), "days": "4", "time_limit": "2",
        "teams": ["T01", "T02", "T03", "T04", "T05", "T06"]}


pytestmark = pytest.mark.usefixtures("plan_workers_end")


def _left(app) -> tuple[set[str], set[str]]:
    """The venues in the campaign's scope, and those not inspected (outcome done) since its start, from the tables."""
    from ledger.models import db

    with app.app_context(), db.engine.connect() as conn:
        venues = conn.execute(
            sa.text(
                "SELECT venue_id, grid_id, last_inspected FROM venue WHERE category = 'rental_housing' AND NOT retired"
            )
        ).all()
        seen = {
            r[0]
            for r in conn.execute(
                sa.text("SELECT venue_id FROM inspection WHERE outcome = 'done' AND date >= :s"), {"s": START}
            )
        }
    in_scope = {v for v, grid, _ in venues if grid in GRIDS}
    seen |= {v for v, _, last in venues if last is not None and str(last) >= START.isoformat()}
    return in_scope, in_scope - seen


@pytest.mark.slow
def test_a_campaign_declared_on_the_web_is_planned_within_its_period_and_on_the_sheets(app, client):
    from ledger.models import PlanStop, db

    login(client, "coord")
    page = client.get("/campaigns").get_data(as_text=True)
    declared = client.post("/campaigns", data={**form_once(page), **FORM, "csrf_token": csrf_token(page)})
    assert declared.status_code == 302, declared.get_data(as_text=True)[:1000]
    page = client.get("/campaigns").get_data(as_text=True)
    declared = client.post("/campaigns", data={**form_once(page), **LATE, "csrf_token": csrf_token(page)})
    assert declared.status_code == 302, declared.get_data(as_text=True)[:1000]
    in_scope, left = _left(app)
    assert len(left) >= 15 and len(in_scope) > len(left)  # both kinds: the checks below can fail either way

    started = post_form(client, "/plan", PLAN)
    assert started.status_code == 302, started.get_data(as_text=True)[:1000]
    plan_url = started.headers["Location"]
    plan_id = int(plan_url.rstrip("/").split("/")[-1])
    state = wait_for_plan(client, plan_url, timeout_s=400)
    assert state["status"] == "done", state

    with app.app_context():
        stops = db.session.execute(
            db.select(PlanStop.venue_id, PlanStop.day, PlanStop.reason).where(PlanStop.plan_id == plan_id)
        ).all()
    planned = {v: (day, reason) for v, day, reason in stops if v in left}
    with client.get(f"/plans/{plan_id}/files/unassigned.csv") as unassigned:
        assert unassigned.status_code == 200
        reported = set(pd.read_csv(io.StringIO(unassigned.get_data(as_text=True)), dtype=str)["venue_id"])
    # every venue still to see became a must visit: planned within the period, or reported as not fitting (which
    # ones fit depends on the search a loaded machine affords, never whether each is accounted for)
    assert set(planned) | (left & reported) == left and not set(planned) & reported
    assert all(TODAY < day <= END and reason in ("due", "overdue", "recheck") for day, reason in planned.values()), (
        planned
    )

    # the campaign starting on the plan's third day sees each of its venues on its own days, even one visited
    # earlier in the plan because it was due by its interval
    with app.app_context():
        hotels = set(db.session.scalars(sa.text("SELECT venue_id FROM venue WHERE category = 'small_hotel' "
                                                "AND NOT retired")))
    assert len(hotels) >= 10
    in_late = {v for v, day, _ in stops if v in hotels and LATE_START <= day <= END}
    assert in_late | (hotels & reported) == hotels, sorted(hotels - in_late - reported)
    plan_page = client.get(plan_url).get_data(as_text=True)
    assert "小旅馆消防专项" in plan_page and FORM["name"] in plan_page and LATE_START.isoformat() in plan_page

    sheets = client.get(f"/plans/{plan_id}/files/sheets.html")
    assert sheets.status_code == 200
    html = sheets.get_data(as_text=True)
    n = sum(1 for v, day, _ in stops if v in in_scope and day <= END)
    assert html.count("电动车是否进楼入户") == n and html.count("&lt;b&gt;楼道&lt;/b&gt;是否堆物") == n
    assert "<b>楼道</b>" not in html  # the coordinator's text, escaped
    late = sum(1 for v, day, _ in stops if v in hotels and LATE_START <= day <= END)
    assert html.count("疏散通道是否畅通") == late  # the late campaign's checklist only on its own days
