"""The whole venue map is drawn once per data version and language; each response still has its own nonce."""

from __future__ import annotations

import re
from collections import Counter

from web_helpers import csrf_token, login


def _counted_maps(monkeypatch) -> Counter:
    import webmap.views.map

    calls: Counter = Counter()
    real = webmap.views.map.venue_state_map

    def counted(*args, **kwargs):
        calls["drawn"] += 1
        return real(*args, **kwargs)
    monkeypatch.setattr(webmap.views.map, "venue_state_map", counted)
    return calls


def _nonces(response) -> tuple[str, set[str]]:
    header = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    return header, set(re.findall(r'<script nonce="([^"]+)"', response.get_data(as_text=True)))


def test_the_whole_map_is_drawn_once_until_a_write_and_each_response_has_its_nonce(app, client, monkeypatch):
    from ledger.models import Hazard, db

    login(client, "coord")
    calls = _counted_maps(monkeypatch)
    first, second = client.get("/map/frame"), client.get("/map/frame")
    assert first.status_code == second.status_code == 200 and calls["drawn"] == 1
    for response in (first, second):
        header, in_page = _nonces(response)
        assert in_page == {header}  # every script carries this response's nonce, and only it
    assert _nonces(first)[0] != _nonces(second)[0]
    strip = re.compile(r'nonce="[^"]+"')
    assert strip.sub("", first.get_data(as_text=True)) == strip.sub("", second.get_data(as_text=True))

    assert client.get("/map/frame?lang=en").status_code == 200 and calls["drawn"] == 2  # its own language
    assert client.get("/map/frame?group=rental").status_code == 200 and calls["drawn"] == 3  # filtered: not kept
    client.get("/map/frame?group=rental")
    assert calls["drawn"] == 4

    with app.app_context():
        venue_id = db.session.scalars(db.select(Hazard.venue_id).where(Hazard.status != "closed")).first()
    assert venue_id in first.get_data(as_text=True)
    page = client.get(f"/venues/{venue_id}").get_data(as_text=True)
    retired = client.post(f"/venues/{venue_id}/retired", data={"action": "retire", "csrf_token": csrf_token(page)})
    assert retired.status_code == 302
    after = client.get("/map/frame")
    assert calls["drawn"] == 5 and venue_id not in after.get_data(as_text=True)  # the write made it draw again
