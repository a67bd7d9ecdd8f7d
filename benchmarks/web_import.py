"""Importing a generated street on the web import page, by wall clock.

    PYTHONPATH=$PWD python benchmarks/web_import.py [--venues 20000]

Generates a street (``benchmarks/generate.py``), makes a fresh instance without the demo, logs in
as a coordinator and uploads its grids, then its venues twice (the second time nothing changes:
an idempotent re-import), then its teams, through the import page's form (``POST /import``), each
timed from the upload to the answer; then, on a second fresh instance, the grids and twice the
venues as the page's script does it (a background job, polled every 0.2 s until done), with how
many different progress messages it showed.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

PASSWORD = "bench-import-pw-1"
STEPS = (("grids", "grids.geojson"), ("venues", "venues.csv"), ("venues", "venues.csv"), ("teams", "teams.csv"))


def _token(html: str, name: str) -> dict[str, str]:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    return {name: match.group(1)} if match else {}


def empty_client(instance: Path):
    """A logged-in coordinator's test client on a fresh instance without the demo street."""
    from ledger.models import User, db
    from webmap.web import create_app

    os.environ["PATROL_INSTANCE"] = str(instance)
    app = create_app({"DATABASE_URL": f"sqlite:///{instance / 'patrol.sqlite'}", "LOAD_DEMO": False,
                      "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False, "TESTING": True})
    with app.app_context():
        user = User(username="bench", role="coordinator", team_id="")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "bench", "password": PASSWORD, **_token(page, "csrf_token")})
    return client


def upload_seconds(client, kind: str, path: Path) -> float:
    """Seconds from posting ``path`` as a ``kind`` layer on the import page to its answer (which must be 200)."""
    page = client.get("/import").get_data(as_text=True)
    data = {**_token(page, "csrf_token"), **_token(page, "once"), "kind": kind,
            "file": (io.BytesIO(path.read_bytes()), path.name)}
    start = time.perf_counter()
    response = client.post("/import", data=data, content_type="multipart/form-data")
    seconds = time.perf_counter() - start
    if response.status_code != 200:
        msg = f"{kind} {path.name}: {response.status_code} {response.get_data(as_text=True)[-400:]}"
        raise RuntimeError(msg)
    return seconds


def job_seconds(client, kind: str, path: Path) -> tuple[float, int]:
    """Seconds from posting ``path`` to the background import (``/import/jobs``) until it is done; messages seen."""
    page = client.get("/import").get_data(as_text=True)
    data = {**_token(page, "csrf_token"), "kind": kind, "file": (io.BytesIO(path.read_bytes()), path.name)}
    start = time.perf_counter()
    job = client.post("/import/jobs", data=data, content_type="multipart/form-data").get_json()
    seen = set()
    while True:
        state = client.get(job["progress"]).get_json()
        seen.add(state["message"])
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    if state["status"] != "done":
        msg = f"{kind} {path.name}: {state['message']}"
        raise RuntimeError(msg)
    return time.perf_counter() - start, len(seen)


def import_rows(venues: int, work: Path) -> list[tuple[str, int, float]]:
    """(what, rows, seconds) of each upload of a generated street of ``venues`` venues."""
    from generate import generate

    paths = generate(work / "in", venues=venues, teams=max(2, venues // 100))
    client = empty_client(work / "instance")
    rows, seen = [], set()
    for kind, name in STEPS:
        what = f"{kind} ({'re-import' if kind in seen else 'new'})"
        seen.add(kind)
        n = sum(1 for _ in paths[kind].open(encoding="utf-8")) - 1 if name.endswith(".csv") else 0
        rows.append((what, n, upload_seconds(client, kind, paths[kind])))
    client = empty_client(work / "instance-jobs")  # the page's script: a new import as a background job
    job_seconds(client, "grids", paths["grids"])
    for what in ("new", "re-import"):
        seconds, messages = job_seconds(client, "venues", paths["venues"])
        rows.append((f"venues ({what}, background job: {messages} progress messages)", venues, seconds))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venues", type=int, default=20000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        print("| upload on /import | rows | seconds |")
        print("|---|---|---|")
        for what, n, seconds in import_rows(args.venues, Path(tmp)):
            print(f"| {what} | {n or ''} | {seconds:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
