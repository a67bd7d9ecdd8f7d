"""Writing a plan's files (the `patrol plan` contract) into a directory, all or nothing."""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import geopandas as gpd

from gis.cells import write_text_csv
from gis.i18n import N_
from gis.i18n import gettext as _
from gis.layers import Layers
from planner.contract import (
    MAP_FILE,
    ROUTES_FILE,
    SHEETS_FILE,
    SHEETS_PDF_FILE,
    STOP_COLUMNS,
    STOPS_FILE,
    SUMMARY_FILE,
    UNASSIGNED_COLUMNS,
    UNASSIGNED_FILE,
    summary,
)
from planner.model import Plan
from planner.roster import teams_table
from planner.tables import routes_frame, stops_table, unassigned_table

from .maps import plan_map
from .sheets import pdf_available, sheets_html, write_sheets_pdf

log = logging.getLogger(__name__)


# Where each step starts, as a share of the whole (measured on the demo day: the PDF takes two thirds or more).
_STEPS = {"tables": 0.0, "map": 0.05, "sheets": 0.15, "pdf": 0.25}
_STEP_LABELS = {"tables": N_("writing stops and routes"), "map": N_("drawing the map"),
                "sheets": N_("writing the route sheets"), "pdf": N_("writing sheets.pdf")}


def write_outputs(plan: Plan, layers: Layers, out_dir: str | Path, *, lang: str = "zh", pdf: bool = True,
                  roads: gpd.GeoDataFrame | None = None, base_url: str | None = None,
                  progress: Callable[[float, str], None] | None = None,
                  day_teams: Sequence[gpd.GeoDataFrame] | None = None) -> dict[str, object]:
    """Write stops.csv, routes.geojson, unassigned.csv, summary.json, map.html, sheets.html (+ sheets.pdf).

    ``day_teams`` are the teams formed from a roster for each day (:mod:`planner.roster`): they are
    written to teams.csv, and each day's sheets name that day's members; ``layers.teams`` then holds
    every team once (for the map and the team count).

    ``sheets.pdf`` is written when ``pdf`` is set and WeasyPrint is installed; the sheets' QR codes open
    the result forms at ``base_url`` (default ``$PATROL_BASE_URL`` or http://localhost:5000).

    Everything is written into a temporary directory beside ``out_dir`` and moved into place
    only when all files are complete; an existing ``out_dir`` is replaced. ``progress(fraction, message)``
    is told as each step starts, and 1.0 at the end.

    Returns
    -------
    The summary written to ``summary.json``.
    """
    def step(name: str) -> None:
        if progress is not None:
            progress(_STEPS[name], _(_STEP_LABELS[name]))

    with atomic_dir(out_dir) as tmp:
        step("tables")
        stops = stops_table(plan, layers.venues)
        write_text_csv(stops[STOP_COLUMNS], tmp / STOPS_FILE)
        unassigned = unassigned_table(plan)
        write_text_csv(unassigned[UNASSIGNED_COLUMNS], tmp / UNASSIGNED_FILE)
        routes = routes_frame(plan, stops)
        routes.to_file(tmp / ROUTES_FILE, driver="GeoJSON", engine="pyogrio")
        numbers = summary(plan, teams=len(layers.teams))
        sheet_teams = layers.teams
        if day_teams is not None:
            days = [dp.day for dp in plan.days]
            write_text_csv(teams_table(day_teams, days), tmp / "teams.csv")
            sheet_teams = {day.isoformat(): teams for day, teams in zip(days, day_teams)}
        (tmp / SUMMARY_FILE).write_text(json.dumps(numbers, ensure_ascii=False, indent=2), encoding="utf-8")
        step("map")
        plan_map(stops, routes, grids=layers.grids, venues=layers.venues, teams=layers.teams,
                 rules=layers.rules, lang=lang, unplanned=list(unassigned["venue_id"])).save(str(tmp / MAP_FILE))
        step("sheets")
        html = sheets_html(stops, teams=sheet_teams, venues=layers.venues, rules=layers.rules, lang=lang,
                           grids=layers.grids, hazards=layers.hazards, routes=routes, roads=roads, base_url=base_url)
        (tmp / SHEETS_FILE).write_text(html, encoding="utf-8")
        if pdf and pdf_available():
            step("pdf")
            pdf_progress = None if progress is None else (lambda f,
                                                          m: progress(_STEPS["pdf"] + (1 - _STEPS["pdf"]) * f, m))
            write_sheets_pdf(html, tmp / SHEETS_PDF_FILE, progress=pdf_progress)
        elif pdf:
            write_sheets_pdf(html, tmp / SHEETS_PDF_FILE)  # says in one line why there is no PDF
    if progress is not None:
        progress(1.0, _("files written"))
    return numbers


def add_sheets_pdf(out_dir: str | Path, *, progress: Callable[[float, str], None] | None = None) -> bool:
    """Render ``out_dir/sheets.html`` into ``out_dir/sheets.pdf`` after the other files (the web plan's order).

    The PDF is written beside its place and moved there when complete, so the folder never holds
    half a PDF. Returns whether it was written (not when WeasyPrint or a Chinese font is missing:
    the reason is logged in one line).
    """
    out_dir = Path(out_dir)
    html = (out_dir / "sheets.html").read_text(encoding="utf-8")
    partial = out_dir / ".sheets.pdf.part"
    try:
        written = write_sheets_pdf(html, partial, progress=progress)
        if written:
            partial.replace(out_dir / "sheets.pdf")
        return written
    finally:
        partial.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_dir(out_dir: str | Path) -> Iterator[Path]:
    """A temporary folder beside ``out_dir`` that replaces it only if the block succeeds."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        yield tmp
        _replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _replace_dir(new: Path, target: Path) -> None:
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        new.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(target)
