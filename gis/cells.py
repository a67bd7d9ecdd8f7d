"""Text cells that a spreadsheet must show, not run (CSV/Excel formula injection).

Excel, WPS and LibreOffice run a cell that starts with ``= + - @`` (or a tab or carriage return
before one) as a formula, so a venue named ``=HYPERLINK("http://evil", "点我")`` would become a
link in a coordinator's ledger. Excel files mark such cells as text; CSV files have no types,
so such a cell gets a leading ``'`` (the mark spreadsheets themselves use for "this is text"),
and :func:`read_text_csv` takes it off again when we read our own files back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def looks_like_formula(value: object) -> bool:
    """Whether a spreadsheet would read the text ``value`` as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _guard(value: object) -> object:
    # a text that already starts with ' is quoted too, so that reading back is exact
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, _QUOTE)):
        return _QUOTE + value
    return value


def _unguard(value: object) -> object:
    if isinstance(value, str) and value.startswith(_QUOTE):
        return value[1:]
    return value


def write_text_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """``frame`` as UTF-8 CSV (no index) with every formula-like text cell quoted as text."""
    frame.map(_guard).to_csv(path, index=False)


def read_text_csv(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """A CSV written by :func:`write_text_csv`, with its text cells as they were (``kwargs`` go to ``pd.read_csv``)."""
    return pd.read_csv(path, **kwargs).map(_unguard)
