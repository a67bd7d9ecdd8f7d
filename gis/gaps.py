"""Coverage gaps (盲区死角): venues past their interval, never inspected, out of reach; grids left behind."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

from .coverage import days_overdue, due_dates, last_inspected
from .hotspots import grid_frame
from .rules import Rules

VENUE_COLUMNS = ["venue_id", "name", "category", "grid_id", "last_inspected", "due_on", "days_overdue",
                 "never_inspected", "unreachable_reason"]
GRID_COLUMNS = ["grid_id", "name", "community", "venues", "covered_share", "never_inspected", "overdue",
                "unreachable", "done_this_month", "no_visit_this_month", "gap_rank"]


def venue_gaps(venues: gpd.GeoDataFrame, rules: Rules, on: dt.date, inspections: pd.DataFrame | None = None,
               unreachable: pd.Series | None = None) -> pd.DataFrame:
    """Per venue: last inspection, due date, days past its interval, never inspected, why unreachable.

    ``unreachable`` maps venue_id → reason for venues no team can serve in a shift (see
    :func:`planner.plan.unreachable_venues`); absent venues are reachable.
    """
    last = last_inspected(venues, inspections)
    out = pd.DataFrame({
        "venue_id": venues.index, "name": venues["name"].to_numpy(), "category": venues["category"].to_numpy(),
        "grid_id": venues["grid_id"].to_numpy(), "last_inspected": last.to_numpy(),
        "due_on": due_dates(venues, rules, inspections).to_numpy(),
        "days_overdue": days_overdue(venues, rules, on, inspections).to_numpy(),
        "never_inspected": last.isna().to_numpy(),
    })
    reasons = {} if unreachable is None else unreachable.to_dict()
    out["unreachable_reason"] = [reasons.get(v, "") for v in out["venue_id"]]
    return out[VENUE_COLUMNS]


def grid_gaps(grids: gpd.GeoDataFrame, per_venue: pd.DataFrame, on: dt.date,
              inspections: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """Per grid: the coverage gaps, ranked worst first.

    The share of venues inspected within their interval, never-inspected, overdue and unreachable counts, inspections
    done this calendar month.

    The rank puts the lowest coverage first, then the most never-inspected venues.
    """
    frame = grid_frame(grids)
    g = per_venue.groupby("grid_id")
    covered = per_venue.assign(ok=(~per_venue["never_inspected"])
                               & (per_venue["days_overdue"] == 0)).groupby("grid_id")["ok"]
    month_start = on.replace(day=1)
    if inspections is not None and not inspections.empty:
        done = inspections[(inspections["outcome"] == "done")
                           & (pd.to_datetime(inspections["date"]).dt.date >= month_start)
                           & (pd.to_datetime(inspections["date"]).dt.date <= on)]
        grid_of = per_venue.set_index("venue_id")["grid_id"]
        this_month = done["venue_id"].map(grid_of).value_counts()
    else:
        this_month = pd.Series(dtype=int)
    stats = pd.DataFrame({
        "venues": g.size(),
        "covered_share": covered.mean().round(3),
        "never_inspected": g["never_inspected"].sum(),
        "overdue": g["days_overdue"].apply(lambda d: int((d > 0).sum())),
        "unreachable": g["unreachable_reason"].apply(lambda r: int((r != "").sum())),
    })
    out = frame.set_index("grid_id").join(stats)
    out["venues"] = out["venues"].fillna(0).astype(int)
    for col in ("never_inspected", "overdue", "unreachable"):
        out[col] = out[col].fillna(0).astype(int)
    out["covered_share"] = out["covered_share"].where(out["venues"] > 0, np.nan)
    out["done_this_month"] = this_month.reindex(out.index, fill_value=0).astype(int)
    out["no_visit_this_month"] = (out["done_this_month"] == 0) & (out["venues"] > 0)
    out = out.sort_values(["covered_share", "never_inspected", "overdue"], ascending=[True, False, False],
                          na_position="last")
    out["gap_rank"] = np.arange(1, len(out) + 1)
    for col in ("name", "community"):
        if col not in out:
            out[col] = ""
    return gpd.GeoDataFrame(out.reset_index()[GRID_COLUMNS + ["geometry"]], geometry="geometry", crs=frame.crs)
