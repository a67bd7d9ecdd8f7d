"""`patrol notify` for the web app: one run with the app's rules and settings, and the optional background schedule.

``NOTIFY_EVERY_S`` (seconds; 0, the default, is off) runs it in a daemon thread of the server. Several server
processes may each run it: the messages' unique key keeps every message to one send.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from flask import Flask

from gis.timeparse import local_today
from ledger.notify import NotifySettings, RunReport, run_notify

log = logging.getLogger(__name__)


def notify_once(app: Flask, *, day: dt.date | None = None, dry_run: bool = False) -> RunReport:
    """Send what is due on ``day`` (default: the office's today, or the ``TODAY`` setting) with the app's settings.

    Raises
    ------
    InputError
        When ``SMTP_URL`` or ``NOTIFY_WEBHOOKS`` is malformed (naming the setting).
    """
    settings = NotifySettings.from_config(app.config)
    day = day or app.config.get("TODAY") or local_today(app.config["TIMEZONE"])
    with app.app_context():
        return run_notify(app.extensions["patrol"].rules, day, settings, dry_run=dry_run)


class Schedule:
    """The background runs of one app: ``stop()`` ends them (waiting for a run under way)."""

    def __init__(self, thread: threading.Thread, stop: threading.Event) -> None:
        self.thread, self.event = thread, stop

    def stop(self, timeout_s: float = 60.0) -> None:
        self.event.set()
        self.thread.join(timeout_s)


def init_app(app: Flask) -> None:
    """Start the schedule when ``NOTIFY_EVERY_S`` is more than 0 (as ``app.extensions["notify_schedule"]``)."""
    every = float(app.config.get("NOTIFY_EVERY_S") or 0)
    if every <= 0:
        return
    NotifySettings.from_config(app.config)  # a malformed setting stops the start, not a thread later
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                report = notify_once(app)
                if report.sent or report.failed:
                    log.info("notify: %d sent, %d failed", report.sent, report.failed)
            except Exception:  # keep the schedule alive; the next round tries again
                log.exception("notify: the scheduled run failed")

    thread = threading.Thread(target=loop, name="patrol-notify", daemon=True)
    app.extensions["notify_schedule"] = Schedule(thread, stop)
    thread.start()
