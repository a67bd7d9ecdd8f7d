"""Blueprints (one per area) and what they share: the role check, refusals, and forms that are saved once."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage

from gis.errors import InputError
from ledger.idempotency import MAX_KEY_CHARS, fingerprint, once
from ledger.models import db
from ledger.results import NotAllowed
from ledger.store import KINDS, Imported, import_layer

from ..apikit import error_response
from ..context import today


def requires(*roles: str) -> Callable:
    """Only logged-in users with one of ``roles`` may call the view (403 for others)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


ANYONE = ("coordinator", "patrol", "viewer")


def refuse(err: NotAllowed):
    """403 for a write the service refused: JSON under /api/v1, the error page elsewhere (registered per blueprint)."""
    if request.path.startswith("/api/"):
        return error_response(err, 403)
    return render_template("error.html", error=err.as_dict()), 403


def form_token() -> str:
    """A fresh one-time token for a form's hidden ``once`` field (stored only when the form is saved)."""
    return secrets.token_urlsafe(18)


def save_form_once(work: Callable[[], object], *, file: str) -> bool:
    """Run ``work`` in one transaction with the form's one-time token claimed; ``False`` when it was saved already.

    Raises
    ------
    InputError
        When the form has no (or a malformed) token: it was not opened from this app's page.
    """
    token = request.form.get("once", "")
    if not token or len(token) > MAX_KEY_CHARS:
        try:  # a dry run first: a refusal or a bad field is said before the missing token
            work()
        finally:
            db.session.rollback()
        msg = _("once: the form has no one-time token: open it again")
        raise InputError(msg, file=file, field="once")

    def write() -> tuple[int, None]:
        work()
        return 200, None

    return not once(f"form:{token}", fingerprint(request.path), write, field="once").replayed


def import_uploads(kind: str, uploads: Sequence[FileStorage], *, crs: str | None, user: str) -> Imported:
    """Import uploaded files as a ``kind`` layer (the import page and the API), keeping the users' file names.

    Raises
    ------
    InputError
        No kind or no file, or the file's first problem (file, row, field); nothing is written then.
    """
    with tempfile.TemporaryDirectory() as tmp:
        paths = save_uploads(kind, uploads, Path(tmp))
        return import_layer(kind, paths, current_app.extensions["patrol"].rules, as_of=today(), crs=crs,
                            user=user)


def save_uploads(kind: str, uploads: Sequence[FileStorage], folder: Path) -> list[Path]:
    """The uploaded files of a ``kind`` import saved in ``folder`` under the users' file names (messages name them).

    Raises
    ------
    InputError
        No kind or no file.
    """
    files = [f for f in uploads if f.filename]
    if kind not in KINDS or not files:
        msg = _("file: choose what to import (%(kinds)s) and at least one file", kinds=" · ".join(KINDS))
        raise InputError(msg, file="import", field="file" if kind in KINDS else "kind")
    paths = []
    for f in files:
        path = folder / (Path(f.filename).name or "upload")
        f.save(path)
        paths.append(path)
    return paths
