"""What is due to be told today (预警提醒, 红黄牌督办), by the ``[notify]`` rules, read from the database.

Each :class:`Due` names the people it is for as audience tokens, matched against the accounts' ``notify_for``
and the robots' ``for`` (:mod:`ledger.notify`):

- ``person:<name>``: the hazard's responsible person (责任人) or a grid's worker, by the name in the ledgers;
- ``grid:<grid_id>``: the grid's worker (网格员);
- ``community:<name>``: the community's coordinator (社区安全办);
- ``street``: the street's leader (街道领导);
- ``office``: the coordinators of the app (plan jobs).

Reminders are for their day only (a late "three days left" helps nobody); a yellow or red card is for its day
and is still told on a later run while the hazard stays unfixed, so that a day without a run never loses one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from gis.rules import NotifyRules, Rules

from .models import Grid, Hazard, Inspection, PlanRun, Venue, db

#: Hazards still to be fixed: reminded and carded. In feedback (反馈) the next step is the office's re-check.
BEING_FIXED = ("found", "reported", "rectifying")
SEVERITY_ZH = {"general": "一般", "major": "重大"}


@dataclass(frozen=True)
class Card:
    """A hazard's escalation: a yellow card (黄牌) from ``yellow_on``, red (红牌, 挂牌督办) from ``red_on``."""

    colour: str  # yellow, red
    yellow_on: dt.date
    red_on: dt.date


@dataclass(frozen=True)
class Due:
    """One warning due today, before it is addressed to anyone."""

    rule: str  # remind, yellow, red, major_new, interval_soon, no_visit, plan_failed
    stage: str
    subject: str
    day: dt.date
    title: str
    text: str
    link: str
    audiences: frozenset[str]


def escalation(hazard: Hazard, rules: NotifyRules, today: dt.date) -> Card | None:
    """The card a hazard holds on ``today`` (``None`` before its yellow day, without deadline, or once fixed)."""
    if hazard.deadline is None or hazard.status not in BEING_FIXED:
        return None
    warnings = rules.severities.get(hazard.severity) or rules.severities["general"]
    yellow_on = hazard.deadline + dt.timedelta(days=warnings.yellow_after_days)
    red_on = yellow_on + dt.timedelta(days=warnings.red_after_days)
    if today < yellow_on:
        return None
    return Card("red" if today >= red_on else "yellow", yellow_on, red_on)


def due_today(rules: Rules, today: dt.date, *, public_url: str) -> list[Due]:
    """Every warning the rules ask for on ``today``, in a stable order (hazards, then grids, then plans)."""
    base = public_url.rstrip("/")
    grids = {g.grid_id: g for g in db.session.scalars(db.select(Grid))}
    venues = {v.venue_id: v for v in db.session.scalars(db.select(Venue).where(Venue.retired.is_(False)))}
    due = _hazard_warnings(rules, today, base, venues, grids)
    due += _interval_warnings(rules, today, base, venues, grids)
    due += _no_visit_warnings(rules.notify, today, base, venues, grids)
    due += _plan_failures(rules.notify, today, base)
    return due


def _grid_people(grid: Grid | None) -> set[str]:
    if grid is None:
        return set()
    return {f"grid:{grid.grid_id}"} | ({f"person:{grid.worker}"} if grid.worker else set())


def _hazard_warnings(rules: Rules, today: dt.date, base: str, venues: dict, grids: dict) -> list[Due]:
    out = []
    hazards = db.session.scalars(db.select(Hazard).where(Hazard.status != "closed").order_by(Hazard.hazard_id))
    for h in hazards:
        venue = venues.get(h.venue_id)
        grid = grids.get(venue.grid_id) if venue else None
        community = {f"community:{grid.community}"} if grid is not None and grid.community else set()
        warnings = rules.notify.severities.get(h.severity) or rules.notify.severities["general"]
        type_zh = rules.hazard_types[h.type].label_zh if h.type in rules.hazard_types else h.type
        in_grid = grid.grid_id + " " + grid.community if grid else "未分网格"
        where = f"{venue.name if venue else h.venue_id}（{in_grid}）"
        about = f"隐患 {h.hazard_id}：{type_zh}（{SEVERITY_ZH.get(h.severity, h.severity)}），场所 {where}"
        who = f"责任人 {h.responsible_person}，" if h.responsible_person else ""
        link = f"{base}/hazards/{h.hazard_id}"

        def add(rule: str, stage: str, day: dt.date, title: str, text: str, audiences: set[str]) -> None:
            out.append(Due(rule, stage, h.hazard_id, day, title, text, link, frozenset(audiences)))

        if warnings.immediately and h.found_on <= today <= h.found_on + dt.timedelta(days=1):
            add("major_new", "major_new", h.found_on, f"【{SEVERITY_ZH.get(h.severity, '')}隐患】{h.hazard_id} 新发现",
                f"{about}，{h.found_on} 发现，请立即督办。", {"street"} | community | _grid_people(grid))
        if h.status not in BEING_FIXED or h.deadline is None:
            continue
        left = (h.deadline - today).days
        if left in warnings.remind_days_before:
            when = "今天到期" if left == 0 else f"还有 {left} 天到期"
            add("remind", f"remind_{left}", today, f"【整改提醒】{h.hazard_id} {when}",
                f"{about}，整改期限 {h.deadline}，{when}。{who}请按期整改。",
                ({f"person:{h.responsible_person}"} if h.responsible_person else set()) | _grid_people(grid))
        card = escalation(h, rules.notify, today)
        if card is not None:
            late = (card.yellow_on - h.deadline).days
            add("yellow", "yellow", card.yellow_on, f"【黄牌】{h.hazard_id} 超期未整改",
                f"{about}，整改期限 {h.deadline}，{card.yellow_on} 起超期 {late} "
                f"天仍未整改，亮黄牌。{who}请社区督促整改。",
                community)
        if card is not None and card.colour == "red":
            add("red", "red", card.red_on, f"【红牌·挂牌督办】{h.hazard_id} 超期未整改",
                f"{about}，整改期限 {h.deadline}，黄牌后 {(card.red_on - card.yellow_on).days} 天仍未整改，"
                f"{card.red_on} 起亮红牌、挂牌督办。{who}请街道领导督办。", {"street"} | community)
    return out


def _interval_warnings(rules: Rules, today: dt.date, base: str, venues: dict, grids: dict) -> list[Due]:
    """Per grid: the venues whose inspection interval ends exactly ``interval_warn_days`` from today."""
    ahead = rules.notify.interval_warn_days
    by_grid: dict[str, list[Venue]] = defaultdict(list)
    for v in venues.values():
        category = rules.categories.get(v.category)
        if v.last_inspected is None or category is None:
            continue
        if (v.last_inspected + dt.timedelta(days=category.interval_days) - today).days == ahead:
            by_grid[v.grid_id].append(v)
    out = []
    for grid_id in sorted(by_grid):
        names = "、".join(v.name for v in sorted(by_grid[grid_id], key=lambda v: v.venue_id)[:5])
        n = len(by_grid[grid_id])
        out.append(Due("interval_soon", "interval_soon", grid_id, today,
                       f"【巡查提醒】网格 {grid_id} 有 {n} 处场所将到期",
                       f"网格 {grid_id} 有 {n} 处场所 {ahead} "
                       f"天后超出巡查周期：{names}{'等' if n > 5 else ''}，请安排巡查。",
                       f"{base}/map?grid={grid_id}",
                       frozenset(_grid_people(grids.get(grid_id)) or {f"grid:{grid_id}"})))
    return out


def _no_visit_warnings(rules: NotifyRules, today: dt.date, base: str, venues: dict, grids: dict) -> list[Due]:
    """On the rules' weekday: grids with venues and no inspection of any of them since Monday."""
    if today.isoweekday() != rules.no_visit_weekday:
        return []
    monday = today - dt.timedelta(days=today.weekday())
    visited = set(db.session.scalars(
        db.select(Venue.grid_id).join(Inspection, Inspection.venue_id == Venue.venue_id)
        .where(Inspection.date >= monday, Inspection.date <= today).distinct()))
    with_venues = {v.grid_id for v in venues.values()}
    out = []
    for grid_id in sorted(with_venues & set(grids) - visited):
        grid = grids[grid_id]
        community = {f"community:{grid.community}"} if grid.community else set()
        out.append(Due("no_visit", "no_visit", grid_id, today, f"【巡查提醒】网格 {grid_id} 本周未巡查",
                       f"网格 {grid_id}（{grid.community or '—'}）自 {monday} 以来没有巡查记录，请本周内安排巡查。",
                       f"{base}/map?grid={grid_id}", frozenset(_grid_people(grid) | community)))
    return out


def _plan_failures(rules: NotifyRules, today: dt.date, base: str) -> list[Due]:
    # created_at is UTC: a day's margin covers every office time zone (each plan is told once anyway)
    since = dt.datetime.combine(today - dt.timedelta(days=rules.plan_failed_within_days + 1), dt.time())
    runs = db.session.scalars(db.select(PlanRun).where(PlanRun.status == "failed", PlanRun.created_at >= since)
                              .order_by(PlanRun.id))
    return [Due("plan_failed", "plan_failed", str(run.id), run.created_at.date(),
                f"【计划失败】巡查计划 #{run.id} 未完成",
                f"{run.start} 起 {run.days} 天的巡查计划 "
                f"#{run.id}（{run.created_by}）失败：{(run.message or '')[:200]}，请重新计划。",
                f"{base}/plans/{run.id}", frozenset({"office"}))
            for run in runs]
