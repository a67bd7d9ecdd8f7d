"""Imports from the import page run in a background thread of the server, and the page polls their progress.

A big file (20,000 venues) takes seconds to check and write; the page shows how far it is, as the
plan page does for plans. The import itself is :func:`ledger.store.import_layer` as for the form
and the API: one transaction, nothing written when the file has a mistake. Each job is a row of
the database (:class:`ledger.models.ImportRun`), so whichever web worker the page's poll reaches
answers it, and its outcome outlives a restart; the last :data:`KEEP` rows are kept for their pages.

The progress is written through a connection of its own, never the import's session: that one
holds the import's rows until they all commit. SQLite has one writer at a time, and while the
import has written rows and not committed, that writer is the import: the row then keeps the last
progress written before, and the server that runs the import answers from its memory meanwhile.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import Flask
from sqlalchemy import delete, select, update

from gis.errors import InputError
from gis.i18n import gettext as _
from gis.i18n import use_language
from ledger.models import ImportRun, db, utcnow
from ledger.store import import_layer
from ledger.transaction import transaction

log = logging.getLogger(__name__)
KEEP = 200
#: A row still running, started by another server start this long ago, is an import that start never ended.
STALE = dt.timedelta(minutes=10)
#: At most one progress write per this many seconds (a 20,000-row import tells its progress often).
WRITE_EVERY_S = 0.25
_TABLE = ImportRun.__table__


@dataclass
class ImportJob:
    """An import's state as its page polls it: running, then done (with the counts) or failed (with the error)."""

    kind: str
    status: str = "running"
    progress: float = 0.0
    message: str = ""
    done: dict[str, object] | None = None
    error: dict[str, object] | None = None
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class ImportJobs:
    """The imports of the database's ``import_job`` rows, run in background threads of this server."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.boot = secrets.token_urlsafe(12)  # this server start's: a running row of another start may be orphaned
        self._lock = threading.Lock()
        self._live: dict[str, tuple[float, str]] = {}  # this server's running imports: their latest progress
        self._threads: list[threading.Thread] = []

    def start(self, kind: str, folder: Path, paths: list[Path], *, as_of: dt.date, crs: str | None, user: str,
              lang: str) -> str:
        """Import ``paths`` (saved in ``folder``, which the job deletes when it ends); the job's id."""
        run = ImportRun(kind=kind, status="running", progress=0.0, message="", files=[p.name for p in paths],
                        created_by=user, pid=os.getpid(), boot=self.boot)
        with transaction():
            db.session.add(run)
            db.session.flush()
            job_id = run.id
            newest = select(_TABLE.c.id).order_by(_TABLE.c.created_at.desc()).limit(KEEP).scalar_subquery()
            db.session.execute(delete(_TABLE).where(_TABLE.c.id.not_in(newest)))
        thread = threading.Thread(target=self._run, args=(job_id, kind, folder, paths),
                                  kwargs={"as_of": as_of, "crs": crs, "user": user, "lang": lang},
                                  name=f"import-{job_id}", daemon=True)
        with self._lock:
            self._live[job_id] = (0.0, "")
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return job_id

    def wait(self, timeout_s: float = 120) -> None:
        """Wait for the running imports to end (the app's end: none of them holds a database connection after)."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout_s)

    def get(self, job_id: str) -> ImportJob | None:
        """The job as the database has it (started by any worker), or None when there is none of that id."""
        with self._lock:
            live = self._live.get(job_id)  # read before the row: a thread writes its end, then leaves _live
        row = db.session.execute(select(_TABLE).where(_TABLE.c.id == job_id)).mappings().first()
        if row is None:
            return None
        job = ImportJob(kind=row["kind"], status=row["status"], progress=row["progress"], message=row["message"],
                        done=row["done"], error=row["error"], files=list(row["files"] or []))
        if job.status != "running":
            return job
        if live is not None:  # ours: fresher than the row while SQLite's one writer is the import
            job.progress, job.message = live
        elif row["boot"] != self.boot and utcnow() - row["created_at"] > STALE:
            job.message = _("the server restarted during the import; nothing or all of it was written: "
                            "check the ledger")
            job.status, job.error = "failed", {"error": "Error", "message": job.message}
        return job

    def _run(self, job_id: str, kind: str, folder: Path, paths: list[Path], *, as_of: dt.date, crs: str | None,
             user: str, lang: str) -> None:
        written = -WRITE_EVERY_S

        def progress(share: float, message: str) -> None:
            nonlocal written
            with self._lock:
                self._live[job_id] = (share, message)
            if time.monotonic() - written < WRITE_EVERY_S or _sqlite_write_held():
                return
            written = time.monotonic()
            try:
                _write(job_id, progress=share, message=message)
            except Exception:  # the import goes on: its end is written when it comes
                log.warning("progress of import %s not written", job_id, exc_info=True)

        try:
            with self.app.app_context(), use_language(lang):
                try:
                    done = import_layer(kind, paths, self.app.extensions["patrol"].rules, as_of=as_of, crs=crs,
                                        user=user, progress=progress)
                    end = {"status": "done", "done": done.as_dict(), "progress": 1.0, "message": _("imported")}
                except InputError as err:
                    end = {"status": "failed", "error": err.as_dict(), "message": str(err)}
                except Exception:  # the page must end: it says the import failed, the log says why
                    log.exception("import of %s failed", ", ".join(p.name for p in paths))
                    message = _("the import failed unexpectedly; nothing was changed")
                    end = {"status": "failed", "error": {"error": "Error", "message": message}, "message": message}
                finally:
                    db.session.remove()
                try:
                    _write(job_id, **end)
                except Exception:
                    log.exception("the end of import %s (%s) not written", job_id, end["status"])
        finally:
            with self._lock:
                self._live.pop(job_id, None)
            shutil.rmtree(folder, ignore_errors=True)


def _write(job_id: str, **values: object) -> None:
    """Set the job's row's ``values`` in a transaction of its own (not the import's: that one commits at its end)."""
    with db.engine.begin() as connection:
        connection.execute(update(_TABLE).where(_TABLE.c.id == job_id).values(**values))


def _sqlite_write_held() -> bool:
    """Whether this thread's session holds SQLite's write lock (the import's uncommitted rows): no other may write."""
    if db.engine.dialect.name != "sqlite":
        return False
    return bool(db.session.connection().connection.dbapi_connection.in_transaction)


def init_app(app: Flask) -> None:
    """The import jobs, as ``app.extensions['import_jobs']``."""
    app.extensions["import_jobs"] = ImportJobs(app)
