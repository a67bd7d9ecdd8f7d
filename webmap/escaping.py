"""Text from users and files as data on pages built outside Jinja (Folium popups, tooltips, labels, layer names).

Folium puts tooltips and popups into JavaScript template literals (`` `...` ``) that Leaflet then
shows as HTML, so a name must be safe twice: as HTML (``<``, ``&``, quotes) and inside the
literal (a backtick ends it, ``${`` runs code, a backslash escapes). All of them become HTML
character references, which the browser shows as the very characters typed.
"""

from __future__ import annotations

from html import escape

import pandas as pd

_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def html_text(value: object) -> str:
    """``value`` as text that shows as typed in HTML and inside Folium's JavaScript template literals.

    ``None`` and NaN are shown as nothing.
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return escape(str(value), quote=True).translate(_LITERAL)


def html_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A copy of ``frame`` whose text ``columns`` are :func:`html_text`.

    For GeoJSON tooltips, which Leaflet shows as HTML.

    Numbers and missing values are kept as they are, so styles and number formats still work.
    """
    out = frame.copy()
    for column in columns:
        if column in out:
            out[column] = out[column].map(lambda v: html_text(v) if isinstance(v, str) else v)
    return out
