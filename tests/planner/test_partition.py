"""Partitioned planning on a generated two-community street: parallel parts, one plan, judged by the checker."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from checker import check_plan

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402

MONDAY = dt.date(2026, 11, 23)


@pytest.mark.slow
def test_partitioned_plan_is_feasible_and_keeps_teams_home(tmp_path):
    paths = generate(tmp_path / "in", venues=1200, teams=8, seed=3)
    grids = gpd.read_file(paths["grids"])
    assert grids["community"].nunique() == 2
    out = tmp_path / "plan"
    run = subprocess.run([sys.executable, "-m", "patrol", "plan", "--grids", str(paths["grids"]), "--venues",
                          str(paths["venues"]),
                          "--teams", str(paths["teams"]), "--date", "2026-11-23", "--time-limit", "2",
                          "--partition", "community",
                          "--no-pdf", "--quiet", "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert check_plan(out, grids=paths["grids"], venues=paths["venues"], teams=paths["teams"], date="2026-11-23") == []
    stops = pd.read_csv(out / "stops.csv", dtype=str)
    teams = pd.read_csv(paths["teams"], dtype=str)
    community_of_grid = dict(zip(grids["grid_id"], grids["community"]))
    team_community = {t: community_of_grid[h.split(";")[0]] for t, h in zip(teams["team_id"], teams["home_grids"])}
    venues = gpd.read_file(paths["grids"]).pipe(lambda g: g)  # grids again, to place each stop
    points = gpd.GeoDataFrame(stops,
                              geometry=gpd.points_from_xy(stops["lon"].astype(float), stops["lat"].astype(float)),
                              crs="EPSG:4326")
    placed = gpd.sjoin(points, venues[["community", "geometry"]], predicate="within")
    assert (placed["team_id"].map(team_community) == placed["community"]).all()
    assert stops["team_id"].nunique() == 8
    routes = gpd.read_file(out / "routes.geojson")
    assert (routes["kind"] == "route").sum() == 8


@pytest.mark.slow
def test_partitioned_plan_runs_on_an_existing_scheduler(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    paths = generate(tmp_path / "in", venues=400, teams=4, seed=5)
    out = tmp_path / "plan"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        run = subprocess.run([sys.executable, "-m", "patrol", "plan", "--grids", str(paths["grids"]), "--venues",
                              str(paths["venues"]),
                              "--teams", str(paths["teams"]), "--date", "2026-11-23", "--time-limit", "1",
                              "--partition", "community",
                              "--scheduler", cluster.scheduler_address, "--no-pdf", "--quiet", "--out", str(out)],
                             capture_output=True, text=True, timeout=300)
        prefixes = set(cluster.scheduler.task_prefixes)
    assert run.returncode == 0, run.stderr
    assert "solve_part" in prefixes  # the parts went through this scheduler, not a cluster of their own
    assert check_plan(out, grids=paths["grids"], venues=paths["venues"], teams=paths["teams"], date="2026-11-23") == []


@pytest.mark.slow
def test_parts_planned_here_one_after_another_make_one_feasible_plan(tmp_path):
    """``workers=0`` (the web app's plan worker): the same parts and merge, in this process, without Dask."""
    import datetime as dt

    from gis.layers import read_layers
    from planner import PlanParams, SolveParams
    from planner.partition import plan_partitioned, split_by_community, wants_partition
    from webmap.outputs import write_outputs

    paths = generate(tmp_path / "in", venues=800, teams=4, seed=5)
    layers = read_layers(grids=paths["grids"], venues=paths["venues"], teams=paths["teams"],
                         as_of=dt.date(2026, 11, 22))
    assert len(split_by_community(layers)) == 2
    assert not wants_partition(layers) and wants_partition(layers, above=500)
    seen = []
    plan = plan_partitioned(layers, start=dt.date(2026, 11, 23),
                            params=PlanParams(solve=SolveParams(time_limit_s=2)), workers=0,
                            progress=lambda f, m: seen.append((f, m)))
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    assert any(m.startswith("片区") and "（2/2）" in m for _, m in seen)  # part 2 of 2, in Chinese
    write_outputs(plan, layers, tmp_path / "plan", pdf=False)
    assert check_plan(tmp_path / "plan", grids=paths["grids"], venues=paths["venues"], teams=paths["teams"],
                      date="2026-11-23") == []
    assert pd.read_csv(tmp_path / "plan" / "stops.csv", dtype=str)["team_id"].nunique() == 4


def test_the_largest_part_gets_the_time_limit_and_the_others_their_share(tmp_path):
    import dataclasses
    import datetime as dt

    from gis.layers import read_layers
    from planner import PlanParams, SolveParams
    from planner.partition import MIN_PART_SECONDS, part_params, split_by_community

    paths = generate(tmp_path / "in", venues=1500, teams=6, seed=5)
    layers = read_layers(grids=paths["grids"], venues=paths["venues"], teams=paths["teams"],
                         as_of=dt.date(2026, 11, 22))
    parts = split_by_community(layers)
    sizes = [len(p.layers.venues) for p in parts]
    assert len(parts) == 4 and min(sizes) < max(sizes)
    params = PlanParams(days=2, solve=SolveParams(time_limit_s=6.0, seed=7))
    own = part_params(parts, params)
    limits = [p.solve.time_limit_s for p in own]
    assert limits[sizes.index(max(sizes))] == 6.0
    assert limits == pytest.approx([6.0 * n / max(sizes) for n in sizes])
    assert all(dataclasses.replace(p, solve=params.solve) == params for p in own)  # only the time differs
    tiny = part_params(parts, dataclasses.replace(params, solve=SolveParams(time_limit_s=0.5)))
    assert [p.solve.time_limit_s for p in tiny] == [0.5] * 4  # never less than the limit's own floor
    floor = part_params(parts, dataclasses.replace(params, solve=SolveParams(time_limit_s=1.2)))
    assert min(p.solve.time_limit_s for p in floor) >= MIN_PART_SECONDS


def test_a_large_street_of_several_communities_is_planned_by_community_unasked(tmp_path):
    import patrol
    from gis.layers import read_layers

    paths = generate(tmp_path / "in", venues=1600, teams=8, seed=7)
    layers = read_layers(grids=paths["grids"], venues=paths["venues"], teams=paths["teams"], as_of=MONDAY)
    assert layers.grids["community"].nunique() > 1
    command = ["plan", "--grids", str(paths["grids"]), "--venues", str(paths["venues"]), "--teams",
               str(paths["teams"]), "--date", "2026-11-23", "--out", str(tmp_path / "plan")]
    parser = patrol.build_parser()
    assert patrol.by_community(parser.parse_args(command), layers)
    assert not patrol.by_community(parser.parse_args([*command, "--partition", "none"]), layers)
    small = generate(tmp_path / "small", venues=600, teams=4, seed=7)
    assert not patrol.by_community(parser.parse_args(command), read_layers(
        grids=small["grids"], venues=small["venues"], teams=small["teams"], as_of=MONDAY))


_UNDER_A_CEILING = """
import resource, sys
from pathlib import Path
import patrol, planner.routing, geopandas  # the libraries' own address space first
used = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (used + 400 * 2**20, resource.RLIM_INFINITY))
sys.exit(patrol.main(sys.argv[1:]))
"""


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="the ceiling is read from /proc")
def test_a_day_too_large_for_the_memory_left_is_refused_with_its_numbers(tmp_path):
    """One problem of ~900 visits and 15 teams needs ~1 GB of matrices: under a ceiling 400 MB above the
    libraries, the plan stops before building them, with a message (not the kernel's kill, not a traceback)."""
    paths = generate(tmp_path / "in", venues=1500, teams=15, seed=2)
    run = subprocess.run([sys.executable, "-c", _UNDER_A_CEILING, "plan", "--partition", "none", "--grids",
                          str(paths["grids"]), "--venues", str(paths["venues"]), "--teams", str(paths["teams"]),
                          "--date", "2026-11-23", "--time-limit", "1", "--no-pdf", "--quiet",
                          "--out", str(tmp_path / "plan")],
                         capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PATROL_LANG": "zh"})
    assert run.returncode == 2, run.stderr[-2000:]
    message = run.stderr.strip()
    assert "Traceback" not in message
    assert re.search(r"2026-11-23.*\d+ 个.*15 支.*GB.*--partition community", message), message
    assert not (tmp_path / "plan").exists()
