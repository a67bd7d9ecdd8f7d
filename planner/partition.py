"""Planning past one street: split the work by community, solve the parts in parallel with Dask, merge.

Each part is a community's grids, the venues in them and the teams whose home grids (or, without
home grids, whose office) lie there. Parts are independent plans, so cost grows linearly in the
number of venues and the parts run side by side: on a local Dask cluster by default, or on an
existing one given by its scheduler address. The price is that a team never helps across a
community border (``benchmarks/scale.py`` measures it against one whole solve).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.i18n import gettext as _
from gis.layers import Layers

from .model import DayPlan, Plan, Problem, Tour
from .params import PlanParams
from .plan import plan_days

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
AUTO_ABOVE = 1500  # venues: above this, `--partition auto` and the web app plan one community at a time


@dataclasses.dataclass(frozen=True)
class Part:
    """One independent piece of the work."""

    name: str
    layers: Layers


def split_by_community(layers: Layers) -> list[Part]:
    """One part per community (grids without a community form their own part).

    Parts without teams are skipped with a warning in the log, their venues then stay unplanned.
    """
    grids = layers.grids
    community = (grids["community"].replace("", np.nan).fillna("—") if "community" in grids
                 else pd.Series("—", index=grids.index))
    team_part = team_communities(layers.teams, grids, community)
    parts = []
    for name in sorted(community.unique()):
        grid_ids = set(community.index[community == name])
        venues = layers.venues[layers.venues["grid_id"].isin(grid_ids)]
        teams = layers.teams[team_part == name]
        if venues.empty:
            continue
        if teams.empty:
            log.warning("community %s has %d venues and no team: they stay unplanned", name, len(venues))
            continue
        hazards = layers.hazards[layers.hazards["venue_id"].isin(venues.index)] if layers.hazards is not None else None
        inspections = (layers.inspections[layers.inspections["venue_id"].isin(venues.index)]
                       if layers.inspections is not None else None)
        parts.append(Part(name, Layers(grids.loc[sorted(grid_ids)], venues, teams, layers.rules, hazards, inspections)))
    return parts


def team_communities(teams: gpd.GeoDataFrame, grids: gpd.GeoDataFrame, community: pd.Series) -> pd.Series:
    """Each team's one community: the one holding most of its home grids, else the one of its office."""
    cells = gpd.GeoDataFrame({"cell": grids.index.to_numpy()}, geometry=grids.geometry.to_numpy(), crs=grids.crs)
    office = gpd.sjoin(teams[["geometry"]], cells, how="left", predicate="within")["cell"]
    office = office[~office.index.duplicated()].reindex(teams.index)

    def pick(team_id: str) -> str | None:
        homes = [community.get(g) for g in teams.at[team_id, "home_grids"] if g in community.index]
        if homes:
            return pd.Series(homes).value_counts().index[0]
        grid = office.get(team_id)
        return community.get(grid) if isinstance(grid, str) else None

    return pd.Series({t: pick(t) for t in teams.index}, name="community")


MIN_PART_SECONDS = 1.0  # a part's least solver time per day (or the whole limit, when that is less)


def part_params(parts: list[Part], params: PlanParams) -> list[PlanParams]:
    """Each part's parameters: the time limit of a day for the largest part, the others' in proportion to their venues.

    A flat limit for every part spends as long on a community of 300 venues as on one of 800, and
    the small parts settle early (benchmarks/results/scale-2026-12-04.md). Each part gets at least
    :data:`MIN_PART_SECONDS` (or the whole limit, when it is less), so that a tiny part still finds a plan.
    """
    if not parts:
        return []
    limit = params.solve.time_limit_s
    largest = max(len(p.layers.venues) for p in parts)
    return [dataclasses.replace(params, solve=dataclasses.replace(
        params.solve, time_limit_s=max(limit * len(p.layers.venues) / largest, min(limit, MIN_PART_SECONDS))))
        for p in parts]


def solve_part(part: Part, start: dt.date, params: PlanParams, roads=None) -> Plan:
    """Plan one part (runs on a Dask worker)."""
    layers = part.layers
    return plan_days(venues=layers.venues, teams=layers.teams, rules=layers.rules, start=start, params=params,
                     hazards=layers.hazards, inspections=layers.inspections, grids=layers.grids, roads=roads)


def plan_partitioned(layers: Layers, *, start: dt.date, params: PlanParams = PlanParams(), scheduler: str | None = None,
                     workers: int = 2, progress: Progress | None = None, roads=None) -> Plan:
    """Plan every community as its own part, in parallel on Dask, and merge the parts into one Plan.

    ``params.solve.time_limit_s`` is the largest part's solver time per day; the others get a share in
    proportion to their venues (:func:`part_params`).

    Parameters
    ----------
    scheduler
        Address of an existing Dask scheduler (``tcp://host:8786``); ``None`` starts a local cluster
        of ``workers`` processes with one thread each.
    workers
        ``0`` plans the parts one after another in this process, without Dask (the web app's plan
        worker: its memory ceiling then bounds the whole plan, and one core stays free for the server).
    """
    if workers == 0 and scheduler is None:
        return _plan_parts_here(layers, start=start, params=params, progress=progress, roads=roads)
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as err:  # the [distributed] extra
        msg = "partitioned planning needs Dask: pip install 'patrol[distributed]'"
        raise RuntimeError(msg) from err
    logging.getLogger("distributed").setLevel(logging.WARNING)
    parts = split_by_community(layers)
    if progress:
        sizes = _(", ").join(_("%(name)s (%(venues)d venues, %(teams)d teams)", name=p.name,
                                 venues=len(p.layers.venues), teams=len(p.layers.teams)) for p in parts)
        progress(0.0, _("%(n)d parts: %(sizes)s", n=len(parts), sizes=sizes))
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                   dashboard_address=None, silence_logs=logging.ERROR)
    try:
        with Client(scheduler or cluster) as client:
            # the longest parts first, so that the workers finish close together
            order = sorted(zip(parts, part_params(parts, params)), key=lambda po: -po[1].solve.time_limit_s)
            futures = {client.submit(solve_part, part, start, own, roads, pure=False): part.name for part, own in order}
            plans: dict[str, Plan] = {}
            for k, future in enumerate(as_completed(futures), start=1):
                plans[futures[future]] = future.result()
                if progress:
                    progress(k / len(parts),
                             _("part %(name)s planned (%(k)d/%(n)d)", name=futures[future], k=k, n=len(parts)))
    finally:
        if cluster is not None:
            cluster.close()
    return merge_plans([plans[p.name] for p in parts], start=start)


def _plan_parts_here(layers: Layers, *, start: dt.date, params: PlanParams, progress: Progress | None, roads) -> Plan:
    """The parts of :func:`plan_partitioned`, solved one after another in this process."""
    parts = split_by_community(layers)
    plans = []
    for k, (part, own) in enumerate(zip(parts, part_params(parts, params))):
        def step(frac: float, msg: str, k: int = k, name: str = part.name) -> None:
            progress((k + frac) / len(parts), _("part %(name)s (%(k)d/%(n)d): %(msg)s", name=name,
                                                k=k + 1, n=len(parts),
                                                          msg=msg))

        plans.append(plan_days(venues=part.layers.venues, teams=part.layers.teams, rules=layers.rules, start=start,
                               params=own, hazards=part.layers.hazards, inspections=part.layers.inspections,
                               grids=part.layers.grids, roads=roads, progress=step if progress else None))
    return merge_plans(plans, start=start)


def wants_partition(layers: Layers, *, above: int = AUTO_ABOVE) -> bool:
    """``--partition auto``: split by community when there are more than ``above`` venues and several communities."""
    communities = layers.grids["community"].nunique() if "community" in layers.grids else 1
    return len(layers.venues) > above and communities > 1


def merge_plans(plans: list[Plan], *, start: dt.date) -> Plan:
    """One Plan from independent parts: tours side by side, nodes renumbered into one drawing problem per day."""
    days = max(len(p.days) for p in plans)
    merged_days, problems = [], []
    for d in range(days):
        tours, unplanned, lonlat, seconds, statuses, parts, work = [], [], [], 0.0, set(), [], {}
        offset = 0
        for plan in plans:
            if d >= len(plan.days):
                continue
            dp, problem = plan.days[d], plan.problems[d]
            tours += [dataclasses.replace(t, nodes=tuple(n + offset for n in t.nodes)) for t in dp.tours]
            unplanned += list(dp.unplanned)
            work |= dp.work_s
            lonlat.append(problem.lonlat)
            parts.append((offset, problem))
            offset += len(problem.lonlat)
            seconds = max(seconds, dp.solve_seconds)  # the parts ran side by side
            statuses.add(dp.status)
        status = "feasible" if statuses <= {"feasible", "optimal",
                                            "empty"} else sorted(statuses - {"feasible", "optimal", "empty"})[0]
        day = start + dt.timedelta(days=d)
        merged_days.append(DayPlan(day, tuple(sorted(tours, key=_tour_key)), tuple(unplanned), seconds,
                                   status, work_s=work))
        all_xy = np.vstack(lonlat) if lonlat else np.zeros((0, 2))
        problems.append(Problem((), (), {}, np.zeros((len(all_xy), 0), dtype=np.int64), all_xy, day,
                                parts=tuple(parts)))
    unassigned = tuple(u for plan in plans for u in plan.unassigned)
    return Plan(start, tuple(merged_days), unassigned, tuple(problems))


def _tour_key(tour: Tour) -> tuple[str, int]:
    return tour.team_id, tour.shift
