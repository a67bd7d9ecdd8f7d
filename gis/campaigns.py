"""Campaigns (专项排查) in the horizon: every venue in scope not yet seen in the campaign falls due within it.

The venues still to see are given due dates spread evenly over the days the campaign has left (grid by grid, so
that a day's share lies together); the horizon (:func:`planner.horizon.assign_days`) then places each near its date
on the least-loaded day, as it does with any due venue. A venue due earlier by its interval keeps that date.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from .rules import Rules


def campaign_due(status: pd.DataFrame, venues: gpd.GeoDataFrame, rules: Rules) -> pd.DataFrame:
    """``status`` (of :func:`gis.coverage.venue_status`) with the due dates of ``rules.campaigns`` worked in.

    Returns a new frame; the input is not changed. Without campaigns, ``status`` itself.
    """
    if not rules.campaigns or rules.campaign_day is None:
        return status
    due = status["due_on"].copy()
    grid = venues["grid_id"] if "grid_id" in venues else pd.Series("", index=venues.index)
    for c in rules.campaigns:
        first = max(c.start, rules.campaign_day)
        span = (c.end - first).days + 1
        if span <= 0:
            continue
        in_scope = [vid for vid in venues.index if c.covers(venues.at[vid, "category"], str(grid.get(vid, "")))]
        left = [vid for vid in in_scope
                if status.at[vid, "last_inspected"] is None or pd.isna(status.at[vid, "last_inspected"])
                or status.at[vid, "last_inspected"] < c.start]
        left.sort(key=lambda vid: (str(grid.get(vid, "")), str(vid)))
        for k, vid in enumerate(left):
            target = first + dt.timedelta(days=min(span - 1, k * span // len(left)))
            current = due[vid]
            if current is not None and not pd.isna(current):  # never inspected (None) is as overdue as can be already
                due[vid] = min(current, target)
    return status.assign(due_on=due)
