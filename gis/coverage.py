"""Coverage: when each venue was last inspected, when it is next due, how far past due it is, and its state today."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from .campaigns import campaign_due
from .risk import open_hazards, venue_risk
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


def days_overdue(venues: gpd.GeoDataFrame, rules: Rules, on: dt.date,
                 inspections: pd.DataFrame | None = None) -> pd.Series:
    """Days past each venue's interval on day ``on`` (0 when not yet due; NaN when never inspected)."""
    due = due_dates(venues, rules, inspections)
    return pd.Series(
        [float("nan") if d is None else max(0, (on - d).days) for d in due],
        index=venues.index, name="days_overdue",
    )


def venue_status(
    venues: gpd.GeoDataFrame,
    rules: Rules,
    *,
    hazards: pd.DataFrame | None = None,
    inspections: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per venue: last_inspected, due_on, recheck_on, risk, service_s, interval_days.

    Campaigns in ``rules`` (:meth:`Rules.with_campaigns`) bring the due dates of their venues forward
    (:func:`gis.campaigns.campaign_due`).
    """
    cats = venues["category"].map(rules.categories.__getitem__)
    status = pd.DataFrame(
        {
            "last_inspected": last_inspected(venues, inspections),
            "due_on": due_dates(venues, rules, inspections),
            "recheck_on": recheck_dates(venues, hazards),
            "risk": venue_risk(venues, rules, hazards),
            "service_s": cats.map(lambda c: c.service_minutes * 60).astype(int),
            "interval_days": cats.map(lambda c: c.interval_days).astype(int),
        },
        index=venues.index,
    )
    return campaign_due(status, venues, rules)


VENUE_STATES = ("major_hazard", "open_hazard", "overdue", "due", "ok")  # worst first
ATTENTION = ("major_hazard", "open_hazard", "overdue")  # the states a meeting must act on


def venue_states(venues: gpd.GeoDataFrame, status: pd.DataFrame, hazards: pd.DataFrame | None,
                 on: dt.date, *, due_within_days: int = 7) -> pd.Series:
    """Each venue's worst state on day ``on`` (one of :data:`VENUE_STATES`).

    An open major hazard, an open hazard, overdue, due within ``due_within_days``, or ok.

    ``status`` is :func:`venue_status` of the same venues.
    """
    current = open_hazards(hazards)
    major = set(current.loc[current["severity"] == "major", "venue_id"])
    any_open = set(current["venue_id"])
    soon = on + dt.timedelta(days=due_within_days)

    def state(vid: str) -> str:
        due = status.at[vid, "due_on"]
        if vid in major:
            return "major_hazard"
        if vid in any_open:
            return "open_hazard"
        if due is None or due < on:
            return "overdue"
        return "due" if due <= soon else "ok"

    return pd.Series([state(v) for v in venues.index], index=venues.index, name="state")
