"""Coverage: when each venue was last inspected, when it is next due, and how far past due it is."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from .risk import open_hazards
from .rules import Rules


def last_inspected(venues: gpd.GeoDataFrame, inspections: pd.DataFrame | None = None) -> pd.Series:
    """The latest day each venue was really inspected: its own column or a ``done`` inspection.

    Closed-door and refused visits do not count: the venue was not seen.
    """
    own = (pd.to_datetime(venues["last_inspected"], errors="coerce") if "last_inspected" in venues
           else pd.Series(pd.NaT, index=venues.index, dtype="datetime64[s]"))
    if inspections is not None and not inspections.empty:
        done = inspections[inspections["outcome"] == "done"]
        latest = pd.to_datetime(done["date"]).groupby(done["venue_id"]).max()
        own = pd.concat([own, latest.reindex(venues.index)], axis=1).max(axis=1)
    return _days_or_none(own, "last_inspected")


def _days_or_none(values: pd.Series, name: str) -> pd.Series:
    """``values`` as an object Series of ``datetime.date`` with ``None`` where missing.

    Built element by element: ``Series.where(..., None)`` turns an all-missing datetime column
    back into NaT (pandas 2 and 3), and NaT is not ``None`` (never-inspected venues crashed).
    """
    days = [None if pd.isna(v) else pd.Timestamp(v).date() for v in values]
    return pd.Series(days, index=values.index, name=name, dtype=object)


def due_dates(venues: gpd.GeoDataFrame, rules: Rules, inspections: pd.DataFrame | None = None) -> pd.Series:
    """The day each venue must next be inspected: last inspection + its category's interval.

    Never-inspected venues have ``None``: they are due from the start.
    """
    last = last_inspected(venues, inspections)
    interval = venues["category"].map(lambda c: rules.categories[c].interval_days)
    return pd.Series(
        [None if d is None else d + dt.timedelta(days=int(n)) for d, n in zip(last, interval)],
        index=venues.index, name="due_on", dtype=object,
    )


def recheck_dates(venues: gpd.GeoDataFrame, hazards: pd.DataFrame | None) -> pd.Series:
    """For each venue with an open hazard, the earliest rectification deadline (re-check day)."""
    current = open_hazards(hazards)
    if current.empty:
        return pd.Series([None] * len(venues), index=venues.index, name="recheck_on", dtype=object)
    earliest = current.groupby("venue_id")["deadline"].min()
    return _days_or_none(earliest.reindex(venues.index), "recheck_on")


def days_overdue(venues: gpd.GeoDataFrame, rules: Rules, on: dt.date, inspections: pd.DataFrame | None = None) -> pd.Series:
    """Days past each venue's interval on day ``on`` (0 when not yet due; NaN when never inspected)."""
    due = due_dates(venues, rules, inspections)
    return pd.Series(
        [float("nan") if d is None else max(0, (on - d).days) for d in due],
        index=venues.index, name="days_overdue",
    )
