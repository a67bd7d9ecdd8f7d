"""Stored records that break a rule: the warning the pages show, each linked to where the record is corrected.

``ledger.store.layers_from_db`` leaves such records out of the computation (or ignores the bad value)
and lists them, kept with the layers per data version; this module turns the list
into linked notes for the pages that show data (map, gaps, hotspots, review, plans).
"""

from __future__ import annotations

import datetime as dt

import folium
from flask import current_app, request, url_for
from flask_login import current_user
from markupsafe import escape

from gis.errors import PatrolError
from gis.layers import RecordProblem

#: The pages that show the warning (others would pay for reading every layer on each view).
DATA_PAGES = frozenset({"map.map_page", "review.review_page", "review.gaps_page", "review.hotspots_page",
                        "plan.plan_form", "plan.plan_page"})
_KIND = {"venues": ("场所", "venue"), "hazards": ("隐患", "hazard"),
         "inspections": ("场所检查记录", "inspection of venue"), "teams": ("巡查组", "team"), "grids": ("网格", "grid")}
_ACTION = {"left_out": ("未计入", "left out"), "ignored_field": ("已忽略该值", "value ignored")}


def stored_problems(day: dt.date) -> tuple[RecordProblem, ...]:
    """The stored records that break a rule as of ``day`` (found with the layers, kept with them per data version)."""
    try:
        return current_app.extensions["patrol"].layers(day).problems
    except PatrolError:  # nothing imported yet: the pages say so themselves
        return ()


def problem_notes(problems: tuple[RecordProblem, ...], lang: str) -> list[tuple[str, str]]:
    """(text, link) per problem: the record, what is wrong, what was done, and where to correct it."""
    notes = []
    for p in problems:
        kind = _KIND.get(p.kind, (p.kind, p.kind))[lang == "en"]
        action = _ACTION[p.action][lang == "en"]
        if p.kind == "hazards":
            link = url_for("ledger.hazard", hazard_id=p.key)
        elif p.kind in ("venues", "inspections"):
            link = url_for("map.venue", venue_id=p.key)
        else:
            link = url_for("ledger.import_page")
        notes.append((f"{kind} {p.key}: {p.problem} ({action})", link))
    return notes


def page_problem_notes(today: dt.date, lang: str) -> list[tuple[str, str]]:
    """The notes for this page: on the data pages, for a logged-in user; elsewhere none."""
    if request.endpoint not in DATA_PAGES or not current_user.is_authenticated:
        return []
    return problem_notes(stored_problems(today), lang)


def add_problem_banner(m: folium.Map, problems: tuple[RecordProblem, ...], lang: str) -> folium.Map:
    """A line above the map that says how many stored records were set aside (the page around it lists them)."""
    if problems:
        text = (f"{len(problems)} stored record(s) break a rule and were left out or corrected: see the "
                "list above the map"
                if lang == "en" else f"{len(problems)} 条已存记录有误，已未计入或忽略其错误值：详见地图上方的列表")
        m.get_root().html.add_child(folium.Element(
            '<div class="data-warning" id="data-problems-count" '
            'style="position:absolute;z-index:1000;top:4px;left:50px;'
            f'background:#fff8e1;border:1px solid #e0b84c;padding:2px 8px;font:13px sans-serif">{escape(text)}</div>'))
    return m
