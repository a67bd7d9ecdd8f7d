"""Make the embedded demo street: a fictional street office in Guangzhou, seeded and reproducible.

    python data/make_demo.py            # writes data/demo/*
    python data/make_demo.py --check    # regenerates in a temp dir and fails if data/demo differs

Everything here is invented by this script (names, addresses, people, hazards); only the
coordinates are real Guangzhou longitudes and latitudes, so basemaps line up. The street is about
30 km², split into 4 communities and 37 grids (Voronoi cells of seeded points), with ~600 venues
of all 21 categories clustered along commercial streets, 6 joint teams, 180 days of inspection
history and open hazards (each found at an inspection of its venue by a team that day). Two things are planted for the
meeting views, and named in meta.json:

- ``hotspot_grids``: two neighbouring grids with a cluster of major hazards in the last 90 days;
- ``blind_spot_grid``: one grid (an urban village, 城中村) whose venues were never inspected.

One venue file (``venues_amap.csv``) is given in GCJ-02 with Chinese headers and category labels,
as exported from a Chinese web map, to exercise the coordinate conversion and the aliases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import json
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, box

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gis.crs import wgs84_to_gcj02  # noqa: E402
from gis.rules import DEFAULT_RULES_PATH, Rules  # noqa: E402
from gis.timeparse import format_hhmm  # noqa: E402

SEED = 20261122
TODAY = dt.date(2026, 11, 22)
CENTRE = (113.330, 23.100)  # Haizhu District, Guangzhou
WIDTH_M, HEIGHT_M = 5600.0, 5400.0
M_PER_DEG_LAT = 110_800.0
M_PER_DEG_LON = 111_320.0 * np.cos(np.radians(CENTRE[1]))
N_GRIDS = 37
HISTORY_DAYS = 180
STREET = "滨江示范街道"
COMMUNITIES = ["滨江东社区", "滨江西社区", "南岸社区", "新港社区"]
ROADS = [
    "滨江东路",
    "滨江西路",
    "南华中路",
    "新港西路",
    "宝岗大道",
    "江南大道",
    "晓港路",
    "昌岗路",
    "工业大道",
    "前进路",
    "叠景路",
    "万寿路",
    "龙凤街",
    "洪德路",
    "福场路",
    "石榴岗路",
]
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆"
)
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏辉斌俊峰志宏建国海燕婷雪琳晨浩宇欣怡")

# How many venues of each category the street has (the main WGS84 file).
CATEGORY_COUNTS = {
    "small_shop": 115,
    "small_restaurant": 88,
    "rental_housing": 100,
    "many_in_one": 42,
    "small_hotel": 18,
    "small_beauty_bath": 18,
    "small_internet_cafe": 8,
    "small_entertainment": 8,
    "small_clinic": 14,
    "small_school": 12,
    "small_workshop": 24,
    "high_rise": 24,
    "commercial_complex": 4,
    "warehouse": 10,
    "school": 6,
    "hospital": 2,
    "elderly_care": 5,
    "hazardous_chemicals": 2,
    "gas_station": 4,
    "construction_site": 8,
    "other": 18,
}
NAME_STEMS = {
    "small_shop": ["便利店", "五金店", "杂货店", "水果店", "烟酒店", "文具店"],
    "small_restaurant": ["粥粉面店", "烧腊店", "茶餐厅", "小炒店", "肠粉店", "糖水铺"],
    "rental_housing": ["出租屋"],
    "many_in_one": ["三合一场所", "前店后宅"],
    "small_hotel": ["旅社", "公寓酒店"],
    "small_beauty_bath": ["美发店", "足浴店", "美容院"],
    "small_internet_cafe": ["网吧"],
    "small_entertainment": ["KTV", "桌球室"],
    "small_clinic": ["诊所", "门诊部"],
    "small_school": ["幼儿园", "培训中心"],
    "small_workshop": ["制衣厂", "印刷厂", "五金加工厂"],
    "high_rise": ["大厦", "花园"],
    "commercial_complex": ["广场"],
    "warehouse": ["物流仓"],
    "school": ["小学", "中学"],
    "hospital": ["医院"],
    "elderly_care": ["颐养院"],
    "hazardous_chemicals": ["化工仓储"],
    "gas_station": ["加油站"],
    "construction_site": ["在建工地"],
    "other": ["停车场", "农贸市场"],
}
BRANDS = [
    "鸿运",
    "福满",
    "好运来",
    "金鑫",
    "旺角",
    "永安",
    "佳乐",
    "顺德",
    "利民",
    "兴隆",
    "百福",
    "惠民",
    "新华",
    "同心",
    "合记",
    "陈记",
    "老李",
    "阿强",
    "嘉和",
    "恒昌",
    "宏达",
    "广源",
    "富华",
    "美佳",
]
SHIFT = "09:00-12:00,14:00-17:30"


def person(rng: np.random.Generator) -> str:
    return str(rng.choice(SURNAMES)) + "".join(rng.choice(GIVEN, size=int(rng.integers(1, 3))))


def to_lonlat(xy: np.ndarray) -> np.ndarray:
    """Local metres east/north of the centre → WGS84 lon/lat (a flat approximation is fine at 6 km)."""
    return np.column_stack([CENTRE[0] + xy[:, 0] / M_PER_DEG_LON, CENTRE[1] + xy[:, 1] / M_PER_DEG_LAT])


def make_grids(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """37 Voronoi grids over the street, numbered west→east within 4 quadrant communities."""
    half_w, half_h = WIDTH_M / 2, HEIGHT_M / 2
    jitter = rng.uniform(-0.35, 0.35, size=(N_GRIDS + 5, 2))
    cols, rows = 7, 6
    lattice = np.array([((i + 0.5) / cols, (j + 0.5) / rows) for j in range(rows) for i in range(cols)])
    pts = lattice[:N_GRIDS] + jitter[:N_GRIDS] * np.array([1 / cols, 1 / rows])
    seeds = np.column_stack([(pts[:, 0] - 0.5) * WIDTH_M, (pts[:, 1] - 0.5) * HEIGHT_M])
    frame = box(-half_w, -half_h, half_w, half_h)
    cells = shapely.voronoi_polygons(shapely.MultiPoint([tuple(p) for p in seeds]), extend_to=frame)
    polys = [c.intersection(frame) for c in cells.geoms]
    centroids = np.array([[p.centroid.x, p.centroid.y] for p in polys])
    community = np.where(
        centroids[:, 1] >= 0, np.where(centroids[:, 0] >= 0, 0, 1), np.where(centroids[:, 0] < 0, 2, 3)
    )
    order = np.lexsort((centroids[:, 0], -centroids[:, 1], community))
    ids, names, comms, workers, geoms = [], [], [], [], []
    counter = {c: 0 for c in range(4)}
    for k, idx in enumerate(order, start=1):
        c = int(community[idx])
        counter[c] += 1
        ids.append(f"G{k:02d}")
        names.append(f"{COMMUNITIES[c]}第{counter[c]}网格")
        comms.append(COMMUNITIES[c])
        workers.append(person(rng))
        ring = np.asarray(polys[idx].exterior.coords)
        geoms.append(shapely.Polygon(to_lonlat(ring).round(6)))
    return gpd.GeoDataFrame(
        {"grid_id": ids, "name": names, "community": comms, "worker": workers}, geometry=geoms, crs="EPSG:4326"
    )


def centroids(grids: gpd.GeoDataFrame) -> np.ndarray:
    """Centroids as lon/lat pairs (planar in degrees: fine for ordering and picking at street size)."""
    return shapely.get_coordinates(shapely.centroid(np.asarray(grids.geometry)))


def pick_blind_spot(grids: gpd.GeoDataFrame) -> str:
    """The grid in the south-west corner: an urban village nobody has reached yet."""
    c = centroids(grids)
    return str(grids["grid_id"].iloc[int(np.argmin(c[:, 0] + c[:, 1]))])


def pick_hotspots(grids: gpd.GeoDataFrame) -> list[str]:
    """Two neighbouring grids north-east of the centre (a market and its lanes)."""
    c = centroids(grids)
    gap = np.hypot(c[:, 0] - (CENTRE[0] + 1200 / M_PER_DEG_LON), c[:, 1] - (CENTRE[1] + 900 / M_PER_DEG_LAT))
    first = int(np.argmin(gap))
    touching = np.flatnonzero(grids.geometry.touches(grids.geometry.iloc[first]).to_numpy())
    second = int(touching[np.argmin(gap[touching])])
    return [str(grids["grid_id"].iloc[first]), str(grids["grid_id"].iloc[second])]


def sample_points(rng: np.random.Generator, n: int, grids: gpd.GeoDataFrame, blind: str) -> np.ndarray:
    """Venue positions: 60 % along a dozen commercial clusters, the rest spread; none in the blind spot."""
    half_w, half_h = WIDTH_M / 2 - 60, HEIGHT_M / 2 - 60
    clusters = rng.uniform([-half_w, -half_h], [half_w, half_h], size=(12, 2))
    blind_geom = grids.loc[grids["grid_id"] == blind].geometry.iloc[0]
    out: list[np.ndarray] = []
    while len(out) < n:
        if rng.random() < 0.6:
            xy = clusters[rng.integers(len(clusters))] + rng.normal(0, 260, 2)
        else:
            xy = rng.uniform([-half_w, -half_h], [half_w, half_h])
        if abs(xy[0]) > half_w or abs(xy[1]) > half_h:
            continue
        lonlat = to_lonlat(xy[None, :])[0]
        if blind_geom.buffer(0.0004).contains(Point(lonlat)):
            continue
        out.append(lonlat)
    return np.array(out)


def points_in(rng: np.random.Generator, geom, n: int) -> np.ndarray:
    minx, miny, maxx, maxy = geom.buffer(-0.0003).bounds
    out = []
    while len(out) < n:
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if geom.buffer(-0.0003).contains(p):
            out.append((p.x, p.y))
    return np.array(out)


def opening_hours(rng: np.random.Generator, rules: Rules, category: str) -> tuple[str, str]:
    """Mostly the category's hours; a few venues keep their own (night-only ones among them)."""
    cat = rules.categories[category]
    roll = rng.random()
    if category == "small_restaurant" and roll < 0.08:
        return "18:00", "02:00"  # night stalls (宵夜): closed at every shift
    if category in ("small_shop", "small_restaurant", "small_beauty_bath") and roll < 0.3:
        return "10:00", "21:30"
    if cat.open_s == 0 and cat.close_s >= 86400:
        return "00:00", "24:00"
    return format_hhmm(cat.open_s), format_hhmm(cat.close_s % 86400 if cat.close_s > 86400 else cat.close_s)


def last_inspected_dates(rng: np.random.Generator, intervals: np.ndarray) -> list[dt.date | None]:
    """80 % inspected within their interval, 16 % overdue, 4 % never (besides the blind spot)."""
    out: list[dt.date | None] = []
    for n in intervals:
        roll = rng.random()
        if roll < 0.04:
            out.append(None)
        elif roll < 0.20:
            out.append(TODAY - dt.timedelta(days=int(n + rng.integers(1, max(8, n)))))
        else:
            out.append(TODAY - dt.timedelta(days=int(rng.integers(0, n))))
    return out


def venue_name(rng: np.random.Generator, category: str, k: int, road: str) -> str:
    stem = NAME_STEMS[category][k % len(NAME_STEMS[category])]
    if category == "rental_housing":
        return f"{road}{int(rng.integers(1, 400))}号{stem}"
    return f"{rng.choice(BRANDS)}{stem}（{road[:-1] if road.endswith('路') else road}店）"


def make_venues(rng: np.random.Generator, rules: Rules, grids: gpd.GeoDataFrame, blind: str) -> pd.DataFrame:
    cats = [c for c, k in CATEGORY_COUNTS.items() for _ in range(k)]
    rng.shuffle(cats)
    lonlat = sample_points(rng, len(cats), grids, blind)
    blind_geom = grids.loc[grids["grid_id"] == blind].geometry.iloc[0]
    blind_cats = ["rental_housing"] * 9 + ["many_in_one"] * 5 + ["small_workshop"] * 3 + ["small_shop"] * 3
    cats += blind_cats
    lonlat = np.vstack([lonlat, points_in(rng, blind_geom, len(blind_cats))])
    n = len(cats)
    intervals = np.array([rules.categories[c].interval_days for c in cats])
    last = last_inspected_dates(rng, intervals)
    last[-len(blind_cats) :] = [None] * len(blind_cats)
    hours = [opening_hours(rng, rules, c) for c in cats]
    roads = [ROADS[int(rng.integers(len(ROADS)))] for _ in range(n)]
    counts: dict[str, int] = {}
    names = []
    for c, road in zip(cats, roads):
        counts[c] = counts.get(c, 0) + 1
        names.append(venue_name(rng, c, counts[c], road))
    risk = np.where(rng.random(n) < 0.02, 0.9, np.nan)
    return pd.DataFrame(
        {
            "venue_id": [f"V{k + 1:04d}" for k in range(n)],
            "name": names,
            "category": cats,
            "address": [f"{road}{int(rng.integers(1, 600))}号" for road in roads],
            "lon": lonlat[:, 0].round(6),
            "lat": lonlat[:, 1].round(6),
            "open": [h[0] for h in hours],
            "close": [h[1] for h in hours],
            "last_inspected": [d.isoformat() if d else "" for d in last],
            "risk": [f"{r:.2f}" if r == r else "" for r in risk],
            "phone": [f"020-8{int(rng.integers(1000000, 9999999))}" if rng.random() < 0.7 else "" for _ in range(n)],
        }
    )


def make_amap_venues(rng: np.random.Generator, rules: Rules, grids: gpd.GeoDataFrame, blind: str) -> pd.DataFrame:
    """40 venues as a Chinese web map exports them: GCJ-02, Chinese headers and labels."""
    cats = list(
        rng.choice(
            [
                "small_restaurant",
                "small_shop",
                "small_beauty_bath",
                "many_in_one",
                "small_hotel",
                "small_internet_cafe",
                "small_clinic",
                "warehouse",
            ],
            size=40,
        )
    )
    lonlat = sample_points(rng, len(cats), grids, blind)
    gcj = np.array([wgs84_to_gcj02(lon, lat) for lon, lat in lonlat])
    roads = [ROADS[int(rng.integers(len(ROADS)))] for _ in cats]
    last = last_inspected_dates(rng, np.array([rules.categories[c].interval_days for c in cats]))
    return pd.DataFrame(
        {
            "场所编号": [f"A{k + 1:03d}" for k in range(len(cats))],
            "场所名称": [venue_name(rng, c, k, road) for k, (c, road) in enumerate(zip(cats, roads))],
            "场所类别": [rules.categories[c].label_zh for c in cats],
            "地址": [f"{road}{int(rng.integers(1, 600))}号" for road in roads],
            "经度": gcj[:, 0].round(6),
            "纬度": gcj[:, 1].round(6),
            "坐标系": "gcj02",
            "最近检查日期": [d.isoformat() if d else "" for d in last],
        }
    )


def make_teams(rng: np.random.Generator, grids: gpd.GeoDataFrame) -> pd.DataFrame:
    """Six joint teams (grid worker, property staff, volunteer, safety officer), two shifts each.

    The two larger communities have two teams each, splitting their grids west/east.
    """
    rows = []
    labels = ["网格员", "物业", "志愿者", "安全员"]
    team_grids: list[list[str]] = []
    for k, community in enumerate(COMMUNITIES):
        part = grids[grids["community"] == community]
        if k < 2:  # the two northern communities are the busiest: two teams each
            order = pd.Series(centroids(part)[:, 0], index=part.index).sort_values().index
            half = len(order) // 2
            team_grids += [list(part.loc[order[:half], "grid_id"]), list(part.loc[order[half:], "grid_id"])]
        else:
            team_grids.append(list(part["grid_id"]))
    for k, home in enumerate(team_grids, start=1):
        office = grids[grids["grid_id"].isin(home)].union_all().representative_point()
        community = grids.loc[grids["grid_id"] == home[0], "community"].iloc[0]
        rows.append(
            {
                "team_id": f"T{k:02d}",
                "name": f"{community}联合巡查{'一二三四五六'[k - 1]}组",
                "roles": "grid_worker;property;volunteer;safety_officer",
                "start_lon": round(office.x, 6),
                "start_lat": round(office.y, 6),
                "shift": SHIFT,
                "mode": "walk" if k % 2 else "ebike",
                "home_grids": ";".join(home),
                "members": "、".join(f"{label} {person(rng)}" for label in labels),
                "start_name": f"{grids.loc[grids['grid_id'] == home[0], 'name'].iloc[0]}工作站",
            }
        )
    return pd.DataFrame(rows)


WEEKDAYS_ZH = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def make_roster(
    rng: np.random.Generator, grids: gpd.GeoDataFrame, teams: pd.DataFrame, venue_grid: pd.Series, venues: pd.DataFrame
) -> pd.DataFrame:
    """The street's people as a roster (人员名单), for `patrol plan --people`: Chinese headers and role labels.

    Every grid's own grid worker (the grids' ``worker``) patrols on two weekdays; the six teams'
    safety officers (the street's only six) work every weekday, one of them on leave on the Wednesday
    after the demo's today; property staff of the teams and four more look after the grids with
    the most rental and high-rise buildings (two of them mornings only); volunteers come on two or
    three days, weekends too, and have no start point of their own.
    """
    members = [
        dict((role, name) for role, name in (m.split(" ") for m in text.split("、"))) for text in teams["members"]
    ]
    rows = []

    def add(role: str, name: str, **fields) -> None:
        rows.append({"工号": f"P{len(rows) + 1:03d}", "姓名": name, "角色": role, **fields})

    for k, grid in enumerate(grids.itertuples()):
        add(
            "网格员",
            grid.worker,
            责任网格=grid.grid_id,
            出行方式="步行" if rng.random() < 0.6 else "电动车",
            工作日="、".join(WEEKDAYS_ZH[d] for d in sorted({k % 5, (k + 2) % 5})),
            出发点=f"{grid.name}工作站",
        )
    office = to_lonlat(np.array([[0.0, 0.0]]))[0].round(6)
    leave = TODAY + dt.timedelta(days=(2 - TODAY.weekday()) % 7 or 7)
    for k, m in enumerate(members):
        add(
            "安全员",
            m["安全员"],
            出行方式="电动车",
            工作日="周一-周五",
            请假=leave.isoformat() if k == 2 else "",
            出发经度=office[0],
            出发纬度=office[1],
            出发点=f"{STREET}安全办",
        )
    busy = venues.assign(grid=venues["venue_id"].map(venue_grid))
    busy = busy[busy["category"].isin(["rental_housing", "high_rise", "commercial_complex"])]["grid"].value_counts()
    estates = [str(g) for g in busy.index[:20]]
    property_staff = [m["物业"] for m in members] + [person(rng) for _ in range(4)]
    for k, name in enumerate(property_staff):
        add(
            "物业",
            name,
            责任网格=";".join(estates[2 * k : 2 * k + 2]),
            出行方式="步行",
            工作日="周一-周五",
            班次="09:00-12:00" if k in (3, 8) else "",
        )
    for k, name in enumerate([m["志愿者"] for m in members] + [person(rng) for _ in range(6)]):
        days = sorted(rng.choice(7, size=int(rng.integers(2, 4)), replace=False))
        add("志愿者", name, 出行方式="步行", 工作日="、".join(WEEKDAYS_ZH[d] for d in days))
    columns = [
        "工号",
        "姓名",
        "角色",
        "责任网格",
        "出行方式",
        "工作日",
        "班次",
        "请假",
        "出发经度",
        "出发纬度",
        "出发点",
    ]
    frame = pd.DataFrame(rows).reindex(columns=columns).astype(object)
    return frame.where(frame.notna(), "")


def make_inspections(
    rng: np.random.Generator, rules: Rules, venues: pd.DataFrame, teams: pd.DataFrame, venue_grid: pd.Series
) -> pd.DataFrame:
    """180 days of history ending at each venue's last inspection, with a few closed doors and refusals."""
    team_of_grid = {g: t for t, gs in zip(teams["team_id"], teams["home_grids"]) for g in gs.split(";")}
    rows = []
    for v in venues.itertuples():
        team = team_of_grid.get(venue_grid[v.venue_id], "T01")
        if v.last_inspected:
            day = dt.date.fromisoformat(v.last_inspected)
            interval = rules.categories[v.category].interval_days
            while day >= TODAY - dt.timedelta(days=HISTORY_DAYS):
                rows.append((v.venue_id, day, team, "done", ""))
                if rng.random() < 0.06:
                    rows.append(
                        (
                            v.venue_id,
                            day - dt.timedelta(days=int(rng.integers(1, 4))),
                            team,
                            "closed_door",
                            "关门未营业",
                        )
                    )
                day -= dt.timedelta(days=int(interval - rng.integers(0, max(2, interval // 4))))
        elif rng.random() < 0.3:
            when = TODAY - dt.timedelta(days=int(rng.integers(1, 60)))
            outcome, note = ("refused", "拒绝检查，已报执法") if rng.random() < 0.4 else ("closed_door", "多次上门关门")
            rows.append((v.venue_id, when, team, outcome, note))
    frame = pd.DataFrame(rows, columns=["venue_id", "date", "team_id", "outcome", "notes"])
    frame = frame.sort_values(["date", "venue_id"]).reset_index(drop=True)
    return frame.assign(date=lambda f: f["date"].map(dt.date.isoformat))


def make_hazards(
    rng: np.random.Generator,
    rules: Rules,
    venues: pd.DataFrame,
    venue_grid: pd.Series,
    inspections: pd.DataFrame,
    hotspots: list[str],
    blind: str,
) -> pd.DataFrame:
    """~150 hazards: general ones spread over the street, a cluster of major ones in the hotspot grids.

    Each is found at an inspection (outcome done) of its venue by a team on its ``found_on``, as on the web's result
    form, so that the ranking's hazards found per patrol of a team (``ledger.kpi``) has something to count.
    """
    types_for = {
        c: [h for h in rules.hazard_types.values() if "*" in h.categories or c in h.categories]
        for c in rules.categories
    }
    by_id = venues.set_index("venue_id", drop=False)
    done = inspections[(inspections["outcome"] == "done") & (inspections["date"] < TODAY.isoformat())]
    grid = venue_grid[done["venue_id"]].to_numpy()
    elsewhere = done[~np.isin(grid, hotspots + [blind])]
    recent = done[done["date"] >= (TODAY - dt.timedelta(days=89)).isoformat()]
    rows = []

    def add(visit: pd.Series, major: bool) -> None:
        venue, found = by_id.loc[visit["venue_id"]], dt.date.fromisoformat(visit["date"])
        choices = [h for h in types_for[venue["category"]] if (h.severity == "major") == major] or types_for[
            venue["category"]
        ]
        kind = choices[int(rng.integers(len(choices)))]
        deadline = found + dt.timedelta(days=kind.deadline_days + int(rng.integers(0, 10)))
        age = (TODAY - found).days
        if age > 45:
            status = "closed" if rng.random() < 0.93 else "rectifying"
        elif deadline < TODAY:
            status = str(rng.choice(["closed", "feedback", "rectifying"], p=[0.6, 0.2, 0.2]))
        else:
            status = str(rng.choice(["reported", "rectifying", "feedback"], p=[0.3, 0.5, 0.2]))
        rows.append(
            {
                "hazard_id": f"H{len(rows) + 1:04d}",
                "venue_id": venue["venue_id"],
                "type": kind.code,
                "found_on": found.isoformat(),
                "severity": "major" if major else kind.severity,
                "status": status,
                "deadline": deadline.isoformat(),
                # 五落实: a hazard in or past rectification names its measure (no random draw: the rest stays the same)
                "measure": f"责令限期整改：{kind.label_zh}，整改完成后报社区复查" if status != "reported" else "",
                "responsible_unit": venue["name"],
                "responsible_person": person(rng),
                "standard": "按消防技术标准整改到位",
                "description": f"{venue['name']}{kind.label_zh}",
            }
        )

    def visit(among: pd.DataFrame, around: dt.date) -> pd.Series:
        """One of the inspections in ``among`` on the day ``around``, or on the nearest day that has one."""
        gap = (pd.to_datetime(among["date"]) - pd.Timestamp(around)).dt.days.abs()
        nearest = among[(gap == gap.min()).to_numpy()]
        return nearest.iloc[int(rng.integers(len(nearest)))]

    for _ in range(118):
        add(visit(elsewhere, TODAY - dt.timedelta(days=int(rng.integers(1, HISTORY_DAYS)))), rng.random() < 0.05)
    for g in hotspots:  # the cluster is split evenly between the two grids, all in the last 90 days
        here = recent[venue_grid[recent["venue_id"]].to_numpy() == g]
        for _ in range(16):
            add(visit(here, TODAY - dt.timedelta(days=int(rng.integers(1, 90)))), rng.random() < 0.85)
    frame = pd.DataFrame(rows).sort_values(["found_on", "hazard_id"])
    frame["hazard_id"] = [f"H{k + 1:04d}" for k in range(len(frame))]
    return frame.reset_index(drop=True)


def make_roads(rng: np.random.Generator, spacing_m: float = 260.0) -> gpd.GeoDataFrame:
    """A street network for ``--roads``.

    Main roads on a slightly bent lattice with lanes between them, some lanes missing (dead ends, blocks to walk round).
    Invented, like everything here.
    """
    half_w, half_h = WIDTH_M / 2, HEIGHT_M / 2
    lines, kinds = [], []
    for axis in (0, 1):
        span, other = (half_w, half_h) if axis == 0 else (half_h, half_w)
        for k, pos in enumerate(np.arange(-span, span + 1, spacing_m)):
            ts = np.linspace(-other, other, 24)
            wobble = pos + np.cumsum(rng.normal(0, 6, len(ts)))
            pts = np.column_stack([wobble, ts] if axis == 0 else [ts, wobble])
            pts = np.clip(pts, [-half_w, -half_h], [half_w, half_h])
            if k % 4 == 0:
                lines.append(shapely.LineString(to_lonlat(pts).round(6)))
                kinds.append("primary")
                continue
            for a, b in zip(range(0, len(pts) - 1, 4), range(4, len(pts) + 3, 4)):
                if rng.random() < 0.12:
                    continue  # a lane that is not there
                lines.append(shapely.LineString(to_lonlat(pts[a : min(b, len(pts) - 1) + 1]).round(6)))
                kinds.append("residential")
    return gpd.GeoDataFrame({"highway": kinds}, geometry=lines, crs="EPSG:4326")


def write_demo(folder: Path, seed: int = SEED) -> dict:
    """Write every demo file to ``folder``; return meta.json's content (another ``seed``: another street)."""
    rng = np.random.default_rng(seed)
    rules = Rules.from_toml(DEFAULT_RULES_PATH)
    folder.mkdir(parents=True, exist_ok=True)
    grids = make_grids(rng)
    blind = pick_blind_spot(grids)
    hotspots = pick_hotspots(grids)
    venues = make_venues(rng, rules, grids, blind)
    amap = make_amap_venues(rng, rules, grids, blind)
    teams = make_teams(rng, grids)
    points = gpd.GeoDataFrame(
        venues[["venue_id"]], geometry=gpd.points_from_xy(venues["lon"], venues["lat"]), crs="EPSG:4326"
    )
    venue_grid = (
        gpd.sjoin(points, grids[["grid_id", "geometry"]], how="left", predicate="within")
        .drop_duplicates("venue_id")
        .set_index("venue_id")["grid_id"]
    )
    inspections = make_inspections(rng, rules, venues, teams, venue_grid)
    hazards = make_hazards(rng, rules, venues, venue_grid, inspections, hotspots, blind)
    roster = make_roster(
        np.random.default_rng(seed + 2), grids, teams, venue_grid, venues
    )  # its own draws: the other files stay as they were

    grids.to_file(folder / "grids.geojson", driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=6)
    make_roads(np.random.default_rng(seed + 1)).to_file(
        folder / "roads.geojson", driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=6
    )
    venues.to_csv(folder / "venues.csv", index=False)
    amap.to_csv(folder / "venues_amap.csv", index=False)
    teams.to_csv(folder / "teams.csv", index=False)
    roster.to_csv(folder / "roster.csv", index=False)
    inspections.to_csv(folder / "inspections.csv", index=False)
    hazards.to_csv(folder / "hazards.csv", index=False)
    meta = {
        "street": STREET,
        "city": "广州市",
        "communities": COMMUNITIES,
        "today": TODAY.isoformat(),
        "seed": seed,
        "grids": len(grids),
        "venues": len(venues) + len(amap),
        "teams": len(teams),
        "hazards": len(hazards),
        "inspections": len(inspections),
        "hotspot_grids": hotspots,
        "blind_spot_grid": blind,
        "source": "generated by data/make_demo.py; every name, address, person and record is invented",
    }
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "demo")
    parser.add_argument("--check", action="store_true", help="regenerate in a temp dir and compare with --out")
    args = parser.parse_args(argv)
    if not args.check:
        meta = write_demo(args.out)
        print(
            f"wrote {args.out}: {meta['grids']} grids, {meta['venues']} venues, {meta['teams']} teams, "
            f"{meta['hazards']} hazards, {meta['inspections']} inspections"
        )
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        write_demo(Path(tmp))
        names = sorted(p.name for p in Path(tmp).iterdir())
        _, mismatch, errors = filecmp.cmpfiles(Path(tmp), args.out, names, shallow=False)
    if mismatch or errors:
        print(f"data/demo differs from a fresh run of make_demo.py: {mismatch + errors}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
