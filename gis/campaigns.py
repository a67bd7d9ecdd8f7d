"""Campaigns (专项排查): checking one, reading them from a file, and working them into the horizon.

:func:`campaign_scope` holds the rules of a campaign (a name, a period of at most a year, known categories, grids and
hazard types, a short checklist) for the web form and for :func:`read_campaigns` (``patrol plan --campaign FILE``)
alike. In the horizon every venue in scope not yet seen in the campaign falls due within it: the venues still to see are
given due dates spread evenly over the days the campaign has left (grid by grid, so
that a day's share lies together); the horizon (:func:`planner.horizon.assign_days`) then places each near its date
on the least-loaded day, as it does with any due venue. A venue due earlier by its interval keeps that date.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from ._table import Problems, parse_date, read_frame, split_list
from .errors import InputError, raise_collected
from .i18n import N_
from .i18n import gettext as _
from .rules import CampaignScope, Rules

MAX_DAYS = 366  # a campaign lasts a year at most
MAX_ITEMS = 50  # check items of one campaign, each at most 200 characters
#: Column headers of a campaign table (CSV/XLSX) as offices write them → our field names.
CAMPAIGN_HEADERS = {
    "名称": "name",
    "专项排查": "name",
    "开始": "start",
    "开始日期": "start",
    "结束": "end",
    "结束日期": "end",
    "场所类别": "categories",
    "类别": "categories",
    "网格": "grids",
    "重点隐患": "hazard_types",
    "隐患类型": "hazard_types",
    "检查要点": "checklist",
    "检查清单": "checklist",
}
CAMPAIGN_FIELDS = ("name", "start", "end", "categories", "grids", "hazard_types", "checklist")


def campaign_scope(
    *,
    name: str,
    start: dt.date,
    end: dt.date,
    categories: Sequence[str] = (),
    grids: Sequence[str] = (),
    hazard_types: Sequence[str] = (),
    checklist: Sequence[str] = (),
    rules: Rules,
    known_grids: Collection[str],
    at: str = "",
) -> tuple[CampaignScope | None, list[tuple[str, str]]]:
    """A campaign checked against the rules: its :class:`CampaignScope`, or ``None`` and its problems.

    ``categories`` and ``hazard_types`` take codes or their Chinese labels; empty ``categories`` or ``grids`` mean
    every category or grid. Each problem is ``(field, message)``, the message starting with the field, which is
    ``at`` + the name (``at="campaigns[2]."`` for a TOML file's second campaign).
    """
    problems: list[tuple[str, str]] = []

    def bad(key: str, text: str, **variables: object) -> None:
        problems.append((at + key, _(text, field=at + key, **variables)))

    name = (name or "").strip()
    if not name or len(name) > 200:
        bad("name", N_("%(field)s: should be 1-200 characters"))
    if end < start:
        bad("end", N_("%(field)s %(end)s: is before the start %(start)s"), end=end, start=start)
    elif (end - start).days >= MAX_DAYS:
        bad("end", N_("%(field)s %(end)s: a campaign lasts a year at most"), end=end)
    codes = {}
    for key, values, resolve in (
        ("categories", categories, rules.resolve_category),
        ("hazard_types", hazard_types, rules.resolve_hazard_type),
    ):
        codes[key] = []
        for value in (v.strip() for v in values if v.strip()):
            code = resolve(value)
            if code is None:
                bad(key, N_("%(field)s %(value)r: is not known"), value=value[:60])
            codes[key].append(code)
    grid_ids = tuple(dict.fromkeys(g.strip() for g in grids if g.strip()))
    for g in grid_ids:
        if g not in known_grids:
            bad("grids", N_("%(field)s %(value)r: is not a grid"), value=g[:60])
    items = tuple(line.strip() for line in checklist if line.strip())
    if len(items) > MAX_ITEMS or any(len(i) > 200 for i in items):
        bad("checklist", N_("%(field)s: at most %(n)d items of 200 characters"), n=MAX_ITEMS)
    if problems:
        return None, problems
    return CampaignScope(
        name,
        start,
        end,
        frozenset(codes["categories"]),
        frozenset(grid_ids),
        items,
        tuple(dict.fromkeys(codes["hazard_types"])),
    ), []


def read_campaigns(path: str | Path, *, rules: Rules, grids: gpd.GeoDataFrame) -> tuple[CampaignScope, ...]:
    """Campaigns from a file: TOML (``[[campaigns]]`` tables) or a table (CSV/XLSX, one row per campaign).

    Fields: ``name``, ``start``, ``end`` (dates), ``categories``, ``grids`` and ``hazard_types`` (lists, or text
    separated by ``;`` ``,`` ``、``; empty: every category or grid), ``checklist`` (a list, or text with one item per
    line or separated by ``;``). Chinese headers (名称, 开始日期, 结束日期, 场所类别, 网格, 重点隐患, 检查要点) are
    accepted.

    Raises
    ------
    InputError
        For the first problem of the whole file (the others in ``.more``), naming the file and the row (a table) or
        the TOML path (``campaigns[2].end``).
    """
    path = Path(path)
    if path.suffix.lower() == ".toml":
        return _read_toml(path, rules, set(grids.index))
    frame, _unit = read_frame(path, header_aliases=CAMPAIGN_HEADERS)
    problems = Problems(path.name, "row")
    problems.require_columns(frame, ["name", "start", "end"])
    out = []
    for i in range(len(frame)):
        cell = {k: frame[k].iat[i] if k in frame else "" for k in CAMPAIGN_FIELDS}
        days = {}
        for key in ("start", "end"):
            try:
                days[key] = parse_date(cell[key])
            except ValueError:
                problems.add(i, key, _("%(field)s %(value)r: should be a date YYYY-MM-DD", field=key,
                                       value=cell[key][:40]))
        if len(days) < 2:
            continue
        scope, found = campaign_scope(
            name=cell["name"],
            start=days["start"],
            end=days["end"],
            categories=split_list(cell["categories"]),
            grids=split_list(cell["grids"]),
            hazard_types=split_list(cell["hazard_types"]),
            checklist=re.split(r"[\n;；]", cell["checklist"]),
            rules=rules,
            known_grids=set(grids.index),
        )
        for key, message in found:
            problems.add(i, key, message)
        if scope is not None:
            out.append((i, scope))
    _unique_names(out, lambda i, msg: problems.add(i, "name", msg))
    problems.raise_if_any()
    return tuple(scope for _k, scope in out)


def _read_toml(path: Path, rules: Rules, known_grids: set[str]) -> tuple[CampaignScope, ...]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        msg = _("file not found")
        raise InputError(msg, file=path.name) from err
    except tomllib.TOMLDecodeError as err:
        msg = _("not valid TOML: %(error)s", error=err)
        raise InputError(msg, file=path.name) from err
    tables = raw.get("campaigns")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        msg = _("campaigns: the [[campaigns]] tables are missing (name, start, end, categories, …)")
        raise InputError(msg, file=path.name, field="campaigns")
    problems: list[InputError] = []
    out: list[tuple[int, CampaignScope]] = []

    def add(field: str, message: str) -> None:
        problems.append(InputError(message, file=path.name, field=field))

    for k, table in enumerate(tables, start=1):
        at = f"campaigns[{k}]."
        for key in sorted(set(table) - set(CAMPAIGN_FIELDS)):
            add(at + key, _("%(field)s: is not a field of a campaign (%(fields)s)", field=at + key,
                            fields=", ".join(CAMPAIGN_FIELDS)))
        values: dict[str, Any] = {}
        for key in CAMPAIGN_FIELDS:
            value = table.get(key, "" if key == "name" else ...)
            if key in ("start", "end"):
                values[key] = _toml_day(value, at + key, add)
            elif key == "name":
                values[key] = (
                    value if isinstance(value, str)
                    else add(at + key, _("%(field)s %(value)r: should be text", field=at + key, value=value))
                )
            else:
                values[key] = _toml_list(
                    value,
                    at + key,
                    add,
                    split=(lambda t: re.split(r"[\n;；]", t)) if key == "checklist" else split_list,
                )
        if None in values.values():
            continue
        scope, found = campaign_scope(**values, rules=rules, known_grids=known_grids, at=at)
        for field, message in found:
            add(field, message)
        if scope is not None:
            out.append((k, scope))
    _unique_names(out, lambda k, msg: add(f"campaigns[{k}].name", msg), at=lambda k: f"campaigns[{k}].")
    raise_collected(problems)
    return tuple(scope for _k, scope in out)


def _toml_day(value: object, field: str, add) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError:
            pass
    add(field, _("%(field)s is missing: should be a date YYYY-MM-DD", field=field) if value is ...
        else _("%(field)s %(value)r: should be a date YYYY-MM-DD", field=field, value=value))
    return None


def _toml_list(value: object, field: str, add, *, split) -> list[str] | None:
    if value is ...:
        return []
    if isinstance(value, str):
        return split(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    add(field, _("%(field)s %(value)r: should be a list of text", field=field, value=value))
    return None


def _unique_names(scopes: list[tuple[int, CampaignScope]], add, *, at=lambda _k: "") -> None:
    """Two campaigns of one name and start would be one campaign twice: name the second (by its row or table)."""
    seen: set[tuple[str, dt.date]] = set()
    for k, c in scopes:
        if (c.name, c.start) in seen:
            add(k, _("%(field)s %(name)r: a campaign of this name starts on %(start)s already", field=at(k) + "name",
                     name=c.name, start=c.start))
        seen.add((c.name, c.start))


def campaign_due(status: pd.DataFrame, venues: gpd.GeoDataFrame, rules: Rules) -> pd.DataFrame:
    """``status`` (of :func:`gis.coverage.venue_status`) with the due dates of ``rules.campaigns`` worked in.

    Each venue a campaign still has to see gets a target day in the campaign's days from the plan's first day on
    (``campaign_by``) and the first of those days (``campaign_from``): the horizon places its campaign visit between
    the two (:func:`planner.horizon.assign_days`), so that a campaign starting partway through a plan is visited in
    it, not before it starts. ``due_on`` becomes the target where that is earlier. A venue in several campaigns takes
    the one whose target comes first. Returns a new frame; the input is not changed. Without campaigns, ``status``
    itself.
    """
    if not rules.campaigns or rules.campaign_day is None:
        return status
    due = status["due_on"].copy()
    window: dict[object, tuple[dt.date, dt.date]] = {}  # venue → (first day, target) of its campaign visit
    grid = venues["grid_id"] if "grid_id" in venues else pd.Series("", index=venues.index)
    for c in rules.campaigns:
        first = max(c.start, rules.campaign_day)
        span = (c.end - first).days + 1
        if span <= 0:
            continue
        in_scope = [vid for vid in venues.index if c.covers(venues.at[vid, "category"], str(grid.get(vid, "")))]
        left = [
            vid
            for vid in in_scope
            if status.at[vid, "last_inspected"] is None
            or pd.isna(status.at[vid, "last_inspected"])
            or status.at[vid, "last_inspected"] < c.start
        ]
        left.sort(key=lambda vid: (str(grid.get(vid, "")), str(vid)))
        for k, vid in enumerate(left):
            target = first + dt.timedelta(days=min(span - 1, k * span // len(left)))
            if vid not in window or target < window[vid][1]:
                window[vid] = (first, target)
            current = due[vid]
            if current is not None and not pd.isna(current):  # never inspected (None) is as overdue as can be already
                due[vid] = min(current, target)

    def column(k: int) -> pd.Series:
        return pd.Series({v: w[k] for v, w in window.items()}, index=status.index, dtype=object)

    return status.assign(due_on=due, campaign_from=column(0), campaign_by=column(1))
