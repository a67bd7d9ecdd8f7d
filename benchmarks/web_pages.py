"""Web pages people wait for: server seconds, bytes, and Chromium's time to the load event.

    PYTHONPATH=$PWD python benchmarks/web_pages.py [--venues 20000] [--repeat 2]

Builds a temporary instance (the demo street, or with ``--venues N`` a generated street of N
venues from ``benchmarks/generate.py`` imported with ``ledger.store.import_layer``), logs in as
the coordinator and asks for each page twice: the first request builds the layers, the second
shows what a page costs once they are kept per data version. Each page's HTML is then opened
from a file in headless Chromium (tiles blocked) and timed to its load event.

With a plan folder written by ``patrol plan`` on the same street (``--plan``; :mod:`speed` passes its
own), the plan is stored as a web plan and its first team's route sheet and result form are timed too,
and the result form's latency is measured on a real threaded server, alone and while another
client opens the venue map again and again (:func:`form_latency`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # generate.py

PAGES = ("/map/frame", "/gaps/frame", "/hotspots/frame", "/review")
PASSWORD = "bench-password-1"


def _app(instance: Path, venues: int):
    from gis.rules import DEFAULT_RULES_PATH, Rules
    from ledger.models import User, db
    from ledger.store import import_layer
    from webmap.web import create_app

    os.environ["PATROL_INSTANCE"] = str(instance)
    app = create_app({"DATABASE_URL": f"sqlite:///{instance / 'patrol.sqlite'}", "LOAD_DEMO": venues == 0,
                      "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False, "TESTING": True})
    with app.app_context():
        if venues:
            from generate import generate

            paths = generate(instance / "in", venues=venues, teams=max(2, venues // 100))
            rules = Rules.from_toml(DEFAULT_RULES_PATH)
            for kind in ("grids", "venues", "teams", "inspections"):
                if paths.get(kind):
                    import_layer(kind, [paths[kind]], rules)
        user = User(username="bench", role="coordinator", team_id="")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    return app


def _login(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})


def _load_seconds(html_path: Path) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route("http*://**", lambda route: route.abort())  # no tiles: the page's own cost only
        start = time.perf_counter()
        page.goto(html_path.as_uri(), wait_until="load", timeout=600_000)
        seconds = time.perf_counter() - start
        browser.close()
    return seconds


def _store_plan(app, plan_dir: Path) -> tuple[str, str]:
    """Store ``plan_dir`` (a `patrol plan` folder) as a finished web plan: its sheet page and a result form."""
    import datetime as dt
    import shutil

    import pandas as pd

    from ledger.models import PlanRun, db
    from ledger.plans import store_stops
    from webmap.jobs import plan_folder

    stops = pd.read_csv(plan_dir / "stops.csv", dtype=str)
    first = stops.iloc[0]
    with app.app_context():
        run = PlanRun(created_by="bench", start=dt.date.fromisoformat(first["day"]), days=stops["day"].nunique(),
                      status="done", progress=1.0)
        db.session.add(run)
        db.session.flush()
        folder = plan_folder(app, run.id)
        shutil.copytree(plan_dir, folder)
        run.out_dir = str(folder)
        store_stops(run.id, folder / "stops.csv")
        db.session.commit()
        return (f"/plans/{run.id}/sheets/{first['team_id']}",
                f"/stops/{first['day']}/{first['team_id']}/{first['venue_id']}")


def page_rows(instance: Path, venues: int, plan_dir: Path | None = None,
              ) -> tuple[list[tuple[str, float, float, int, float]], dict[str, float] | None]:
    """(page, first s, next s, bytes, Chromium load s) of each page: the demo (``venues=0``) or a generated street.

    With ``plan_dir`` also the plan's first route sheet and result form, and :func:`form_latency` (else None).
    """
    instance.mkdir(parents=True, exist_ok=True)
    app = _app(instance, venues)
    client = app.test_client()
    _login(client)
    pages, form = list(PAGES), None
    if plan_dir is not None:
        sheet, form = _store_plan(app, plan_dir)
        pages += [sheet, form]
    rows = []
    for path in pages:
        seconds = []
        for _ in range(2):
            start = time.perf_counter()
            response = client.get(path)
            seconds.append(time.perf_counter() - start)
        if response.status_code != 200:
            msg = f"{path}: HTTP {response.status_code}"
            raise RuntimeError(msg)
        body = response.get_data()
        html = instance / (path.strip("/").replace("/", "_") + ".html")
        html.write_bytes(body)
        rows.append((path, seconds[0], seconds[1], len(body), _load_seconds(html)))
    return rows, (form_latency(app, form) if form else None)


def form_latency(app, form: str, *, requests: int = 40, map_opens: int = 6) -> dict[str, float]:
    """Median and worst seconds of ``requests`` GETs of the result form ``form`` on a threaded server on loopback.

    First alone, then while a second client opens /map/frame (at most ``map_opens`` times) without pause.

    The server is werkzeug's, one process with a thread per request: what the README's single-process
    deployment (``gunicorn -w 1 --threads 8``) shares between its requests too.
    """
    import statistics
    import threading
    from http.cookiejar import CookieJar
    from urllib.parse import urlencode
    from urllib.request import HTTPCookieProcessor, build_opener

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    def session():
        opener = build_opener(HTTPCookieProcessor(CookieJar()))
        page = opener.open(f"{base}/login").read().decode()
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        opener.open(f"{base}/login", urlencode({"username": "bench", "password": PASSWORD,
                                                "csrf_token": token}).encode()).read()
        return opener

    def timed(opener, path: str) -> float:
        start = time.perf_counter()
        with opener.open(base + path) as response:
            response.read()
        return time.perf_counter() - start

    try:
        worker, viewer = session(), session()
        alone = [timed(worker, form) for _ in range(requests)]
        done = threading.Event()

        def open_maps() -> None:
            for _ in range(map_opens):
                if done.is_set():
                    return
                timed(viewer, "/map/frame")
        loader = threading.Thread(target=open_maps)
        loader.start()
        busy = []
        while loader.is_alive() and len(busy) < requests:
            busy.append(timed(worker, form))
        done.set()
        loader.join()
    finally:
        server.shutdown()
    return {"alone_median": statistics.median(alone), "alone_max": max(alone),
            "busy_median": statistics.median(busy) if busy else float("nan"), "busy_max": max(busy, default=0.0),
            "busy_requests": len(busy)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venues", type=int, default=0, help="a generated street of this many venues (0: the demo)")
    parser.add_argument("--plan", type=Path, help="a `patrol plan` folder of the same street: its sheet and form too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        print("| page | first request s | next request s | bytes | Chromium load s |")
        print("|---|---|---|---|---|")
        rows, _latency = page_rows(Path(tmp), args.venues, args.plan)
        for path, first, following, size, load in rows:
            print(f"| {path} | {first:.2f} | {following:.2f} | {size:,} | {load:.2f} |", flush=True)
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
