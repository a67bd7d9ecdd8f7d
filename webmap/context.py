"""What every view shares about the request: its language, the office's today, an id lookup that 404s.

Views import these from here, never from the app factory or from another view.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any, TypeVar

from flask import abort, current_app, g
from flask_babel import get_locale

from gis.timeparse import format_hhmm, local_today, parse_hhmm
from ledger.models import db

MAX_ID = 2**31 - 1  # database integer ids: larger ones are never rows (and overflow PostgreSQL)

T = TypeVar("T")


def current_lang() -> str:
    """'zh' or 'en' for this request (Flask-Babel's locale)."""
    return "en" if str(get_locale()).startswith("en") else "zh"


def today() -> dt.date:
    """The office's today: the date in ``TIMEZONE`` (or the ``TODAY`` setting, for tests and demos)."""
    return current_app.config.get("TODAY") or local_today(current_app.config["TIMEZONE"])


def get_or_404(model: type[T], ident: Any) -> T:
    """The row of ``model`` with primary key ``ident``, or a 404 (also for ids no row can have)."""
    if isinstance(ident, int) and not 0 < ident <= MAX_ID:
        abort(404)
    return db.session.get(model, ident) or abort(404)


def csp_nonce() -> str:
    """The response's Content-Security-Policy nonce: scripts without it do not run."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


_SCRIPT = re.compile(r"<script(?=[\s>])(.*?</script\s*>)", re.IGNORECASE | re.DOTALL)  # a whole element, code and all


def nonced(html: str) -> str:
    """A page we rendered outside Jinja (a Folium map) with this response's nonce on each of its scripts.

    Only for pages whose user text is escaped where it was built (``webmap.escaping``): such
    text never holds a literal ``<script``, so every tag found here is one of ours.
    """
    return _SCRIPT.sub(lambda m: f'<script nonce="{csp_nonce()}"{m.group(1)}', html)



def public_url() -> str:
    """The site's address for links and QR codes that leave the screen (sheets, notices, messages, venue codes).

    The ``PUBLIC_URL`` setting; only when it is not set, the address this request came to (which
    a phone may not reach: the accounts page says so).
    """
    from flask import request

    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/") + "/"


_TILE_URL = re.compile(r"(https?://[A-Za-z0-9.-]+(?::\d{1,5})?)?/[^\s;,'\"]*")


def tile_url() -> str:
    """The phone map's background tiles (``FIELD_TILE_URL``, ``{z}/{x}/{y}`` in it), or "" when none or not usable.

    Never required: the phone draws its route map as vectors and adds tiles only while it reaches them.
    """
    url = current_app.config.get("FIELD_TILE_URL") or ""
    usable = _TILE_URL.fullmatch(url) and all(part in url for part in ("{z}", "{x}", "{y}"))
    return url if usable else ""


def tile_origin() -> str:
    """The origin the tiles come from, for the ``img-src`` of the CSP ("" for none or this site's own)."""
    match = _TILE_URL.fullmatch(tile_url())
    return (match[1] or "") if match else ""


def now_s() -> int:
    """Seconds after midnight now in the office's ``TIMEZONE`` (or the ``NOW`` setting, HH:MM, for tests and demos)."""
    from zoneinfo import ZoneInfo

    if current_app.config.get("NOW"):
        return parse_hhmm(current_app.config["NOW"])
    at = dt.datetime.now(ZoneInfo(current_app.config["TIMEZONE"]))
    return at.hour * 3600 + at.minute * 60 + at.second


def format_now() -> str:
    """:func:`now_s` as HH:MM, the minute it is (as a clock shows it: 10:59:50 is 10:59, never 11:00 or 24:00)."""
    return format_hhmm(now_s() // 60 * 60)
