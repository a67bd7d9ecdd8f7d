"""The ranking (考核) as an Excel workbook: one row per grid (worker, team, community), rank first.

Names come from users (grid names, workers, teams): a text that a spreadsheet would run as a formula
(``= + - @``) is written as text, as in the hazard ledgers (:mod:`ledger.excel`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gis.cells import looks_like_formula

from .excel import style_header

PERCENT = ("coverage", "stops_done", "closed_on_time", "no_overdue")


def kpi_workbook(ranking: Mapping[str, object], columns: Sequence[str], labels: Mapping[str, str], *, title: str,
                 note: str = "") -> bytes:
    """The ranking of :func:`ledger.kpi.ranking` as an .xlsx file.

    Parameters
    ----------
    ranking
        What :func:`ledger.kpi.ranking` returned.
    columns
        The measures to show after rank, key, name and score (:func:`ledger.kpi.measure_columns`).
    labels
        The header of each column (and of ``rank``, ``key``, ``name``, ``score``, ``rank_last``, ``rank_change``),
        in the reader's language.
    title
        The sheet's first line: what, which period.
    note
        A last line: how the score is made.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "ranking"
    keys = ["rank", "key", "name", "score", *columns, "score_last", "rank_last", "rank_change"]
    ws.append([title])
    ws.append([labels.get(k, k) for k in keys])
    for row in ranking["rows"]:
        ws.append([row.get(k) for k in keys])
    if note:
        ws.append([])
        ws.append([note])
    for i, key in enumerate(keys, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 24 if key == "name" else 12
    ws["A1"].font = Font(bold=True, size=14)
    style_header(ws[2])
    for row in ws.iter_rows(min_row=1):
        for cell in row:
            if looks_like_formula(cell.value):  # names from users, never a formula (openpyxl reads "=…" as one)
                cell.data_type, cell.quotePrefix = "s", True
            elif (cell.row > 2 and cell.column <= len(keys) and keys[cell.column - 1] in PERCENT
                  and cell.value is not None):
                cell.number_format = "0.0%"
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
