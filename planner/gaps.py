"""Coverage gaps (盲区死角) of the stored layers.

Venues past their interval or never seen, and those no team can reach.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

import geopandas as gpd
import pandas as pd

from gis.gaps import grid_gaps, venue_gaps
from gis.layers import Layers

from .plan import unreachable_venues


def coverage_gaps(layers: Layers, on: dt.date) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Per grid and per venue on day ``on``: the coverage gaps.

    Coverage within interval, never inspected, overdue, unreachable in a shift.
    """
    unreachable = reachability(layers, on)
    per_venue = venue_gaps(layers.venues, layers.rules, on, layers.inspections, unreachable)
    return grid_gaps(layers.grids, per_venue, on, layers.inspections), per_venue


_KEPT = 4  # screens kept: a few days' or rule sets' worth
_screens: dict[tuple, pd.Series] = {}
_guard = threading.Lock()


def reachability(layers: Layers, on: dt.date) -> pd.Series:
    """:func:`~planner.plan.unreachable_venues` of the layers on ``on``, kept while venues, teams and grids stay.

    The screen reads neither inspections nor hazards, which a day of results keeps changing: at 20,000 venues it
    is 3-4 s of the gaps page's first request after every write, and now only after a change of what it reads.
    The layers (and their rules) are built anew at each write, so the key is their content.
    """
    key = (on, _digest(layers.venues), _digest(layers.teams), tuple(layers.grids.total_bounds),
           hashlib.sha1(repr(layers.rules).encode()).hexdigest())
    with _guard:
        kept = _screens.get(key)
    if kept is not None:
        return kept.copy()
    screened = unreachable_venues(venues=layers.venues, teams=layers.teams, rules=layers.rules, day=on,
                                  grids=layers.grids)
    with _guard:
        while len(_screens) >= _KEPT:
            _screens.pop(next(iter(_screens)))
        _screens[key] = screened
    return screened.copy()


def _digest(frame: gpd.GeoDataFrame) -> str:
    """A digest of every column and the points' coordinates (lists, as in a team's roles, as their text)."""
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(str)
    table["_x"], table["_y"] = frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()
    return hashlib.sha1(pd.util.hash_pandas_object(table, index=True).to_numpy().tobytes()).hexdigest()
