"""Meeting review numbers (weekly / monthly / quarterly): this period against the last, by community and grid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from .models import Grid, Hazard, Inspection, Venue, db

PERIODS = ("week", "month", "quarter")
CLOSURE_GOAL = 0.95


EARLIEST_DAY = dt.date(2000, 1, 1)  # no office keeps records from before; periods and trends stay within dates


def period_bounds(period: str, on: dt.date, back: int = 0, *, to_date: bool = True) -> tuple[dt.date, dt.date]:
    """The calendar period (ISO week Monday-Sunday, month, quarter) that holds ``on``.

    Or the ``back``-th one before it, as inclusive bounds; with ``to_date`` the period that holds ``on`` ends at ``on``,
    earlier ones are whole. Meetings speak of "November" and "Q3", not of rolling days.
    """
    if period == "week":
        start = on - dt.timedelta(days=on.weekday()) - dt.timedelta(weeks=back)
        end = start + dt.timedelta(days=6)
    else:
        months = {"month": 1, "quarter": 3}[period]
        first = on.year * 12 + (on.month - 1) // months * months - back * months
        start = dt.date(first // 12, first % 12 + 1, 1)
        after = first + months
        end = dt.date(after // 12, after % 12 + 1, 1) - dt.timedelta(days=1)
    return start, min(end, on) if to_date else end


def _frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    grid_of = {v.venue_id: v.grid_id for v in db.session.scalars(db.select(Venue))}
    grids = list(db.session.scalars(db.select(Grid)))
    community = {g.grid_id: g.community for g in grids}
    hz = pd.DataFrame([{"venue_id": h.venue_id, "found_on": h.found_on, "closed_on": h.closed_on,
                        "deadline": h.deadline,
                        "status": h.status, "severity": h.severity} for h in db.session.scalars(db.select(Hazard))],
                      columns=["venue_id", "found_on", "closed_on", "deadline", "status", "severity"])
    ins = pd.DataFrame([{"venue_id": i.venue_id, "date": i.date, "outcome": i.outcome, "team_id": i.team_id or ""}
                        for i in db.session.scalars(db.select(Inspection))],
                        columns=["venue_id", "date", "outcome", "team_id"])
    for frame in (hz, ins):
        frame["grid_id"] = frame["venue_id"].map(grid_of).fillna("unassigned")
        frame["community"] = frame["grid_id"].map(community).fillna("")
    venues = pd.DataFrame([{"venue_id": v.venue_id, "grid_id": v.grid_id, "category": v.category,
                            "last_inspected": v.last_inspected}
                           for v in db.session.scalars(db.select(Venue))],
                           columns=["venue_id", "grid_id", "category", "last_inspected"])
    venues["community"] = venues["grid_id"].map(community).fillna("")
    venues["grid_name"] = venues["grid_id"].map({g.grid_id: g.name for g in grids}).fillna("")
    return hz, ins, venues


def covered_venues(venues: pd.DataFrame, ins: pd.DataFrame, interval_days: pd.Series, on: dt.date) -> pd.Series:
    """Per venue (``venues``' index): inspected (outcome done) within its interval as of ``on``.

    The one meaning of "covered" for the review, the ranking (:mod:`ledger.kpi`) and the coverage-gap page: the last
    done inspection up to ``on`` (the inspections ``ins``, or the venue's own ``last_inspected``) at most
    ``interval_days`` (per venue) before it; a venue never inspected is not covered.
    """
    cut = pd.Timestamp(on)
    when = pd.to_datetime(ins["date"])
    seen = (ins["outcome"] == "done") & (when <= cut)
    done = when[seen].groupby(ins.loc[seen, "venue_id"]).max()
    own = pd.to_datetime(venues["last_inspected"])
    theirs = pd.Series(done.reindex(venues["venue_id"]).to_numpy(), index=venues.index)  # (map fails on none done)
    last = pd.concat([own.where(own <= cut), theirs], axis=1).max(axis=1)
    return (cut - last).dt.days <= interval_days  # NaN (never inspected) compares False


def covered_share(venues: pd.DataFrame, ins: pd.DataFrame, intervals: Mapping[str, int], on: dt.date,
                  by: str) -> pd.Series:
    """Per ``by``: the share of venues covered (:func:`covered_venues`) by their category's interval as of ``on``."""
    covered = covered_venues(venues, ins, venues["category"].map(intervals), on)
    return covered.groupby(venues[by]).mean().rename("coverage")


def closure_rate(hz: pd.DataFrame, end: dt.date, by: str) -> pd.Series:
    """Per ``by``: of all hazards found up to ``end``, the share closed (销号) by ``end``.

    The measure of the source reports ("3,500 found, 95 % fixed") and of "dynamic zero": it does
    not count this week's new hazards, still within their deadline, as failures.
    """
    known = hz[hz["found_on"] <= end]
    done = known["closed_on"].notna() & (known["closed_on"] <= end)
    return done.groupby(known[by]).mean().astype(float).rename("closure_rate")


def _patrols(visits: pd.DataFrame, by: str | None = None) -> pd.Series | int:
    """Joint patrols (巡查) per ``by``: distinct (team, day) that inspected there, or in all when ``by`` is None.

    Visits recorded without a team count as one patrol each.
    """
    visits = visits.assign(everywhere="") if by is None else visits
    teamless = visits["team_id"].fillna("") == ""
    outings = pd.concat([visits[~teamless].drop_duplicates(["team_id", "date", by or "everywhere"]), visits[teamless]])
    return len(outings) if by is None else outings.groupby(by).size()


def _numbers(hz: pd.DataFrame, ins: pd.DataFrame, start: dt.date, end: dt.date, by: str) -> pd.DataFrame:
    found = hz[(hz["found_on"] >= start) & (hz["found_on"] <= end)]
    closed = hz[hz["closed_on"].notna() & (hz["closed_on"] >= start) & (hz["closed_on"] <= end)]
    # open at the period's end (not closed by then) and past the deadline: the same rule for this period and the last
    still_open = hz["closed_on"].isna() | (hz["closed_on"] > end)
    open_late = hz[still_open & (hz["found_on"] <= end) & hz["deadline"].notna() & (hz["deadline"] < end)]
    visits = ins[(ins["date"] >= start) & (ins["date"] <= end)]
    out = pd.DataFrame({
        "found": found.groupby(by).size(), "major": found[found["severity"] == "major"].groupby(by).size(),
        "closed": closed.groupby(by).size(), "overdue_rectification": open_late.groupby(by).size(),
        "inspections": visits.groupby(by).size(),
        "patrols": _patrols(visits, by),
    }).fillna(0).astype(int)
    return out


def review(period: str, end: dt.date, *, intervals: Mapping[str, int], by: str = "community",
           trend_periods: int = 8) -> dict[str, object]:
    """The period and the last, per community (or grid), with totals and a trend of found/closed.

    Closure rate is the share of all hazards found up to the period's end that were closed (销号) by
    then, against the 95 % goal (:func:`closure_rate`); overdue rectifications are open hazards past their deadline at
    the period's end;
    coverage is the share of venues inspected within their interval (``intervals``: days per
    category) at the end of each period.
    """
    hz, ins, venues = _frames()
    this_start, this_end = period_bounds(period, end)
    last_start, last_end = period_bounds(period, end, 1)
    now = _numbers(hz, ins, this_start, this_end, by)
    before = _numbers(hz, ins, last_start, last_end, by)
    table = now.join(before.add_suffix("_last"), how="outer")
    table = table.reindex(table.index.union(pd.Index(venues[by].unique()))).rename_axis(by)  # quiet places are rows too
    counts = [c for c in table.columns if "rate" not in c]
    table[counts] = table[counts].fillna(0).astype(int)
    table["name"] = venues.groupby(by)["grid_name"].first().reindex(table.index).fillna("") if by == "grid_id" else ""
    table["venues"] = venues.groupby(by).size().reindex(table.index).fillna(0).astype(int)
    table["closure_rate"] = closure_rate(hz, this_end, by).reindex(table.index)
    table["closure_rate_last"] = closure_rate(hz, last_end, by).reindex(table.index)
    table["coverage"] = covered_share(venues, ins, intervals, this_end, by).reindex(table.index).round(3)
    table["coverage_last"] = covered_share(venues, ins, intervals, last_end, by).reindex(table.index).round(3)
    totals = {
        "found": int(now["found"].sum()), "found_last": int(before["found"].sum()),
        "closed": int(now["closed"].sum()), "closed_last": int(before["closed"].sum()),
        "overdue_rectification": int(now["overdue_rectification"].sum()),
        "overdue_rectification_last": int(before["overdue_rectification"].sum()),
        "inspections": int(now["inspections"].sum()), "inspections_last": int(before["inspections"].sum()),
    }
    totals["patrols"] = _patrols(ins[(ins["date"] >= this_start) & (ins["date"] <= this_end)])
    totals["patrols_last"] = _patrols(ins[(ins["date"] >= last_start) & (ins["date"] <= last_end)])
    everyone = venues.assign(all="")
    totals["coverage"] = float(covered_share(everyone, ins, intervals, this_end, "all").iat[0]) if len(venues) else None
    totals["coverage_last"] = float(covered_share(everyone, ins, intervals, last_end,
                                                  "all").iat[0]) if len(venues) else None
    totals["closure_rate"] = closure_rate(hz.assign(all=""), this_end, "all").get("", None)
    totals["closure_rate_last"] = closure_rate(hz.assign(all=""), last_end, "all").get("", None)
    trend = []
    for back in range(trend_periods - 1, -1, -1):
        s, e = period_bounds(period, end, back)
        trend.append({"start": s, "end": e,
                      "found": int(((hz["found_on"] >= s) & (hz["found_on"] <= e)).sum()),
                      "closed": int((hz["closed_on"].notna() & (hz["closed_on"] >= s) & (hz["closed_on"] <= e)).sum()),
                      "inspections": int(((ins["date"] >= s) & (ins["date"] <= e)).sum()),
                      "patrols": _patrols(ins[(ins["date"] >= s) & (ins["date"] <= e)])})
    return {"period": period, "this": (this_start, this_end), "last": (last_start, last_end),
            "table": table.reset_index(), "totals": totals, "trend": trend, "goal": CLOSURE_GOAL}
