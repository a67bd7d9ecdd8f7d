"""Which venues are due on which day of the horizon, spread so that no day is overloaded.

Must work (overdue, due within the horizon, re-checks of open hazards at their deadline) is
placed earliest-deadline first: overdue work on the earliest day with free capacity, due work
on the least-loaded day up to its due date. A venue visited on day a is due again at
a + interval, so short intervals recur within a long horizon. A campaign (专项排查) that starts
partway through the horizon gets its venues' visits on its own days: a visit before it starts
(the venue was overdue, say) does not count for it, so a second one is placed in it.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from gis.coverage import (
    venue_status as venue_status,  # moved to gis.coverage; planner.plan and replan import it from here
)


@dataclass(frozen=True)
class Assignment:
    """A venue placed on a day of the horizon, and why."""

    venue_id: str
    day_index: int
    reason: str  # overdue · due · recheck
    deadline_index: int


def assign_days(
    status: pd.DataFrame,
    *,
    start: dt.date,
    days: int,
    capacity_s: float | Sequence[float],
    est_travel_s: int,
) -> list[list[Assignment]]:
    """Place every must visit of the horizon on a day.

    Parameters
    ----------
    status
        From :func:`venue_status`.
    start, days
        The horizon: ``start`` … ``start + days - 1``.
    capacity_s
        Service + travel seconds the teams can give to must work in one day, or on each day
        (teams formed from a roster differ from day to day).
    est_travel_s
        Travel assumed per visit when counting a day's load.

    Returns
    -------
    One list of assignments per day.
    """
    last = days - 1
    capacity = list(capacity_s) if isinstance(capacity_s, Sequence) else [capacity_s] * days
    window = _campaign_windows(status, start, last)
    heap: list[tuple[int, float, str, str, int]] = []  # deadline, urgency, venue, reason, generation
    for vid, row in status.iterrows():
        need, reason = _first_need(row, start)
        if need is not None and need <= last:
            urgency = -row["risk"] * (1 + max(0, -need) / row["interval_days"])
            heapq.heappush(heap, (max(0, need), urgency, str(vid), reason, 0))
        if str(vid) in window:
            heapq.heappush(heap, (window[str(vid)][1], -row["risk"], str(vid), _CAMPAIGN, 0))
    load = [0.0] * days
    out: list[list[Assignment]] = [[] for _ in range(days)]
    previous: dict[str, int] = {}
    generation: dict[str, int] = {}
    while heap:
        deadline, urgency, vid, reason, made_at = heapq.heappop(heap)
        if (vid not in window) if reason == _CAMPAIGN else made_at != generation.get(vid, 0):
            continue  # the campaign was seen to already, or a later visit replaced this recurrence
        row = status.loc[vid]
        work = float(row["service_s"] + est_travel_s)
        interval = int(row["interval_days"])
        # Visiting long before the deadline wastes the interval: look only at the last days.
        earliest = 0 if reason in ("overdue", "recheck") else max(0, deadline - max(1, min(interval // 4, 7)))
        if vid in previous:
            earliest = max(earliest, previous[vid] + 1)
        if reason != "overdue" and reason != "recheck" and vid in window and window[vid][0] <= deadline:
            earliest = max(earliest, window[vid][0])  # a visit the campaign's days can hold counts for it too
        open_days = [d for d in range(earliest, deadline + 1) if load[d] + work <= capacity[d]]
        if not open_days:
            day = deadline  # over capacity: routing drops it and it is carried or reported
        elif reason in ("overdue", "recheck"):
            day = open_days[0]
        else:
            day = min(open_days, key=lambda d: (load[d], -d))
        load[day] += work
        previous[vid] = day
        out[day].append(Assignment(vid, day, "due" if reason == _CAMPAIGN else reason, deadline))
        if vid in window and window[vid][0] <= day:
            del window[vid]
        generation[vid] = generation.get(vid, 0) + 1
        again = day + interval
        if again <= last:
            heapq.heappush(heap, (again, urgency, vid, "due", generation[vid]))
    return out


_CAMPAIGN = "campaign"  # a campaign's own visit (written as "due", the contract's reasons)


def _campaign_windows(status: pd.DataFrame, start: dt.date, last: int) -> dict[str, tuple[int, int]]:
    """Venue → (first, last) day index of its campaign visit, for the campaigns whose target lies in the horizon."""
    if "campaign_by" not in status:
        return {}
    out = {}
    for vid, first, by in zip(status.index, status["campaign_from"], status["campaign_by"], strict=True):
        if by is not None and not pd.isna(by) and (by - start).days <= last:
            out[str(vid)] = (max(0, (first - start).days), max(0, (by - start).days))
    return out


def _first_need(row: pd.Series, start: dt.date) -> tuple[int | None, str]:
    """Day index (relative to ``start``; negative = overdue) when the venue is first needed."""
    due = row["due_on"]
    recheck = row["recheck_on"]
    due_idx = None if due is None else (due - start).days
    if due is None:
        due_idx = -row["interval_days"]  # never inspected: as overdue as can be
    recheck_idx = None if recheck is None or pd.isna(recheck) else (recheck - start).days
    need = due_idx if recheck_idx is None else min(due_idx, recheck_idx)
    # An open hazard's re-check that falls due by the planned day is what the team must know.
    if recheck_idx is not None and recheck_idx <= max(need, 0):
        return need, "recheck"
    return need, ("overdue" if need < 0 else "due")


def optional_candidates(
    status: pd.DataFrame,
    *,
    day: dt.date,
    exclude: set[str],
    pool: int,
    high_risk_threshold: float,
) -> list[tuple[str, str]]:
    """The best venues to add when capacity is left: (venue_id, reason) by value, at most ``pool``.

    Value is risk times how far through its interval the venue is (a venue inspected yesterday
    is worth little). Reason is ``high_risk`` at or above the threshold, else ``optional``.
    """
    if pool <= 0:
        return []
    rows = status[~status.index.isin(list(exclude))]
    since = rows["last_inspected"].map(lambda d: 10**4 if d is None else (day - d).days)
    value = rows["risk"] * (since / rows["interval_days"]).clip(0, 2)
    best = value[value > 0].sort_values(ascending=False, kind="stable").head(pool)
    return [(vid, "high_risk" if status.at[vid, "risk"] >= high_risk_threshold else "optional") for vid in best.index]
