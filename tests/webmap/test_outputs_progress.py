"""Writing a plan's files reports its progress step by step, through the PDF's pages too."""

from __future__ import annotations

from conftest import PLAN_DAY, TODAY
from gis.layers import read_layers
from planner import PlanParams, SolveParams, plan_days
from webmap.outputs import write_outputs
from webmap.sheets import pdf_available


def test_write_outputs_moves_the_progress_through_every_step(instance, rules, tmp_path):
    layers = read_layers(grids=instance["grids"], venues=instance["venues"], teams=instance["teams"],
                         rules=rules, as_of=TODAY)
    plan = plan_days(venues=layers.venues, teams=layers.teams, rules=rules, start=PLAN_DAY, grids=layers.grids,
                     params=PlanParams(solve=SolveParams(time_limit_s=1)))
    seen: list[tuple[float, str]] = []
    write_outputs(plan, layers, tmp_path / "out", progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    messages = " ".join(m for _, m in seen)
    for step in ("写出路线表", "绘制地图", "生成路线单"):  # in Chinese unless English was chosen
        assert step in messages
    if pdf_available():  # the PDF's layout moves the bar (page by page in one process, run by run in several)
        pages = [f for f, m in seen if m.startswith(("排版第", "已排版"))]
        assert pages and all(0.25 < f < 1.0 for f in pages)
        assert (tmp_path / "out" / "sheets.pdf").exists()


def test_a_plan_without_tours_still_writes_every_file(instance, rules, tmp_path):
    """No solution within the time limit (a big part, a short limit): empty stops and routes, not a crash."""
    import dataclasses

    import geopandas as gpd
    import pandas as pd

    layers = read_layers(grids=instance["grids"], venues=instance["venues"], teams=instance["teams"],
                         rules=rules, as_of=TODAY)
    plan = plan_days(venues=layers.venues, teams=layers.teams, rules=rules, start=PLAN_DAY, grids=layers.grids,
                     params=PlanParams(solve=SolveParams(time_limit_s=1)))
    empty = dataclasses.replace(plan, days=tuple(dataclasses.replace(d, tours=()) for d in plan.days))
    numbers = write_outputs(empty, layers, tmp_path / "out", pdf=False)
    assert numbers["visits"] == 0
    assert pd.read_csv(tmp_path / "out" / "stops.csv").empty
    assert gpd.read_file(tmp_path / "out" / "routes.geojson").empty
