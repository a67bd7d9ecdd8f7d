"""No traceback, ever, from input.

Files as users bring them either plan (and the checker agrees) or exit 2 naming file, row, field.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from checker import check_plan
from inputgen import PLAN_DAY, cases, write_clean, write_messy
from test_inputs_minimal import layer_args, run_patrol


def expected_error(paths: dict[str, Path], flaw) -> re.Pattern:
    """``patrol: venues.xlsx 第 3 行：category …`` (Chinese, the default): the file, the row (Excel numbering) and the
    field of the flaw."""
    file = re.escape(paths[flaw.layer].name)
    return re.compile(rf"^patrol: {file} 第 {flaw.row + 2} 行：{flaw.field}(?![A-Za-z0-9_])")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=cases())
def test_files_as_users_bring_them_plan_or_name_the_mistake(case):
    truth, styles, flaw = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write_messy(truth, styles, folder / "in", flaw=flaw)
        out = folder / "out"
        code, err = run_patrol("plan", *layer_args(paths), "--time-limit", "0.3", "--no-pdf", "--quiet", "--out", out)
        assert "Traceback" not in err
        if flaw is not None:
            assert code == 2, err
            assert expected_error(paths, flaw).search(err), err
            assert not out.exists()  # nothing half-written
            return
        assert code == 0, err
        clean = write_clean(truth, folder / "clean", styles)
        assert check_plan(out, grids=clean["grids"], venues=clean["venues"], teams=clean["teams"], date=PLAN_DAY,
                          hazards=clean.get("hazards"), inspections=clean.get("inspections")) == []
