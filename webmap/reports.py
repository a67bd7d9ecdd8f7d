"""Files for meetings and printing, from the input layers: `patrol gaps`, `patrol hotspots`, `patrol sheets`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gis.cells import read_text_csv, write_text_csv
from gis.gaps import GRID_COLUMNS, grid_gaps, venue_gaps
from gis.hotspots import hazard_points, hazards_in_period, hotspot_table
from gis.layers import Layers
from gis.timeparse import parse_hhmm
from planner.plan import unreachable_venues

from .analysis_maps import gap_map, hotspot_map
from .outputs import atomic_dir
from .sheets import sheets_html, write_sheets_pdf


def write_gaps(layers: Layers, on: dt.date, out_dir: str | Path, *, lang: str = "zh") -> pd.DataFrame:
    """gaps_venues.csv/.geojson, gaps_grids.csv (ranked), gaps_grids.geojson and gaps.html; returns the grid table."""
    unreachable = unreachable_venues(venues=layers.venues, teams=layers.teams, rules=layers.rules, day=on,
                                     grids=layers.grids)
    per_venue = venue_gaps(layers.venues, layers.rules, on, layers.inspections, unreachable)
    per_grid = grid_gaps(layers.grids, per_venue, on, layers.inspections)
    with atomic_dir(out_dir) as tmp:
        ranked = per_venue.sort_values(["never_inspected", "days_overdue"], ascending=False)
        write_text_csv(ranked, tmp / "gaps_venues.csv")
        points = gpd.GeoDataFrame(ranked.astype({"last_inspected": str, "due_on": str}).replace({"None": None}),
                                  geometry=layers.venues.geometry.reindex(ranked["venue_id"]).to_numpy(),
                                  crs=layers.venues.crs)
        points.to_file(tmp / "gaps_venues.geojson", driver="GeoJSON", engine="pyogrio")
        write_text_csv(per_grid[GRID_COLUMNS], tmp / "gaps_grids.csv")
        per_grid.to_file(tmp / "gaps_grids.geojson", driver="GeoJSON", engine="pyogrio")
        gap_map(per_grid, per_venue, layers.venues.geometry, lang=lang, on=on).save(str(tmp / "gaps.html"))
    return per_grid


def write_hotspots(layers: Layers, out_dir: str | Path, *, since: dt.date | None = None, until: dt.date | None = None,
                   lang: str = "zh") -> pd.DataFrame:
    """hotspots.csv, hotspots.geojson and hotspots.html for hazards found in [since, until]."""
    no_hazards = pd.DataFrame(columns=["venue_id", "found_on", "severity"])
    hazards = layers.hazards if layers.hazards is not None else no_hazards
    table = hotspot_table(layers.grids, layers.venues, hazards, since, until)
    points = hazard_points(hazards_in_period(hazards, since, until), layers.venues)
    columns = ["grid_id", "name", "hazards_general", "hazards_major", "weight", "z", "gi_confidence", "confidence",
               "significant", "hotspot"]
    with atomic_dir(out_dir) as tmp:
        write_text_csv(table[[c for c in columns if c in table]], tmp / "hotspots.csv")
        table.to_file(tmp / "hotspots.geojson", driver="GeoJSON", engine="pyogrio")
        hotspot_map(table, points, lang=lang, since=since, until=until).save(str(tmp / "hotspots.html"))
    return table


def stops_with_shifts(stops: pd.DataFrame, layers: Layers) -> pd.DataFrame:
    """A plan's stops.csv with the shift index of each stop, from its team's shifts."""
    def shift_of(row: pd.Series) -> int:
        arrive = parse_hhmm(row["arrive"])
        shifts = layers.teams.loc[row["team_id"], "shifts"]
        return next((k for k, (a, b) in enumerate(shifts) if a <= arrive <= b), 0)

    return stops.assign(shift=stops.apply(shift_of, axis=1))


def write_sheets(layers: Layers, plan_dir: str | Path, out_dir: str | Path, *, lang: str = "zh",
                 base_url: str | None = None) -> list[str]:
    """sheets.html (+ sheets.pdf when WeasyPrint is installed) for the plan in ``plan_dir``."""
    stops = read_text_csv(Path(plan_dir) / "stops.csv", dtype={"venue_id": str, "team_id": str, "day": str})
    stops = stops_with_shifts(stops, layers)
    html = sheets_html(stops, teams=layers.teams, venues=layers.venues, rules=layers.rules, lang=lang,
                       grids=layers.grids, hazards=layers.hazards, base_url=base_url)
    with atomic_dir(out_dir) as tmp:
        (tmp / "sheets.html").write_text(html, encoding="utf-8")
        written = ["sheets.html"]
        if write_sheets_pdf(html, tmp / "sheets.pdf"):
            written.append("sheets.pdf")
    return written
