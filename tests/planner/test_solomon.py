"""The Solomon benchmark goes through the planner's own routing; its routes pass an evaluator of our own."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import solomon  # noqa: E402

INSTANCES = solomon.DEFAULT_DIR


def independent_check(path: Path, routes: list[list[int]]) -> tuple[float, list[str]]:
    """Re-read the instance text and re-evaluate routes from scratch (unrounded, start-of-service windows)."""
    rows = [ln.split() for ln in path.read_text().splitlines()]
    rows = [r for r in rows if len(r) == 7 and r[0].isdigit()]
    cap = int(next(r for r in (ln.split() for ln in path.read_text().splitlines()) if len(r) == 2
                   and r[0].isdigit())[1])
    node = {int(r[0]): [float(x) for x in r[1:]] for r in rows}
    errors, total, seen = [], 0.0, []
    for route in routes:
        t, load, here = node[0][3], 0, node[0]
        for c in route:
            there = node[c]
            leg = math.dist(here[:2], there[:2])
            total += leg
            t = max(t + leg, there[3])
            if t > there[4] + 1e-9:
                errors.append(f"customer {c} late")
            t += there[5]
            load += there[2]
            here = there
            seen.append(c)
        back = math.dist(here[:2], node[0][:2])
        total += back
        if t + back > node[0][4] + 1e-9:
            errors.append("late back at the depot")
        if load > cap:
            errors.append("over capacity")
    if sorted(seen) != sorted(k for k in node if k):
        errors.append("customers not each served once")
    return total, errors


def test_reader_matches_the_file():
    inst = solomon.read_instance(INSTANCES / "C101.txt")
    assert (inst.vehicles, inst.capacity) == (25, 200)
    assert len(inst.xy) == 101
    assert tuple(inst.xy[1]) == (45.0, 68.0) and inst.ready[1] == 912 and inst.due[1] == 967 and inst.service[1] == 90


def test_the_vrplib_reader_reads_what_the_solomon_reader_reads(tmp_path):
    # Gehring–Homberger instances come as VRPLIB (PyVRP's collection): the same instance written that way reads the
    # same.
    inst = solomon.read_instance(INSTANCES / "C101.txt")
    n = len(inst.xy)
    lines = [f"NAME : {inst.name}", "TYPE : CVRPTW", f"DIMENSION : {n}", f"VEHICLES : {inst.vehicles}",
             f"CAPACITY : {inst.capacity}", f"SERVICE_TIME : {inst.service[1]}", "EDGE_WEIGHT_TYPE : EUC_2D",
             "NODE_COORD_SECTION"]
    lines += [f"{i + 1} {x:g} {y:g}" for i, (x, y) in enumerate(inst.xy)] + ["DEMAND_SECTION"]
    lines += [f"{i + 1} {d}" for i, d in enumerate(inst.demand)] + ["TIME_WINDOW_SECTION"]
    lines += [f"{i + 1} {a} {b}" for i, (a,
                                         b) in enumerate(zip(inst.ready,
                                                             inst.due))] + ["DEPOT_SECTION", "1", "-1", "EOF"]
    (tmp_path / "C101.vrp").write_text("\n".join(lines) + "\n")
    again = solomon.read_instance(tmp_path / "C101.vrp")
    assert (again.name, again.vehicles, again.capacity) == (inst.name, inst.vehicles, inst.capacity)
    for field in ("xy", "demand", "ready", "due", "service"):
        assert (getattr(again, field) == getattr(inst, field)).all(), field


def test_evaluators_reject_a_broken_plan():
    inst = solomon.read_instance(INSTANCES / "R101.txt")
    one_route = [list(range(1, 101))]  # one vehicle for everything: late and over capacity
    _, mine = solomon.evaluate(inst, one_route)
    _, theirs = independent_check(INSTANCES / "R101.txt", one_route)
    assert mine and theirs
    _, missing = independent_check(INSTANCES / "R101.txt", [[1, 2]])
    assert "customers not each served once" in missing


@pytest.mark.slow
@pytest.mark.parametrize("name", ["C101", "R101", "RC201"])
def test_benchmark_routes_are_feasible_and_close(tmp_path, name):
    out = tmp_path / "routes.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "solomon.py"), "--time-limit", "2",
                           "--instances", name, "--routes-out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    routes = json.loads(out.read_text())[name]
    assert all(0 not in r for r in routes)
    distance, errors = independent_check(INSTANCES / f"{name}.txt", routes)
    assert errors == []
    bks = solomon.read_bks(INSTANCES)[name]
    row = done.stdout.strip().splitlines()[-1].split(",")
    assert int(row[2]) == len(routes) and abs(float(row[3]) - distance) < 0.01
    assert distance < bks[1] * 1.15  # within 15 % of the best known after 2 s
