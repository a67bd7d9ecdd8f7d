"""Readers round-trip every supported format: the same layer, written as GeoJSON, GeoPackage,
Shapefile, CSV or XLSX (teams also YAML), reads back to the same ids, fields and WGS84 points."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml
from shapely.geometry import Point, box

from gis import read_grids, read_teams, read_venues
from gis.crs import wgs84_to_bd09, wgs84_to_gcj02

GRID_FORMATS = ["geojson", "gpkg", "shp"]
VENUE_FORMATS = ["geojson", "gpkg", "shp", "csv", "xlsx"]

# Guangzhou: two grids side by side, three venues, one of them in the second grid.
_GRIDS = gpd.GeoDataFrame(
    {"grid_id": ["G01", "G02"], "name": ["龙凤第一网格", "龙凤第二网格"], "community": ["龙凤社区", "龙凤社区"],
     "worker": ["张伟", "李娜"]},
    geometry=[box(113.30, 23.10, 113.31, 23.11), box(113.31, 23.10, 113.32, 23.11)], crs="EPSG:4326",
)
_VENUES = pd.DataFrame({
    "venue_id": ["V1", "V2", "V3"], "name": ["宏达烟酒店", "好味小吃", "幸福出租屋"],
    "category": ["小商店", "small_restaurant", "出租屋"],
    "lon": [113.301234, 113.305678, 113.315432], "lat": [23.101234, 23.108765, 23.104321],
    "address": ["龙凤街1号", "龙凤街2号", "宝岗大道3号"], "last_inspected": ["2026-11-01", "2026-10-15", ""],
})


def _write_layer(frame: pd.DataFrame | gpd.GeoDataFrame, folder: Path, stem: str, fmt: str) -> Path:
    path = folder / f"{stem}.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "xlsx":
        frame.to_excel(path, index=False)
    else:
        if not isinstance(frame, gpd.GeoDataFrame):
            frame = gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]),
                                     geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")
        driver = {"geojson": "GeoJSON", "gpkg": "GPKG", "shp": "ESRI Shapefile"}[fmt]
        with warnings.catch_warnings():  # a Shapefile truncates last_inspected: the reader knows that name
            warnings.filterwarnings("ignore", "Column names longer than 10", UserWarning)
            warnings.filterwarnings("ignore", "Normalized/laundered field name", RuntimeWarning)
            frame.to_file(path, driver=driver, engine="pyogrio", encoding="UTF-8" if fmt == "shp" else None)
    return path


@pytest.mark.parametrize("fmt", GRID_FORMATS)
def test_grids_round_trip(tmp_path, fmt):
    grids = read_grids(_write_layer(_GRIDS, tmp_path, "grids", fmt))
    assert list(grids.index) == ["G01", "G02"]
    assert grids.crs.to_epsg() == 4326
    assert list(grids["name"]) == ["龙凤第一网格", "龙凤第二网格"]
    assert list(grids["worker"]) == ["张伟", "李娜"]
    # shapefiles reorient rings
    assert grids.geometry.iloc[1].symmetric_difference(_GRIDS.geometry.iloc[1]).area < 1e-12


@pytest.mark.parametrize("fmt", VENUE_FORMATS)
def test_venues_round_trip_and_join_their_grid(tmp_path, fmt, rules):
    grids = read_grids(_write_layer(_GRIDS, tmp_path, "grids", "geojson"))
    venues = read_venues(_write_layer(_VENUES, tmp_path, "venues", fmt), rules=rules, grids=grids,
                         as_of=dt.date(2026, 11, 23))
    assert list(venues.index) == ["V1", "V2", "V3"]
    assert list(venues["category"]) == ["small_shop", "small_restaurant", "rental_housing"]
    assert list(venues["grid_id"]) == ["G01", "G01", "G02"]
    assert list(venues["address"]) == ["龙凤街1号", "龙凤街2号", "宝岗大道3号"]
    assert list(venues["last_inspected"]) == [dt.date(2026, 11, 1), dt.date(2026, 10, 15), None]
    np.testing.assert_allclose(venues.geometry.x, _VENUES["lon"], atol=1e-9)
    np.testing.assert_allclose(venues.geometry.y, _VENUES["lat"], atol=1e-9)


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_venue_rows_in_web_map_coordinates_land_on_their_true_position(tmp_path, rules, crs):
    """A `crs` column per row: AMap (GCJ-02) and Baidu (BD-09) exports are moved back to WGS84."""
    forward = wgs84_to_gcj02 if crs == "gcj02" else wgs84_to_bd09
    shifted_lon, shifted_lat = forward(_VENUES["lon"].to_numpy(), _VENUES["lat"].to_numpy())
    table = _VENUES.assign(lon=shifted_lon, lat=shifted_lat, crs=["高德" if crs == "gcj02" else "百度"] * 3)
    venues = read_venues(_write_layer(table, tmp_path, "pois", "csv"), rules=rules)
    dist_m = gpd.GeoSeries(venues.geometry.to_numpy(), crs=4326).to_crs(32649).distance(
        gpd.GeoSeries(gpd.points_from_xy(_VENUES["lon"], _VENUES["lat"]), crs=4326).to_crs(32649))
    assert dist_m.max() < 0.5
    unconverted = read_venues(_write_layer(table.drop(columns=["crs"]), tmp_path, "raw", "csv"), rules=rules)
    assert unconverted.geometry.iloc[0].distance(venues.geometry.iloc[0]) > 0.003  # hundreds of metres off


def test_cgcs2000_flag_converts_a_layer(tmp_path, rules):
    layer = gpd.GeoDataFrame(_VENUES.drop(columns=["lon", "lat"]),
                             geometry=[Point(x, y) for x, y in zip(_VENUES["lon"], _VENUES["lat"])], crs="EPSG:4490")
    path = tmp_path / "venues.gpkg"
    layer.to_file(path, driver="GPKG", engine="pyogrio")
    venues = read_venues(path, rules=rules)
    assert venues.crs.to_epsg() == 4326
    np.testing.assert_allclose(venues.geometry.x, _VENUES["lon"], atol=1e-6)  # CGCS2000 ≈ WGS84 to centimetres


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "yaml"])
def test_teams_round_trip(tmp_path, fmt):
    rows = [
        {"team_id": "T01", "name": "龙凤社区联合巡查一组", "roles": "网格员;物业;志愿者;安全员", "start_lon": 113.305,
         "start_lat": 23.105, "shift": "09:00-12:00,14:00-17:30", "mode": "步行", "home_grids": "G01;G02",
         "出发点": "龙凤社区居委会"},
        {"team_id": "T02", "name": "二组", "roles": "grid_worker;property", "start_lon": 113.315, "start_lat": 23.105,
         "shift": "08:30-11:30", "mode": "ebike", "home_grids": "", "出发点": ""},
    ]
    path = tmp_path / f"teams.{fmt}"
    if fmt == "yaml":
        path.write_text(yaml.safe_dump({"teams": rows}, allow_unicode=True), encoding="utf-8")
    else:
        _write_layer(pd.DataFrame(rows), tmp_path, "teams", fmt)
    grids = read_grids(_write_layer(_GRIDS, tmp_path, "grids", "geojson"))
    teams = read_teams(path, grids=grids)
    assert list(teams.index) == ["T01", "T02"]
    assert teams.loc["T01", "roles"] == frozenset({"grid_worker", "property", "volunteer", "safety_officer"})
    assert teams.loc["T02", "roles"] == frozenset({"grid_worker", "property"})
    assert teams.loc["T01", "shifts"] == ((9 * 3600, 12 * 3600), (14 * 3600, 17 * 3600 + 1800))
    assert list(teams["mode"]) == ["walk", "ebike"]
    assert teams.loc["T01", "home_grids"] == ("G01", "G02")
    assert teams.geometry.iloc[1].x == pytest.approx(113.315)
    assert list(teams["start_name"]) == ["龙凤社区居委会", ""]


def test_csv_saved_by_chinese_excel_in_gbk_is_read(tmp_path, rules):
    """Excel/WPS on Chinese Windows write plain "CSV (逗号分隔)" in GBK, not UTF-8."""
    path = tmp_path / "场所台账.csv"
    _VENUES.rename(columns={"venue_id": "场所编号", "name": "场所名称", "category": "类别", "lon": "经度",
                            "lat": "纬度"}) \
        .to_csv(path, index=False, encoding="gbk")
    venues = read_venues(path, rules=rules)
    assert list(venues["name"]) == ["宏达烟酒店", "好味小吃", "幸福出租屋"]
    assert list(venues["category"]) == ["small_shop", "small_restaurant", "rental_housing"]
