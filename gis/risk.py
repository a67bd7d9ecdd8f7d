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

    ``g`` and ``m`` are ``planning.open_hazard_general`` / ``open_hazard_major`` of the rules, each multiplied (up
    to 1) by its type's factor in a season in force (``rules.hazard_risk_factor``, see :meth:`Rules.in_season`).
    """
    risk = base_risk(venues, rules)
    current = open_hazards(hazards)
    if current.empty:
        return risk
    weight = current["severity"].map({"major": rules.open_hazard_major}).fillna(rules.open_hazard_general)
    if rules.hazard_risk_factor and "type" in current:  # a season in force (Rules.in_season) weighs some types more
        weight = (weight * current["type"].map(rules.hazard_risk_factor).fillna(1.0)).clip(upper=1.0)
    left = (1 - weight).groupby(current["venue_id"]).prod().reindex(risk.index, fill_value=1.0)
    return (1 - (1 - risk) * left).clip(0, 1).rename("risk")
