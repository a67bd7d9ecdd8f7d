"""Web plans run in worker processes: a plan that needs too much memory fails alone, others wait their turn."""

from __future__ import annotations

import os
import time

import pytest

from web_helpers import login, post_form

PLAN = {"date": "2026-11-23", "days": "1", "time_limit": "1", "teams": ["T01"]}


pytestmark = pytest.mark.usefixtures("plan_workers_end")


def _start(client) -> int:
    response = post_form(client, "/plan", PLAN)
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def _state(client, plan_id: int) -> dict:
    return client.get(f"/plans/{plan_id}/progress").get_json()


def _wait(client, plan_id: int, *, seconds: float = 300) -> dict:
    """Poll until the plan ends (generous: the machine may be busy), answering other pages meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = _state(client, plan_id)
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.3)
    pytest.fail(f"plan {plan_id} did not end in {seconds} s: {state}")


def _wait_for_pdf(client, plan_id: int, *, seconds: float = 300) -> dict:
    """Poll a done plan until its sheets.pdf, which follows the other files, is made (or said not to be)."""
    from webmap.plan_worker import PDF_PENDING

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = _state(client, plan_id)
        if not state["message"].startswith(PDF_PENDING):
            return state
        time.sleep(0.3)
    pytest.fail(f"plan {plan_id}: sheets.pdf not made in {seconds} s: {state}")


def test_the_files_come_first_and_the_pdf_follows_into_the_same_folder(app, client):
    from ledger.models import PlanRun, db
    from webmap.jobs import plan_folder
    from webmap.plan_worker import PDF_PENDING
    from webmap.sheets import pdf_available

    login(client, "coord")
    plan_id = _start(client)
    assert _wait(client, plan_id)["status"] == "done"
    folder = plan_folder(app, plan_id)
    for name in ("stops.csv", "routes.geojson", "unassigned.csv", "summary.json", "map.html", "sheets.html"):
        assert (folder / name).stat().st_size > 0, name  # all there once the plan is done, PDF or not
    state = _wait_for_pdf(client, plan_id)
    assert state["status"] == "done" and state["message"].startswith("完成")
    if pdf_available():
        assert (folder / "sheets.pdf").read_bytes()[:5] == b"%PDF-"
        assert 'href="/plans/%d/files/sheets.pdf"' % plan_id in client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert not list(folder.glob(".*part"))  # nothing half-written left beside it
    with app.app_context():  # the page while the PDF is still being made: the files, and the PDF's own progress
        run = db.session.get(PlanRun, plan_id)
        run.message = f"{PDF_PENDING}已排版 1/2 张路线单 1 of 2 sheets laid out"
        db.session.commit()
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert 'id="pdf-status"' in page and "1/2" in page and 'id="files"' in page and "stops.csv" in page
    assert '<script nonce="' in page


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_web_plan_runs_in_a_worker_process_and_stores_its_stops(app, client):
    from ledger.models import PlanStop, db

    login(client, "coord")
    plan_id = _start(client)
    state = _wait(client, plan_id)
    assert state["status"] == "done", state["message"]
    assert state["progress"] == 1.0
    worker = app.extensions["plan_jobs"].worker_pid(plan_id)
    assert worker is not None and worker != os.getpid()
    with app.app_context():
        stops = db.session.scalars(db.select(PlanStop).where(PlanStop.plan_id == plan_id)).all()
    assert len(stops) == state["summary"]["visits"] > 0 and {s.team_id for s in stops} == {"T01"}
    _wait_for_pdf(client, plan_id)
    deadline = time.monotonic() + 30
    # the worker ends with its plan's PDF (reaped by the watcher)
    while _pid_alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _pid_alive(worker)


def test_a_plan_over_its_memory_ceiling_fails_alone_and_the_app_answers(app, client):
    login(client, "coord")
    app.config["PLAN_MEMORY_LIMIT"] = "200MiB"  # below what the worker's libraries alone take
    try:
        plan_id = _start(client)
        answered = 0
        while _state(client, plan_id)["status"] in ("queued", "running"):
            assert client.get("/map").status_code == 200  # others go on working meanwhile
            assert client.get("/api/v1/venues?limit=1").status_code == 200
            answered += 1
        state = _wait(client, plan_id)
    finally:
        app.config["PLAN_MEMORY_LIMIT"] = 4 * 2**30
    assert state["status"] == "failed"
    assert "计划所需内存超过上限" in state["message"] and "200 MiB" in state["message"]
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "计划所需内存超过上限（PLAN_MEMORY_LIMIT = 200 MiB）" in page
    assert client.get("/").status_code == 200 and answered >= 1
    again = _start(client)  # and the next plan, with the ceiling back, runs
    assert _wait(client, again)["status"] == "done"


def test_a_second_plan_waits_queued_with_its_place_while_the_first_runs(app, client):
    login(client, "coord")
    assert app.config["PLAN_JOBS"] == 1
    jobs = app.extensions["plan_jobs"]
    assert not jobs.running()  # the workers of earlier tests' plans have ended (the fixture above)
    first, second = _start(client), _start(client)
    waiting = _state(client, second)
    assert _state(client, first)["status"] == "running"
    assert waiting["status"] == "queued" and waiting["place"] == 1 and "排队第 1 位" in waiting["message"]
    assert "排队第 1 位" in client.get(f"/plans/{second}").get_data(as_text=True)
    while (now := _state(client, first))["status"] == "running":
        assert _state(client, second)["status"] == "queued"  # never two at once
        time.sleep(0.2)
    assert now["status"] == "done", now["message"]
    assert _wait(client, second)["status"] == "done"
    assert jobs.worker_pid(first) != jobs.worker_pid(second)


@pytest.mark.parametrize(("value", "n_bytes"), [(1024, 1024), ("4GiB", 4 * 2**30), ("200 MiB", 200 * 2**20),
                                                ("512M", 512 * 2**20), ("1.5g", int(1.5 * 2**30))])
def test_memory_limits_are_read_in_bytes_or_with_a_unit(value, n_bytes):
    from webmap.jobs import memory_limit_bytes

    assert memory_limit_bytes(value) == n_bytes


@pytest.mark.parametrize("value", ["", "lots", "-1", "0", 0, "4 parsecs"])
def test_a_wrong_memory_limit_is_refused(value):
    from webmap.jobs import memory_limit_bytes

    with pytest.raises(ValueError, match="PLAN_MEMORY_LIMIT"):
        memory_limit_bytes(value)


def test_plans_left_queued_or_running_by_a_stopped_server_are_failed_at_the_next_start(app):
    import datetime as dt

    from ledger.models import PlanRun, db
    from webmap.web import create_app

    with app.app_context():
        left = [PlanRun(created_by="coord", start=dt.date(2026, 11, 23),
                        status=status) for status in ("queued", "running")]
        db.session.add_all(left)
        db.session.commit()
        ids = [run.id for run in left]
    os.environ["PATROL_INSTANCE"] = app.instance_path
    try:  # the next start of the server on the same database
        restarted = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"], "LOAD_DEMO": False})
    finally:
        os.environ.pop("PATROL_INSTANCE", None)
    with restarted.app_context():
        db.engine.dispose()
    with app.app_context():
        runs = [db.session.get(PlanRun, plan_id) for plan_id in ids]
        assert [r.status for r in runs] == ["failed", "failed"]
        assert all("服务重启，计划中断" in r.message for r in runs)
