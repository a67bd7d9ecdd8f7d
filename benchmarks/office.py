"""The price of planning like a patrol office, on the embedded demo street: balanced days and consistent teams.

    python benchmarks/office.py --days 1,5 --time-limit 20

Plans the demo (from the day after its today) with each variant of the options at the same time
limit and prints one CSV row per (days, variant): must visits planned, visits, km, the largest
day's spread of the teams' working minutes, the share of visits made by the grid's home team and
the teams per grid. Every plan is also judged by the independent checker (tests/checker.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from checker import check_plan  # noqa: E402
from gis.layers import read_layers  # noqa: E402
from gis.rules import DEFAULT_RULES_PATH  # noqa: E402
from planner import PlanParams, SolveParams, plan_days  # noqa: E402
from planner.contract import summary  # noqa: E402
from webmap.outputs import write_outputs  # noqa: E402

DEMO = ROOT / "data" / "demo"
VARIANTS = {
    "neither": {"balance_spread_s": None, "consistent_teams": False},
    "balanced 60": {"balance_spread_s": 3600, "consistent_teams": False},
    "consistent": {"balance_spread_s": None, "consistent_teams": True},
    "both (default)": {},
}
KEYS = ("must_visits", "must_visits_planned", "visits", "travel_km", "max_spread_minutes",
        "home_team_share", "teams_per_grid", "max_teams_per_grid")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", default="1,5", help="comma-separated horizons")
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated variant names")
    args = parser.parse_args()
    today = dt.date.fromisoformat(json.loads((DEMO / "meta.json").read_text(encoding="utf-8"))["today"])
    start = today + dt.timedelta(days=1)
    layers = read_layers(grids=DEMO / "grids.geojson", venues=[DEMO / "venues.csv", DEMO / "venues_amap.csv"],
                         teams=DEMO / "teams.csv", as_of=start, hazards=DEMO / "hazards.csv",
                         inspections=DEMO / "inspections.csv", rules=DEFAULT_RULES_PATH)
    print("days,variant," + ",".join(KEYS) + ",checker_problems")
    for days in (int(d) for d in args.days.split(",")):
        for name in args.variants.split(","):
            variant = VARIANTS[name]
            solve = SolveParams(time_limit_s=args.time_limit,
                                balance_spread_s=variant.get("balance_spread_s", SolveParams.balance_spread_s))
            params = PlanParams(days=days, solve=solve,
                                consistent_teams=variant.get("consistent_teams", PlanParams.consistent_teams))
            plan = plan_days(venues=layers.venues, teams=layers.teams, rules=layers.rules, start=start, params=params,
                             hazards=layers.hazards, inspections=layers.inspections, grids=layers.grids)
            numbers = summary(plan, teams=len(layers.teams))
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "plan"
                write_outputs(plan, layers, out, pdf=False)
                problems = check_plan(out, grids=DEMO / "grids.geojson",
                                      venues=[DEMO / "venues.csv", DEMO / "venues_amap.csv"],
                                      teams=DEMO / "teams.csv", date=start.isoformat(), days=days,
                                      hazards=DEMO / "hazards.csv", inspections=DEMO / "inspections.csv")
            print(f"{days},{name}," + ",".join(str(numbers[k]) for k in KEYS) + f",{len(problems)}", flush=True)


if __name__ == "__main__":
    main()
