"""Spreading due work over the horizon."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from planner.horizon import assign_days

START = dt.date(2026, 11, 23)


def _status(rows: list[tuple[str, dt.date | None, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        {"due_on": [r[1] for r in rows], "recheck_on": [None] * len(rows), "risk": 0.5,
         "service_s": 1800, "interval_days": [r[2] for r in rows], "last_inspected": None},
        index=[r[0] for r in rows], dtype=object,
    ).astype({"risk": float, "service_s": int, "interval_days": int})


def test_due_work_is_spread_without_overloading_a_day():
    rows = [(f"d{k}", START + dt.timedelta(days=4), 30) for k in range(10)]
    days = assign_days(_status(rows), start=START, days=5, capacity_s=3 * 2000, est_travel_s=200)
    loads = [len(d) for d in days]
    assert sum(loads) == 10 and max(loads) <= 3


def test_overdue_goes_first_and_never_waits_while_capacity_is_free():
    rows = [(f"o{k}", START - dt.timedelta(days=5), 30) for k in range(4)]
    rows += [(f"d{k}", START + dt.timedelta(days=2), 30) for k in range(4)]
    days = assign_days(_status(rows), start=START, days=3, capacity_s=4 * 2000, est_travel_s=200)
    assert {a.venue_id for a in days[0]} == {"o0", "o1", "o2", "o3"}
    assert all(a.reason == "overdue" for a in days[0])
    assert all(a.day_index <= a.deadline_index for d in days for a in d if a.reason == "due")


def test_never_inspected_is_overdue_and_short_intervals_recur():
    rows = [("never", None, 30), ("site", START, 3)]
    days = assign_days(_status(rows), start=START, days=7, capacity_s=10**6, est_travel_s=200)
    placed = [(a.venue_id, a.day_index, a.reason) for d in days for a in d]
    assert ("never", 0, "overdue") in placed
    site_days = [day for vid, day, _ in placed if vid == "site"]
    assert site_days[0] == 0 and len(site_days) == 3 and all(b - a <= 3 for a, b in zip(site_days, site_days[1:]))
