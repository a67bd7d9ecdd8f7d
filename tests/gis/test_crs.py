"""GCJ-02 / BD-09 against published reference values, and round trips under 0.5 m."""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gis.crs import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    local_utm,
    normalize_crs_name,
    to_wgs84_lonlat,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

pytestmark = pytest.mark.usefixtures("english")  # the texts asserted here are the English msgids

GEOD = pyproj.Geod(ellps="WGS84")

# Reference outputs published in the README of wandergis/coordTransform (MIT), the de-facto
# standard implementation, for the input (116.404, 39.915) near Tiananmen, Beijing.
REFERENCE = [
    (wgs84_to_gcj02, (116.41024449916938, 39.91640428150164)),
    (gcj02_to_bd09, (116.41036949371029, 39.92133699351021)),
    (wgs84_to_bd09, (116.41662724378733, 39.922699552216216)),
]


@pytest.mark.parametrize(("func", "expected"), REFERENCE, ids=[f.__name__ for f, _ in REFERENCE])
def test_forward_transforms_match_published_values(func, expected):
    lon, lat = func(116.404, 39.915)
    assert float(lon) == pytest.approx(expected[0], abs=1e-12)
    assert float(lat) == pytest.approx(expected[1], abs=1e-12)


def test_bd09_inverse_agrees_with_published_one_step_inverse_within_a_metre():
    # coordTransform's bd09togcj02(116.404, 39.915) is the one-step approximation; ours iterates.
    lon, lat = bd09_to_gcj02(116.404, 39.915)
    _, _, metres = GEOD.inv(float(lon), float(lat), 116.39762729119315, 39.90865673957631)
    assert metres < 1.0


def test_offset_is_hundreds_of_metres_in_guangzhou():
    lon, lat = wgs84_to_gcj02(113.33, 23.10)
    _, _, metres = GEOD.inv(113.33, 23.10, float(lon), float(lat))
    assert 100 < metres < 700


def test_outside_china_is_unchanged():
    assert tuple(map(float, wgs84_to_gcj02(2.35, 48.85))) == (2.35, 48.85)


china = st.tuples(st.floats(73.7, 134.9), st.floats(18.2, 53.4))


@settings(max_examples=300, deadline=None)
@given(china)
def test_gcj02_round_trip_under_half_a_metre(point):
    lon, lat = point
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert GEOD.inv(lon, lat, float(back[0]), float(back[1]))[2] < 0.5


@settings(max_examples=300, deadline=None)
@given(china)
def test_bd09_round_trip_under_half_a_metre(point):
    lon, lat = point
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert GEOD.inv(lon, lat, float(back[0]), float(back[1]))[2] < 0.5


@settings(max_examples=100, deadline=None)
@given(china)
def test_inverse_then_forward_returns_the_web_map_point(point):
    lon, lat = point
    again = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
    assert GEOD.inv(lon, lat, float(again[0]), float(again[1]))[2] < 0.5
    again = gcj02_to_bd09(*bd09_to_gcj02(lon, lat))
    assert GEOD.inv(lon, lat, float(again[0]), float(again[1]))[2] < 0.5


@pytest.mark.parametrize(
    ("name", "expected"),
    [("GCJ-02", "gcj02"), ("amap", "gcj02"), ("BD09", "bd09"), ("baidu", "bd09"), ("WGS84", "EPSG:4326"),
     ("CGCS2000", "EPSG:4490"), ("4547", "EPSG:4547"), ("EPSG:32649", "EPSG:32649")],
)
def test_crs_names(name, expected):
    assert normalize_crs_name(name) == expected


def test_unknown_crs_name_is_an_error():
    with pytest.raises(ValueError, match="unknown CRS 'mars2'"):
        normalize_crs_name("mars2")


def test_cgcs2000_gauss_kruger_to_wgs84():
    # A CGCS2000 3-degree Gauss-Kruger zone (EPSG:4547, CM 114E) point back to lon/lat.
    fwd = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
    x, y = fwd.transform(113.33, 23.10)
    lon, lat = to_wgs84_lonlat(np.array([x]), np.array([y]), "EPSG:4547")
    assert GEOD.inv(113.33, 23.10, float(lon[0]), float(lat[0]))[2] < 0.01


def test_local_utm_for_guangzhou_is_zone_49n():
    import geopandas as gpd
    from shapely.geometry import Point

    assert local_utm(gpd.GeoSeries([Point(113.33, 23.10)], crs="EPSG:4326")).to_epsg() == 32649
