"""An independent recomputation of the ranking (考核) straight from the database tables, for the tests.

Plain SQL and plain Python, written from the definitions in ledger/kpi.py's docstring and data/rules.toml,
without calling ledger.kpi, ledger.review or pandas: if both agree, the ranking means what it says.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa

RULES = Path(__file__).resolve().parents[1] / "data" / "rules.toml"
PERCENT_MEASURES = ("coverage", "stops_done", "closed_on_time", "no_overdue")


def _day(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def bounds(period: str, on: dt.date, back: int = 0) -> tuple[dt.date, dt.date]:
    """The calendar week (Monday first), month or quarter ``back`` periods before the one holding ``on``, whole."""
    if period == "week":
        start = on - dt.timedelta(days=on.weekday()) - dt.timedelta(days=7 * back)
        return start, start + dt.timedelta(days=6)
    step = 1 if period == "month" else 3
    month = (on.month - 1) // step * step + 1  # first month of the period
    year = on.year
    for _ in range(back):
        month -= step
        if month < 1:
            month, year = month + 12, year - 1
    start = dt.date(year, month, 1)
    nxt_month, nxt_year = month + step, year
    if nxt_month > 12:
        nxt_month, nxt_year = nxt_month - 12, year + 1
    return start, dt.date(nxt_year, nxt_month, 1) - dt.timedelta(days=1)


def _tables(conn) -> dict[str, list[dict]]:
    def rows(sql: str) -> list[dict]:
        return [dict(r._mapping) for r in conn.execute(sa.text(sql))]

    return {
        "grid": rows("SELECT grid_id, name, community, worker FROM grid"),
        "venue": rows("SELECT venue_id, grid_id, category, last_inspected, retired FROM venue"),
        "inspection": rows("SELECT id, venue_id, date, team_id, outcome FROM inspection"),
        "hazard": rows("SELECT hazard_id, venue_id, found_on, deadline, closed_on FROM hazard"),
        "stop": rows("SELECT s.plan_id, s.day, s.team_id, s.venue_id FROM stop s JOIN plan p ON p.id = s.plan_id "
                     "WHERE p.status = 'done'"),
        "added": rows("SELECT day, team_id, venue_id FROM added_stop"),
        "team": rows("SELECT team_id, name, retired FROM team"),
    }


def _one_period(t: dict, by: str, start: dt.date, end: dt.date, rules: dict) -> dict[str, dict]:
    grids = {g["grid_id"]: g for g in t["grid"]}
    venues = {v["venue_id"]: v for v in t["venue"]}

    def key_of_venue(venue_id: str) -> str:
        v = venues.get(venue_id)
        grid = grids.get(v["grid_id"]) if v else None
        if grid is None:
            return ""
        return {"grid": grid["grid_id"], "worker": grid["worker"] or "", "community": grid["community"] or ""}[by]

    if by == "team":
        keys = {r["team_id"]: r["name"] for r in t["team"] if not r["retired"]}
    elif by == "grid":
        keys = {g["grid_id"]: g["name"] or "" for g in t["grid"]}
    else:
        keys = {g[by]: g[by] for g in t["grid"] if g[by]}
    counts = ("inspections", "patrols", "stops_planned", "stops_kept", "hazards_found", "venues", "venues_covered",
              "hazards_due", "hazards_closed_on_time", "hazards_open", "overdue", "hazards_closed")
    rows = {k: {"name": name, **dict.fromkeys(counts, 0)} for k, name in keys.items()}
    inspections = [{**i, "date": _day(i["date"]), "team_id": i["team_id"] or ""} for i in t["inspection"]]

    # team of a hazard: the first inspection of its venue on the day it was found
    finder: dict[tuple, str] = {}
    for i in sorted(inspections, key=lambda i: i["id"]):
        finder.setdefault((i["venue_id"], i["date"]), i["team_id"])

    def key(venue_id: str, team_id: str) -> str:
        return team_id if by == "team" else key_of_venue(venue_id)

    patrols: dict[str, set] = defaultdict(set)
    for i in inspections:
        k = key(i["venue_id"], i["team_id"])
        if k in rows and start <= i["date"] <= end:
            rows[k]["inspections"] += 1
            patrols[k].add((i["team_id"], i["date"]) if i["team_id"] else ("#", i["id"]))
    for k in rows:
        rows[k]["patrols"] = len(patrols[k])

    newest: dict[dt.date, int] = {}
    for s in t["stop"]:
        newest[_day(s["day"])] = max(newest.get(_day(s["day"]), 0), s["plan_id"])
    planned = {(_day(s["day"]), s["team_id"],
                s["venue_id"]) for s in t["stop"] if s["plan_id"] == newest[_day(s["day"])]}
    planned |= {(_day(a["day"]), a["team_id"], a["venue_id"]) for a in t["added"]}
    visited = {(i["date"], i["team_id"], i["venue_id"]) for i in inspections}
    for day, team, venue in planned:
        k = key(venue, team)
        if k in rows and start <= day <= end:
            rows[k]["stops_planned"] += 1
            rows[k]["stops_kept"] += (day, team, venue) in visited

    days_to_close: dict[str, list[int]] = defaultdict(list)
    for h in t["hazard"]:
        found, deadline, closed = _day(h["found_on"]), _day(h["deadline"]), _day(h["closed_on"])
        k = key(h["venue_id"], finder.get((h["venue_id"], found), ""))
        if k not in rows:
            continue
        r = rows[k]
        r["hazards_found"] += start <= found <= end
        if by == "team":
            continue
        if deadline is not None and start <= deadline <= end:
            r["hazards_due"] += 1
            r["hazards_closed_on_time"] += closed is not None and closed <= deadline
        if found <= end and (closed is None or closed > end):
            r["hazards_open"] += 1
            r["overdue"] += deadline is not None and deadline < end
        if closed is not None and start <= closed <= end:
            r["hazards_closed"] += 1
            days_to_close[k].append((closed - found).days)

    if by != "team":
        last_done: dict[str, dt.date] = {}
        for i in inspections:
            if i["outcome"] == "done" and i["date"] <= end:
                last_done[i["venue_id"]] = max(last_done.get(i["venue_id"], i["date"]), i["date"])
        for v in t["venue"]:
            k = key_of_venue(v["venue_id"])
            if v["retired"] or k not in rows:
                continue
            rows[k]["venues"] += 1
            own = _day(v["last_inspected"])
            seen = [d for d in (own if own is not None and own <= end else None, last_done.get(v["venue_id"])) if d]
            interval = rules["categories"].get(v["category"], {}).get("interval_days")
            rows[k]["venues_covered"] += bool(seen) and interval is not None and (end - max(seen)).days <= interval

    target = rules["kpi"]["days_to_close_target"]
    for k, r in rows.items():
        r["stops_done"] = r["stops_kept"] / r["stops_planned"] if r["stops_planned"] else None
        r["hazards_per_patrol"] = r["hazards_found"] / r["patrols"] if r["patrols"] else None
        if by != "team":
            r["coverage"] = r["venues_covered"] / r["venues"] if r["venues"] else None
            r["closed_on_time"] = r["hazards_closed_on_time"] / r["hazards_due"] if r["hazards_due"] else None
            r["no_overdue"] = 1 - r["overdue"] / r["hazards_open"] if r["hazards_open"] else 1.0
            r["days_to_close"] = sum(days_to_close[k]) / len(days_to_close[k]) if days_to_close[k] else None
    most_patrols = max((r["patrols"] for r in rows.values()), default=0)
    most_found = max((r["hazards_per_patrol"] for r in rows.values() if r["hazards_per_patrol"] is not None), default=0)
    weights = rules["kpi"]["weights"]
    for r in rows.values():
        parts = {"stops_done": r["stops_done"],
                 "patrols": r["patrols"] / most_patrols if most_patrols else None,
                 "hazards_per_patrol": r["hazards_per_patrol"] / most_found
                 if most_found and r["hazards_per_patrol"] is not None else None}
        if by != "team":
            days = r["days_to_close"]
            parts |= {"coverage": r["coverage"], "closed_on_time": r["closed_on_time"], "no_overdue": r["no_overdue"],
                      "days_to_close": None if days is None else (1.0 if days <= target else target / days)}
        weight = sum(weights[m] for m, p in parts.items() if p is not None)
        r["score"] = round(100 * sum(weights[m] * p for m, p in parts.items() if p is not None) / weight,
                           1) if weight else None
    scored = [r["score"] for r in rows.values() if r["score"] is not None]
    for r in rows.values():
        r["rank"] = None if r["score"] is None else 1 + sum(s > r["score"] for s in scored)
    return {k: dict(r) for k, r in rows.items()}


def reference_ranking(engine: sa.Engine, period: str, by: str, on: dt.date,
                      rules_path: Path = RULES) -> dict[str, dict]:
    """Per key: this period's measures, score and rank, and ``rank_last`` / ``score_last`` / ``rank_change``."""
    rules = tomllib.loads(rules_path.read_text(encoding="utf-8"))
    with engine.connect() as conn:
        t = _tables(conn)
    start, end = bounds(period, on)
    now = _one_period(t, by, start, min(end, on), rules)
    before = _one_period(t, by, *bounds(period, on, 1), rules)
    for k, r in now.items():
        last = before.get(k)
        r["score_last"] = last["score"] if last else None
        r["rank_last"] = last["rank"] if last else None
        r["rank_change"] = None if r["rank"] is None or r["rank_last"] is None else r["rank_last"] - r["rank"]
    return now
