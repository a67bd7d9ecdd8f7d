"""Teams from people against fixed teams, on the embedded demo street.

    python benchmarks/roster.py --days 5 --time-limit 20

Plans the demo (from the day after its today) four ways at the same time limit and prints one CSV
row each: the six fixed teams of data/demo/teams.csv; teams formed each day from the same 24 people
(the fixed teams' members as a roster, every day: formation against hand-made teams with equal
hands); teams formed each day from data/demo/roster.csv (`patrol plan --people`: the street's 37 grid
workers on two weekdays each, 6 safety officers, 10 property staff, 12 volunteers); and that roster
with the scarce roles placed blind (no look at where the day's checks are: safety officers and property
staff just fill the smallest teams), which shows what the placement itself is worth. Reported: must visits planned, the
must visits that need a safety
officer planned, all visits, km, teams and people on teams per day; every plan is judged by the
independent checker (tests/checker.py: check_plan, and check_roster for the rosters).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from checker import check_plan, check_roster  # noqa: E402
from gis.crs import local_utm  # noqa: E402
from gis.layers import read_layers  # noqa: E402
from gis.rules import DEFAULT_RULES_PATH  # noqa: E402
from planner import PlanParams, SolveParams, plan_days  # noqa: E402
from planner.roster import all_teams, form_teams, plan_with_people  # noqa: E402
from webmap.outputs import write_outputs  # noqa: E402

DEMO = ROOT / "data" / "demo"
VENUES = [DEMO / "venues.csv", DEMO / "venues_amap.csv"]
VARIANTS = ("fixed teams", "fixed teams' people", "roster", "roster placed blind")
MUST = ("overdue", "due", "recheck")


def _officer_checks(out: Path, rules) -> tuple[int, int, int]:
    """(must visits needing a safety officer planned, those planned or unassigned, all visits needing one)."""
    stops = pd.read_csv(out / "stops.csv", dtype=str)
    unassigned = pd.read_csv(out / "unassigned.csv", dtype=str)
    venues = pd.concat([pd.read_csv(p,
                                    dtype=str).rename(columns={"场所编号": "venue_id",
                                                               "场所类别": "category"}) for p in VENUES])
    category = dict(zip(venues["venue_id"], venues["category"].map(rules.resolve_category)))
    needs = {c for c, cat in rules.categories.items() if "safety_officer" in cat.required_roles}
    officer = stops["category"].isin(needs)
    planned = int((officer & stops["reason"].isin(MUST)).sum())
    left = int(unassigned["venue_id"].map(category).isin(needs).sum())
    return planned, planned + left, int(officer.sum())


def fixed_teams_roster(path: Path) -> Path:
    """The fixed teams' 24 members as a roster.

    Every day, each with their team's pace and start point, the grid workers with their team's home grids.
    """
    teams = pd.read_csv(DEMO / "teams.csv", dtype=str, keep_default_na=False)
    rows = []
    for team in teams.itertuples():
        for member in team.members.split("、"):
            label, name = member.split(" ")
            rows.append({"person_id": f"{team.team_id}-{len(rows) % 4 + 1}", "name": name, "role": label,
                         "home_grids": team.home_grids if label == "网格员" else "", "mode": team.mode,
                         "start_lon": team.start_lon, "start_lat": team.start_lat, "start_name": team.start_name})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def run(variant: str, *, days: int, time_limit: float, start: dt.date, out: Path) -> dict[str, object]:
    people = None
    if variant == "fixed teams' people":
        people = fixed_teams_roster(out.with_name(out.name + "-people.csv"))
    elif variant != "fixed teams":
        people = DEMO / "roster.csv"
    layers = read_layers(grids=DEMO / "grids.geojson", venues=VENUES, teams=None if people else DEMO / "teams.csv",
                         people=people, as_of=start, hazards=DEMO / "hazards.csv",
                         inspections=DEMO / "inspections.csv", rules=DEFAULT_RULES_PATH)
    params = PlanParams(days=days, solve=SolveParams(time_limit_s=time_limit))
    started = time.perf_counter()
    formed = None
    if variant == "fixed teams":
        plan = plan_days(venues=layers.venues, teams=layers.teams, rules=layers.rules, start=start, params=params,
                         hazards=layers.hazards, inspections=layers.inspections, grids=layers.grids)
    elif variant in ("roster", "fixed teams' people"):
        plan, formed = plan_with_people(venues=layers.venues, people=layers.people, rules=layers.rules, start=start,
                                        params=params, hazards=layers.hazards, inspections=layers.inspections,
                                        grids=layers.grids)
    else:
        crs = local_utm(layers.grids)  # no needs: the scarce roles fill the smallest teams
        formed = [form_teams(layers.people, day=start + dt.timedelta(days=d), crs=crs, speeds=layers.rules.speed_m_s)
                  for d in range(days)]
        plan = plan_days(venues=layers.venues, teams=all_teams(formed), rules=layers.rules, start=start, params=params,
                         hazards=layers.hazards, inspections=layers.inspections, grids=layers.grids, day_teams=formed)
    seconds = time.perf_counter() - started
    if formed is not None:
        layers = dataclasses.replace(layers, teams=all_teams(formed))
    numbers = write_outputs(plan, layers, out, pdf=False, day_teams=formed)
    teams_file = out / "teams.csv" if formed is not None else DEMO / "teams.csv"
    problems = check_plan(out, grids=DEMO / "grids.geojson", venues=VENUES, teams=teams_file, date=start, days=days,
                          hazards=DEMO / "hazards.csv", inspections=DEMO / "inspections.csv")
    if formed is not None:
        problems += check_roster(out, people=people, date=start, days=days)
    officer_planned, officer_must, officer_all = _officer_checks(out, layers.rules)
    if formed is None:
        per_day_teams, per_day_people = len(layers.teams), 4 * len(layers.teams)
    else:
        per_day_teams = round(sum(len(t) for t in formed) / days, 1)
        per_day_people = round(sum(len(p) for t in formed for p in t["people"]) / days, 1)
    return {
        "variant": variant, "days": days,
        "must_planned": numbers["must_visits_planned"], "must": numbers["must_visits"],
        "officer_must_planned": officer_planned, "officer_must": officer_must, "officer_visits": officer_all,
        "visits": numbers["visits"], "travel_km": numbers["travel_km"],
        "teams_per_day": per_day_teams, "people_per_day": per_day_people,
        "home_team_share": numbers["home_team_share"], "seconds": round(seconds, 1),
        "checker_problems": len(problems), "load": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated variant names")
    args = parser.parse_args()
    today = dt.date.fromisoformat(json.loads((DEMO / "meta.json").read_text(encoding="utf-8"))["today"])
    start = today + dt.timedelta(days=1)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, variant in enumerate(args.variants.split(",")):
            rows.append(run(variant, days=args.days, time_limit=args.time_limit, start=start,
                            out=Path(tmp) / f"plan{k}"))
            print(",".join(map(str, rows[-1].values())) if len(rows) > 1 else
                  ",".join(rows[-1]) + "\n" + ",".join(map(str, rows[-1].values())), flush=True)


if __name__ == "__main__":
    main()
