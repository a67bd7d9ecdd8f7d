"""Writing a plan's files (the `patrol plan` contract) into a directory, all or nothing."""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd

from gis.cells import write_text_csv
from gis.layers import Layers
from planner.model import Plan
from planner.plan import summary
from planner.tables import STOP_COLUMNS, UNASSIGNED_COLUMNS, routes_frame, stops_table, unassigned_table

from .maps import plan_map
from .sheets import pdf_available, sheets_html, sheets_pdf

log = logging.getLogger(__name__)


def write_outputs(plan: Plan, layers: Layers, out_dir: str | Path, *, lang: str = "zh", pdf: bool = True,
                  roads: gpd.GeoDataFrame | None = None, base_url: str | None = None) -> dict[str, object]:
    """Write stops.csv, routes.geojson, unassigned.csv, summary.json, map.html, sheets.html (+ sheets.pdf).

    ``sheets.pdf`` is written when ``pdf`` is set and WeasyPrint is installed; the sheets' QR codes open
    the result forms at ``base_url`` (default ``$PATROL_BASE_URL`` or http://localhost:5000).

    Everything is written into a temporary directory beside ``out_dir`` and moved into place
    only when all files are complete; an existing ``out_dir`` is replaced.

    Returns
    -------
    The summary written to ``summary.json``.
    """
    with atomic_dir(out_dir) as tmp:
        stops = stops_table(plan, layers.venues)
        write_text_csv(stops[STOP_COLUMNS], tmp / "stops.csv")
        write_text_csv(unassigned_table(plan)[UNASSIGNED_COLUMNS], tmp / "unassigned.csv")
        routes = routes_frame(plan, stops)
        routes.to_file(tmp / "routes.geojson", driver="GeoJSON", engine="pyogrio")
        numbers = summary(plan, teams=len(layers.teams))
        (tmp / "summary.json").write_text(json.dumps(numbers, ensure_ascii=False, indent=2), encoding="utf-8")
        plan_map(stops, routes, grids=layers.grids, venues=layers.venues, teams=layers.teams,
                 rules=layers.rules, lang=lang).save(str(tmp / "map.html"))
        html = sheets_html(stops, teams=layers.teams, venues=layers.venues, rules=layers.rules, lang=lang,
                           grids=layers.grids, hazards=layers.hazards, routes=routes, roads=roads, base_url=base_url)
        (tmp / "sheets.html").write_text(html, encoding="utf-8")
        if pdf and pdf_available():
            (tmp / "sheets.pdf").write_bytes(sheets_pdf(html))
    return numbers


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
