"""Links that open a phone's map app with walking directions to a venue.

Chinese map apps read their own coordinates, not WGS84: AMap (高德) and Tencent (腾讯) take GCJ-02,
Baidu (百度) takes BD-09. The venue's WGS84 point is converted with :mod:`gis.crs`; sending WGS84
as is would put the destination 100-700 m off. The links are the apps' web URIs, which open the
installed app on a phone and a web map elsewhere.
"""

from __future__ import annotations

from urllib.parse import quote

from gis.crs import wgs84_to_bd09, wgs84_to_gcj02


def nav_links(lon: float, lat: float, name: str) -> dict[str, str]:
    """``{"amap", "baidu", "tencent"}`` navigation links to the WGS84 point ``lon, lat`` named ``name``."""
    glon, glat = (float(v) for v in wgs84_to_gcj02(lon, lat))
    blon, blat = (float(v) for v in wgs84_to_bd09(lon, lat))
    label = quote(name, safe="")
    return {
        "amap": f"https://uri.amap.com/navigation?to={glon:.6f},{glat:.6f},{label}&mode=walk&coordinate=gaode"
                f"&callnative=1&src=patrol",
        "baidu": f"https://api.map.baidu.com/direction?destination=latlng:{blat:.6f},{blon:.6f}|name:{label}"
                 f"&coord_type=bd09ll&mode=walking&region=&output=html&src=patrol",
        "tencent": f"https://apis.map.qq.com/uri/v1/routeplan?type=walk&to={label}&tocoord={glat:.6f},{glon:.6f}"
                   f"&referer=patrol",
    }
