"""A big plan from the web app's plan page, while another user opens result forms on the same server.

    python benchmarks/web_plan.py --venues 20000 --teams 200 --time-limit 2 --work /tmp/web-plan

Generates a district (``benchmarks/generate.py``), imports it through ``ledger.store.import_layer``
into a fresh instance, serves it with ``patrol serve``, posts one day's plan from the plan page and,
until the plan ends, opens a stop's result form every 0.5 s. Prints (JSON) the peak RSS of the
server and of the plan's worker process (sampled every 0.2 s with psutil), the worker's peak address
space (what ``PLAN_MEMORY_LIMIT`` bounds), the result form's latency (median, 95th percentile, max)
and the plan's outcome.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from generate import generate  # noqa: E402

PASSWORD = "bench-coordinator-pw"


def load_instance(instance: Path, paths: dict[str, Path]) -> dict[str, int]:
    """A fresh instance holding the generated layers and a coordinator with a known password."""
    os.environ["PATROL_INSTANCE"] = str(instance)
    from ledger.models import User, db
    from ledger.store import import_layer
    from webmap.web import create_app

    app = create_app({"LOAD_DEMO": False})
    counts = {}
    with app.app_context():
        rules = app.extensions["patrol"].rules
        for kind in ("grids", "venues", "teams"):
            counts[kind] = import_layer(kind, [paths[kind]], rules, as_of=dt.date.today())
        user = User(username="bench", role="coordinator")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    return counts


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _sample(server: psutil.Process, peaks: dict[str, float], stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            peaks["server_rss"] = max(peaks["server_rss"], server.memory_info().rss)
            for child in server.children(recursive=True):
                info = child.memory_info()
                peaks["worker_rss"] = max(peaks["worker_rss"], info.rss)
                peaks["worker_vms"] = max(peaks["worker_vms"], info.vms)
        except psutil.Error:
            pass
        time.sleep(0.2)


def measure(instance: Path, *, time_limit: float, day: dt.date) -> dict[str, object]:
    port = _free_port()
    env = {**os.environ, "PATROL_INSTANCE": str(instance), "PATROL_INSECURE_COOKIES": "1", "PYTHONPATH": str(ROOT)}
    server = psutil.Popen([sys.executable, "-m", "patrol", "serve", "--port", str(port)], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    peaks = {"server_rss": 0.0, "worker_rss": 0.0, "worker_vms": 0.0}
    stop = threading.Event()
    try:
        for _ in range(120):
            try:
                requests.get(f"{base}/login", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.5)
        coordinator, colleague = requests.Session(), requests.Session()
        for session in (coordinator, colleague):
            page = session.get(f"{base}/login").text
            session.post(f"{base}/login", data={"username": "bench", "password": PASSWORD, "csrf_token": _token(page)})
        idle_rss = server.memory_info().rss
        threading.Thread(target=_sample, args=(server, peaks, stop), daemon=True).start()
        form = coordinator.get(f"{base}/plan").text
        started = time.perf_counter()
        posted = coordinator.post(f"{base}/plan", data={"date": day.isoformat(), "days": "1",
                                                        "time_limit": str(time_limit),
                                                         "csrf_token": _token(form)}, allow_redirects=False)
        plan_url = base + posted.headers["Location"]
        result_form = f"{base}/stops/{day.isoformat()}/T0001/V000001"
        latencies, state = [], {}
        while True:
            t0 = time.perf_counter()
            answer = colleague.get(result_form, timeout=60)
            latencies.append((time.perf_counter() - t0, answer.status_code))
            state = coordinator.get(f"{plan_url}/progress").json()
            if state["status"] in ("done", "failed"):
                break
            time.sleep(0.5)
        wall_s = time.perf_counter() - started
    finally:
        stop.set()
        server.terminate()
        server.wait(30)
    seconds = sorted(s for s, _ in latencies)
    return {"venues_plan_status": state["status"], "message": state["message"], "summary": state["summary"],
            "wall_s": round(wall_s, 1), "server_rss_idle_mib": round(idle_rss / 2**20),
            "server_rss_peak_mib": round(peaks["server_rss"] / 2**20),
            "worker_rss_peak_mib": round(peaks["worker_rss"] / 2**20),
            "worker_address_space_peak_mib": round(peaks["worker_vms"] / 2**20),
            "result_form_requests": len(seconds), "result_form_non_200": sum(1 for _, c in latencies if c != 200),
            "result_form_median_s": round(statistics.median(seconds), 3),
            "result_form_p95_s": round(seconds[int(0.95 * (len(seconds) - 1))], 3),
            "result_form_max_s": round(seconds[-1], 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venues", type=int, default=20000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--time-limit", type=float, default=2)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--reuse", action="store_true", help="plan again in the instance an earlier run left in --work")
    args = parser.parse_args(argv)
    counts, import_s = None, 0.0
    if not args.reuse:
        paths = generate(args.work / "in", venues=args.venues, teams=args.teams)
        t0 = time.perf_counter()
        counts = load_instance(args.work / "instance", paths)
        import_s = time.perf_counter() - t0
    result = {"imported": counts, "import_s": round(import_s, 1),
              **measure(args.work / "instance", time_limit=args.time_limit, day=dt.date.today() + dt.timedelta(days=1))}
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
