"""Each route sketch and QR code is made once per plan write: for sheets.html, sheets.pdf and the web's team pages."""

from __future__ import annotations

import pandas as pd

from conftest import PLAN_DAY, TODAY
from gis.layers import read_layers
from planner import PlanParams, SolveParams, plan_days
from web_helpers import counted_sheet_drawings
from webmap.outputs import write_outputs
from webmap.sheets import pdf_available, team_sheets_html


def test_one_sketch_per_team_day_and_one_qr_code_per_stop(instance, rules, tmp_path, monkeypatch):
    layers = read_layers(grids=instance["grids"], venues=instance["venues"], teams=instance["teams"],
                         rules=rules, as_of=TODAY)
    plan = plan_days(venues=layers.venues, teams=layers.teams, rules=rules, start=PLAN_DAY, grids=layers.grids,
                     params=PlanParams(days=2, solve=SolveParams(time_limit_s=1)))
    calls = counted_sheet_drawings(monkeypatch)
    write_outputs(plan, layers, tmp_path / "out", pdf=pdf_available())
    stops = pd.read_csv(tmp_path / "out" / "stops.csv", dtype=str)
    team_days = stops.groupby(["day", "team_id"]).ngroups
    assert team_days >= 3 and len(stops) > team_days
    assert calls == {"qr_data_uri": len(stops), "route_sketch_svg": team_days}  # the PDF is laid out from the HTML
    html = (tmp_path / "out" / "sheets.html").read_text(encoding="utf-8")
    assert html.count('class="result-link"') == len(stops) and html.count('class="sketch"') == team_days

    # a team's page is cut from the plan's sheets: its drawings are the plan's, none made again
    team_id = stops["team_id"].iloc[0]
    page = team_sheets_html(html, team_id)
    assert calls == {"qr_data_uri": len(stops), "route_sketch_svg": team_days}
    mine = stops[stops["team_id"] == team_id]
    assert page.count('class="result-link"') == len(mine) and page.count('class="sketch"') == mine["day"].nunique()
    assert page.startswith(html[:html.index('<section class="sheet"')])
    assert page.endswith(html[html.rindex("</section>") + len("</section>"):])
    assert team_sheets_html(html, "no-such-team") is None
