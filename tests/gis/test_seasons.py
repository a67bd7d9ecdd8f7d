"""Seasons (``[seasons.*]`` in rules.toml): when they hold, what they multiply, their errors, and the layers' rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from gis.layers import read_layers
from gis.risk import venue_risk

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"


@pytest.mark.parametrize(("day", "codes"), [
    (dt.date(2026, 11, 1), ["winter_fire"]), (dt.date(2027, 1, 15), ["winter_fire"]),
    (dt.date(2027, 3, 31), ["winter_fire"]),
    (dt.date(2027, 4, 1), []), (dt.date(2027, 7, 10), ["summer_water"]), (dt.date(2027, 10, 31), []),
])
def test_seasons_hold_in_their_months_across_the_year_end(rules, day, codes):
    assert [s.code for s in rules.in_season(day).in_force] == codes


def test_winter_multiplies_intervals_and_risks_of_its_categories_only(rules):
    winter = rules.in_season(dt.date(2026, 12, 1))
    before, after = rules.categories, winter.categories
    assert after["rental_housing"].interval_days == round(before["rental_housing"].interval_days * 0.5)
    assert after["many_in_one"].base_risk == pytest.approx(min(1.0, before["many_in_one"].base_risk * 1.3))
    assert winter.categories["small_shop"] == rules.categories["small_shop"]
    assert winter.hazard_risk_factor["ebike_flying_wire"] == 1.5
    assert rules.hazard_risk_factor == {} and rules.in_force == ()  # the rules as written are untouched
    assert winter.in_season(dt.date(2026, 12, 2)) is winter  # applying the same season twice changes nothing
    spring = winter.in_season(dt.date(2027, 4, 1))  # back to the written rules when no season holds ...
    assert spring.in_force == () and spring.categories == rules.categories and spring.hazard_risk_factor == {}
    summer = winter.in_season(dt.date(2027, 7, 1))  # ... and from the written rules, never winter's, for another
    assert summer.categories["rental_housing"].interval_days == rules.categories["rental_housing"].interval_days


def test_an_open_hazard_of_a_season_type_weighs_more(rules):
    venues = gpd.GeoDataFrame({"category": ["small_shop", "small_shop"]}, geometry=[Point(0, 0), Point(0, 0)],
                              index=pd.Index(["V1", "V2"], name="venue_id"), crs="EPSG:4326")
    hazards = pd.DataFrame({"venue_id": ["V1", "V2"], "type": ["ebike_flying_wire", "stairwell_clutter"],
                            "severity": ["general", "general"], "status": ["reported", "reported"],
                            "deadline": [dt.date(2026, 12, 5)] * 2})
    base = rules.categories["small_shop"].base_risk
    written = venue_risk(venues, rules, hazards)
    with_hazard = 1 - (1 - base) * (1 - rules.open_hazard_general)
    assert written["V1"] == pytest.approx(with_hazard) == pytest.approx(written["V2"])
    winter = venue_risk(venues, rules.in_season(dt.date(2026, 12, 1)), hazards)
    assert winter["V1"] == pytest.approx(1 - (1 - base) * (1 - 1.5 * rules.open_hazard_general))
    assert winter["V2"] == pytest.approx(written["V2"])


def test_the_layers_carry_the_rules_of_their_day(rules):
    files = dict(grids=DEMO / "grids.geojson", venues=DEMO / "venues.csv", teams=DEMO / "teams.csv")
    winter = read_layers(**files, as_of=dt.date(2026, 11, 22))
    assert [s.code for s in winter.rules.in_force] == ["winter_fire"]
    assert winter.rules.categories["rental_housing"].interval_days < rules.categories["rental_housing"].interval_days
    assert read_layers(**files, as_of=dt.date(2027, 4, 10)).rules.in_force == ()
