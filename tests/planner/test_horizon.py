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


def test_optional_candidates_only_for_spare_shift_time():
    from planner.params import PlanParams
    from planner.plan import optional_pool

    status = _status([(f"v{k}", START, 30) for k in range(20)])  # 1,800 s of service each
    teams = pd.DataFrame({"shifts": [[(9 * 3600, 17 * 3600)]]}, index=["T1"])  # 28,800 s of shift
    params = PlanParams(est_travel_s=420)  # 2,220 s a visit
    # 10 must visits leave 6,600 s: about three visits, twice that offered
    assert optional_pool(status, [f"v{k}" for k in range(10)], teams, params=params) == 6
    assert optional_pool(status, [f"v{k}" for k in range(10)], teams, params=PlanParams(optional_pool=4)) == 4
    # 13 must visits (28,860 s) fill the shift: an optional visit could only take a must visit's place
    assert optional_pool(status, [f"v{k}" for k in range(13)], teams, params=params) == 0
    assert optional_pool(status, [], teams.iloc[:0], params=params) == 0
