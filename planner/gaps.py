"""Coverage gaps (盲区死角) of the stored layers.

Venues past their interval or never seen, and those no team can reach.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from gis.gaps import grid_gaps, venue_gaps
from gis.layers import Layers

from .plan import unreachable_venues


def coverage_gaps(layers: Layers, on: dt.date) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Per grid and per venue on day ``on``: the coverage gaps.

    Coverage within interval, never inspected, overdue, unreachable in a shift.
    """
    unreachable = unreachable_venues(venues=layers.venues, teams=layers.teams, rules=layers.rules, day=on,
                                     grids=layers.grids)
    per_venue = venue_gaps(layers.venues, layers.rules, on, layers.inspections, unreachable)
    return grid_gaps(layers.grids, per_venue, on, layers.inspections), per_venue
