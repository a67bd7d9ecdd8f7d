"""Rows written in bulk, a statement per :data:`CHUNK_ROWS` rows, with the import's progress told as they go."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.sql import Executable

from gis.i18n import gettext

from .models import db

#: Rows written per statement.
CHUNK_ROWS = 2000


def write_in_chunks(writes: Sequence[tuple[Executable, list[dict]]], *,
                    progress: Callable[[float, str], None] | None = None, start: float = 0.0) -> None:
    """Execute each statement with its rows, :data:`CHUNK_ROWS` at a time, in the caller's transaction.

    ``progress(share, message)`` hears after each chunk, the share running from ``start`` to 1.
    """
    chunks = [(statement, rows[i:i + CHUNK_ROWS]) for statement, rows in writes
              for i in range(0, len(rows), CHUNK_ROWS)]
    total, done = sum(len(rows) for _, rows in writes), 0
    for statement, chunk in chunks:
        db.session.execute(statement, chunk)
        done += len(chunk)
        if progress is not None:
            progress(start + (1 - start) * done / total, gettext("%(done)d of %(rows)d rows written", done=done,
                                                                 rows=total))
