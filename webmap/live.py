"""The live board's data: each team's day so far, and the stream of the day's events as Server-Sent Events.

The stream reads new ``field_event`` rows every ``LIVE_POLL_S`` from the database, so it sees what
any worker or process wrote, under the Flask development server and ``patrol serve`` alike (both
threaded: a stream holds one thread, never the others). It ends after ``LIVE_STREAM_S``; the
browser's EventSource reconnects by itself with ``Last-Event-ID`` and misses nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator

from flask import Flask

from gis.timeparse import parse_hhmm
from ledger.field import day_stops, done_venues, events_after, visits_of
from ledger.models import Hazard, Team, db


def team_summary(day: dt.date, team_id: str, now_s: int) -> dict:
    """A team's day so far: last position and time, stops done and remaining, late ones, and flags."""
    _, stops = day_stops(team_id, day)
    done = done_venues(day, team_id)
    visits = visits_of(day, team_id)
    placed = [v for v in visits if v.lon is not None]
    last = placed[-1] if placed else None
    remaining = [s for s in stops if s.venue_id not in done]
    late = [s.venue_id for s in remaining if getattr(s, "depart", "") and parse_hhmm(s.depart) < now_s]
    major = bool(done) and db.session.scalar(db.select(db.func.count()).select_from(Hazard).where(
        Hazard.venue_id.in_(list(done)), Hazard.found_on == day, Hazard.severity == "major")) > 0
    team = db.session.get(Team, team_id)
    return {
        "team_id": team_id, "name": team.name if team else team_id,
        "last": None if last is None else {"lon": last.lon, "lat": last.lat, "accuracy_m": last.accuracy_m,
                                           "at": (last.checked_in_at or last.recorded_at).isoformat() + "Z",
                                           "venue_id": last.venue_id},
        "stops": len(stops), "done": len([s for s in stops if s.venue_id in done]), "remaining": len(remaining),
        "next": remaining[0].venue_id if remaining else None, "late": late,
        "flags": {"far": [v.venue_id for v in visits if v.far],
                  "refused": [vid for vid, outcome in done.items() if outcome == "refused"],
                  "major": major},
    }


def sse(event_id: int | None, kind: str, data: dict) -> str:
    """One Server-Sent Event; JSON has no raw newlines, so ``data`` is one line."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def events_stream(app: Flask, *, day: dt.date, after: int, team_id: str | None) -> Iterator[str]:
    """The events of ``day`` after id ``after`` (of ``team_id`` only, when given), as they are written."""
    from webmap.context import now_s

    poll_s, stream_s = app.config["LIVE_POLL_S"], app.config["LIVE_STREAM_S"]

    def generate() -> Iterator[str]:
        last = after
        ends = time.monotonic() + stream_s
        yield "retry: 2000\n\n"
        while time.monotonic() < ends:
            with app.app_context():  # its own database session, closed at every round (no transaction held open)
                fresh = events_after(last, day)
                rows = [e for e in fresh if team_id is None or e.team_id == team_id]
                last = max([last, *(e.id for e in fresh)])
                now = now_s()
                out = [sse(e.id, e.kind, {**(e.detail or {}), "team_id": e.team_id, "event_at": e.at.isoformat() + "Z",
                                          "team": team_summary(day, e.team_id, now) if e.team_id else None})
                       for e in rows]
                db.session.remove()
            # Something every round, an empty comment when there is no news: a page that was closed is
            # noticed at once (the write fails), so its thread and database connection are not held on.
            yield from out or [":\n\n"]
            time.sleep(poll_s)

    return generate()
