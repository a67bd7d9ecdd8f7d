"""Printable route sheets (路线单): one section per team and day, in Chinese first."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import jinja2
import pandas as pd

from gis.rules import Rules
from gis.timeparse import format_hhmm

from .i18n import category_label, hazard_label, t

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True)


def sheet_sections(
    stops: pd.DataFrame,
    *,
    teams: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    rules: Rules,
    lang: str = "zh",
) -> list[dict]:
    """The content of each team-day sheet: header facts and the ordered stops with checklists."""
    sections = []
    for (day, team_id), part in stops.groupby(["day", "team_id"], sort=True):
        team = teams.loc[team_id]
        rows = []
        for row in part.sort_values("seq").itertuples():
            venue = venues.loc[row.venue_id]
            rows.append({
                "seq": row.seq, "arrive": row.arrive, "depart": row.depart, "name": row.name,
                "venue_id": row.venue_id, "address": venue.get("address", ""),
                "category": category_label(rules, row.category, lang),
                "reason": t("reason." + row.reason, lang),
                "checklist": [hazard_label(rules, h.code, lang) for h in rules.checklist(row.category) if h.code != "other"],
                "new_shift": row.Index != part.index[0] and row.shift != prev_shift,
            })
            prev_shift = row.shift
        sections.append({
            "day": day, "team_id": team_id, "team_name": team["name"],
            "members": team.get("members", ""),
            "shifts": "，".join(f"{format_hhmm(a)}-{format_hhmm(b)}" for a, b in team["shifts"]),
            "mode": t("mode." + team["mode"], lang),
            "start": f"{team.geometry.x:.5f}, {team.geometry.y:.5f}",
            "stops": rows,
        })
    return sections


def sheets_html(
    stops: pd.DataFrame,
    *,
    teams: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    rules: Rules,
    lang: str = "zh",
) -> str:
    """A4 printable HTML of every team-day route sheet."""
    sections = sheet_sections(stops, teams=teams, venues=venues, rules=rules, lang=lang)
    words = {k: t(k, lang) for k in (
        "sheets.title", "team", "day", "seq", "arrive", "depart", "name", "address", "category", "reason",
        "checklist", "outcome", "outcome.done", "outcome.closed_door", "outcome.refused", "hazard_found",
        "notes", "signature", "members", "shift", "start_point", "mode", "office_return")}
    return _env().get_template("sheets.html").render(sections=sections, w=words, lang=lang)
