"""Retired venues and teams: kept with their history and trail, left out of planning, maps and the API's lists."""

from __future__ import annotations

import pytest

from web_helpers import TODAY, csrf_token, login, post_form


def _venue_with_history(app) -> tuple[str, str, str]:
    """A demo venue with an open hazard and inspections: (venue id, its name, the hazard id)."""
    from ledger.models import Hazard, Inspection, Venue, db

    with app.app_context():
        inspected = set(db.session.scalars(db.select(Inspection.venue_id)))
        hazard = next(h
                      for h in db.session.scalars(db.select(Hazard).where(Hazard.status != "closed")
                                                  .order_by(Hazard.hazard_id))
                      if h.venue_id in inspected)
        return hazard.venue_id, db.session.get(Venue, hazard.venue_id).name, hazard.hazard_id


def _layers(app):
    with app.app_context():
        return app.extensions["patrol"].layers(TODAY)


def test_a_retired_venue_leaves_planning_maps_and_lists_but_keeps_its_history(app, client):
    from ledger.models import RecordEvent, db

    venue_id, name, hazard_id = _venue_with_history(app)
    login(client, "coord")
    assert venue_id in _layers(app).venues.index
    page = client.get(f"/venues/{venue_id}").get_data(as_text=True)
    assert 'id="retire-venue"' in page
    retired = client.post(f"/venues/{venue_id}/retired", data={"action": "retire", "csrf_token": csrf_token(page)})
    assert retired.status_code == 302 and retired.headers["Location"].endswith(f"/venues/{venue_id}")
    layers = _layers(app)
    assert venue_id not in layers.venues.index
    assert venue_id not in set(layers.hazards["venue_id"]) and venue_id not in set(layers.inspections["venue_id"])
    assert venue_id not in client.get("/map/frame").get_data(as_text=True)
    listed = {v["venue_id"] for v in client.get("/api/v1/venues?limit=10000").get_json()}
    assert venue_id not in listed and len(listed) == len(layers.venues)
    asked = {v["venue_id"]: v for v in client.get("/api/v1/venues?limit=10000&include_retired=1").get_json()}
    assert asked[venue_id]["retired"] is True
    history = client.get(f"/venues/{venue_id}").get_data(as_text=True)  # the history stays, with who retired it
    assert 'id="retired"' in history and hazard_id in history and 'id="inspections"' in history
    assert "<td>coord</td><td>停用</td>" in history
    hazard = client.get(f"/hazards/{hazard_id}")
    assert hazard.status_code == 200 and name in hazard.get_data(as_text=True)
    assert any(hazard_id in client.get(f"/ledger/{kind}").get_data(as_text=True)
               for kind in ("problems", "rectification"))
    restored = client.post(f"/venues/{venue_id}/retired", data={"action": "restore", "csrf_token": csrf_token(history)})
    assert restored.status_code == 302
    assert venue_id in _layers(app).venues.index
    with app.app_context():
        trail = [(e.user, e.action) for e in db.session.scalars(db.select(RecordEvent).where(
            RecordEvent.kind == "venue", RecordEvent.object_id == venue_id).order_by(RecordEvent.id))]
    assert trail == [("coord", "retire"), ("coord", "restore")]


def test_a_retired_team_is_not_planned_nor_offered_and_its_inspections_stay(app, client):
    from ledger.models import Inspection, db

    with app.app_context():
        inspected = set(db.session.scalars(db.select(Inspection.venue_id).where(Inspection.team_id == "T06")))
    login(client, "coord")
    assert 'value="T06"' in client.get("/plan").get_data(as_text=True)
    page = client.get("/teams").get_data(as_text=True)
    done = client.post("/teams/T06/retired", data={"action": "retire", "csrf_token": csrf_token(page)})
    assert done.status_code == 302
    try:
        teams_page = client.get("/teams").get_data(as_text=True)
        assert 'id="team-T06" class="retired"' in teams_page and "<td>coord</td><td>停用</td><td>T06</td>" in teams_page
        layers = _layers(app)
        assert "T06" not in layers.teams.index
        assert "T06" not in set(layers.inspections["team_id"].dropna())
        assert inspected <= set(layers.inspections["venue_id"])  # the venues' inspections count, without the team
        assert 'value="T06"' not in client.get("/plan").get_data(as_text=True)
        assert 'value="T06"' not in client.get("/users").get_data(as_text=True)
        refused = post_form(client, "/users",
                            {"action": "create", "username": "t06-leader", "role": "patrol", "team_id": "T06"})
        assert refused.status_code == 400 and "（字段：team_id）" in refused.get_data(as_text=True)
    finally:
        restored = client.post("/teams/T06/retired", data={"action": "restore", "csrf_token": csrf_token(page)})
    assert restored.status_code == 302
    assert "T06" in _layers(app).teams.index


@pytest.mark.parametrize("who", ["viewer", "patrol1"])
def test_only_coordinators_retire(app, client, who):
    venue_id = _venue_with_history(app)[0]
    login(client, who)
    token = csrf_token(client.get("/account").get_data(as_text=True))
    assert client.post(f"/venues/{venue_id}/retired", data={"action": "retire", "csrf_token": token}).status_code == 403
    assert client.post("/teams/T01/retired", data={"action": "retire", "csrf_token": token}).status_code == 403
    assert client.get("/teams").status_code == 403
    assert venue_id in _layers(app).venues.index and "T01" in _layers(app).teams.index


def test_retiring_an_unknown_venue_or_with_a_wrong_action_changes_nothing(app, client):
    from ledger.models import RecordEvent, db

    login(client, "coord")
    token = csrf_token(client.get("/teams").get_data(as_text=True))
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count()).select_from(RecordEvent))
    assert client.post("/venues/NOPE/retired", data={"action": "retire", "csrf_token": token}).status_code == 404
    assert client.post("/teams/T01/retired", data={"action": "delete", "csrf_token": token}).status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(RecordEvent)) == before
    assert "T01" in _layers(app).teams.index


@pytest.mark.parametrize("statement", ["UPDATE record_event SET \"user\" = 'someone else'", "DELETE FROM record_event"])
def test_the_database_refuses_to_rewrite_the_retire_trail(app, client, statement):
    import sqlalchemy as sa

    from ledger.models import db

    login(client, "coord")
    page = client.get("/teams").get_data(as_text=True)
    for action in ("retire", "restore"):
        client.post("/teams/T05/retired", data={"action": action, "csrf_token": csrf_token(page)})
    with app.app_context():
        before = db.session.execute(sa.text('SELECT COUNT(*), COUNT(DISTINCT "user") FROM record_event')).one()
        assert before[0] >= 2
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(statement))
        db.session.rollback()
        assert db.session.execute(sa.text('SELECT COUNT(*), COUNT(DISTINCT "user") FROM record_event')).one() == before
