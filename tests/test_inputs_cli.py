"""The command line: one clear line for every failure, never a raw traceback; 'today' is the office's day."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

import patrol
from inputgen import minimal_files
from test_inputs_minimal import run_patrol

ROOT = Path(__file__).resolve().parent.parent


def test_an_unexpected_error_is_one_line_and_a_traceback_file(capsys):
    try:
        {}["missing"]
    except KeyError as err:
        code = patrol._report_unexpected(err)
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith("patrol: 意外错误（test_inputs_cli.py:") and "KeyError：'missing'" in lines[0]
    trace = Path(lines[0].rsplit(" ", 1)[-1].rstrip(")"))
    try:
        assert "Traceback (most recent call last)" in trace.read_text(encoding="utf-8")
    finally:
        trace.unlink()


def test_a_folder_that_cannot_be_used_is_one_line_exit_2(tmp_path):
    layers = minimal_files(tmp_path / "in")
    (tmp_path / "a-file").write_text("x")
    run = subprocess.run([sys.executable, "-m", "patrol", "gaps", "--grids", layers["grids"], "--venues",
                          layers["venues"],
                          "--teams", layers["teams"], "--out", tmp_path / "a-file" / "out", "--quiet"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [f"patrol: {tmp_path / 'a-file'}: File exists"]
    missing = subprocess.run([sys.executable, "-m", "patrol", "sheets", "--grids", layers["grids"], "--venues",
                              layers["venues"],
                              "--teams", layers["teams"], "--plan", tmp_path / "no-plan", "--out",
                              tmp_path / "s", "--quiet"],
                             capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 2 and missing.stderr.strip().splitlines() == [
        f"patrol: {tmp_path / 'no-plan' / 'stops.csv'}: No such file or directory"]


@pytest.mark.parametrize("zone",
                         ["Pacific/Kiritimati", "Pacific/Pago_Pago"])  # UTC+14, UTC-11: one is never on UTC's day
def test_the_default_date_is_today_in_the_office_time_zone(tmp_path, monkeypatch, zone):
    layers = minimal_files(tmp_path / "in")
    monkeypatch.setenv("TIMEZONE", zone)
    office_today = dt.datetime.now(ZoneInfo(zone)).date()
    for day, expected in ((office_today, 0), (office_today + dt.timedelta(days=1), 2)):
        pd.DataFrame({"venue_id": ["V03"], "date": [day.isoformat()]}).to_csv(tmp_path / "seen.csv", index=False)
        code, err = run_patrol("gaps", "--grids", layers["grids"], "--venues", layers["venues"], "--teams",
                               layers["teams"],
                               "--inspections", tmp_path / "seen.csv", "--quiet", "--out", tmp_path / "gaps")
        assert code == expected, err
    assert f"date {office_today + dt.timedelta(days=1)} 是未来的日期" in err


def test_a_wrong_time_zone_names_the_flag(tmp_path):
    layers = minimal_files(tmp_path / "in")
    code, err = run_patrol("gaps", "--grids", layers["grids"], "--venues", layers["venues"], "--teams", layers["teams"],
                           "--tz", "Mars/Base", "--quiet", "--out", tmp_path / "gaps")
    assert code == 2
    assert err.strip() == "patrol: 命令行：--tz 'Mars/Base' 不是时区（例如 Asia/Shanghai、Asia/Urumqi）"


def test_the_command_speaks_english_when_asked(tmp_path, monkeypatch):
    layers = minimal_files(tmp_path / "in")
    monkeypatch.setenv("PATROL_LANG", "en")
    code, err = run_patrol("gaps", "--grids", layers["grids"], "--venues", layers["venues"], "--teams", layers["teams"],
                           "--tz", "Mars/Base", "--quiet", "--out", tmp_path / "gaps")
    assert code == 2
    assert err.strip() == "patrol: command line: --tz 'Mars/Base' is not a time zone (e.g. Asia/Shanghai, Asia/Urumqi)"


def test_help_and_the_command_lines_own_errors_are_in_chinese_and_english_when_asked(monkeypatch, capsys):
    import argparse

    def said(*argv: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as done:
            patrol.main(list(argv))
        out = capsys.readouterr()
        return done.value.code, out.out, out.err.strip()

    words = argparse._
    code, shown, _ = said("plan", "--help")
    assert code == 0 and shown.startswith("用法：patrol plan") and "显示本帮助并退出" in shown
    assert "网格面（GeoJSON、GPKG、SHP）" in shown
    code, _, err = said("plan", "--grids", "g", "--venues", "v", "--teams", "t", "--people", "p")
    assert code == 2 and err.endswith("patrol plan：错误：参数 --people：不能与参数 --teams 同时使用"), err
    assert said("plan", "--days", "0")[2].endswith("参数 --days：0 应为 1 或更大")
    assert argparse._ is words  # argparse speaks as before once patrol is done (pytest's own parser, say)
    monkeypatch.setenv("PATROL_LANG", "en")
    assert said("plan", "--help")[1].startswith("usage: patrol plan")
    code, _, err = said("plan")
    assert code == 2 and "patrol plan: error: the following arguments are required: --grids" in err, err
