"""Imports from the import page run in a background thread of the server, and the page polls their progress.

A big file (20,000 venues) takes seconds to check and write; the page shows how far it is, as the
plan page does for plans. The import itself is :func:`ledger.store.import_layer` as for the form
and the API: one transaction, nothing written when the file has a mistake. The jobs live in the
server's memory (``patrol serve`` is one process): the last :data:`KEEP` are kept for their pages.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import secrets
import shutil
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import Flask

from gis.errors import InputError
from gis.i18n import gettext as _
from gis.i18n import use_language
from ledger.models import db
from ledger.store import import_layer

log = logging.getLogger(__name__)
KEEP = 50


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
    """The server's imports in background threads, by id."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._jobs: collections.OrderedDict[str, ImportJob] = collections.OrderedDict()
        self._threads: list[threading.Thread] = []

    def start(self, kind: str, folder: Path, paths: list[Path], *, as_of: dt.date, crs: str | None, user: str,
              lang: str) -> str:
        """Import ``paths`` (saved in ``folder``, which the job deletes when it ends); the job's id."""
        job_id = secrets.token_urlsafe(12)
        job = ImportJob(kind=kind, files=[p.name for p in paths])
        thread = threading.Thread(target=self._run, args=(job, folder, paths),
                                  kwargs={"as_of": as_of, "crs": crs, "user": user, "lang": lang},
                                  name=f"import-{job_id}", daemon=True)
        with self._lock:
            self._jobs[job_id] = job
            while len(self._jobs) > KEEP:
                self._jobs.popitem(last=False)
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
        with self._lock:
            return self._jobs.get(job_id)

    def _run(self, job: ImportJob, folder: Path, paths: list[Path], *, as_of: dt.date, crs: str | None, user: str,
             lang: str) -> None:
        def progress(share: float, message: str) -> None:
            job.progress, job.message = share, message

        try:
            with self.app.app_context(), use_language(lang):
                try:
                    done = import_layer(job.kind, paths, self.app.extensions["patrol"].rules, as_of=as_of, crs=crs,
                                        user=user, progress=progress)
                    job.done, job.progress, job.message = done.as_dict(), 1.0, _("imported")
                    job.status = "done"
                except InputError as err:
                    job.error, job.message, job.status = err.as_dict(), str(err), "failed"
                except Exception:  # the page must end: it says the import failed, the log says why
                    log.exception("import of %s failed", ", ".join(job.files))
                    job.message = _("the import failed unexpectedly; nothing was changed")
                    job.error, job.status = {"error": "Error", "message": job.message}, "failed"
                finally:
                    db.session.remove()
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def init_app(app: Flask) -> None:
    """The import jobs, as ``app.extensions['import_jobs']``."""
    app.extensions["import_jobs"] = ImportJobs(app)
