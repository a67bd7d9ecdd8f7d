"""Campaigns (专项排查, 拉网排查): declaring one, the campaigns of a day, and a campaign's progress.

A venue is *covered* by a campaign when it was inspected (outcome done) between the campaign's start and today (or
its end): "no blind spot, no household missed" means every venue in scope once in the period, whatever its interval.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from gis.campaigns import campaign_scope
from gis.errors import InputError
from gis.i18n import gettext as _
from gis.rules import CampaignScope, Rules

from .campaign_models import Campaign
from .models import Grid, Hazard, Inspection, User, Venue, db
from .results import NotAllowed


def parse_day(text: str, *, field: str, file: str = "campaign") -> dt.date:
    """A date YYYY-MM-DD from a form or the command line.

    Raises
    ------
    InputError
        Naming ``field`` when ``text`` is not such a date.
    """
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError as err:
        msg = _("%(field)s %(text)r: should be a date YYYY-MM-DD", field=field, text=text[:40])
        raise InputError(msg, file=file, field=field) from err


def declare_campaign(user: User, *, name: str, start: dt.date, end: dt.date, categories: Sequence[str] = (),
                     grids: Sequence[str] = (), hazard_types: Sequence[str] = (), checklist: str = "", rules: Rules,
                     file: str = "campaign") -> Campaign:
    """Declare a campaign as coordinator ``user``; the same campaign declared again (same name and start) is returned.

    ``categories`` and ``hazard_types`` take codes or their Chinese labels; empty ``categories`` or ``grids`` mean
    every category or grid. The caller commits.

    Raises
    ------
    NotAllowed
        When ``user`` is not a coordinator.
    InputError
        Naming the field: no name, a period that ends before it starts or is longer than a year, an unknown category,
        grid or hazard type, a checklist of more than 50 items, another campaign of that name and start.
    """
    if user.role != "coordinator":
        msg = _("only coordinators declare campaigns")
        raise NotAllowed(msg, file=file)
    scope, problems = campaign_scope(name=name, start=start, end=end, categories=categories, grids=grids,
                                     hazard_types=hazard_types, checklist=(checklist or "").splitlines(), rules=rules,
                                     known_grids=set(db.session.scalars(db.select(Grid.grid_id))))
    if scope is None:
        field, message = problems[0]
        raise InputError(message, file=file, field=field)
    name = scope.name
    wanted = {"end": end, "categories": ";".join(_in_order(categories, scope.categories, rules.resolve_category)),
              "grids": ";".join(_in_order(grids, scope.grids, str.strip)), "hazard_types": ";".join(scope.hazard_types),
              "checklist": "\n".join(scope.items)}
    known = db.session.scalar(db.select(Campaign).where(Campaign.name == name, Campaign.start == start))
    if known is not None:
        if all(getattr(known, k) == v for k, v in wanted.items()):
            return known
        msg = _("name %(name)r: a campaign of this name starts on %(start)s already", name=name, start=start)
        raise InputError(msg, file=file, field="name")
    campaign = Campaign(name=name, start=start, created_by=user.username, **wanted)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _in_order(given: Sequence[str], codes: frozenset[str], resolve) -> list[str]:
    """``codes`` in the order they were given (the stored text reads as the coordinator wrote it)."""
    return [c for c in dict.fromkeys(resolve(v) for v in given if v.strip()) if c in codes]


def campaigns_on(day: dt.date, last: dt.date | None = None) -> list[Campaign]:
    """The campaigns running on ``day`` (or on any day of ``day`` … ``last``), oldest first."""
    return list(db.session.scalars(db.select(Campaign).where(Campaign.start <= (last or day), Campaign.end >= day)
                                   .order_by(Campaign.start, Campaign.id)))


def all_campaigns() -> list[Campaign]:
    """Every campaign, the latest first."""
    return list(db.session.scalars(db.select(Campaign).order_by(Campaign.start.desc(), Campaign.id.desc())))


def scope_venues(campaign: Campaign) -> list[Venue]:
    """The venues in use (not retired) of the campaign's categories and grids."""
    q = db.select(Venue).where(Venue.retired.is_(False)).order_by(Venue.grid_id, Venue.venue_id)
    if campaign.codes("categories"):
        q = q.where(Venue.category.in_(campaign.codes("categories")))
    if campaign.codes("grids"):
        q = q.where(Venue.grid_id.in_(campaign.codes("grids")))
    return list(db.session.scalars(q))


def progress(campaign: Campaign, today: dt.date) -> dict[str, object]:
    """How far the campaign is on ``today``.

    Venues covered of the total by grid, hazards found by type, what is left, and whether the days left are enough at
    the pace so far.

    Returns
    -------
    dict
        ``total``, ``covered``, ``share``; ``grids``: per grid ``{grid_id, name, total, covered, left}`` (``left``:
        the venues still to see, as ``(venue_id, name)``); ``hazards``: ``{type: count}`` of hazards found at venues
        in scope in the period, the hazard types in focus first (found or not), then the others, most found first;
        ``days_done``, ``days_left``, ``per_day`` (venues covered per day so far),
        ``needed_per_day`` and ``enough`` (``None`` before the start).
    """
    until = min(today, campaign.end)
    venues = scope_venues(campaign)
    ids = [v.venue_id for v in venues]
    seen = set(db.session.scalars(db.select(Inspection.venue_id).where(
        Inspection.venue_id.in_(ids), Inspection.outcome == "done", Inspection.date >= campaign.start,
        Inspection.date <= until))) if ids and until >= campaign.start else set()
    names = dict(db.session.execute(db.select(Grid.grid_id, Grid.name)).all())
    grids: dict[str, dict] = {}
    for v in venues:
        g = grids.setdefault(v.grid_id, {"grid_id": v.grid_id, "name": names.get(v.grid_id, ""),
                                         "total": 0, "covered": 0, "left": []})
        g["total"] += 1
        if v.venue_id in seen:
            g["covered"] += 1
        else:
            g["left"].append((v.venue_id, v.name))
    found = Counter(db.session.scalars(db.select(Hazard.type).where(
        Hazard.venue_id.in_(ids), Hazard.found_on >= campaign.start, Hazard.found_on <= until))) if ids else Counter()
    covered, total = len(seen), len(venues)
    days_done = max(0, (until - campaign.start).days + 1)
    days_left = max(0, (campaign.end - today).days)  # the days after today
    per_day = covered / days_done if days_done else None
    left = total - covered
    return {
        "total": total, "covered": covered, "share": covered / total if total else None,
        "grids": sorted(grids.values(), key=lambda g: (g["covered"] / g["total"], g["grid_id"])),
        "hazards": {**{code: found[code] for code in campaign.codes("hazard_types")}, **dict(found.most_common())},
        "days_done": days_done, "days_left": days_left, "per_day": per_day,
        "needed_per_day": left / days_left if days_left else (0.0 if left == 0 else None),
        "enough": None if per_day is None else (left == 0 or per_day * days_left >= left),
    }


def report_text(campaign: Campaign, p: dict[str, object], rules: Rules) -> str:
    """A campaign's progress as text for the command line (``patrol campaign report``), in Chinese."""
    share = "—" if p["share"] is None else f"{p['share'] * 100:.0f}%"
    if p["enough"] is None:
        pace = "尚未开始"
    else:
        per_day = "—" if p["per_day"] is None else f"{p['per_day']:.1f}"
        needed = "—" if p["needed_per_day"] is None else f"{p['needed_per_day']:.1f}"
        pace = f"已过 {p['days_done']} 天、剩 {p['days_left']} 天，日均 {per_day} 处、尚需日均 {needed} 处：" + (
            "按当前进度可以按期完成" if p["enough"] else "按当前进度不能按期完成")
    lines = [f"专项排查 #{campaign.id} {campaign.name}（{campaign.start} 至 {campaign.end}）",
             f"已覆盖 {p['covered']}/{p['total']} 处场所（{share}）；{pace}", "网格\t已覆盖\t总数\t未覆盖场所"]
    for g in p["grids"]:
        left = "、".join(v for v, _ in g["left"][:10]) + (f" 等 {len(g['left'])} 处" if len(g["left"]) > 10 else "")
        lines.append(f"{g['grid_id']}\t{g['covered']}\t{g['total']}\t{left}")
    focus = set(campaign.codes("hazard_types"))
    lines.append("发现隐患（按类型，★ 为重点隐患）：" + ("；".join(
        f"{'★' if t in focus else ''}{rules.hazard_types[t].label_zh if t in rules.hazard_types else t} {n}"
        for t, n in p["hazards"].items()) or "无"))
    return "\n".join(lines)


def as_scope(c: Campaign) -> CampaignScope:
    """A stored campaign as planning takes it."""
    return CampaignScope(
        c.name,
        c.start,
        c.end,
        frozenset(c.codes("categories")),
        frozenset(c.codes("grids")),
        c.items(),
        c.codes("hazard_types"),
    )


def campaign_scopes(day: dt.date, last: dt.date | None = None) -> tuple[CampaignScope, ...]:
    """The campaigns running on a day of ``day`` … ``last`` as planning takes them (:meth:`Rules.with_campaigns`)."""
    return tuple(as_scope(c) for c in campaigns_on(day, last))


def venue_campaigns(day: dt.date, venues: Sequence[Venue]) -> dict[str, list[Campaign]]:
    """The campaigns running on ``day`` with a checklist or hazard types in focus, per venue in their scope.

    Oldest first; venues in no campaign's scope are left out.
    """
    running = [(c, as_scope(c)) for c in campaigns_on(day) if c.items() or c.codes("hazard_types")]
    out: dict[str, list[Campaign]] = {}
    for v in venues:
        mine = [c for c, scope in running if scope.covers(v.category, v.grid_id)]
        if mine:
            out[v.venue_id] = mine
    return out
