"""Coordinate systems: GCJ-02 and BD-09 (Chinese web maps) to WGS84, and the local UTM zone.

GCJ-02 is the obfuscated datum every map licensed in China must use (AMap/Gaode, Tencent,
Google China); BD-09 is Baidu's further offset of GCJ-02. Neither is a proj CRS, so they are
converted here with the published forward formulas and an iterative inverse (accurate to
well under a centimetre). CGCS2000 (EPSG:4490) differs from WGS84 by centimetres and any
projected CRS pyproj knows is handled by pyproj.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pyproj

from .i18n import gettext as _

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0

#: Names accepted for the Chinese web-map datums (lower case, without spaces).
# Names as offices write them in a 坐标系 column: the web map a table was exported from, or the datum.
GCJ02_NAMES = frozenset({"gcj02", "gcj-02", "gcj", "amap", "gaode", "tencent", "qq", "mars",
                         "高德", "高德地图", "腾讯", "腾讯地图", "火星坐标", "火星坐标系", "国测局坐标"})
BD09_NAMES = frozenset({"bd09", "bd-09", "bd09ll", "baidu", "百度", "百度地图", "百度坐标"})
WGS84_NAMES = frozenset({"wgs84", "wgs-84", "epsg:4326", "4326", "gps", "天地图"})
CGCS2000_NAMES = frozenset({"cgcs2000", "epsg:4490", "4490", "国家2000", "2000国家大地坐标系", "国家2000坐标系"})


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    # The offset is applied only inside China's bounding box; outside it GCJ-02 equals WGS84.
    return (lon > 72.004) & (lon < 137.8347) & (lat > 0.8293) & (lat < 55.8271)


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    rad_lat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat):
    """WGS84 → GCJ-02 (the published forward transform). Accepts scalars or arrays."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    inside = _in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84(lon, lat, *, iterations: int = 6):
    """GCJ-02 → WGS84 by fixed-point iteration of the forward transform (error < 1 mm)."""
    glon, glat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _step in range(iterations):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        wlon, wlat = wlon - (flon - glon), wlat - (flat - glat)
    return wlon, wlat


def gcj02_to_bd09(lon, lat):
    """GCJ-02 → BD-09 (Baidu's published transform)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon, lat, *, iterations: int = 4):
    """BD-09 → GCJ-02: Baidu's published inverse, refined by fixed-point iteration (error < 1 mm)."""
    blon, blat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = blon - 0.0065, blat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    glon, glat = z * np.cos(theta), z * np.sin(theta)
    for _step in range(iterations):
        flon, flat = gcj02_to_bd09(glon, glat)
        glon, glat = glon - (flon - blon), glat - (flat - blat)
    return glon, glat


def wgs84_to_bd09(lon, lat):
    """WGS84 → BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat):
    """BD-09 → WGS84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def normalize_crs_name(value: str) -> str:
    """Map a user's CRS name to ``"gcj02"``, ``"bd09"`` or a pyproj-readable code.

    Raises
    ------
    ValueError
        When neither the Chinese datums nor pyproj know the name.
    """
    key = str(value).strip().lower().replace(" ", "").replace("_", "-")
    if key in GCJ02_NAMES or key.replace("-", "") in GCJ02_NAMES:
        return "gcj02"
    if key in BD09_NAMES or key.replace("-", "") in BD09_NAMES:
        return "bd09"
    if key in WGS84_NAMES:
        return "EPSG:4326"
    if key in CGCS2000_NAMES:
        return "EPSG:4490"
    code = f"EPSG:{key}" if key.isdigit() else str(value).strip()
    try:
        pyproj.CRS.from_user_input(code)
    except pyproj.exceptions.CRSError as err:
        msg = _("unknown CRS %(crs)r (use WGS84, CGCS2000, GCJ-02, BD-09 or an EPSG code)", crs=value)
        raise ValueError(msg) from err
    return code


def to_wgs84_lonlat(lon, lat, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinate arrays from ``crs`` (a name accepted by :func:`normalize_crs_name`) to WGS84."""
    code = normalize_crs_name(crs)
    if code == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if code == "bd09":
        return bd09_to_wgs84(lon, lat)
    transformer = pyproj.Transformer.from_crs(code, "EPSG:4326", always_xy=True)
    x, y = transformer.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def transform_geoseries_to_wgs84(geoms: gpd.GeoSeries, crs: str) -> gpd.GeoSeries:
    """Reproject any geometry from ``crs`` (Chinese datums included) to EPSG:4326."""
    code = normalize_crs_name(crs)
    if code in ("gcj02", "bd09"):
        import shapely

        func = gcj02_to_wgs84 if code == "gcj02" else bd09_to_wgs84

        def _xy(coords: np.ndarray) -> np.ndarray:
            x, y = func(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        return gpd.GeoSeries(shapely.transform(geoms.values, _xy), index=geoms.index, crs="EPSG:4326")
    return gpd.GeoSeries(geoms.values, index=geoms.index, crs=code).to_crs("EPSG:4326")


def local_utm(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pyproj.CRS:
    """The UTM zone that holds the data (metres), chosen from the data itself."""
    crs = gdf.estimate_utm_crs()
    if crs is None:
        msg = _("local_utm: could not choose a UTM zone for this data")
        raise ValueError(msg)
    return crs
