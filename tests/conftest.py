"""Shared fixtures: tiny layers built in code and written to files."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import write_instance  # noqa: E402

from gis.rules import Rules  # noqa: E402

TODAY = dt.date(2026, 11, 22)
PLAN_DAY = dt.date(2026, 11, 23)
REPO = Path(__file__).resolve().parent.parent


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
