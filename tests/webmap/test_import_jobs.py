"""The import page's background imports are rows of the database: any web worker answers their poll.

A second app on the same database stands for a second worker process (``gunicorn -w 4``): it
never ran the import and answers from the row. The progress written while an import runs never
commits the import's own rows, and a job left running by a stopped server is reported failed.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from web_helpers import csrf_token, login

RESTARTED = {"zh": "导入期间服务器已重启，数据要么已全部写入，要么完全未写入：请核对台账",
             "en": "the server restarted during the import; nothing or all of it was written: check the ledger"}


@pytest.fixture(scope="module")
def second_worker(app):
    """Another app on the same database, as a second worker process has: its own server start, its own memory."""
    from ledger.models import db
    from webmap.web import create_app

    os.environ["PATROL_INSTANCE"] = app.instance_path
    try:
        other = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"], "TODAY": app.config["TODAY"],
                            "LOAD_DEMO": False, "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False,
                            "SERVER_NAME": None})
    finally:
        os.environ.pop("PATROL_INSTANCE", None)
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _venues_csv(app, folder: Path, n: int, *, prefix: str, bad_last: bool = False) -> Path:
    """``n`` new venues beside a stored one (its grid); with ``bad_last``, the last row's lon is not a number."""
    from ledger.models import Venue, db

    with app.app_context():
        near = db.session.scalars(sa.select(Venue).order_by(Venue.venue_id).limit(1)).one()
        lon, lat, grid = near.lon, near.lat, near.grid_id
    lines = ["venue_id,name,category,lon,lat,grid_id"]
    for k in range(n):
        x = "东经" if bad_last and k == n - 1 else f"{lon + (k % 50) * 1e-5:.6f}"
        lines.append(f"{prefix}{k:05d},场所{k},small_shop,{x},{lat + (k // 50) * 1e-6:.6f},{grid}")
    path = folder / "venues.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _start(client, path: Path) -> dict:
    page = client.get("/import").get_data(as_text=True)
    started = client.post("/import/jobs", data={"csrf_token": csrf_token(page), "kind": "venues",
                                                "file": (io.BytesIO(path.read_bytes()), path.name)},
                          content_type="multipart/form-data")
    assert started.status_code == 202, started.get_data(as_text=True)
    return started.get_json()


def _poll(client, job: dict) -> dict:
    for _ in range(1200):
        state = client.get(job["progress"]).get_json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"the import did not end: {state}")


def _venue_count(app) -> int:
    from ledger.models import Venue, db

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Venue))


def _version(app) -> int:
    from ledger.layer_cache import data_version
    from ledger.models import db

    with app.app_context():
        version = data_version()
        db.session.remove()
        return version


@pytest.fixture
def seen_while_running(app, monkeypatch):
    """What the database held after each progress report of the imports: the job's row and the venues' count.

    Read on a connection of its own (as another worker would) right after the import told its progress; every
    progress report is written (no throttle), unless SQLite's one writer is the import itself.
    """
    import webmap.imports
    from ledger.models import ImportRun, Venue, db

    seen: list[dict] = []
    real = webmap.imports.import_layer

    def import_layer(*args, progress, **kwargs):
        def told(share: float, message: str) -> None:
            progress(share, message)
            with db.engine.connect() as conn:
                row = conn.execute(sa.select(ImportRun.status, ImportRun.progress,
                                             ImportRun.message)).mappings().all()
                venues = conn.execute(sa.select(sa.func.count()).select_from(Venue)).scalar_one()
            seen.append({"told": share, "rows": [dict(r) for r in row], "venues": venues})
        return real(*args, progress=told, **kwargs)

    monkeypatch.setattr(webmap.imports, "import_layer", import_layer)
    monkeypatch.setattr(webmap.imports, "WRITE_EVERY_S", 0.0)
    return seen


def _clear_jobs(app) -> None:
    from ledger.models import ImportRun, db

    with app.app_context():
        db.session.execute(sa.delete(ImportRun))
        db.session.commit()


def test_a_second_worker_answers_the_poll_of_an_import_it_never_ran(app, second_worker, tmp_path):
    a, b = app.test_client(), second_worker.test_client()
    login(a, "coord")
    login(b, "coord")
    before = _venue_count(app)
    job = _start(a, _venues_csv(app, tmp_path, 30, prefix="W2V"))
    state = _poll(b, job)  # every poll answered by the worker that did not run the import
    assert state == _poll(a, job)
    assert (state["status"], state["progress"], state["kind"], state["files"]) == ("done", 1.0, "venues",
                                                                                  ["venues.csv"])
    assert state["done"] == {"kind": "venues", "rows": 30, "new": 30, "changed": 0, "unchanged": 0}
    assert _venue_count(second_worker) == before + 30
    page = b.get(job["page"])
    assert page.status_code == 200 and '<td id="n-new">30</td>' in page.get_data(as_text=True)
    assert b.get("/import/jobs/no-such-job").status_code == 404
    assert b.get("/import?job=no-such-job").status_code == 404


def test_progress_rows_never_commit_the_imports_rows(app, tmp_path, seen_while_running):
    from ledger.store import READ_SHARE

    client = app.test_client()
    login(client, "coord")
    _clear_jobs(app)
    before, version = _venue_count(app), _version(app)
    state = _poll(client, _start(client, _venues_csv(app, tmp_path, 2500, prefix="PRV")))  # two chunks of 2,000
    assert state["status"] == "done" and state["done"]["new"] == 2500
    assert _venue_count(app) == before + 2500
    assert _version(app) == version + 1  # the import bumped the layers' version once; its progress rows never
    held = [s["rows"][0] for s in seen_while_running]
    assert all(r["status"] == "running" for r in held)
    assert all(s["venues"] == before for s in seen_while_running)  # nothing of the import visible meanwhile
    assert held[0]["message"].startswith("正在读取并校验")
    assert {s["told"] for s in seen_while_running} > {0.0, READ_SHARE}  # progress after each chunk written too
    written = [r["progress"] for r in held]
    if app.config["DATABASE_URL"].startswith("sqlite"):  # one writer: the import, till it commits
        assert max(written) == READ_SHARE
    else:  # a chunk's progress committed while its rows were not
        assert max(written) > READ_SHARE


def test_a_mistake_on_a_late_row_writes_no_venue_though_progress_was_stored(app, tmp_path, seen_while_running):
    client = app.test_client()
    login(client, "coord")
    _clear_jobs(app)
    before, version = _venue_count(app), _version(app)
    state = _poll(client, _start(client, _venues_csv(app, tmp_path, 2500, prefix="BADV", bad_last=True)))
    assert state["status"] == "failed" and state["done"] is None
    assert (state["error"]["file"], state["error"]["row"], state["error"]["field"]) == ("venues.csv", 2501, "lon")
    assert state["message"] == state["error"]["message"]
    assert _venue_count(app) == before and _version(app) == version
    stored = [s["rows"][0] for s in seen_while_running]
    assert stored and stored[0]["status"] == "running" and stored[0]["message"].startswith("正在读取并校验")


def _orphan(app, *, minutes: float) -> str:
    """A row left running by an earlier server start, started ``minutes`` ago."""
    from ledger.models import ImportRun, db, utcnow

    with app.app_context():
        run = ImportRun(kind="venues", status="running", progress=0.7, message="2000 of 2500 rows written",
                        files=["venues.csv"], created_by="coord", pid=1, boot="an-earlier-start",
                        created_at=utcnow() - dt.timedelta(minutes=minutes))
        db.session.add(run)
        db.session.commit()
        return run.id


def test_an_import_of_a_stopped_server_is_reported_failed_not_running_forever(app, second_worker):
    client = app.test_client()
    login(client, "coord")
    old, recent = _orphan(app, minutes=11), _orphan(app, minutes=2)
    for lang in ("zh", "en"):
        state = client.get(f"/import/jobs/{old}?lang={lang}").get_json()
        assert (state["status"], state["message"]) == ("failed", RESTARTED[lang])
        assert state["error"] == {"error": "Error", "message": RESTARTED[lang]} and state["done"] is None
        page = client.get(f"/import?job={old}&lang={lang}")
        assert page.status_code == 400 and RESTARTED[lang] in page.get_data(as_text=True)
    # another worker's import of a few minutes ago may still be running
    assert client.get(f"/import/jobs/{recent}").get_json()["status"] == "running"
    other = second_worker.test_client()  # and every worker says the same of both
    login(other, "coord")
    assert other.get(f"/import/jobs/{old}").get_json()["message"] == RESTARTED["zh"]
    assert other.get(f"/import/jobs/{recent}").get_json()["status"] == "running"


def test_only_the_last_jobs_are_kept(app, tmp_path):
    from ledger.models import ImportRun, db, utcnow
    from webmap.imports import KEEP

    _clear_jobs(app)
    long_ago = utcnow() - dt.timedelta(days=30)
    with app.app_context():
        db.session.execute(sa.insert(ImportRun), [
            {"id": f"old{k:04d}", "kind": "venues", "status": "done", "progress": 1.0, "message": "", "files": [],
             "created_by": "coord", "created_at": long_ago + dt.timedelta(seconds=k), "pid": 1, "boot": "x"}
            for k in range(KEEP + 5)])
        db.session.commit()
    client = app.test_client()
    login(client, "coord")
    job = _start(client, _venues_csv(app, tmp_path, 3, prefix="KPV"))
    assert _poll(client, job)["status"] == "done"
    with app.app_context():
        ids = set(db.session.scalars(sa.select(ImportRun.id)))
    assert len(ids) == KEEP and job["id"] in ids
    assert {f"old{k:04d}" for k in range(6)}.isdisjoint(ids) and f"old{KEEP + 4:04d}" in ids


def test_the_import_jobs_migration_goes_down_and_up_again(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import downgrade, upgrade

    from ledger.models import db
    from webmap.web import MIGRATIONS

    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config(str(MIGRATIONS)))
        assert script.get_heads() == ["i1m2p3o4r5t6"]
        assert script.get_revision("i1m2p3o4r5t6").down_revision == "s1p2a3t4i5a6"
        db.session.remove()
        downgrade(directory=str(MIGRATIONS), revision="s1p2a3t4i5a6")
        assert "import_job" not in sa.inspect(db.engine).get_table_names()
        upgrade(directory=str(MIGRATIONS))
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("import_job")}
    assert columns == {"id", "kind", "status", "progress", "message", "done", "error", "files", "created_by",
                       "created_at", "pid", "boot"}
