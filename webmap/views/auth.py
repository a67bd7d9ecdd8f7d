"""Logging in and out, the coordinator's accounts page, and each user's own account (password, API token)."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from gis.errors import InputError
from ledger import queries
from ledger.models import ROLES, User
from ledger.notify import set_contact
from ledger.transaction import transaction
from ledger.users import change_password, create_user, reset_password, set_active

from ..context import current_lang, get_or_404
from ..i18n import t
from . import ANYONE, requires

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        name, address = request.form.get("username", ""), request.remote_addr or ""
        throttle = current_app.extensions["patrol"].login_throttle
        wait_s = throttle.wait_s(name, address)
        if wait_s > 0:
            flash(t("login.locked", current_lang()).format(minutes=math.ceil(wait_s / 60)))
            return render_template("auth/login.html"), 429
        user = queries.user_named(name)
        if user is not None and user.check_password(request.form.get("password", "")):
            throttle.succeeded(name, address)
            if not login_user(user):  # a disabled account
                flash(t("login.disabled", current_lang()))
                return render_template("auth/login.html"), 403
            return redirect(_local_target(request.args.get("next", "")))
        throttle.failed(name, address)
        flash(t("login.failed", current_lang()))
    return render_template("auth/login.html")


def _local_target(target: str) -> str:
    r"""``next`` only when it is a path of this site, as a browser would read it; the front page otherwise.

    Browsers drop tabs and line breaks from a URL and read ``\`` as ``/``, so ``/\evil``, ``/<TAB>/evil``
    and ``//evil`` all lead to another site; a line break in a ``Location`` header is also refused
    by the server. A target with any control character or backslash is therefore refused whole,
    and what is left must be a path with no scheme and no host.
    """
    if (target.startswith("/") and not target.startswith("//")
            and not any(c == "\\" or ord(c) < 0x20 or ord(c) == 0x7F for c in target)
            and not urlsplit(target).netloc):
        return target
    return url_for("map.index")


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out everywhere: every session of the account ends, copies of this cookie too."""
    if current_user.is_authenticated:
        with transaction():
            current_user.end_sessions()
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/users", methods=["GET", "POST"])
@requires("coordinator")
def users():
    """Make accounts (a patrol account belongs to one team), and manage them.

    Reset a password, issue an API token, disable or re-enable an account.

    A new password or token is shown once on the page that answers the POST; only hashes are stored.
    """
    error, shown = None, None
    if request.method == "POST":
        try:
            with transaction():
                shown = _account_action(request.form)
        except InputError as err:
            error = err.as_dict()
    return render_template("auth/users.html", accounts=queries.accounts(), teams=queries.teams(), roles=ROLES,
                           error=error, shown=shown, form=request.form if error else {}), (400 if error else 200)


def _account_action(form) -> dict[str, str] | None:
    """One action of the accounts page; the new password or token to show once, if it made one."""
    action = form.get("action")
    if action == "create":
        user, password = create_user(form.get("username", ""), form.get("role", ""),
                                     team_id=form.get("team_id", ""), password=form.get("password", ""))
        return {"username": user.username, "password": password}
    user_id = form.get("user_id", "0") or "0"
    user = get_or_404(User, int(user_id) if user_id.isdigit() else 0)
    if action == "reset":
        shown = {"username": user.username, "password": reset_password(user)}
        current_app.extensions["patrol"].login_throttle.forgive(user.username)
        return shown
    if action == "token":
        return {"username": user.username, "token": user.new_token()}
    if action == "contact":
        set_contact(user, email=form.get("email", ""), notify_for=form.get("notify_for", ""))
    elif action in ("disable", "enable"):
        set_active(user, action == "enable", by=current_user)
    else:
        abort(400)
    return None


@bp.route("/account", methods=["GET", "POST"])
@requires(*ANYONE)
def account():
    """Change one's own password; get an API token for one's own scripts (shown once)."""
    error, token = None, None
    if request.method == "POST":
        if request.form.get("action") == "token":
            with transaction():
                token = current_user.new_token()
        else:
            try:
                with transaction():
                    change_password(current_user, old=request.form.get("old_password", ""),
                                    new=request.form.get("new_password", ""),
                                    repeat=request.form.get("repeat_password", ""))
                login_user(current_user._get_current_object())  # this session goes on under the new session version
                flash(t("password.changed", current_lang()))
                return redirect(url_for("auth.account"))
            except InputError as err:
                error = err.as_dict()
    return render_template("auth/account.html", error=error, token=token), (400 if error else 200)
