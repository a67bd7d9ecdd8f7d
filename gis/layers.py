"""All input layers of a plan, read together with one set of options."""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import geopandas as gpd
import pandas as pd

from .campaigns import read_campaigns
from .errors import DataWarning, InputError
from .i18n import gettext as _
from .io import no_teams, read_grids, read_hazards, read_inspections, read_people, read_teams, read_venues
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
    #: The roster (:func:`gis.io.read_people`) when the teams are to be formed from people; ``teams`` is
    #: then empty until they are formed.
    people: gpd.GeoDataFrame | None = None


def read_layers(
    *,
    grids: str | Path,
    venues: str | Path | Sequence[str | Path],
    teams: str | Path | None = None,
    as_of: dt.date,
    hazards: str | Path | None = None,
    inspections: str | Path | None = None,
    rules: str | Path | Rules = DEFAULT_RULES_PATH,
    crs: str | None = None,
    people: str | Path | None = None,
    campaigns: str | Path | None = None,
    plan_days: tuple[dt.date, dt.date] | None = None,
) -> Layers:
    """Read and validate every layer; the first bad file raises :class:`~gis.errors.InputError`.

    Give ``teams`` or ``people`` (a roster: the teams are formed from it per day, see
    :mod:`planner.roster`); with ``people`` the inspections' team ids are not checked.
    The layers' rules are those in force on ``as_of`` (:meth:`Rules.in_season`): a plan's intervals and risks
    follow the season of its first day. ``campaigns`` (:func:`gis.campaigns.read_campaigns`: TOML or a table) are
    worked into the rules as the web app does (:meth:`Rules.with_campaigns`): those running on a day of the plan
    (``plan_days``: its first and last day; default ``as_of`` alone) count, the others are named in a
    :class:`~gis.errors.DataWarning`.
    """
    the_rules = (rules if isinstance(rules, Rules) else Rules.from_toml(rules)).in_season(as_of)
    grid_layer = read_grids(grids, crs=crs)
    venue_layer = read_venues(venues, rules=the_rules, grids=grid_layer, crs=crs, as_of=as_of)
    if (teams is None) == (people is None):
        msg = _("give the teams or the people (a roster), one of the two")
        raise InputError(msg, file=_("command line"), field="teams")
    team_layer = read_teams(teams, grids=grid_layer, crs=crs) if teams is not None else None
    people_layer = read_people(people, grids=grid_layer, crs=crs) if people is not None else None
    hazard_table = read_hazards(hazards, venues=venue_layer, rules=the_rules, as_of=as_of) if hazards else None
    inspection_table = (
        read_inspections(inspections, venues=venue_layer, teams=team_layer, as_of=as_of) if inspections else None
    )
    if team_layer is None:
        team_layer = no_teams()
    if campaigns is not None:
        first, last = plan_days or (as_of, as_of)
        the_rules = _with_campaigns(the_rules, read_campaigns(campaigns, rules=the_rules, grids=grid_layer), first,
                                    last, Path(campaigns).name)
    return Layers(grid_layer, venue_layer, team_layer, the_rules, hazard_table, inspection_table, people=people_layer)


def _with_campaigns(rules: Rules, scopes: tuple, first: dt.date, last: dt.date, file: str) -> Rules:
    """``rules`` with the campaigns running on a day of the plan; a warning names those that do not."""
    days = str(first) if first == last else _("%(first)s to %(last)s", first=first, last=last)
    for c in scopes:
        if c.start > last or c.end < first:
            warnings.warn(_("%(file)s: campaign %(name)r (%(start)s to %(end)s) does not run on the plan's days "
                            "(%(days)s): it changes nothing", file=file, name=c.name, start=c.start, end=c.end,
                            days=days), DataWarning, stacklevel=3)
    return rules.with_campaigns(scopes, first, last)
