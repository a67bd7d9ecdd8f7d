"""Coverage dates: a never-inspected venue has None (not NaT) whatever the other rows hold."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from gis.coverage import due_dates, last_inspected, recheck_dates


def _venues(last: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"category": ["small_shop"] * len(last), "last_inspected": last},
                            geometry=[Point(113.3, 23.08)] * len(last), crs="EPSG:4326",
                            index=pd.Index([f"V{k}" for k in range(len(last))], name="venue_id"))


@pytest.mark.parametrize("last", [[None, None], [None, dt.date(2026, 11, 1)], [pd.NaT, None]])
def test_never_inspected_is_none_and_due_from_the_start(rules, last):
    venues = _venues(last)
    seen = last_inspected(venues)
    due = due_dates(venues, rules)
    assert seen.dtype == object and due.dtype == object
    assert [d is None for d in seen] == [pd.isna(v) for v in last]
    assert [d is None for d in due] == [pd.isna(v) for v in last]
    assert all(d is None or isinstance(d, dt.date) for d in due)


def test_without_the_column_or_hazards_every_date_is_none(rules):
    venues = _venues([None]).drop(columns="last_inspected")
    assert last_inspected(venues).tolist() == [None]
    assert recheck_dates(venues, None).tolist() == [None]
    open_hazard = pd.DataFrame({"venue_id": ["other"], "status": ["reported"], "deadline": [dt.date(2026, 12, 1)]})
    assert recheck_dates(venues, open_hazard).tolist() == [None]
