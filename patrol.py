"""The `patrol` command: plan joint patrols from files (see DESIGN.md for the contract)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Sequence

DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"


def _(message: str, /, **variables: object) -> str:
    """``gis.i18n.gettext``, imported when a message is made (``patrol --help`` stays quick)."""
    from gis.i18n import gettext

    return gettext(message, **variables)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as err:
        msg = _("%(text)r is not a date YYYY-MM-DD", text=text)
        raise argparse.ArgumentTypeError(msg) from err


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        msg = _("%(text)s should be 1 or more", text=text)
        raise argparse.ArgumentTypeError(msg)
    return value


def _spread_minutes(text: str) -> float | str:
    """``--balance-spread``: minutes (0 or more), or ``"off"``."""
    if text.strip().lower() == "off":
        return "off"
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        msg = _("%(text)s should be minutes (0 or more) or off", text=text)
        raise argparse.ArgumentTypeError(msg)
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        msg = _("%(text)s should be more than 0", text=text)
        raise argparse.ArgumentTypeError(msg)
    return value


class ProgressPrinter:
    """Progress lines on stderr: ``[ 42%  12.3s] message`` (at most every two seconds)."""

    def __init__(self, stream=sys.stderr, *, quiet: bool = False) -> None:
        self.stream, self.quiet, self.started, self.last = stream, quiet, time.perf_counter(), -1.0

    def __call__(self, fraction: float, message: str) -> None:
        now = time.perf_counter()
        if self.quiet or (now - self.last < 2.0 and 0 < fraction < 1):
            return
        self.last = now
        print(f"[{fraction * 100:3.0f}% {now - self.started:6.1f}s] {message}", file=self.stream, flush=True)


def _add_plan_args(p: argparse.ArgumentParser, *, demo: bool) -> None:
    if not demo:
        p.add_argument("--grids", required=True, type=Path, help=_("grid polygons (GeoJSON, GPKG, SHP)"))
        p.add_argument("--venues", required=True, type=Path, nargs="+",
                       help=_("venue points or tables with lon/lat (one or more files)"))
        who = p.add_mutually_exclusive_group(required=True)
        who.add_argument("--teams", type=Path, help=_("teams (CSV, XLSX or YAML)"))
        who.add_argument("--people", type=Path,
                         help=_("a roster of people (CSV, XLSX or YAML: name, role, home grids, mode, days, shift): "
                              "each day's teams are formed from it and written to teams.csv"))
        p.add_argument("--date", required=True, type=_date, help=_("first day to plan, YYYY-MM-DD"))
        p.add_argument("--hazards", type=Path, help=_("hazards (CSV/XLSX)"))
        p.add_argument("--inspections", type=Path, help=_("past inspections (CSV/XLSX)"))
        p.add_argument(
            "--crs", help=_("CRS of the coordinates: WGS84 (default), CGCS2000, GCJ-02, BD-09 or an EPSG code")
        )
    else:
        p.add_argument("--date", type=_date, help=_("first day to plan (default: the day after the demo's today)"))
    p.add_argument("--rules", type=Path, help=_("rules file (default data/rules.toml)"))
    _add_campaign_arg(p)
    p.add_argument("--days", type=_positive_int, default=1, help=_("days to plan (default 1)"))
    p.add_argument("--time-limit", type=_positive_float, default=None,
                   help=_("solver seconds per day (default 20); with --partition, the largest part's, the others' "
                          "in proportion to their venues"))
    p.add_argument(
        "--partition",
        choices=("none", "community", "auto"),
        default="auto",
        help=_("split the work by community and plan the parts in parallel with Dask (default auto: above 1,500 "
               "venues in several communities; none: one problem, whatever its size)"),
    )
    p.add_argument(
        "--balance-spread",
        type=_spread_minutes,
        default=None,
        metavar="MIN",
        help=_(
            "balanced days: teams' working minutes (travel + service) within MIN of each other, "
            "never at the price of a must visit (off by default; e.g. 60)"
        ),
    )
    _add_road_args(p)
    p.add_argument(
        "--no-pdf",
        action="store_true",
        help=_("skip sheets.pdf (large runs: the PDF of hundreds of sheets takes minutes)"),
    )
    p.add_argument("--scheduler", help=_("address of an existing Dask scheduler (default: a local cluster)"))
    p.add_argument("--workers", type=_positive_int, default=2, help=_("local Dask worker processes (default 2)"))
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help=_("language of map and sheets (default zh)"))
    p.add_argument(
        "--base-url",
        help=_(
            "web app address for the sheets' QR codes (default $PUBLIC_URL, $PATROL_BASE_URL or http://localhost:5000)"
        ),
    )
    p.add_argument("--out", required=True, type=Path, help=_("output directory (replaced on success)"))
    p.add_argument("--quiet", action="store_true", help=_("no progress lines"))


def _add_campaign_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--campaign",
        type=Path,
        help=_(
            "campaigns (专项排查: TOML [[campaigns]] or CSV/XLSX, one a row: name, start, "
            "end, categories, grids, hazard_types, checklist): their venues fall due within them, their checklists and "
            "hazard types in focus are on the sheets"
        ),
    )


def _add_road_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--roads",
        type=Path,
        help=_("road lines (GeoJSON/GPKG/SHP) or an OSM extract (.osm/.pbf): travel along real roads"),
    )
    p.add_argument(
        "--max-access-m",
        type=_positive_float,
        default=None,
        help=_("with --roads: straight metres a venue may be from its street, farther is unreachable (default 500)"),
    )


def _road_network(args: argparse.Namespace, layers, progress: ProgressPrinter):
    """The road lines and network of ``--roads`` (both None without it)."""
    if not args.roads:
        return None, None
    from gis.crs import local_utm
    from gis.roads import RoadNetwork, read_roads

    progress(0.04, _("building the road network from %(file)s", file=args.roads.name))
    lines = read_roads(args.roads)
    return lines, RoadNetwork.from_lines(lines, local_utm(layers.grids), source=args.roads.name)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="patrol", description=_("patrol planning: joint safety patrols (四方联动)"))
    parser.add_argument("-v", "--verbose", action="store_true", help=_("log what the library does"))
    sub = parser.add_subparsers(dest="command", required=True)
    _add_plan_args(sub.add_parser("plan", help=_("plan patrols from your files")), demo=False)
    _add_plan_args(sub.add_parser("demo", help=_("plan patrols for the embedded demo street")), demo=True)
    gaps = sub.add_parser("gaps", help=_("coverage gaps (盲区死角): per venue and grid, ranked; CSV, GeoJSON, map"))
    _add_report_args(gaps)
    hot = sub.add_parser("hotspots", help=_("hazard hotspots (Getis-Ord Gi*) and heatmap; CSV, GeoJSON, map"))
    _add_report_args(hot)
    hot.add_argument(
        "--since", type=_date, help=_("hazards found on or after this day (default: 90 days before --date)")
    )
    hot.add_argument("--until", type=_date, help=_("hazards found on or before this day (default: --date)"))
    replan = sub.add_parser("replan", help=_("re-plan the rest of a day: done stops stay, a team may drop out"))
    _add_report_args(replan)
    replan.add_argument("--plan", required=True, type=Path, help=_("the day's plan folder (written by `patrol plan`)"))
    replan.add_argument("--done", type=Path, help=_("CSV with a venue_id column: the stops already finished"))
    replan.add_argument("--drop-team", nargs="*", default=[], help=_("team ids out for the rest of the day"))
    replan.add_argument("--at", required=True, help=_("the time now, HH:MM: nothing new starts before it"))
    replan.add_argument("--time-limit", type=_positive_float, default=10.0, help=_("solver seconds (default 10)"))
    _add_campaign_arg(replan)
    _add_road_args(replan)
    serve = sub.add_parser("serve", help=_("the web app (same as python app.py)"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    user = sub.add_parser(
        "user", help=_("web app accounts: give one a new password, or make one (the password is printed once)")
    )
    user.add_argument("username")
    user.add_argument("--role", choices=("coordinator", "patrol", "viewer"), help=_("make the account with this role"))
    user.add_argument("--team", default="", help=_("the team of a patrol account"))
    notify = sub.add_parser(
        "notify", help=_("send the due warnings and escalations (SMTP_URL, NOTIFY_WEBHOOKS), each once")
    )
    notify.add_argument("--date", type=_date, help=_("the day to warn for (default: today in $TIMEZONE)"))
    notify.add_argument("--dry-run", action="store_true", help=_("print what would be sent; send and store nothing"))
    campaign = sub.add_parser("campaign", help=_("campaigns (专项排查) of the web app's database"))
    campaign_sub = campaign.add_subparsers(dest="campaign_command", required=True)
    campaign_report = campaign_sub.add_parser(
        "report", help=_("progress of the campaigns running on --date (or of --id)")
    )
    campaign_report.add_argument("--id", type=int, help=_("one campaign, by its number"))
    campaign_report.add_argument("--date", type=_date, help=_("the day of the report (default: today in $TIMEZONE)"))
    sheets = sub.add_parser("sheets", help=_("printable route sheets (HTML, PDF) of a plan folder"))
    _add_report_args(sheets)
    sheets.add_argument("--plan", required=True, type=Path, help=_("a folder written by `patrol plan`"))
    _add_campaign_arg(sheets)
    sheets.add_argument(
        "--base-url",
        help=_("web app address for the QR codes (default $PUBLIC_URL, $PATROL_BASE_URL or http://localhost:5000)"),
    )
    return parser


def _add_report_args(p: argparse.ArgumentParser) -> None:
    """Input layers for the report commands: your files, or --demo for the embedded street."""
    p.add_argument("--demo", action="store_true", help=_("use the embedded demo street instead of files"))
    p.add_argument("--grids", type=Path, help=_("grid polygons (GeoJSON, GPKG, SHP)"))
    p.add_argument("--venues", type=Path, nargs="+", help=_("venue points or tables with lon/lat"))
    p.add_argument("--teams", type=Path, help=_("teams (CSV, XLSX or YAML)"))
    p.add_argument("--hazards", type=Path, help=_("hazards (CSV/XLSX)"))
    p.add_argument("--inspections", type=Path, help=_("past inspections (CSV/XLSX)"))
    p.add_argument("--crs", help=_("CRS of the coordinates (default WGS84)"))
    p.add_argument("--rules", type=Path, help=_("rules file (default data/rules.toml)"))
    p.add_argument("--date", type=_date, help=_("as of this day (default today in --tz; the demo's today with --demo)"))
    p.add_argument(
        "--tz", help=_("the office's time zone, whose date is 'today' (default $TIMEZONE, else Asia/Shanghai)")
    )
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--out", required=True, type=Path, help=_("output directory (replaced on success)"))
    p.add_argument("--quiet", action="store_true", help=_("no progress lines"))


def run_report(args: argparse.Namespace, *, progress: ProgressPrinter) -> None:
    """`patrol gaps`, `patrol hotspots` and `patrol sheets`: read the layers, write the files."""
    from gis.errors import InputError
    from gis.layers import read_layers
    from gis.rules import DEFAULT_RULES_PATH
    from webmap import reports

    if args.demo:
        on = args.date
        args = _demo_args(args)
        meta = json.loads((DEMO_DIR / "meta.json").read_text(encoding="utf-8"))
        args.date = on or dt.date.fromisoformat(meta["today"])
    missing = [f"--{k}" for k in ("grids", "venues", "teams") if getattr(args, k) is None]
    if args.command == "hotspots" and args.hazards is None:
        missing.append("--hazards")  # without them every grid would be "not significant", which says nothing
    if missing:
        msg = _("%(flags)s needed (or --demo)", flags=", ".join(missing))
        raise InputError(msg, file=_("command line"), field=missing[0])
    args.date = args.date or office_today(args.tz)
    progress(0.0, _("reading layers"))
    layers = read_layers(
        grids=args.grids,
        venues=args.venues,
        teams=args.teams,
        as_of=args.date,
        hazards=args.hazards,
        inspections=args.inspections,
        rules=args.rules or DEFAULT_RULES_PATH,
        crs=args.crs,
        campaigns=getattr(args, "campaign", None),
        plan_days=_days_of_plan(args.plan) if getattr(args, "campaign", None) else None,
    )
    progress(0.3, _("writing %(out)s", out=args.out))
    if args.command == "gaps":
        table = reports.write_gaps(layers, args.date, args.out, lang=args.lang)
        share = f"{table['covered_share'].iat[0]:.0%}"
        progress(1.0, _("done: worst grid %(grid)s (%(share)s covered)", grid=table["grid_id"].iat[0], share=share))
    elif args.command == "hotspots":
        since = args.since or args.date - dt.timedelta(days=90)
        table = reports.write_hotspots(layers, args.out, since=since, until=args.until or args.date, lang=args.lang)
        hot = table.loc[table["hotspot"] == "hot", "grid_id"].tolist()
        progress(1.0, _("done: hot spots %(grids)s", grids=_(", ").join(hot) or _("none")))
    elif args.command == "replan":
        run_replan(args, layers, progress)
    else:
        written = reports.write_sheets(layers, args.plan, args.out, lang=args.lang, base_url=args.base_url)
        progress(1.0, _("done: %(files)s", files=", ".join(written)))


def _days_of_plan(plan: Path) -> tuple[dt.date, dt.date]:
    """The first and last day of a plan folder's stops (the days its campaigns must run on)."""
    from gis.cells import read_text_csv
    from gis.errors import InputError

    days = read_text_csv(plan / "stops.csv", dtype={"day": str})["day"]
    try:
        parsed = sorted(dt.date.fromisoformat(d) for d in days.dropna().unique())
    except (TypeError, ValueError) as err:
        msg = _("the day column should hold dates (YYYY-MM-DD)")
        raise InputError(msg, file="stops.csv", field="day") from err
    if not parsed:
        msg = _("the plan has no stops")
        raise InputError(msg, file="stops.csv", field="day")
    return parsed[0], parsed[-1]


def office_today(zone: str | None) -> dt.date:
    """Today in the office's time zone (``--tz``, else ``$TIMEZONE``, else Asia/Shanghai), not the machine's day."""
    from zoneinfo import ZoneInfoNotFoundError

    from gis.errors import InputError
    from gis.timeparse import local_today

    zone = zone or os.environ.get("TIMEZONE") or "Asia/Shanghai"
    try:
        return local_today(zone)
    except (ZoneInfoNotFoundError, ValueError) as err:
        msg = _("--tz %(zone)r is not a time zone (e.g. Asia/Shanghai, Asia/Urumqi)", zone=zone)
        raise InputError(msg, file=_("command line"), field="tz") from err


def _report_unexpected(err: BaseException) -> int:
    """One line on stderr (what failed, where the full traceback is), the traceback in a file; exit code 1."""
    import tempfile
    import traceback

    fd, path = tempfile.mkstemp(prefix="patrol-error-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"patrol {' '.join(sys.argv[1:])}\n\n")
        traceback.print_exception(err, file=f)
    where = traceback.extract_tb(err.__traceback__)[-1] if err.__traceback__ else None
    at = f"{Path(where.filename).name}:{where.lineno}" if where else "?"
    print(
        "patrol: "
        + _(
            "unexpected error in %(at)s: %(kind)s: %(error)s (please report it: the full traceback is in %(path)s)",
            at=at,
            kind=type(err).__name__,
            error=err,
            path=path,
        ),
        file=sys.stderr,
    )
    return 1


def run_plan(args: argparse.Namespace, *, progress: ProgressPrinter) -> dict[str, object]:
    """Read, plan and write; raises PatrolError on bad input before anything is written."""
    from gis.layers import read_layers
    from gis.rules import DEFAULT_RULES_PATH
    from planner import PlanParams, SolveParams, plan_days
    from webmap.outputs import write_outputs

    progress(0.0, _("reading layers"))
    people = getattr(args, "people", None)
    layers = read_layers(
        grids=args.grids,
        venues=args.venues,
        teams=None if people else args.teams,
        as_of=args.date,
        hazards=args.hazards,
        inspections=args.inspections,
        rules=args.rules or DEFAULT_RULES_PATH,
        crs=args.crs,
        people=people,
        campaigns=args.campaign,
        plan_days=(args.date, args.date + dt.timedelta(days=args.days - 1)),
    )
    crews = _("%(n)d people", n=len(layers.people)) if people else _("%(n)d teams", n=len(layers.teams))
    progress(
        0.05,
        _(
            "%(grids)d grids, %(venues)d venues, %(crews)s",
            grids=len(layers.grids),
            venues=len(layers.venues),
            crews=crews,
        ),
    )
    solve = SolveParams(
        time_limit_s=args.time_limit or SolveParams.time_limit_s,
        balance_spread_s=_balance_spread(args.balance_spread, SolveParams.balance_spread_s),
    )
    params = PlanParams(days=args.days, solve=solve, max_access_m=args.max_access_m or PlanParams.max_access_m)

    def plan_progress(fraction: float, message: str) -> None:
        progress(0.05 + 0.9 * fraction, message)

    road_lines, roads = _road_network(args, layers, progress)
    from planner.partition import plan_partitioned

    inputs = {
        "rules": layers.rules,
        "start": args.date,
        "params": params,
        "hazards": layers.hazards,
        "inspections": layers.inspections,
        "grids": layers.grids,
        "progress": plan_progress,
        "roads": roads,
    }
    day_teams = None
    if people:  # form each day's teams from the roster, plan them, write them with the plan
        import dataclasses

        from gis.errors import InputError
        from planner.roster import all_teams, plan_with_people

        if args.partition == "community":
            msg = _("--partition community cannot be used with --people yet: plan the communities' rosters one by one")
            raise InputError(msg, file=_("command line"), field="partition")
        plan, day_teams = plan_with_people(venues=layers.venues, people=layers.people, **inputs)
        layers = dataclasses.replace(layers, teams=all_teams(day_teams))
    elif by_community(args, layers):
        plan = plan_partitioned(
            layers,
            start=args.date,
            params=params,
            scheduler=args.scheduler,
            workers=args.workers,
            progress=plan_progress,
            roads=roads,
        )
    else:
        plan = plan_days(venues=layers.venues, teams=layers.teams, **inputs)
    progress(0.96, _("writing %(out)s", out=args.out))
    numbers = write_outputs(
        plan,
        layers,
        args.out,
        lang=args.lang,
        pdf=not args.no_pdf,
        roads=road_lines,
        base_url=args.base_url,
        day_teams=day_teams,
    )
    progress(1.0, _("done: %(numbers)s", numbers=json.dumps(numbers, ensure_ascii=False)))
    return numbers


def by_community(args: argparse.Namespace, layers) -> bool:
    """Whether ``patrol plan`` splits the work by community: asked for, or (``auto``, the default) when it is large."""
    from planner.partition import wants_partition

    return args.partition == "community" or (args.partition == "auto" and wants_partition(layers))


def _balance_spread(given: float | str | None, default: int | None) -> int | None:
    """SolveParams.balance_spread_s from ``--balance-spread`` (minutes): its default when not given, None when off."""
    if given is None:
        return default
    return None if given == "off" else int(round(float(given) * 60))


def run_replan(args: argparse.Namespace, layers, progress: ProgressPrinter) -> None:
    """`patrol replan`: read the plan and what is done, plan the rest, write the same files as `plan`."""
    import pandas as pd

    from gis.cells import read_text_csv
    from gis.errors import InputError
    from gis.timeparse import parse_hhmm
    from planner import PlanParams, SolveParams
    from planner.replan import replan_day
    from webmap.outputs import write_outputs

    stops = read_text_csv(args.plan / "stops.csv", dtype={"venue_id": str, "team_id": str, "day": str})
    if stops["day"].nunique() != 1:
        msg = _("replan works on one day: this plan has several (plan that day alone first)")
        raise InputError(msg, file="stops.csv", field="day")
    done: set[str] = set()
    if args.done:
        table = pd.read_csv(args.done, dtype=str)
        if "venue_id" not in table:
            msg = _("venue_id column is missing")
            raise InputError(msg, file=args.done.name, field="venue_id")
        unknown = sorted(set(table["venue_id"]) - set(stops["venue_id"]))
        if unknown:
            msg = _("venue_id %(venue)r is not a stop of the plan", venue=unknown[0])
            raise InputError(
                msg, file=args.done.name, row=int(table.index[table["venue_id"] == unknown[0]][0]) + 2, field="venue_id"
            )
        done = set(table["venue_id"])
    for team in args.drop_team:
        if team not in layers.teams.index:
            msg = _("--drop-team %(team)r is not a team of the teams file", team=team)
            raise InputError(msg, file=_("command line"), field="drop-team")
    try:
        at_s = parse_hhmm(args.at)
    except ValueError as err:
        msg = f"--at {args.at!r}: {err}"
        raise InputError(msg, file=_("command line"), field="at") from err
    unassigned = read_text_csv(args.plan / "unassigned.csv", dtype={"venue_id": str})
    road_lines, roads = _road_network(args, layers, progress)
    params = PlanParams(
        solve=SolveParams(time_limit_s=args.time_limit), max_access_m=args.max_access_m or PlanParams.max_access_m
    )
    plan = replan_day(
        stops,
        done=done,
        dropped=set(args.drop_team),
        at_s=at_s,
        unassigned=unassigned,
        venues=layers.venues,
        teams=layers.teams,
        rules=layers.rules,
        hazards=layers.hazards,
        inspections=layers.inspections,
        grids=layers.grids,
        params=params,
        progress=lambda f, m: progress(0.3 + 0.6 * f, m),
        roads=roads,
    )
    numbers = write_outputs(plan, layers, args.out, lang=args.lang, roads=road_lines)
    progress(1.0, _("done: %(numbers)s", numbers=json.dumps(numbers, ensure_ascii=False)))


def _demo_args(args: argparse.Namespace) -> argparse.Namespace:
    meta = json.loads((DEMO_DIR / "meta.json").read_text(encoding="utf-8"))
    today = dt.date.fromisoformat(meta["today"])
    args.grids = DEMO_DIR / "grids.geojson"
    args.venues = [DEMO_DIR / "venues.csv", DEMO_DIR / "venues_amap.csv"]
    args.teams = DEMO_DIR / "teams.csv"
    args.hazards = DEMO_DIR / "hazards.csv"
    args.inspections = DEMO_DIR / "inspections.csv"
    args.crs = None
    args.date = args.date or today + dt.timedelta(days=1)
    return args


def run_user(args: argparse.Namespace) -> int:
    """`patrol user NAME`: a new password for an account, or a new account with --role.

    E.g. a forgotten coordinator's password.
    """
    from gis.errors import PatrolError
    from ledger.models import User, db
    from ledger.users import create_user, reset_password
    from webmap.web import create_app

    app = create_app({"LOAD_DEMO": False})  # the instance folder and DATABASE_URL as for `patrol serve`
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == args.username))
        try:
            if user is None and args.role is None:
                print(
                    "patrol: " + _("there is no account %(name)r: give --role to make one", name=args.username),
                    file=sys.stderr,
                )
                return 2
            if user is None:
                user, password = create_user(args.username, args.role, team_id=args.team)
            else:
                password = reset_password(user)  # ends its sessions and revokes its API token
            db.session.commit()
        except PatrolError as err:
            print(f"patrol: {err}", file=sys.stderr)
            return 2
    print(f"{args.username}: {password}")
    return 0


def run_notify(args: argparse.Namespace) -> int:
    """`patrol notify`: the warnings due on --date to everyone they are for, through the web app's database."""
    from gis.errors import PatrolError
    from ledger.models import db
    from webmap.notify_schedule import notify_once
    from webmap.web import create_app

    app = create_app(
        {"LOAD_DEMO": False, "NOTIFY_EVERY_S": 0}
    )  # the instance folder and DATABASE_URL as for `patrol serve`
    try:
        report = notify_once(app, day=args.date, dry_run=args.dry_run)
    except PatrolError as err:
        print(f"patrol: {err}", file=sys.stderr)
        return 2
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()  # close its connections now (cron, tests: one run, one process)
    for m in report.new + report.retried:
        state = _("would send") if args.dry_run else m.status
        print(f"{state}\t{m.day}\t{m.stage}\t{m.subject}\t{m.recipient} ({m.channel})\t{m.title}")
    if args.dry_run:
        print(
            "patrol: "
            + _(
                "dry run: %(new)d new, %(retried)d to try again; nothing sent or stored",
                new=len(report.new),
                retried=len(report.retried),
            ),
            file=sys.stderr,
        )
    else:
        print(
            "patrol: "
            + _(
                "%(sent)d sent, %(failed)d failed (tried again at the next run)", sent=report.sent, failed=report.failed
            ),
            file=sys.stderr,
        )
    return 1 if report.failed and not args.dry_run else 0  # cron mails the owner of a run that failed to send


def run_campaign_report(args: argparse.Namespace) -> int:
    """`patrol campaign report`: venues covered of the total by grid, hazards by type, whether the period is enough."""
    from gis.timeparse import local_today
    from ledger.campaign_models import Campaign
    from ledger.campaigns import campaigns_on, progress, report_text
    from ledger.models import db
    from webmap.web import create_app

    app = create_app(
        {"LOAD_DEMO": False, "NOTIFY_EVERY_S": 0}
    )  # the instance folder and DATABASE_URL as for `patrol serve`
    try:
        with app.app_context():
            day = args.date or local_today(app.config["TIMEZONE"])
            if args.id is not None:
                one = db.session.get(Campaign, args.id) if 0 < args.id < 2**31 else None
                if one is None:
                    print(
                        "patrol: " + _("campaign --id %(id)s: there is no such campaign", id=args.id), file=sys.stderr
                    )
                    return 2
                chosen = [one]
            else:
                chosen = campaigns_on(day)
            rules = app.extensions["patrol"].rules
            for c in chosen:
                print(report_text(c, progress(c, day), rules), end="\n\n")
            if not chosen:
                print("patrol: " + _("no campaign runs on %(day)s", day=day), file=sys.stderr)
            return 0
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    from gis.i18n import use_language

    with use_language(os.environ.get("PATROL_LANG", "zh")), _argparse_in_our_language():
        return _main(argv)  # messages of every layer: Chinese unless asked


@contextlib.contextmanager
def _argparse_in_our_language():
    """Argparse's own words (the usage line, its errors) from our catalogue while ``patrol`` runs.

    argparse looks them up through its module's ``_`` and fills their placeholders itself.
    """
    from gis.i18n import N_, language, translations

    known = {  # the msgids, for the catalogue; others stay as argparse writes them
        N_("usage: "), N_("options"), N_("positional arguments"), N_("show this help message and exit"),
        N_("%(prog)s: error: %(message)s\n"), N_("the following arguments are required: %s"),
        N_("argument %(argument_name)s: %(message)s"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
        N_("invalid %(type)s value: %(value)r"), N_("unrecognized arguments: %s"), N_("expected one argument"),
        N_("expected at least one argument"), N_("one of the arguments %s is required"),
        N_("not allowed with argument %s"), N_("ambiguous option: %(option)s could match %(matches)s"),
    }
    before = argparse._
    argparse._ = lambda message: translations(language()).ugettext(message) if message in known else before(message)
    try:
        yield
    finally:
        argparse._ = before


def _main(argv: Sequence[str] | None) -> int:
    from gis.errors import DataWarning, PatrolError

    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if args.command == "serve":
        from webmap.web import serve

        serve(host=args.host, port=args.port)
        return 0
    if args.command == "user":
        return run_user(args)
    if args.command == "notify":
        return run_notify(args)
    if args.command == "campaign":
        return run_campaign_report(args)
    if args.command == "demo":
        args = _demo_args(args)
    progress = ProgressPrinter(quiet=args.quiet)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        try:
            if args.command in ("plan", "demo"):
                run_plan(args, progress=progress)
            else:
                run_report(args, progress=progress)
        except PatrolError as err:
            full = err.full_message() if hasattr(err, "full_message") else str(err)
            print(f"patrol: {full}", file=sys.stderr)
            return 2
        except OSError as err:  # a file or folder given that cannot be read or written (--plan, --out)
            print(f"patrol: {err.filename or ''}: {err.strerror or err}", file=sys.stderr)
            return 2
        except Exception as err:  # a bug, not the user's input: one line, the traceback in a file
            return _report_unexpected(err)
        finally:
            for message in dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, DataWarning)):
                # once each, though every planned day warns
                print("patrol: " + _("warning: %(message)s", message=message), file=sys.stderr)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
