"""The ranking (考核) page and its Excel export, for coordinators and viewers (the API has GET /api/v1/kpi)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _

from ledger.kpi import BY, kpi_json, measure_columns, weights_text
from ledger.kpi_excel import kpi_workbook
from ledger.review import PERIODS

from ..context import today
from . import requires

bp = Blueprint("kpi", __name__)
READERS = ("coordinator", "viewer")


def column_labels() -> dict[str, str]:
    """The header of each column of the ranking, in the reader's language."""
    return {
        "rank": _("Rank"), "key": _("Code"), "name": _("Name"), "score": _("Score"),
        "coverage": _("Covered in interval"), "venues": _("Venues"), "stops_done": _("Planned stops done"),
        "stops_planned": _("Planned stops"), "patrols": _("Joint patrols"), "inspections": _("Inspections"),
        "hazards_found": _("Hazards found"), "hazards_per_patrol": _("Hazards per patrol"),
        "closed_on_time": _("Closed by deadline"), "hazards_due": _("Hazards due"),
        "overdue": _("Overdue rectifications"), "days_to_close": _("Average days to close"),
        "hazards_closed": _("Hazards closed"), "score_last": _("Score, last period"),
        "rank_last": _("Rank, last period"), "rank_change": _("Change"),
    }


def by_labels() -> dict[str, str]:
    return {"grid": _("Grid"), "worker": _("Grid worker"), "team": _("Team"), "community": _("Community")}


def period_labels() -> dict[str, str]:
    return {"week": _("Week"), "month": _("Month"), "quarter": _("Quarter")}


@bp.route("/kpi")
@requires(*READERS)
def ranking_page():
    r = kpi_json(request.args, rules=current_app.extensions["patrol"].rules, today=today())
    return render_template("kpi/ranking.html", r=r, columns=measure_columns(r["by"]), labels=column_labels(),
                           by_labels=by_labels(), period_labels=period_labels(), periods=PERIODS, bys=tuple(BY),
                           weights=_weights(r))


@bp.route("/kpi.xlsx")
@requires(*READERS)
def ranking_xlsx():
    r = kpi_json(request.args, rules=current_app.extensions["patrol"].rules, today=today())
    title = _("Ranking by %(by)s, %(start)s – %(end)s", by=by_labels()[r["by"]], start=r["this"]["start"],
              end=r["this"]["end"])
    note = _("Score: 100 × the weighted mean of the measures a row has. Weights: %(weights)s",
             weights=_weights(r))
    data = kpi_workbook(r, measure_columns(r["by"]), column_labels(), title=title, note=note)
    name = f"kpi-{r['period']}-{r['by']}-{r['this']['start']}_{r['this']['end']}.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


def _weights(r: dict) -> str:
    """The score's weights in words, as the page and the export state them."""
    return weights_text({column_labels().get(k, k): v for k, v in r["weights"].items()})
