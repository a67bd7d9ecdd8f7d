"""The child process that makes one web plan, under a memory ceiling (started by :mod:`webmap.jobs`).

It reads the layers from the database, plans (one community at a time above
:data:`planner.partition.AUTO_ABOVE` venues, as ``patrol plan --partition auto``), writes the plan's
files and stops, and reports its progress in the plan's row. Only the standard library is imported
at the top: the child imports the heavy libraries itself, *before* it sets its ceiling, so that
loading a library never fails half-way; the ceiling (``RLIMIT_AS``, the address space) still counts
them, with the interpreter, thread stacks and malloc arenas. A plan that needs more exits with
:data:`MEMORY_EXIT`, and the server marks it failed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import json
import logging
import os
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

from gis.i18n import gettext as _

log = logging.getLogger(__name__)

PLAN_LANG = "zh"  # the language of a web plan's files (map.html, sheets.html): its team pages in it are cut from them
MEMORY_EXIT = 3  # the exit code of a plan that ran out of its memory ceiling
#: The start of a plan's message while its files are out and its sheets.pdf is still being made.
PDF_PENDING = "sheets.pdf："


@dataclasses.dataclass(frozen=True)
class PlanJob:
    """What the child needs to make plan ``plan_id`` (picklable: it crosses into the spawned process)."""

    plan_id: int
    database_uri: str
    engine_options: dict[str, Any]
    rules_path: str
    out_dir: str
    base_url: str | None
    memory_limit: int  # bytes of address space
    partition_above: int


def main() -> None:
    """``python -m webmap.plan_worker``: the job as one JSON line on stdin.

    Stop when stdin ends (the server is gone).
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s plan-worker %(name)s: %(message)s")
    job = PlanJob(**json.loads(sys.stdin.buffer.readline()))
    threading.Thread(target=_exit_with_the_server, daemon=True).start()
    run(job)


def _exit_with_the_server() -> None:
    while os.read(sys.stdin.fileno(), 4096):  # unbuffered: no lock for the interpreter to wait on at exit
        pass
    log.warning("the server has gone: the plan stops")
    os._exit(1)


def run(job: PlanJob) -> None:
    """The child's entry point: heavy imports, then the ceiling, then the plan."""
    _import_libraries()
    _limit_memory(job.memory_limit)
    try:
        _make_plan(job)
    except Exception as err:
        if not _out_of_memory(err):
            raise
        os._exit(MEMORY_EXIT)  # nothing more can be allocated safely: the server records the failure


def _out_of_memory(err: BaseException) -> bool:
    return isinstance(err, MemoryError) or (isinstance(err, OSError) and err.errno == errno.ENOMEM)


def _import_libraries() -> None:
    import geopandas  # noqa: F401
    import pyogrio  # noqa: F401

    import ledger.store  # noqa: F401
    import planner.partition  # noqa: F401
    import planner.routing  # noqa: F401
    import webmap.outputs  # noqa: F401
    from webmap.sheets import pdf_available

    if pdf_available():
        import weasyprint  # noqa: F401


def _limit_memory(limit: int) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def _make_plan(job: PlanJob) -> None:
    from flask import Flask

    from gis.crs import local_utm
    from gis.roads import RoadNetwork
    from gis.rules import Rules
    from ledger.campaigns import campaign_scopes
    from ledger.models import PlanRun, db
    from ledger.plans import store_stops
    from ledger.roads import stored_roads
    from ledger.store import layers_from_db
    from planner import PlanParams, SolveParams, plan_days
    from planner.partition import plan_partitioned, wants_partition
    from webmap.outputs import add_sheets_pdf, write_outputs
    from webmap.sheets import pdf_available

    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI=job.database_uri, SQLALCHEMY_ENGINE_OPTIONS=job.engine_options)
    db.init_app(app)
    with app.app_context():
        run = db.session.get(PlanRun, job.plan_id)
        last = [0.0]

        def progress(fraction: float, message: str) -> None:
            now = time.perf_counter()
            if now - last[0] < 0.5 and fraction < 1:
                return
            last[0] = now
            run.progress, run.message = round(min(fraction, 1.0), 3), message
            db.session.commit()

        try:
            progress(0.0, _("reading layers"))
            layers = layers_from_db(Rules.from_toml(job.rules_path), as_of=run.start)
            last_day = run.start + dt.timedelta(days=run.days - 1)
            campaigns = campaign_scopes(run.start, last_day)  # 专项排查: their venues fall due within them
            if campaigns:
                layers = dataclasses.replace(layers, rules=layers.rules.with_campaigns(campaigns, run.start, last_day))
            if run.teams:
                layers = dataclasses.replace(layers, teams=layers.teams[layers.teams.index.isin(run.teams.split(";"))])
            params = PlanParams(days=run.days, solve=SolveParams(time_limit_s=run.time_limit_s))
            road_lines = stored_roads()  # travel along the imported roads (道路) when there are any, as --roads does
            if road_lines is not None:
                progress(0.02, _("building the road network from %(file)s", file=_("the imported roads")))
            roads = None if road_lines is None else RoadNetwork.from_lines(road_lines, local_utm(layers.grids),
                                                                           source=_("the imported roads"))
            planning = {"start": run.start, "params": params, "progress": lambda f, m: progress(0.03 + 0.57 * f, m),
                        "roads": roads}
            if wants_partition(layers, above=job.partition_above):
                plan = plan_partitioned(layers, workers=0, **planning)
            else:
                plan = plan_days(venues=layers.venues, teams=layers.teams, rules=layers.rules, hazards=layers.hazards,
                                 inspections=layers.inspections, grids=layers.grids, **planning)
            run.summary = write_outputs(plan, layers, job.out_dir, lang=PLAN_LANG, base_url=job.base_url, pdf=False,
                                        roads=road_lines, progress=lambda f, m: progress(0.6 + 0.38 * f, m))
            progress(0.99, _("storing the stops"))
            store_stops(job.plan_id, Path(job.out_dir) / "stops.csv")
            pdf = pdf_available()
            run.out_dir, run.status, run.progress = job.out_dir, "done", 1.0
            run.message = PDF_PENDING + _("being made") if pdf else _("finished")
            db.session.commit()  # the map, sheets and files are there now; the PDF follows with its own progress
            if pdf:
                _add_pdf(run, job.out_dir, add_sheets_pdf)
        except Exception as err:  # the page must show why; the traceback goes to the log
            if _out_of_memory(err):
                raise
            log.exception("plan %s failed", job.plan_id)
            db.session.rollback()
            run = db.session.get(PlanRun, job.plan_id)
            run.status, run.message = "failed", str(err)
            db.session.commit()


def _add_pdf(run, out_dir: str, add_sheets_pdf) -> None:
    """Make the plan's sheets.pdf after its other files, telling the plan's row how far it is."""
    from ledger.models import db

    last = [0.0]

    def progress(_fraction: float, message: str) -> None:
        if time.perf_counter() - last[0] >= 0.5:
            last[0] = time.perf_counter()
            run.message = f"{PDF_PENDING}{message}"
            db.session.commit()

    try:
        written = add_sheets_pdf(out_dir, progress=progress)
        run.message = _("finished") if written else _("done (sheets.pdf not written: no PDF output here)")
    except Exception as err:  # the plan stands without its PDF; the traceback goes to the log
        if _out_of_memory(err):
            raise
        log.exception("plan %s: sheets.pdf failed", run.id)
        db.session.rollback()
        run.message = _("done (sheets.pdf not written: %(why)s)", why=err)
    db.session.commit()


if __name__ == "__main__":
    main()
