"""Web pages people wait for: server seconds, bytes, and Chromium's time to the load event.

    PYTHONPATH=$PWD python benchmarks/web_pages.py [--venues 20000] [--repeat 2]

Builds a temporary instance (the demo street, or with ``--venues N`` a generated street of N
venues from ``benchmarks/generate.py`` imported with ``ledger.store.import_layer``), logs in as
the coordinator and asks for each page twice: the first request builds the layers, the second
shows what a page costs once they are kept per data version. Each page's HTML is then opened
from a file in headless Chromium (tiles blocked) and timed to its load event.
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

PAGES = ("/map/frame", "/gaps/frame", "/hotspots/frame")
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


def page_rows(instance: Path, venues: int) -> list[tuple[str, float, float, int, float]]:
    """(page, first s, next s, bytes, Chromium load s) of each page: the demo (``venues=0``) or a generated street."""
    instance.mkdir(parents=True, exist_ok=True)
    app = _app(instance, venues)
    client = app.test_client()
    _login(client)
    rows = []
    for path in PAGES:
        seconds = []
        for _ in range(2):
            start = time.perf_counter()
            response = client.get(path)
            seconds.append(time.perf_counter() - start)
        body = response.get_data()
        html = instance / (path.strip("/").replace("/", "_") + ".html")
        html.write_bytes(body)
        rows.append((path, seconds[0], seconds[1], len(body), _load_seconds(html)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venues", type=int, default=0, help="a generated street of this many venues (0: the demo)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        print("| page | first request s | next request s | bytes | Chromium load s |")
        print("|---|---|---|---|---|")
        for path, first, following, size, load in page_rows(Path(tmp), args.venues):
            print(f"| {path} | {first:.2f} | {following:.2f} | {size:,} | {load:.2f} |", flush=True)
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
