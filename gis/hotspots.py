"""Hazard hotspots: where hazards cluster beyond chance, by Getis-Ord Gi* on the grid lattice.

Each grid (网格) gets the severity-weighted count of hazards found in a period; PySAL's
``esda.G_Local`` (star: the grid counts itself) with queen contiguity gives a z-score per grid.
A grid is a *hot spot* when its z-score is significant **and** its own count stands out (at least
one standard deviation above the street's mean): Gi* also lifts the z-score of a quiet grid that merely touches two
busy ones, and those are labelled *near a hot spot* instead, so a meeting sends people where the hazards are.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import TYPE_CHECKING

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .layers import Layers

SEVERITY_WEIGHT = {"general": 1.0, "major": 3.0}
# (z threshold, confidence) from the normal approximation, strongest first
LEVELS = ((2.576, 99), (1.960, 95), (1.645, 90))
# A hot (cold) spot's own value must itself stand out by this many standard deviations.
OWN_Z = 1.0
CLASSES = ("hot", "near_hot", "cold", "near_cold", "none")


def grid_frame(grids: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Grids with ``grid_id`` as a column (the readers index them by it)."""
    return grids.reset_index() if "grid_id" not in grids.columns else grids.reset_index(drop=True)


def hazards_in_period(hazards: pd.DataFrame, since: dt.date | None = None,
                      until: dt.date | None = None) -> pd.DataFrame:
    """Hazards found within [since, until] (either bound may be open)."""
    found = pd.to_datetime(hazards["found_on"]).dt.date
    keep = pd.Series(True, index=hazards.index)
    if since is not None:
        keep &= found >= since
    if until is not None:
        keep &= found <= until
    return hazards[keep]


def hazard_points(hazards: pd.DataFrame, venues: gpd.GeoDataFrame) -> pd.DataFrame:
    """lon, lat (its venue's position, WGS84) and severity of each hazard, for a heatmap."""
    where = venues.geometry.reindex(hazards["venue_id"])
    return pd.DataFrame({"lon": where.x.to_numpy(), "lat": where.y.to_numpy(),
                         "severity": hazards["severity"].to_numpy()})


def grid_hazard_weights(hazards: pd.DataFrame, venues: gpd.GeoDataFrame, grids: gpd.GeoDataFrame) -> pd.Series:
    """Severity-weighted hazard count per grid (general 1, major 3), zero where none."""
    grids = grid_frame(grids)
    grid_of = venues["grid_id"].reindex(hazards["venue_id"]).to_numpy()
    weight = hazards["severity"].map(SEVERITY_WEIGHT).fillna(1.0).to_numpy()
    totals = pd.Series(weight, index=grid_of).groupby(level=0).sum()
    return totals.reindex(grids["grid_id"], fill_value=0.0).rename("weight")


def getis_ord(grids: gpd.GeoDataFrame, values: pd.Series) -> pd.DataFrame:
    """Gi* z-score, class and significance per grid.

    ``gi_confidence`` (99/95/90/0) is the confidence of the Gi* z-score alone; ``confidence``
    and ``significant`` are those of the finding, and are set only for hot and cold spots: a
    quiet grid next to a cluster keeps its z-score but is not called significant.

    Parameters
    ----------
    grids
        Grid polygons with ``grid_id``.
    values
        One value per grid, indexed by grid_id.
    """
    ordered = grid_frame(grids)
    y = values.reindex(ordered["grid_id"]).to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands and disconnected components
        w = libpysal.weights.Queen.from_dataframe(ordered, use_index=False)
    if np.allclose(y, y[0]):
        z = np.zeros_like(y)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.filterwarnings("ignore",
                                    "The weights matrix is not fully connected")  # a detached grid (an exclave)
            g = esda.G_Local(y, w, transform="B", star=True, permutations=0)
        z = np.nan_to_num(np.asarray(g.Zs, dtype=float))
    confidence = np.zeros(len(z), dtype=int)
    for threshold, level in reversed(LEVELS):
        confidence[np.abs(z) >= threshold] = level
    own_z = (y - y.mean()) / (y.std() or 1.0)
    above = own_z >= OWN_Z
    cls = np.where(confidence == 0, "none",
                   np.where(z > 0, np.where(above, "hot", "near_hot"), np.where(own_z <= -OWN_Z, "cold", "near_cold")))
    significant = np.isin(cls, ("hot", "cold"))
    return pd.DataFrame({"grid_id": ordered["grid_id"], "weight": y, "z": z.round(3),
                         "confidence": np.where(significant, confidence, 0), "gi_confidence": confidence,
                         "significant": significant, "hotspot": cls}).set_index("grid_id")


def hotspot_table(grids: gpd.GeoDataFrame, venues: gpd.GeoDataFrame, hazards: pd.DataFrame,
                  since: dt.date | None = None, until: dt.date | None = None) -> gpd.GeoDataFrame:
    """Grids with their hazard weight, Gi* z-score, confidence and class, hottest first."""
    period = hazards_in_period(hazards, since, until)
    stats = getis_ord(grids, grid_hazard_weights(period, venues, grids))
    counts = period.join(venues["grid_id"], on="venue_id").groupby(["grid_id", "severity"]).size().unstack(fill_value=0)
    out = grid_frame(grids).set_index("grid_id").join(stats)
    for sev in SEVERITY_WEIGHT:
        out[f"hazards_{sev}"] = counts.get(sev, pd.Series(dtype=int)).reindex(out.index, fill_value=0).astype(int)
    out["rank_class"] = out["hotspot"].map({c: i for i, c in enumerate(CLASSES)})
    return out.sort_values(["rank_class", "z"], ascending=[True, False]).drop(columns="rank_class").reset_index()


def layer_hotspots(layers: Layers, since: dt.date, until: dt.date) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The hotspot table of the stored layers' hazards found in [since, until], and those hazards as points."""
    no_hazards = pd.DataFrame(columns=["venue_id", "found_on", "severity"])
    hazards = layers.hazards if layers.hazards is not None else no_hazards
    table = hotspot_table(layers.grids, layers.venues, hazards, since, until)
    return table, hazard_points(hazards_in_period(hazards, since, until), layers.venues)
