"""Blueprints (one per area) and what they share: the role check."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


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
