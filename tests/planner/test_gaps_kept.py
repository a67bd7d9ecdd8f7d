"""The gaps' reachability screen is kept while venues, teams and grids stay: results and hazards do not redo it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pandas as pd

from gis.layers import read_layers
from planner.plan import unreachable_venues

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
TODAY = dt.date.fromisoformat(json.loads((DEMO / "meta.json").read_text(encoding="utf-8"))["today"])


def _reasons(per_venue: pd.DataFrame) -> dict[str, str]:
    """The venues out of reach, with why."""
    marked = per_venue[per_venue["unreachable_reason"].fillna("") != ""]
    return dict(zip(marked["venue_id"], marked["unreachable_reason"]))


def test_the_screen_is_redone_only_when_what_it_reads_changes(monkeypatch):
    import planner.gaps

    layers = read_layers(grids=DEMO / "grids.geojson", venues=DEMO / "venues.csv", teams=DEMO / "teams.csv",
                         hazards=DEMO / "hazards.csv", inspections=DEMO / "inspections.csv", as_of=TODAY)
    calls: Counter = Counter()

    def counted(**kwargs):
        calls["screened"] += 1
        return unreachable_venues(**kwargs)
    monkeypatch.setattr(planner.gaps, "unreachable_venues", counted)
    monkeypatch.setattr(planner.gaps, "_screens", {})

    _, first = planner.gaps.coverage_gaps(layers, TODAY)
    planner.gaps.coverage_gaps(read_layers(grids=DEMO / "grids.geojson", venues=DEMO / "venues.csv",
                                           teams=DEMO / "teams.csv", as_of=TODAY), TODAY)  # built anew: the same
    assert calls["screened"] == 1
    seen = layers.inspections.iloc[:1].assign(venue_id=layers.venues.index[-1], date=pd.Timestamp(TODAY))
    more_results = dataclasses.replace(layers, inspections=pd.concat([layers.inspections, seen]))
    _, again = planner.gaps.coverage_gaps(more_results, TODAY)
    assert calls["screened"] == 1
    assert _reasons(first) == _reasons(again)

    # a team's shift cut to half an hour: venues it alone could serve are now out of reach, and that is seen
    teams = layers.teams.copy()
    teams["shifts"] = [[(9 * 3600, 9 * 3600 + 1800)]] * len(teams)
    shorter = dataclasses.replace(layers, teams=teams)
    _, after = planner.gaps.coverage_gaps(shorter, TODAY)
    assert calls["screened"] == 2
    direct = unreachable_venues(venues=shorter.venues, teams=teams, rules=shorter.rules, day=TODAY,
                                grids=shorter.grids)
    assert len(direct) > len(_reasons(first))
    assert _reasons(after) == direct.to_dict()

    moved = layers.venues.copy()
    moved.geometry = moved.geometry.translate(xoff=0.5)  # every venue 50 km east: none reachable on foot
    planner.gaps.coverage_gaps(dataclasses.replace(layers, venues=moved), TODAY)
    assert calls["screened"] == 3


def test_the_screen_on_the_starts_legs_alone_finds_what_a_whole_problem_finds():
    """The gaps' screen fills only the legs to and from the starts: the reasons are those of a whole problem."""
    from planner.plan import area_and_status, build_problem
    from planner.routing import screen_visits

    layers = read_layers(grids=DEMO / "grids.geojson", venues=DEMO / "venues.csv", teams=DEMO / "teams.csv",
                         as_of=TODAY)
    teams = layers.teams.copy()
    teams["shifts"] = [[(9 * 3600, 9 * 3600 + 1800)]] * len(teams)  # half an hour: many venues out of reach
    crs, status = area_and_status(layers.venues, layers.rules, grids=layers.grids)
    whole = build_problem(TODAY, [(v, "due", True) for v in layers.venues.index], venues=layers.venues,
                          teams=teams, status=status, rules=layers.rules, crs=crs)
    expected = {u.venue_id: u.reason for u in screen_visits(whole)[1]}
    assert len(expected) > 100 and "unreachable" in expected.values()
    screened = unreachable_venues(venues=layers.venues, teams=teams, rules=layers.rules, day=TODAY,
                                  grids=layers.grids)
    assert screened.to_dict() == expected
