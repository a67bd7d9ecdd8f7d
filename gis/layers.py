"""All input layers of a plan, read together with one set of options."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import geopandas as gpd
import pandas as pd

from .io import read_grids, read_hazards, read_inspections, read_teams, read_venues
from .rules import DEFAULT_RULES_PATH, Rules


@dataclass(frozen=True)
class RecordProblem:
    """A stored record that breaks a rule of the readers: kept out of, or corrected for, the computation.

    ``kind`` is the layer (venues · hazards · inspections · teams · grids), ``key`` the record's id
    (an inspection's venue), ``action`` either ``"left_out"`` (the record is not used) or
    ``"ignored_field"`` (the record is used without the value of ``field``).
    """

    kind: str
    key: str
    field: str | None
    problem: str
    action: str


@dataclass(frozen=True)
class Layers:
    """The validated inputs of a plan, all in WGS84 and indexed by their ids."""

    grids: gpd.GeoDataFrame
    venues: gpd.GeoDataFrame
    teams: gpd.GeoDataFrame
    rules: Rules
    hazards: pd.DataFrame | None = None
    inspections: pd.DataFrame | None = None
    #: Stored records that broke a rule and were left out or corrected (data already in the database).
    problems: tuple[RecordProblem, ...] = field(default=())


def read_layers(
    *,
    grids: str | Path,
    venues: str | Path | Sequence[str | Path],
    teams: str | Path,
    as_of: dt.date,
    hazards: str | Path | None = None,
    inspections: str | Path | None = None,
    rules: str | Path | Rules = DEFAULT_RULES_PATH,
    crs: str | None = None,
) -> Layers:
    """Read and validate every layer; the first bad file raises :class:`~gis.errors.InputError`."""
    the_rules = rules if isinstance(rules, Rules) else Rules.from_toml(rules)
    grid_layer = read_grids(grids, crs=crs)
    venue_layer = read_venues(venues, rules=the_rules, grids=grid_layer, crs=crs, as_of=as_of)
    team_layer = read_teams(teams, grids=grid_layer, crs=crs)
    hazard_table = read_hazards(hazards, venues=venue_layer, rules=the_rules, as_of=as_of) if hazards else None
    inspection_table = (
        read_inspections(inspections, venues=venue_layer, teams=team_layer, as_of=as_of) if inspections else None
    )
    return Layers(grid_layer, venue_layer, team_layer, the_rules, hazard_table, inspection_table)
