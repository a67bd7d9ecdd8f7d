"""Plans made in the background: each runs in a worker process with a memory ceiling, a few at a time.

The server only queues plans and watches their processes (:mod:`webmap.plan_worker` does the work
and reports progress in the plan's row). A plan that needs more than ``PLAN_MEMORY_LIMIT`` (bytes,
or a text like ``"4GiB"``; default 4 GiB) of address space, or whose process is killed, fails alone
with a message on its page; the server goes on answering. ``PLAN_JOBS`` (default 1) plans run at a
time; the others wait "queued", first come first served, and their page shows their place.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

from flask import Flask

from gis.i18n import gettext as _
from ledger.models import PlanRun, db
from planner.partition import AUTO_ABOVE

from .plan_worker import MEMORY_EXIT, PDF_PENDING, PlanJob

log = logging.getLogger(__name__)

DEFAULT_MEMORY_LIMIT = 4 * 2**30
_CODE_ROOT = str(Path(__file__).resolve().parents[1])  # the worker runs the same code as the server
# One thread per numeric library in the worker: less address space reserved, and a core stays free for the server.
_WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def plan_folder(app: Flask, plan_id: int) -> Path:
    return Path(app.instance_path) / "plans" / str(plan_id)


def memory_limit_bytes(value: int | str) -> int:
    """``PLAN_MEMORY_LIMIT`` in bytes: a number of bytes, or a text like ``"4GiB"``, ``"200 MiB"``, ``"512M"``."""
    if isinstance(value, int) and value > 0:
        return value
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", str(value), flags=re.IGNORECASE)
    if match is None or float(match.group(1)) <= 0:
        msg = f"PLAN_MEMORY_LIMIT {value!r} should be a number of bytes or a size like 4GiB"
        raise ValueError(msg)
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def _gib(n_bytes: int) -> str:
    return f"{n_bytes / 2**30:.1f} GiB" if n_bytes >= 2**30 else f"{n_bytes / 2**20:.0f} MiB"


def failure_message(exitcode: int, memory_limit: int) -> str:
    """Why a plan's process ended without a result, for the plan page (Chinese first)."""
    if exitcode == MEMORY_EXIT:
        return _("The plan needed more memory than its ceiling (PLAN_MEMORY_LIMIT = %(limit)s) and was stopped "
                 "alone; the rest of the system is not affected. Plan fewer days or teams, or ask the administrator "
                 "to raise the ceiling.", limit=_gib(memory_limit))
    if exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else str(-exitcode)
        return _("The plan's process was killed (%(signal)s, most likely out of memory) and was stopped alone; "
                 "the rest of the system is not affected.", signal=name)
    return _("The plan's process ended unexpectedly (exit code %(code)d): plan again.", code=exitcode)


class PlanJobs:
    """The instance's plan queue: at most ``PLAN_JOBS`` worker processes at a time, the rest waiting in order."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._waiting: collections.deque[tuple[int, str | None]] = collections.deque()
        self._running: dict[int, subprocess.Popen] = {}
        self._pids: dict[int, int] = {}
        self._watchers: list[threading.Thread] = []
        self._stopped = False

    def submit(self, plan_id: int, *, base_url: str | None = None) -> None:
        """Queue plan ``plan_id`` (its row already stored, status "queued"); it starts when a place is free."""
        with self._lock:
            self._waiting.append((plan_id, base_url))
            self._start_waiting()

    def place(self, plan_id: int) -> int | None:
        """A queued plan's place in the queue (1: next to start), ``None`` when it is not waiting."""
        with self._lock:
            ids = [p for p, _ in self._waiting]
        return ids.index(plan_id) + 1 if plan_id in ids else None

    def running(self) -> list[int]:
        """The plans whose worker processes have not ended yet (a plan shows "done" a moment before)."""
        with self._lock:
            return sorted(self._running)

    def worker_pid(self, plan_id: int) -> int | None:
        """The process id of the worker that ran (or runs) ``plan_id`` in this server."""
        return self._pids.get(plan_id)

    def _start_waiting(self) -> None:
        """Start waiting plans while places are free (the caller holds the lock)."""
        while not self._stopped and self._waiting and len(self._running) < max(1, int(self.app.config["PLAN_JOBS"])):
            plan_id, base_url = self._waiting.popleft()
            job = self._job(plan_id, base_url)
            self._set_state(plan_id, "running", _("starting the plan's process"))
            try:
                process = _start_worker(job)
            except OSError as err:  # no process could be made (the machine is out of memory or processes)
                log.exception("plan %s: no worker process", plan_id)
                self._set_state(plan_id, "failed", _("could not start the plan's process: %(error)s", error=err))
                continue
            self._running[plan_id] = process
            self._pids[plan_id] = process.pid
            watcher = threading.Thread(target=self._watch, args=(plan_id, process, job.memory_limit),
                                       name=f"plan-{plan_id}-watch", daemon=True)
            self._watchers = [w for w in self._watchers if w.is_alive()] + [watcher]
            watcher.start()

    def stop(self, timeout_s: float = 60) -> None:
        """End the queue: waiting plans never start, running workers are stopped and their watchers have recorded it.

        After this no thread of the queue holds a database connection, so the database can be closed (the app's
        end, a test module's end).
        """
        with self._lock:
            self._stopped = True
            self._waiting.clear()
            processes, watchers = list(self._running.values()), list(self._watchers)
        for process in processes:
            process.terminate()
        for watcher in watchers:
            watcher.join(timeout_s)

    def _job(self, plan_id: int, base_url: str | None) -> PlanJob:
        config = self.app.config
        return PlanJob(plan_id=plan_id, database_uri=config["SQLALCHEMY_DATABASE_URI"],
                       engine_options=dict(config.get("SQLALCHEMY_ENGINE_OPTIONS", {})),
                       rules_path=str(config["RULES_PATH"]),
                       out_dir=str(plan_folder(self.app, plan_id)), base_url=base_url,
                       memory_limit=memory_limit_bytes(config["PLAN_MEMORY_LIMIT"]), partition_above=AUTO_ABOVE)

    def _watch(self, plan_id: int, process: subprocess.Popen, memory_limit: int) -> None:
        exitcode = process.wait()
        process.stdin.close()
        log.info("plan %s: worker %s ended with %s", plan_id, process.pid, exitcode)
        try:
            with self.app.app_context():
                try:
                    run = db.session.get(PlanRun, plan_id)
                    if run is not None and run.status in ("queued", "running"):  # the worker ended without saying how
                        run.status, run.message = "failed", failure_message(exitcode, memory_limit)
                        if exitcode == 0:
                            run.message = _("The plan's process ended without a result: plan again.")
                        db.session.commit()
                    elif run is not None and pdf_pending(run):
                        lost = failure_message(exitcode, memory_limit)
                        run.message = _("done (sheets.pdf not written: %(why)s)", why=lost)
                        db.session.commit()  # the plan stands; only its PDF was lost with the worker
                finally:
                    db.session.remove()
        except Exception:  # the database may be gone (the server stopping): the next start fails the plan
            log.exception("plan %s: could not record how its worker ended", plan_id)
        finally:
            with self._lock:
                del self._running[plan_id]
                self._start_waiting()

    def _set_state(self, plan_id: int, status: str, message: str) -> None:
        with self.app.app_context():
            run = db.session.get(PlanRun, plan_id)
            run.status, run.message = status, message
            db.session.commit()
            db.session.remove()


def _start_worker(job: PlanJob) -> subprocess.Popen:
    """A fresh interpreter running :mod:`webmap.plan_worker` (none of the server's memory, nor its main module).

    The job goes in as one JSON line on its stdin, which then stays open: when the server ends, the
    worker reads the end of it and stops too.
    """
    env = {**os.environ, **_WORKER_ENV,
           "PYTHONPATH": os.pathsep.join(p for p in (_CODE_ROOT, os.environ.get("PYTHONPATH", "")) if p)}
    process = subprocess.Popen([sys.executable, "-m", "webmap.plan_worker"], stdin=subprocess.PIPE, env=env,
                               cwd=_CODE_ROOT, close_fds=True)
    process.stdin.write(json.dumps(dataclasses.asdict(job)).encode() + b"\n")
    process.stdin.flush()
    return process


def init_app(app: Flask) -> None:
    """The plan jobs' settings and queue, as ``app.extensions['plan_jobs']``.

    Settings: ``PLAN_JOBS`` = 1, ``PLAN_MEMORY_LIMIT`` = 4 GiB unless set.
    """
    app.config.setdefault("PLAN_JOBS", 1)
    app.config.setdefault("PLAN_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
    memory_limit_bytes(app.config["PLAN_MEMORY_LIMIT"])  # a wrong setting stops the start, not the first plan
    app.extensions["plan_jobs"] = PlanJobs(app)


def pdf_pending(run: PlanRun) -> bool:
    """Whether a done plan's sheets.pdf is still being made (its other files are there)."""
    return run.status == "done" and (run.message or "").startswith(PDF_PENDING)


def start_plan(app: Flask, plan_id: int, *, base_url: str | None = None) -> None:
    """Queue plan ``plan_id``; its row shows its place, then its progress, then the summary or the error.

    ``base_url`` is the web app's address that the QR codes on the plan's route sheets open.
    """
    app.extensions["plan_jobs"].submit(plan_id, base_url=base_url)
