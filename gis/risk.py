"""Risk (0-1) of each venue: category base risk or the venue's own override, raised by open hazards."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from .rules import Rules


def base_risk(venues: gpd.GeoDataFrame, rules: Rules) -> pd.Series:
    """Risk (0-1) of each venue: its own ``risk`` column where given, else its category's base risk."""
    by_category = venues["category"].map(rules.base_risk)
    own = venues["risk"] if "risk" in venues else by_category
    return own.fillna(by_category).clip(0, 1).astype(float).rename("risk")


def open_hazards(hazards: pd.DataFrame | None) -> pd.DataFrame:
    """The hazards not yet closed (销号)."""
    if hazards is None or hazards.empty:
        return pd.DataFrame(columns=["venue_id", "type", "severity", "status", "deadline"])
    return hazards[hazards["status"] != "closed"]


def venue_risk(venues: gpd.GeoDataFrame, rules: Rules, hazards: pd.DataFrame | None = None) -> pd.Series:
    """Risk (0-1) with open hazards: ``1 - (1 - base)·(1 - g)^n_general·(1 - m)^n_major``.

    ``g`` and ``m`` are ``planning.open_hazard_general`` / ``open_hazard_major`` of the rules.
    """
    risk = base_risk(venues, rules)
    current = open_hazards(hazards)
    if current.empty:
        return risk
    counts = pd.crosstab(current["venue_id"], current["severity"]).reindex(risk.index, fill_value=0)
    n_general = counts.get("general", 0)
    n_major = counts.get("major", 0)
    keep = (1 - risk) * (1 - rules.open_hazard_general) ** n_general * (1 - rules.open_hazard_major) ** n_major
    return (1 - keep).clip(0, 1).rename("risk")
