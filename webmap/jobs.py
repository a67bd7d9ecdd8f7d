"""Plans made in the background: the planner runs in a thread and reports its progress in the database."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pandas as pd
from flask import Flask

from gis.cells import read_text_csv
from ledger.models import PlanRun, PlanStop, db
from planner import PlanParams, plan_days

from .outputs import write_outputs

log = logging.getLogger(__name__)


def plan_folder(app: Flask, plan_id: int) -> Path:
    return Path(app.instance_path) / "plans" / str(plan_id)


def start_plan(app: Flask, plan_id: int, *, base_url: str | None = None) -> threading.Thread:
    """Run plan ``plan_id`` in a daemon thread; its row shows progress, then the summary or the error.

    ``base_url`` is the web app's address that the QR codes on the plan's route sheets open.
    """
    thread = threading.Thread(target=_run, args=(app, plan_id, base_url), name=f"plan-{plan_id}", daemon=True)
    thread.start()
    return thread


def _run(app: Flask, plan_id: int, base_url: str | None) -> None:
    with app.app_context():
        run = db.session.get(PlanRun, plan_id)
        last = [0.0]

        def progress(fraction: float, message: str) -> None:
            now = time.perf_counter()
            if now - last[0] < 0.5 and fraction < 1:
                return
            last[0] = now
            run.progress, run.message = round(min(fraction, 1.0), 3), message
            db.session.commit()

        try:
            run.status = "running"
            progress(0.0, "读取数据 reading layers")
            layers = app.extensions["patrol"].layers(run.start)
            if run.teams:
                layers = type(layers)(layers.grids, layers.venues, layers.teams.loc[run.teams.split(";")],
                                      layers.rules, layers.hazards, layers.inspections)
            params = PlanParams(days=run.days, time_limit_s=run.time_limit_s)
            plan = plan_days(venues=layers.venues, teams=layers.teams, rules=layers.rules, start=run.start, params=params,
                             hazards=layers.hazards, inspections=layers.inspections, grids=layers.grids,
                             progress=lambda f, m: progress(0.02 + 0.9 * f, m))
            progress(0.93, "写出文件 writing files")
            out = plan_folder(app, plan_id)
            run.summary = write_outputs(plan, layers, out, lang="zh", base_url=base_url)
            stops = read_text_csv(out / "stops.csv", dtype={"venue_id": str, "team_id": str})
            db.session.add_all(PlanStop(plan_id=plan_id, day=pd.Timestamp(r.day).date(), team_id=r.team_id, seq=int(r.seq),
                                        venue_id=r.venue_id, reason=r.reason, arrive=r.arrive, depart=r.depart)
                               for r in stops.itertuples())
            run.out_dir, run.status, run.progress, run.message = str(out), "done", 1.0, "完成 done"
            db.session.commit()
        except Exception as err:  # the page must show why; the traceback goes to the log
            log.exception("plan %s failed", plan_id)
            db.session.rollback()
            run = db.session.get(PlanRun, plan_id)
            run.status, run.message = "failed", str(err)
            db.session.commit()
