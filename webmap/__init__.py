"""Folium maps, route sheets, and the Flask web app.

The names below are loaded on first use, so that a worker process that needs one small module
(the QR codes' pool, started by spawn) does not import the maps, the sheets and their libraries.
"""

from importlib import import_module

_LAZY = {"plan_map": ".maps", "write_outputs": ".outputs", "sheets_html": ".sheets"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
