"""The one way the app writes: ``with transaction():`` commits what the block did, or rolls all of it back."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .models import db


@contextlib.contextmanager
def transaction() -> Iterator[None]:
    """Commit the session when the block ends, roll it back when the block raises (and re-raise).

    SQLite waits for a busy database (``busy_timeout``, set where the engine is made), so no retry is needed here.
    """
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
