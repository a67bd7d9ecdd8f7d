"""Campaigns in the horizon: the venues still to see fall due within the campaign, spread over its days."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from gis.rules import CampaignScope
from planner.horizon import assign_days, venue_status

DAY = dt.date(2026, 12, 1)
SWEEP = CampaignScope("出租屋专项排查", DAY - dt.timedelta(days=3), DAY + dt.timedelta(days=9),
                      frozenset({"rental_housing"}), frozenset({"G01"}), ("电动车是否进楼入户",))


def _venues() -> gpd.GeoDataFrame:
    rows = [(f"R{k:02d}", "rental_housing", "G01", DAY - dt.timedelta(days=20)) for k in range(20)]
    rows += [("R90", "rental_housing", "G01", DAY - dt.timedelta(days=1)),  # seen in the campaign already
             ("R91", "rental_housing", "G02", DAY - dt.timedelta(days=20)),  # another grid
             ("S01", "small_shop", "G01", DAY - dt.timedelta(days=20))]  # another kind of place
    return gpd.GeoDataFrame({"category": [r[1] for r in rows], "grid_id": [r[2] for r in rows],
                             "last_inspected": [r[3] for r in rows]},
                            geometry=[Point(113.3, 23.1)] * len(rows),
                            index=pd.Index([r[0] for r in rows], name="venue_id"), crs="EPSG:4326")


def test_venues_in_scope_fall_due_within_the_campaign_spread_over_its_days(rules):
    venues = _venues()
    plain = venue_status(venues, rules.in_season(DAY))
    swept = venue_status(venues, rules.in_season(DAY).with_campaigns((SWEEP,), DAY))
    in_scope = [f"R{k:02d}" for k in range(20)]
    assert all(DAY <= swept.at[v, "due_on"] <= SWEEP.end for v in in_scope)
    assert all(swept.at[v, "due_on"] <= plain.at[v, "due_on"] for v in in_scope)
    per_day = Counter(swept.loc[in_scope, "due_on"])
    assert len(per_day) == (SWEEP.end - DAY).days + 1 and max(per_day.values()) == 2  # 20 venues over 10 days
    for other in ("R90", "R91", "S01"):
        assert swept.at[other, "due_on"] == plain.at[other, "due_on"]
    days = assign_days(swept, start=DAY, days=10, capacity_s=8 * 3600, est_travel_s=300)
    placed = {a.venue_id for day in days for a in day}
    assert set(in_scope) <= placed  # every venue of the sweep is planned within it
    assert max(len([a for a in day if a.venue_id in in_scope]) for day in days) <= 4


def test_a_campaign_not_running_on_the_plan_day_changes_nothing(rules):
    venues = _venues()
    later = rules.with_campaigns((SWEEP,), SWEEP.end + dt.timedelta(days=1))
    assert later.campaigns == ()
    pd.testing.assert_frame_equal(venue_status(venues, later), venue_status(venues, rules))


def test_the_sheets_checklist_of_a_venue_in_scope(rules):
    swept = rules.with_campaigns((SWEEP,), DAY)
    assert swept.campaign_items("rental_housing", "G01", DAY) == ["电动车是否进楼入户"]
    assert swept.campaign_items("rental_housing", "G02", DAY) == []
    assert swept.campaign_items("rental_housing", "G01", SWEEP.end + dt.timedelta(days=1)) == []


LATE = CampaignScope("冬季消防专项", DAY + dt.timedelta(days=4), DAY + dt.timedelta(days=8),
                     frozenset({"rental_housing"}), frozenset({"G01"}), ("电动车是否进楼入户",))


def test_a_campaign_starting_partway_through_the_plan_counts_for_its_days_only(rules):
    plan = rules.in_season(DAY).with_campaigns((LATE,), DAY, DAY + dt.timedelta(days=9))
    assert plan.campaigns == (LATE,)
    assert rules.with_campaigns((LATE,), DAY, DAY + dt.timedelta(days=3)).campaigns == ()  # ends before it starts
    assert rules.with_campaigns((LATE,), DAY).campaigns == ()


def test_venues_of_a_campaign_starting_partway_are_visited_within_it_even_if_seen_before_it(rules):
    venues = _venues()
    venues.loc["R00", "last_inspected"] = None  # never inspected: overdue now, and due in the campaign as well
    venues.loc["R01", "last_inspected"] = DAY - dt.timedelta(days=200)  # overdue by its interval
    plan = rules.in_season(DAY).with_campaigns((LATE,), DAY, DAY + dt.timedelta(days=9))
    status = venue_status(venues, plan)
    in_scope = [f"R{k:02d}" for k in range(20)] + ["R90"]  # R90 was seen before the campaign: it counts for nothing
    assert all(status.at[v, "campaign_from"] == LATE.start for v in in_scope)
    assert all(LATE.start <= status.at[v, "campaign_by"] <= LATE.end for v in in_scope)
    assert status.loc[["R91", "S01"], "campaign_by"].isna().all()
    days = assign_days(status, start=DAY, days=10, capacity_s=8 * 3600, est_travel_s=300)
    visits: dict[str, list[int]] = {}
    for index, day in enumerate(days):
        for a in day:
            visits.setdefault(a.venue_id, []).append(index)
    first, last = (LATE.start - DAY).days, (LATE.end - DAY).days
    for v in in_scope:
        assert any(first <= d <= last for d in visits[v]), (v, visits.get(v))  # the campaign sees every venue
    assert visits["R00"][0] == 0 and visits["R01"][0] == 0  # overdue work does not wait for the campaign
    assert all(a.reason in ("due", "overdue", "recheck") for day in days for a in day)  # the contract's reasons
    for v in in_scope:
        if status.at[v, "due_on"] is not None and status.at[v, "due_on"] >= LATE.start:
            assert len(visits[v]) == 1, (v, visits[v])  # due within the campaign: one visit serves both
