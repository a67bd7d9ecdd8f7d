"""planner.contract names what docs/contract.md promises, and write_outputs writes just that."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from planner import contract

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_DOC = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")


def test_every_name_of_the_contract_module_is_on_the_contract_page():
    files = [contract.STOPS_FILE, contract.ROUTES_FILE, contract.UNASSIGNED_FILE, contract.SUMMARY_FILE,
             contract.MAP_FILE, contract.SHEETS_FILE, contract.SHEETS_PDF_FILE]
    assert all(f"`{name}`" in CONTRACT_DOC for name in files)
    stops_line = next(ln for ln in CONTRACT_DOC.splitlines() if "`stops.csv`:" in ln)
    assert all(col in stops_line for col in contract.STOP_COLUMNS)
    summary_line = next(ln for ln in CONTRACT_DOC.splitlines() if "`summary.json`:" in ln)
    assert [key for key in summary_line.split('"')[1::2]] == contract.SUMMARY_KEYS


def test_the_written_plan_has_the_contracts_files_columns_and_keys(demo_plan):
    assert pd.read_csv(demo_plan / contract.STOPS_FILE, nrows=0).columns.tolist() == contract.STOP_COLUMNS
    assert pd.read_csv(demo_plan / contract.UNASSIGNED_FILE, nrows=0).columns.tolist() == contract.UNASSIGNED_COLUMNS
    numbers = json.loads((demo_plan / contract.SUMMARY_FILE).read_text(encoding="utf-8"))
    assert list(numbers) == contract.SUMMARY_KEYS + contract.SUMMARY_EXTRA_KEYS
    routes = json.loads((demo_plan / contract.ROUTES_FILE).read_text(encoding="utf-8"))
    lines = [f["properties"] for f in routes["features"] if f["geometry"]["type"] == "LineString"]
    assert lines and all(set(contract.ROUTE_PROPERTIES) <= set(p) for p in lines)
    assert (demo_plan / contract.MAP_FILE).exists() and (demo_plan / contract.SHEETS_FILE).exists()
