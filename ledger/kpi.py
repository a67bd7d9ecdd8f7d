"""The ranking (考核): per period and per grid, grid worker, team or community, what was done and a score.

Periods are the meeting review's (:func:`ledger.review.period_bounds`): the ISO week, calendar month or quarter
that holds ``on``, up to ``on``; the last period is the whole one before. Each row's measures, for a period
``[start, end]``:

- ``coverage``: of the venues in use (not retired), the share inspected (outcome done) within their category's
  interval at ``end`` (the coverage-gap page's meaning);
- ``stops_done``: of the planned stops of days in the period (the newest finished plan that has the day, and
  stops a coordinator added), the share where that team recorded an inspection at that venue on that day;
- ``patrols``: joint patrols run, one per team and day that inspected there (a visit without a team is one);
- ``hazards_per_patrol``: hazards found in the period per patrol;
- ``closed_on_time``: of the hazards whose deadline fell in the period, the share closed (销号) by it;
- ``overdue``: hazards open at ``end`` past their deadline (the review's overdue rectifications), and
  ``no_overdue`` = 1 - overdue / hazards open at ``end``;
- ``days_to_close``: average days from found to closed of the hazards closed in the period.

Grids, workers and communities are judged on the venues and hazards of their grids; a team on its own work
(its stops, its patrols, the hazards found at its inspections: a hazard counts for the team that inspected its
venue on the day it was found): closing a hazard is the responsible unit's and the grid's job, not the team's.

The score (0-100) is the weighted mean (``[kpi.weights]`` in rules.toml) of the 0-1 measures a row has:
coverage, stops_done, closed_on_time, no_overdue, patrols (against the busiest row of the ranking),
hazards_per_patrol (against the highest) and days_to_close (1 up to the target, target / average beyond).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from gis.errors import InputError
from gis.i18n import gettext as _
from gis.rules import Rules

from .models import AddedStop, Grid, Hazard, Inspection, PlanRun, PlanStop, Team, Venue, db
from .review import EARLIEST_DAY, PERIODS, covered_venues, period_bounds

BY = {"grid": "grid_id", "worker": "worker", "team": "team_id", "community": "community"}
#: The measures with no meaning for a team (see the module's docstring).
NOT_FOR_TEAMS = ("coverage", "closed_on_time", "no_overdue", "days_to_close")
#: Row values that are not counts.
FRACTIONS = ("coverage", "stops_done", "hazards_per_patrol", "closed_on_time", "no_overdue", "days_to_close", "score")


def parse_query(period: str | None, by: str | None, on: str | None, *, today: dt.date) -> tuple[str, str, dt.date]:
    """Check the ranking's parameters (the page, the API and the Excel export).

    Raises
    ------
    InputError
        Naming the parameter: a period other than week/month/quarter, an unknown ``by``, ``on`` not a date or
        after today.
    """
    period, by = period or "month", by or "grid"
    if period not in PERIODS:
        msg = _("period %(value)r: should be one of %(choices)s", value=period, choices=", ".join(PERIODS))
        raise InputError(msg, file="request", field="period")
    if by not in BY:
        msg = _("by %(value)r: should be one of %(choices)s", value=by, choices=", ".join(BY))
        raise InputError(msg, file="request", field="by")
    if not on:
        return period, by, today
    try:
        day = dt.date.fromisoformat(on)
    except ValueError as err:
        msg = _("on %(value)r: should be a date YYYY-MM-DD", value=on[:40])
        raise InputError(msg, file="request", field="on") from err
    if day > today:
        msg = _("on %(value)r: should not be after today %(today)s", value=on, today=today)
        raise InputError(msg, file="request", field="on")
    if day < EARLIEST_DAY:
        msg = _("on %(value)r: should not be before %(earliest)s", value=on, earliest=EARLIEST_DAY)
        raise InputError(msg, file="request", field="on")
    return period, by, day


def ranking(period: str, by: str, on: dt.date, rules: Rules) -> dict[str, object]:
    """The ranking of ``by`` (grid, worker, team, community) for the ``period`` holding ``on``, with the last period.

    Returns
    -------
    dict
        ``period``, ``by``, ``on``, ``this`` and ``last`` (inclusive bounds), ``weights`` and ``rows``: one dict per
        grid (worker, team, community) in rank order with ``key``, ``name``, ``rank``, ``score``, the measures and
        their counts, and ``score_last``, ``rank_last``, ``rank_change`` (places gained since the last period).
    """
    frames = _frames(rules)
    this, last = period_bounds(period, on), period_bounds(period, on, 1, to_date=False)
    now = _ranked(_measures(frames, by, *this, rules), rules)
    before = _ranked(_measures(frames, by, *last, rules), rules)
    rows = []
    for key, row in now.iterrows():
        earlier = before.loc[key] if key in before.index else None
        rank_last = None if earlier is None or pd.isna(earlier["rank"]) else int(earlier["rank"])
        rows.append({"key": key, **_plain(row), "score_last": None if earlier is None else _number(earlier["score"]),
                     "rank_last": rank_last,
                     "rank_change": None if rank_last is None or pd.isna(row["rank"])
                     else rank_last - int(row["rank"])})
    return {"period": period, "by": by, "on": on, "this": this, "last": last, "weights": dict(rules.kpi.weights),
            "days_to_close_target": rules.kpi.days_to_close_target, "rows": rows}


def _frames(rules: Rules) -> dict[str, pd.DataFrame]:
    grids = pd.DataFrame(db.session.execute(db.select(Grid.grid_id, Grid.name, Grid.community, Grid.worker)).all(),
                         columns=["grid_id", "name", "community", "worker"])
    venues = pd.DataFrame(db.session.execute(db.select(Venue.venue_id, Venue.grid_id, Venue.category,
                                                       Venue.last_inspected, Venue.retired)).all(),
                          columns=["venue_id", "grid_id", "category", "last_inspected", "retired"])
    ins = pd.DataFrame(db.session.execute(db.select(Inspection.id, Inspection.venue_id, Inspection.date,
                                                    Inspection.team_id, Inspection.outcome)).all(),
                       columns=["id", "venue_id", "date", "team_id", "outcome"])
    hz = pd.DataFrame(db.session.execute(db.select(Hazard.hazard_id, Hazard.venue_id, Hazard.found_on, Hazard.deadline,
                                                   Hazard.closed_on)).all(),
                      columns=["hazard_id", "venue_id", "found_on", "deadline", "closed_on"])
    ins["team_id"] = ins["team_id"].fillna("")
    place = venues.merge(grids[["grid_id", "community", "worker"]], on="grid_id", how="left")[
        ["venue_id", "grid_id", "community", "worker"]].fillna("")
    ins = ins.merge(place, on="venue_id", how="left")
    finder = ins.sort_values("id").drop_duplicates(["venue_id", "date"])[["venue_id", "date", "team_id"]]
    hz = hz.merge(place, on="venue_id", how="left").merge(
        finder.rename(columns={"date": "found_on"}), on=["venue_id", "found_on"], how="left")
    hz["team_id"] = hz["team_id"].fillna("")
    venues = venues[~venues["retired"].astype(bool)].merge(place, on=["venue_id", "grid_id"], how="left")
    venues["interval_days"] = venues["category"].map({c: k.interval_days for c, k in rules.categories.items()})
    teams = pd.DataFrame(db.session.execute(db.select(Team.team_id, Team.name).where(Team.retired.is_(False))).all(),
                         columns=["team_id", "name"])
    return {"grids": grids, "venues": venues, "inspections": ins, "hazards": hz, "stops": _planned_stops(place),
            "teams": teams}


def _planned_stops(place: pd.DataFrame) -> pd.DataFrame:
    """Every (day, team, venue) that was planned: the stops of the newest finished plan of each day, and added ones."""
    stops = pd.DataFrame(db.session.execute(
        db.select(PlanStop.plan_id, PlanStop.day, PlanStop.team_id, PlanStop.venue_id)
        .join(PlanRun, PlanRun.id == PlanStop.plan_id).where(PlanRun.status == "done")).all(),
        columns=["plan_id", "day", "team_id", "venue_id"])
    newest = stops.groupby("day")["plan_id"].transform("max")
    added = pd.DataFrame(db.session.execute(db.select(AddedStop.day, AddedStop.team_id, AddedStop.venue_id)).all(),
                         columns=["day", "team_id", "venue_id"])
    planned = pd.concat([stops[stops["plan_id"] == newest].drop(columns="plan_id"), added]).drop_duplicates()
    return planned.merge(place, on="venue_id", how="left").fillna({"grid_id": "", "community": "", "worker": ""})


def _rows(frames: dict[str, pd.DataFrame], by: str) -> pd.DataFrame:
    """The rows of the ranking, indexed by key, with their names: every grid, worker, community or team in use."""
    grids = frames["grids"]
    if by == "grid":
        return pd.DataFrame({"name": grids["name"].fillna("").to_numpy()}, index=pd.Index(grids["grid_id"], name="key"))
    if by == "team":
        return pd.DataFrame({"name": frames["teams"]["name"].to_numpy()},
                            index=pd.Index(frames["teams"]["team_id"], name="key"))
    keys = sorted({k for k in grids[BY[by]].fillna("") if k})
    return pd.DataFrame({"name": keys}, index=pd.Index(keys, name="key"))


def _measures(frames: dict[str, pd.DataFrame], by: str, start: dt.date, end: dt.date, rules: Rules) -> pd.DataFrame:
    column = BY[by]
    out = _rows(frames, by)
    venues, ins, hz, stops = frames["venues"], frames["inspections"], frames["hazards"], frames["stops"]

    def per(frame: pd.DataFrame) -> pd.Series:
        return frame.groupby(column).size().reindex(out.index, fill_value=0)

    visits = ins[(ins["date"] >= start) & (ins["date"] <= end)]
    teamless = visits["team_id"] == ""
    outings = pd.concat([visits[~teamless].drop_duplicates(["team_id", "date", column]), visits[teamless]])
    out["inspections"] = per(visits)
    out["patrols"] = per(outings)
    planned = stops[(stops["day"] >= start) & (stops["day"] <= end)]
    kept = planned.merge(ins[["venue_id", "date", "team_id"]].drop_duplicates(), how="inner",
                         left_on=["venue_id", "day", "team_id"], right_on=["venue_id", "date", "team_id"])
    out["stops_planned"], out["stops_kept"] = per(planned), per(kept)
    found = hz[(hz["found_on"] >= start) & (hz["found_on"] <= end)]
    out["hazards_found"] = per(found)
    if by != "team":
        out["venues"] = per(venues)
        out["venues_covered"] = per(venues[covered_venues(venues, ins, venues["interval_days"], end)])
        due = hz[hz["deadline"].notna() & (hz["deadline"] >= start) & (hz["deadline"] <= end)]
        out["hazards_due"] = per(due)
        out["hazards_closed_on_time"] = per(due[due["closed_on"].notna() & (due["closed_on"] <= due["deadline"])])
        still_open = hz[(hz["found_on"] <= end) & (hz["closed_on"].isna() | (hz["closed_on"] > end))]
        out["hazards_open"] = per(still_open)
        out["overdue"] = per(still_open[still_open["deadline"].notna() & (still_open["deadline"] < end)])
        closed = hz[hz["closed_on"].notna() & (hz["closed_on"] >= start) & (hz["closed_on"] <= end)]
        days = closed.assign(days=[(c - f).days for c, f in zip(closed["closed_on"], closed["found_on"])])
        out["hazards_closed"] = per(closed)
        out["days_to_close"] = days.groupby(column)["days"].mean().reindex(out.index)
    return out


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    return part / whole.where(whole > 0)


def _ranked(m: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The measures as 0-1 scores, the weighted score (0-100) and the rank (ties share one: 1, 2, 2, 4)."""
    m = m.copy()
    m["stops_done"] = _share(m["stops_kept"], m["stops_planned"])
    m["hazards_per_patrol"] = _share(m["hazards_found"], m["patrols"])
    parts = {"stops_done": m["stops_done"],
             "patrols": _share(m["patrols"], pd.Series(m["patrols"].max(), index=m.index)),
             "hazards_per_patrol": _share(m["hazards_per_patrol"],
                                          pd.Series(m["hazards_per_patrol"].max(), index=m.index))}
    if "venues" in m:
        m["coverage"] = _share(m["venues_covered"], m["venues"])
        m["closed_on_time"] = _share(m["hazards_closed_on_time"], m["hazards_due"])
        m["no_overdue"] = (1 - _share(m["overdue"], m["hazards_open"])).fillna(1.0)
        target = rules.kpi.days_to_close_target
        days = m["days_to_close"]
        speed = (target / days.where(days > target)).fillna(1.0).where(days.notna())
        parts |= {"coverage": m["coverage"], "closed_on_time": m["closed_on_time"], "no_overdue": m["no_overdue"],
                  "days_to_close": speed}
    weights = rules.kpi.weights
    weighted = sum(parts[k].fillna(0) * weights[k] for k in parts)
    weight = sum(parts[k].notna() * weights[k] for k in parts)
    m["score"] = one_decimal(100 * weighted / weight.where(weight > 0))
    m["rank"] = m["score"].rank(method="min", ascending=False)
    return m.sort_values(["score", "key"], ascending=[False, True], na_position="last", key=_sort_key)


def one_decimal(values: pd.Series) -> pd.Series:
    """Scores to one decimal as Python's ``round`` does (the exact value, ties to even).

    Not pandas' ``round(1)`` (x · 10 rounded, then divided): 57.15 is stored as 57.1499…, which is 57.1 to Python
    and 57.2 to numpy; a rank must not hang on which of the two a reader recomputes with.
    """
    return values.map(lambda x: x if pd.isna(x) else round(x, 1)).astype(float)


def _sort_key(column: pd.Series) -> pd.Series:
    return column if column.name == "score" else column.astype(str)


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _plain(row: pd.Series) -> dict[str, object]:
    """A row of the ranking as JSON-ready values (``None`` for what the row has not: a team's coverage …)."""
    out: dict[str, object] = {"name": row["name"]}
    for key, value in row.items():
        if key == "name":
            continue
        if pd.isna(value):
            out[key] = None
        elif key not in FRACTIONS:
            out[key] = int(value)
        else:
            out[key] = round(float(value), 4)
    for key in NOT_FOR_TEAMS:
        out.setdefault(key, None)
    return out


def measure_columns(by: str) -> tuple[str, ...]:
    """The columns a ranking of ``by`` shows, in order (the page, the Excel export)."""
    common = ("stops_done", "stops_planned", "patrols", "inspections", "hazards_found", "hazards_per_patrol")
    if by == "team":
        return common
    return ("coverage", "venues", *common, "closed_on_time", "hazards_due", "overdue", "days_to_close",
            "hazards_closed")


def weights_text(weights: Mapping[str, float]) -> str:
    """The weights as "coverage 30 % · …" (the page's and the workbook's footnote)."""
    return " · ".join(f"{k} {v * 100:.0f} %" for k, v in weights.items() if v > 0)


def kpi_json(args: Mapping[str, str], *, rules: Rules, today: dt.date) -> dict[str, object]:
    """The ranking for query parameters ``period``, ``by`` and ``on`` as JSON-ready data (dates as YYYY-MM-DD).

    Raises
    ------
    InputError
        Naming the parameter that is wrong (:func:`parse_query`).
    """
    period, by, on = parse_query(args.get("period"), args.get("by"), args.get("on"), today=today)
    r = ranking(period, by, on, rules)
    return {**r, "on": on.isoformat(), "this": {"start": r["this"][0].isoformat(), "end": r["this"][1].isoformat()},
            "last": {"start": r["last"][0].isoformat(), "end": r["last"][1].isoformat()}}


def stops_of_day(day: dt.date) -> set[tuple[str, str]]:
    """The (team, venue) stops planned for ``day``: the newest finished plan that has the day, and added stops."""
    newest = db.session.scalar(db.select(db.func.max(PlanStop.plan_id)).join(PlanRun, PlanRun.id == PlanStop.plan_id)
                               .where(PlanRun.status == "done", PlanStop.day == day))
    planned = {tuple(r) for r in db.session.execute(db.select(PlanStop.team_id, PlanStop.venue_id)
                                                    .where(PlanStop.plan_id == newest, PlanStop.day == day))}
    added = {tuple(r) for r in db.session.execute(db.select(AddedStop.team_id,
                                                            AddedStop.venue_id).where(AddedStop.day == day))}
    return (planned if newest else set()) | added
