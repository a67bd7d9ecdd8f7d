"""Shared fixtures: tiny layers built in code and written to files, and the web app on SQLite and PostgreSQL.

The web app fixtures (``app``, ``client``, ``live_server``) run each test module that asks for
them against both databases. PostgreSQL comes from $TEST_DATABASE_URL or .ci/test-database-url
(written by .ci/setup). In CI a missing PostgreSQL is an error, not a skip.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gis.rules import Rules  # noqa: E402
from synth import write_instance  # noqa: E402
from web_helpers import CHROMIUM_ARGS, PASSWORDS  # noqa: E402

TODAY = dt.date(2026, 11, 22)
PLAN_DAY = dt.date(2026, 11, 23)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def english(monkeypatch):
    """Messages in English for the test: those of code outside a request, and ``patrol``'s (``PATROL_LANG``).

    For tests that assert the English texts (the msgids); Chinese is the default everywhere else.
    """
    from gis.i18n import use_language

    monkeypatch.setenv("PATROL_LANG", "en")
    with use_language("en"):
        yield


@pytest.fixture(scope="session")
def rules() -> Rules:
    return Rules.from_toml()


@pytest.fixture
def instance(tmp_path: Path) -> dict[str, Path]:
    """A small valid instance (4 grids, 40 venues, 2 teams) in tmp_path/in."""
    return write_instance(tmp_path / "in", n_venues=40)


@pytest.fixture(scope="session")
def demo_plan(tmp_path_factory) -> Path:
    """`patrol demo` run once (3 s solver limit) for the tests that read its files."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("demo") / "plan"
    done = subprocess.run([sys.executable, "-m", "patrol", "demo", "--out", str(out), "--time-limit", "3", "--quiet"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out


def missing(what: str) -> None:
    """Skip a test that needs ``what`` (a tool or service that ``.ci/setup`` installs); in CI, where everything
    is installed, fail instead: a missing install step must not pass as skipped checks."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI: .ci/setup should have installed it")
    pytest.skip(f"needs {what}: run `bash .ci/setup` to install it")


def postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    file = REPO / ".ci" / "test-database-url"
    if not url and file.exists():
        url = file.read_text().strip()
    return url or None


def _own_schema(url: str, name: str) -> str:
    """A fresh schema of our own in the test database, and the URL that makes it the default.

    Two test runs on one server (two checkouts, two people) would otherwise drop each other's tables.
    """
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE; CREATE SCHEMA "{name}"'))
    engine.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{name}"


def _drop_schema(url: str, name: str) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="module", autouse=True)
def _garbage_collected_after_each_module():
    """An object left open by a module (a database connection, a file) is closed by the garbage collector with a
    warning, whenever that runs: collect at the module's end, so that the warning fails the module that left it."""
    yield
    gc.collect()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    from ledger.models import User, db
    from webmap.web import create_app

    instance = tmp_path_factory.mktemp(f"instance-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{instance / 'patrol.sqlite'}"
    else:
        url = postgres_url()
        if url is None:
            missing("PostgreSQL")
        base, schema = url, f"test_{os.getpid()}_{request.module.__name__.rsplit('.', 1)[-1]}"
        url = _own_schema(base, schema)
    os.environ["PATROL_INSTANCE"] = str(instance)
    try:
        app = create_app({"TESTING": True, "DATABASE_URL": url, "TODAY": TODAY, "SESSION_COOKIE_SECURE": False,
                          "REMEMBER_COOKIE_SECURE": False, "SERVER_NAME": None})
    finally:
        os.environ.pop("PATROL_INSTANCE", None)
    with app.app_context():
        for name, role, team in (("coord", "coordinator", ""), ("patrol1", "patrol", "T01"), ("viewer", "viewer", "")):
            user = User(username=name, role=role, team_id=team)
            user.set_password(PASSWORDS[name])
            db.session.add(user)
        db.session.commit()
    yield app
    # a plan's watcher or an import's thread would hold a connection of the engine disposed below
    app.extensions["plan_jobs"].stop()
    app.extensions["import_jobs"].wait()
    with app.app_context():
        db.session.remove()
        leaked = db.engine.pool.checkedout()
        held = dict(db.session.registry.registry)
        db.engine.dispose()
    assert leaked == 0, f"connections still checked out at the end of the module: {leaked}; sessions {held}"
    if request.param == "postgresql":
        _drop_schema(base, schema)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def plan_workers_end(app):
    """No plan worker (nor its watcher, which writes to the database) outlives the test and meets the database's
    teardown: a web plan's sheets.pdf comes after the plan is done. Use it with ``pytest.mark.usefixtures``."""
    import time

    yield
    jobs = app.extensions["plan_jobs"]
    deadline = time.monotonic() + 180
    while jobs.running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not jobs.running()


@pytest.fixture(scope="module")
def live_server(app):
    """The app served on a loopback port (threaded), for browsers and concurrent clients."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium (Debian's) per test module, for the tests marked ``browser``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()
