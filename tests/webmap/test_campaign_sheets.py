"""Route sheets carry the checklist of a campaign (专项排查) running that day, for the venues in its scope only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from gis.layers import read_layers
from gis.rules import CampaignScope
from webmap.sheets import sheets_html

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
DAY = dt.date(2026, 11, 23)


def test_sheets_show_the_campaign_checklist_at_venues_in_scope():
    layers = read_layers(grids=DEMO / "grids.geojson", venues=DEMO / "venues.csv", teams=DEMO / "teams.csv", as_of=DAY)
    venues = layers.venues
    rental = venues[venues["category"] == "rental_housing"].index[0]
    shop = venues[venues["category"] == "small_shop"].index[0]
    sweep = CampaignScope("出租屋专项排查", DAY, DAY + dt.timedelta(days=10),
                          frozenset({"rental_housing"}), frozenset(), ("电动车是否进楼入户", "<b>楼道</b>是否堆物"))
    stops = pd.DataFrame([
        {"day": DAY.isoformat(), "team_id": "T01", "seq": k + 1, "venue_id": vid, "name": venues.at[vid, "name"],
         "category": venues.at[vid, "category"], "reason": "due", "arrive": "09:10", "depart": "09:20",
         "lon": venues.geometry[vid].x, "lat": venues.geometry[vid].y, "shift": 0}
        for k, vid in enumerate([rental, shop])])
    html = sheets_html(stops, teams=layers.teams, venues=venues, rules=layers.rules.with_campaigns((sweep,), DAY),
                       grids=layers.grids)
    assert html.count("专项排查要点") == 1  # the rental housing's stop only
    assert "电动车是否进楼入户" in html and "&lt;b&gt;楼道&lt;/b&gt;是否堆物" in html  # a coordinator's text, escaped
    assert "专项排查要点" not in sheets_html(stops, teams=layers.teams, venues=venues, rules=layers.rules,
                                       grids=layers.grids)
