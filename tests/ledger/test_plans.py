"""A finished plan's stops.csv stored as its PlanStop rows (the web's plans and the day's re-plan share this)."""

from __future__ import annotations

import datetime as dt


def test_a_plans_stops_are_stored_with_ids_as_given(app, tmp_path):
    from ledger.models import PlanRun, PlanStop, db
    from ledger.plans import store_stops
    from ledger.transaction import transaction

    csv = tmp_path / "stops.csv"
    csv.write_text("day,team_id,seq,venue_id,name,category,reason,arrive,depart,lon,lat,risk\n"
                   "2026-11-23,007,2,00123,某店,small_shop,overdue,09:40,10:00,121.5,31.2,0.4\n"
                   "2026-11-23,007,1,1e5,某馆,small_shop,due,09:00,09:20,121.5,31.2,0.3\n", encoding="utf-8")
    with app.app_context():
        with transaction():
            run = PlanRun(created_by="coord", start=dt.date(2026, 11, 23), days=1, status="done", progress=1.0)
            db.session.add(run)
            db.session.flush()
            read = store_stops(run.id, csv)
        stored = db.session.scalars(db.select(PlanStop).where(PlanStop.plan_id == run.id).order_by(PlanStop.seq))
        rows = [(s.day, s.team_id, s.seq, s.venue_id, s.reason, s.arrive, s.depart) for s in stored]
    assert rows == [(dt.date(2026, 11, 23), "007", 1, "1e5", "due", "09:00", "09:20"),
                    (dt.date(2026, 11, 23), "007", 2, "00123", "overdue", "09:40", "10:00")]
    assert list(read["venue_id"]) == ["00123", "1e5"]
