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

from gis.timeparse import local_today
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
    """This response's Content-Security-Policy nonce: scripts without it do not run."""
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


_HTTP_ZH = {400: "请求有误", 401: "需要登录或有效的接口令牌", 403: "没有权限", 404: "没有这个地址或记录", 405: "这个地址不接受这种请求",
            409: "与现有记录冲突", 413: "上传的文件太大", 422: "无法处理这个请求", 429: "请求太频繁，请稍后再试", 500: "服务器出错，已记录"}


def api_error_body(code: int, name: str, description: str | None) -> dict[str, object]:
    """The API's error shape ``{error, message, file, row, field}`` for an HTTP error, its message Chinese first."""
    zh = _HTTP_ZH.get(code, "请求失败")
    message = zh if current_lang() == "zh" else ""
    message = f"{message} {description or name}".strip()
    return {"error": name.lower().replace(" ", "_"), "message": message, "file": None, "row": None, "field": None}
