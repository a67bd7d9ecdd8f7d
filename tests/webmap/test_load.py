"""Many clients at once on loopback, and schemathesis against the OpenAPI document."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from web_helpers import api_token

CLIENTS, EACH = 20, 5


def _post(url: str, token: str, body: dict) -> int:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.status


@pytest.mark.slow
def test_twenty_concurrent_clients_lose_nothing(app, live_server):
    from ledger.models import HazardEvent, Inspection, db

    token = api_token(app, "coord")
    with app.app_context():
        inspections_before = db.session.scalar(db.select(db.func.count()).select_from(Inspection))
        events_before = db.session.scalar(db.select(db.func.count()).select_from(HazardEvent))

    def client(k: int) -> list[int]:
        codes = []
        for j in range(EACH):
            codes.append(_post(f"{live_server}/api/v1/inspections", token,
                               {"venue_id": f"V{(k * EACH + j) % 500 + 1:04d}", "team_id": "T01", "outcome": "done",
                                "notes": f"client {k} visit {j}"}))
            codes.append(_post(f"{live_server}/api/v1/hazards", token,
                               {"venue_id": f"V{(k * EACH + j) % 500 + 1:04d}", "type": "escape_route_clutter",
                                "description": f"client {k} hazard {j}"}))
        return codes

    with ThreadPoolExecutor(CLIENTS) as pool:
        codes = [c for result in pool.map(client, range(CLIENTS)) for c in result]
    assert codes.count(201) == 2 * CLIENTS * EACH
    with app.app_context():
        db.session.expire_all()
        assert db.session.scalar(db.select(db.func.count())
                                 .select_from(Inspection)) == inspections_before + CLIENTS * EACH
        # each new hazard is one "found" event; ids are unique even when clients race for the next number
        assert db.session.scalar(db.select(db.func.count()).select_from(HazardEvent)) == events_before + CLIENTS * EACH
        notes = set(db.session.scalars(db.select(Inspection.notes).where(Inspection.notes.like("client %"))))
        assert len(notes) == CLIENTS * EACH


@pytest.mark.slow
def test_schemathesis_finds_no_server_error(app, live_server, tmp_path):
    token = api_token(app, "coord")
    app.config.update(LIVE_STREAM_S=0.5, LIVE_POLL_S=0.1)  # each call of the event stream ends soon
    done = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", f"{live_server}/api/v1/openapi.json", "--checks",
         "not_a_server_error,content_type_conformance",
         "--header", f"Authorization: Bearer {token}", "--max-examples", "25", "--workers", "1", "--no-color"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
