"""`python app.py` and `patrol serve` as a newcomer starts them: PATROL_INSTANCE, the demo, a generated password."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(command: list[str], instance: Path, port: int) -> tuple[subprocess.Popen, str]:
    """Start the server; return it and what it printed up to "Running on"."""
    env = {**os.environ, "PATROL_INSTANCE": str(instance), "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, str(ROOT / command[0]), *command[1:], "--port", str(port)],
                            cwd=instance.parent, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    said = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        said.append(line)
        if "Running on" in line:
            return proc, "".join(said)
    proc.kill()
    proc.wait(30)
    proc.stderr.close()
    pytest.fail("the server did not start:\n" + "".join(said))


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(30)
    proc.stderr.close()


def _request(port: int, method: str, path: str, cookies: SimpleCookie,
             body: dict | None = None) -> http.client.HTTPResponse:
    """One request that sends the session cookie back the way a browser on localhost does (Secure or not)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": "; ".join(f"{k}={v.value}" for k, v in cookies.items())}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    response.text = response.read().decode()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    conn.close()
    return response


def test_first_start_loads_the_demo_and_prints_a_password_that_logs_in(tmp_path):
    instance = tmp_path / "office"
    port = _free_port()
    proc, said = _start(["app.py"], instance, port)
    try:
        password = re.search(r"Log in as 'coordinator' with password: (\S+)", said).group(1)
        assert "loaded the demo street" in said and str(instance) in said
        assert (instance / "patrol.sqlite").exists() and (instance / "secret_key").exists()
        cookies = SimpleCookie()
        page = _request(port, "GET", "/login", cookies)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        assert "Secure" in page.headers["Set-Cookie"] and "HttpOnly" in page.headers["Set-Cookie"]
        wrong = _request(port, "POST", "/login", cookies,
                         {"username": "coordinator", "password": "x", "csrf_token": token})
        assert wrong.status == 200 and "用户名或密码错误" in wrong.text
        ok = _request(port, "POST", "/login", cookies,
                      {"username": "coordinator", "password": password, "csrf_token": token})
        assert ok.status == 302
        front = _request(port, "GET", "/", cookies)
        assert front.status == 200 and "工作台" in front.text and "整改期限预警" in front.text
    finally:
        _stop(proc)
    other = _free_port()
    proc, said = _start(["patrol.py", "serve"], instance, other)  # the same office the next morning
    try:
        assert "password" not in said and "loaded the demo" not in said
        cookies = SimpleCookie()
        login_page = _request(other, "GET", "/login", cookies)
        assert login_page.headers.get_all("Server") == ["patrol"]  # no Werkzeug/x.y Python/x.y
        assert login_page.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert "nonce-" in login_page.headers["Content-Security-Policy"]
        token = re.search(r'name="csrf_token" value="([^"]+)"', login_page.text).group(1)
        again = _request(other, "POST", "/login", cookies,
                         {"username": "coordinator", "password": password, "csrf_token": token})
        assert again.status == 302
    finally:
        _stop(proc)


def test_a_plan_cut_off_by_a_restart_says_so(tmp_path, monkeypatch):
    """A plan that was running when the server stopped is marked failed with the reason at the next start."""
    import datetime as dt

    from ledger.models import PlanRun, db
    from webmap.web import create_app

    monkeypatch.setenv("PATROL_INSTANCE", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'patrol.sqlite'}"
    config = {"TESTING": True, "DATABASE_URL": url, "LOAD_DEMO": False, "SECRET_KEY": "test"}
    app = create_app(config)
    with app.app_context():
        db.session.add(PlanRun(created_by="coord", start=dt.date(2026, 11, 23), status="running", progress=0.4))
        db.session.add(PlanRun(created_by="coord", start=dt.date(2026, 11, 22), status="done", progress=1.0))
        db.session.commit()
        db.engine.dispose()
    again = create_app(config)
    with again.app_context():
        runs = {r.start.day: r for r in db.session.scalars(db.select(PlanRun))}
        assert runs[23].status == "failed" and "重启" in runs[23].message  # the server restarted: plan again
        assert runs[22].status == "done"
        db.engine.dispose()


def test_patrol_user_resets_a_forgotten_password_and_makes_accounts(tmp_path, monkeypatch, capsys):
    import patrol
    from ledger.models import User, db
    from webmap.web import create_app

    monkeypatch.setenv("PATROL_INSTANCE", str(tmp_path))
    app = create_app({"LOAD_DEMO": False})
    with app.app_context():
        db.session.add(User(username="coordinator", role="coordinator", password_hash="forgotten"))
        db.session.commit()
        db.engine.dispose()
    assert patrol.main(["user", "coordinator"]) == 0
    password = capsys.readouterr().out.strip().split(": ")[1]
    assert patrol.main(["user", "viewer1", "--role", "viewer"]) == 0
    viewer_password = capsys.readouterr().out.strip().split(": ")[1]
    assert patrol.main(["user", "ghost"]) == 2 and "--role" in capsys.readouterr().err
    assert patrol.main(["user", "p1", "--role", "patrol", "--team",
                        "T99"]) == 2 and "team_id" in capsys.readouterr().err
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(db.select(User))}
        assert users["coordinator"].check_password(password) and users["viewer1"].check_password(viewer_password)
        assert set(users) == {"coordinator", "viewer1"}
        db.engine.dispose()
