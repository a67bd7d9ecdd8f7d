"""Seasons in force (``[seasons.*]`` in rules.toml), for the pages that plan: ``seasons_on(day)`` in every template."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app
from flask_babel import gettext as _

from ..context import current_lang
from ..i18n import category_label, hazard_label

bp = Blueprint("seasons", __name__)


def season_notes(day: dt.date) -> list[dict[str, object]]:
    """Per season in force on ``day``: its name and what it changes (intervals, risks), in the reader's language."""
    rules = current_app.extensions["patrol"].rules
    lang = current_lang()
    en = lang == "en"
    seasonal = rules.in_season(day)

    def name(code: str) -> str:  # a season's risk names a category or a hazard type
        return category_label(rules, code, lang) if code in rules.categories else hazard_label(rules, code, lang)

    notes = []
    for season in seasonal.in_force:
        changes = [_("%(what)s: inspected every %(now)s days instead of %(before)s", what=name(code),
                     now=seasonal.categories[code].interval_days, before=rules.categories[code].interval_days)
                   for code in season.interval]
        changes += [_("%(what)s: risk × %(factor)s", what=name(code),
                      factor=f"{factor:g}") for code, factor in season.risk.items()]
        notes.append({"code": season.code, "label": season.label_en if en else season.label_zh, "changes": changes})
    return notes


@bp.app_context_processor
def _seasons_on() -> dict[str, object]:
    return {"seasons_on": season_notes}
