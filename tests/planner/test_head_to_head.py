"""The head-to-head runner: runs numbered from --first-run, the project's PyVRP engine seeded by the run."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import head_to_head  # noqa: E402
import solomon  # noqa: E402

pytest.importorskip("pyvrp")


def test_runs_are_numbered_from_the_first_run_and_every_route_set_is_feasible(tmp_path, capsys):
    out = tmp_path / "rows.csv"
    head_to_head.main(["--dir", str(solomon.DEFAULT_DIR), "--instances", "C101", "--time-limit", "0.5",
                       "--engines", "", "--variant", 'engine={"engine": "pyvrp"}', "--first-run", "2",
                       "--runs", "2", "--csv", str(out)])
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert [(r["engine"], r["run"], r["feasible"]) for r in rows] == [("engine", "2", "True"), ("engine", "3", "True")]
    assert "| engine | 2 | 2 |" in capsys.readouterr().out
