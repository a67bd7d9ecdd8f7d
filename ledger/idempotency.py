"""Writes that happen once: a one-time form token or an API ``Idempotency-Key`` is claimed in the write's transaction.

The key's row is inserted first, in the same transaction as the write it guards. Two identical
requests at the same time both try to insert it; the database's unique key lets one through and
makes the other wait and then fail, and that one answers with what the first stored (no
check-then-insert race). A write that fails rolls its key back with it, so the corrected request
may use the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from gis.errors import PatrolError
from gis.i18n import gettext as _

from .models import WriteKey, db
from .transaction import transaction

MAX_KEY_CHARS = 200


class ReusedKeyError(PatrolError):
    """The same key came with a different request (the API answers 422)."""

    def __init__(self, key: str, *, field: str) -> None:
        self.field = field
        super().__init__(_("%(field)s: %(key)r was already used for a different request", field=field, key=key))

    def as_dict(self) -> dict[str, object]:
        return {"error": "idempotency_key_reused", "message": str(self), "file": "request", "row": None,
                "field": self.field}


@dataclass(frozen=True)
class Answer:
    """What a guarded write answered: its status and JSON body, and whether this is a stored answer given again."""

    status: int
    body: Any
    replayed: bool = False


def fingerprint(*parts: object) -> str:
    """A stable hash of what a request asks (method, path, body): a reused key must ask the same."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def once(key: str, asked: str, work: Callable[[], tuple[int, Any]], *, field: str = "Idempotency-Key") -> Answer:
    """Run ``work`` and commit it with ``key`` claimed, or give the answer stored for ``key`` before.

    Parameters
    ----------
    key
        The scoped key: ``"form:<token>"`` or ``"api:<user id>:<header>"``.
    asked
        :func:`fingerprint` of the request.
    work
        Does the write (without committing) and returns ``(status, JSON body)``.
    field
        Named in the error when the key was used for a different request.

    Raises
    ------
    ReusedKeyError
        When ``key`` was used before with a different ``asked``.
    """
    stored = db.session.get(WriteKey, key)
    if stored is not None:
        return _replay(stored, asked, field)
    try:
        with transaction():
            claim = WriteKey(key=key, fingerprint=asked, status=0, body="")
            db.session.add(claim)
            db.session.flush()  # a concurrent twin waits here on the unique key, then fails
            status, body = work()
            claim.status, claim.body = status, json.dumps(body, ensure_ascii=False)
    except IntegrityError:
        stored = db.session.get(WriteKey, key)
        if stored is None:  # the work's own conflict, not the key's
            raise
        return _replay(stored, asked, field)
    return Answer(status, body)


def _replay(stored: WriteKey, asked: str, field: str) -> Answer:
    if stored.fingerprint != asked:
        raise ReusedKeyError(stored.key.rsplit(":", 1)[-1], field=field)
    return Answer(stored.status, json.loads(stored.body or "null"), replayed=True)
