"""Accounts of the web app: the coordinator makes, disables and re-enables them, everyone changes their own password.

Passwords are generated (never a fixed one) unless the user chooses one; only hashes are stored.
Each session carries the account's session version (``User.get_id``): logging out, a password
reset and disabling the account raise it, which ends every session of the account, on every
device, at its next request. A reset and disabling also revoke the account's API token (a reset
means the password may be known to someone else, who may have made a token with it); the owner
gets a new one on 我的账号.
"""

from __future__ import annotations

import re
import secrets

from gis.errors import InputError
from gis.i18n import gettext as _

from .models import ROLES, RecordEvent, Team, User, db

MIN_PASSWORD = 8
_NAME = re.compile(r"^[\w.\-@]{2,64}$")


def new_password() -> str:
    """A fresh password to hand out (shown once)."""
    return secrets.token_urlsafe(12)


def _check_password(password: str, *, field: str) -> None:
    if len(password) < MIN_PASSWORD:
        msg = _("%(field)s: should have at least %(n)d characters", field=field, n=MIN_PASSWORD)
        raise InputError(msg, file="user form", field=field)


def create_user(username: str, role: str, *, team_id: str = "", password: str = "") -> tuple[User, str]:
    """Add an account; return it with its password (generated when ``password`` is empty).

    Raises
    ------
    InputError
        When the name is taken or malformed, the role unknown, or a patrol account names no team of the database.
    """
    username = username.strip()
    if not _NAME.match(username):
        msg = _("username %(name)r: should be 2-64 letters, digits, or . - _ @", name=username)
        raise InputError(msg, file="user form", field="username")
    if db.session.scalar(db.select(User).where(User.username == username)) is not None:
        msg = _("username %(name)r: is taken", name=username)
        raise InputError(msg, file="user form", field="username")
    if role not in ROLES:
        msg = _("role %(role)r: should be one of %(choices)s", role=role, choices=", ".join(ROLES))
        raise InputError(msg, file="user form", field="role")
    team_id = team_id.strip() if role == "patrol" else ""
    team = db.session.get(Team, team_id) if role == "patrol" else None
    if role == "patrol" and (team is None or team.retired):
        msg = _("team_id %(team)r: is not a team in use: a patrol account belongs to one team", team=team_id)
        raise InputError(msg, file="user form", field="team_id")
    if password:
        _check_password(password, field="password")
    password = password or new_password()
    user = User(username=username, role=role, team_id=team_id)
    user.set_password(password)
    db.session.add(user)
    return user, password


def change_password(user: User, *, old: str, new: str, repeat: str) -> None:
    """The user's own change: the old password first, the new one twice."""
    if not user.check_password(old):
        msg = _("old_password: is wrong")
        raise InputError(msg, file="account form", field="old_password")
    _check_password(new, field="new_password")
    if new != repeat:
        msg = _("repeat_password: differs from new_password")
        raise InputError(msg, file="account form", field="repeat_password")
    user.set_password(new)
    user.end_sessions()  # a cookie copied before the change stops working (the caller logs this session in again)


def user_for_session(session_id: str) -> User | None:
    """The account of a session id ``"<user id>:<session version>"``, or ``None`` when the session has ended.

    A session ends when the account's version has moved on (logout, reset, disabling) or the account is
    disabled; ids without a version (sessions made before versions existed) have ended too.
    """
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()) or int(user_id) > 2**31 - 1:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or int(version) != (user.session_version or 0):
        return None
    return user


def reset_password(user: User) -> str:
    """A new generated password for ``user`` (returned, shown once); ends its sessions and revokes its API token."""
    password = new_password()
    user.set_password(password)
    user.end_sessions()
    user.token_hash = ""
    return password


def set_active(user: User, active: bool, *, by: User) -> None:
    """Disable (or re-enable) an account as coordinator ``by``, recorded in the audit trail; the caller commits.

    Disabling ends every session of the account and revokes its API token.

    Raises
    ------
    PermissionError
        When ``by`` is not a coordinator.
    InputError
        When disabling would leave no active coordinator.
    """
    if by.role != "coordinator":
        msg = _("only coordinators disable or enable accounts")
        raise PermissionError(msg)
    if user.active == active:
        return
    if not active and user.role == "coordinator":
        others = db.session.scalar(db.select(db.func.count()).select_from(User).where(
            User.role == "coordinator", User.active.is_(True), User.id != user.id))
        if not others:
            msg = _("active: %(name)r is the last active coordinator and cannot be disabled", name=user.username)
            raise InputError(msg, file="user form", field="active")
    user.active = active
    if not active:
        user.end_sessions()
        user.token_hash = ""
    db.session.add(RecordEvent(user=by.username, action="enable" if active else "disable", kind="user",
                               object_id=user.username))
