"""Domain rules (data/rules.toml) loaded into a frozen :class:`Rules`.

Errors name the TOML path as the field, e.g. ``categories.small_shop.interval_days``.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from .errors import InputError, raise_collected
from .i18n import N_
from .i18n import gettext as _
from .timeparse import parse_hhmm

#: The four roles of a joint patrol (四方联动).
ROLES: tuple[str, ...] = ("grid_worker", "property", "volunteer", "safety_officer")
ROLE_LABELS_ZH: Mapping[str, str] = MappingProxyType(
    {"grid_worker": "网格员", "property": "物业", "volunteer": "志愿者", "safety_officer": "安全员"}
)


def members_by_role(members: str) -> list[tuple[str, str]]:
    """(role, name) of each member written as "网格员 张三、物业 李四" (、，, or ; between them), in that order.

    Parts that do not start with a role's Chinese label are left out.
    """
    by_label = {label: code for code, label in ROLE_LABELS_ZH.items()}
    pairs = []
    for part in re.split(r"[、，,;；]", members or ""):
        bits = part.split()
        if len(bits) == 2 and bits[0] in by_label:
            pairs.append((by_label[bits[0]], bits[1]))
    return pairs


GROUPS: tuple[str, ...] = ("nine_small", "many_in_one", "rental", "high_risk", "other")
CATEGORY_CODES: tuple[str, ...] = (
    "small_school", "small_clinic", "small_shop", "small_restaurant", "small_hotel",
    "small_entertainment", "small_internet_cafe", "small_beauty_bath", "small_workshop",
    "many_in_one", "rental_housing", "high_rise", "commercial_complex", "warehouse", "school",
    "hospital", "elderly_care", "hazardous_chemicals", "gas_station", "construction_site", "other",
)
SEVERITIES: tuple[str, ...] = ("general", "major")
MODES: tuple[str, ...] = ("walk", "ebike")
DEFAULT_SPEEDS: Mapping[str, float] = MappingProxyType({"walk": 1.2, "ebike": 4.0})  # m/s, when rules.toml gives none
DEFAULT_RULES_PATH = Path(__file__).resolve().parent.parent / "data" / "rules.toml"


@dataclass(frozen=True)
class Category:
    """How one kind of venue is inspected."""

    code: str
    label_zh: str
    label_en: str
    group: str
    interval_days: int
    service_minutes: int
    required_roles: frozenset[str]
    open_s: int  # default opening, seconds after midnight
    close_s: int  # default closing; may exceed 86400 when the place closes after midnight
    base_risk: float
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class HazardType:
    """A kind of hazard (隐患) with its default severity and days allowed to fix it."""

    code: str
    label_zh: str
    label_en: str
    severity: str
    deadline_days: int
    categories: frozenset[str]  # where it is on the checklist; "*" = everywhere

    def applies_to(self, category: str) -> bool:
        return "*" in self.categories or category in self.categories


@dataclass(frozen=True)
class SeverityWarnings:
    """When the people around a hazard of one severity are told (see ``[notify.*]`` in rules.toml)."""

    remind_days_before: tuple[int, ...] = (3, 0)  # reminders N days before the deadline; 0 = on the day
    yellow_after_days: int = 1  # days past the deadline: yellow card (黄牌) to the community's coordinator
    red_after_days: int = 7  # days after the yellow card: red card (红牌, 挂牌督办) to the street's leader
    immediately: bool = False  # a new hazard of this severity is told at once


@dataclass(frozen=True)
class NotifyRules:
    """Warnings and escalation (预警提醒, 红黄牌督办): per hazard severity, and for venues, grids and plans."""

    severities: Mapping[str, SeverityWarnings] = field(default_factory=lambda: MappingProxyType({
        "general": SeverityWarnings(),
        "major": SeverityWarnings(remind_days_before=(7, 3, 1, 0), red_after_days=3, immediately=True),
    }))
    interval_warn_days: int = 3  # tell a grid's worker of venues whose inspection interval ends in this many days
    no_visit_weekday: int = 4  # ISO weekday (4 = Thursday) on which grids with no visit since Monday are told
    plan_failed_within_days: int = 1  # plan jobs that failed today or this many days before are told


#: The measures of the ranking (考核) that can carry a weight in ``[kpi.weights]``.
KPI_MEASURES: tuple[str, ...] = ("coverage", "stops_done", "patrols", "hazards_per_patrol", "closed_on_time",
                                 "no_overdue", "days_to_close")


@dataclass(frozen=True)
class KpiRules:
    """How the ranking (考核) scores a grid, worker, team or community (see ``[kpi]`` in rules.toml)."""

    weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({
        "coverage": 0.30, "closed_on_time": 0.25, "no_overdue": 0.15, "stops_done": 0.15, "patrols": 0.10,
        "days_to_close": 0.05, "hazards_per_patrol": 0.0}))
    days_to_close_target: int = 7  # closing in this many days on average or fewer scores in full


@dataclass(frozen=True)
class Season:
    """A stretch of months in which some kinds of place are inspected more often or weigh more (``[seasons.*]``).

    ``from_month`` to ``to_month`` inclusive, wrapping around the year's end (11 to 3: November to March).
    """

    code: str
    label_zh: str
    label_en: str
    from_month: int
    to_month: int
    interval: Mapping[str, float]  # category code → multiplier of interval_days (0.5: twice as often)
    risk: Mapping[str, float]  # category or hazard type code → multiplier of base risk / of an open hazard's weight

    def holds(self, day: date) -> bool:
        """Whether the season is in force on ``day``."""
        if self.from_month <= self.to_month:
            return self.from_month <= day.month <= self.to_month
        return day.month >= self.from_month or day.month <= self.to_month


@dataclass(frozen=True)
class CampaignScope:
    """A campaign (专项排查) as planning sees it.

    Every venue of ``categories`` in ``grids`` (empty: all) once between ``start`` and ``end``, with the campaign's own
    check items for the sheets.
    """

    name: str
    start: date
    end: date
    categories: frozenset[str] = frozenset()
    grids: frozenset[str] = frozenset()
    items: tuple[str, ...] = ()
    hazard_types: tuple[str, ...] = ()  # the hazard types in focus (codes)

    def covers(self, category: str, grid_id: str) -> bool:
        """Whether a venue of ``category`` in ``grid_id`` is in scope."""
        return (not self.categories or category in self.categories) and (not self.grids or grid_id in self.grids)


@dataclass(frozen=True)
class Rules:
    """All domain rules: categories, hazard types, travel model and planning weights."""

    categories: Mapping[str, Category]
    hazard_types: Mapping[str, HazardType]
    detour_factor: float
    speed_m_s: Mapping[str, float]
    high_risk_threshold: float
    open_hazard_general: float
    open_hazard_major: float
    away_from_home_s: int = 600
    notify: NotifyRules = field(default_factory=NotifyRules)
    kpi: KpiRules = field(default_factory=KpiRules)
    seasons: tuple[Season, ...] = ()
    #: Multipliers of an open hazard's weight in a venue's risk, by hazard type (set by :meth:`in_season`).
    hazard_risk_factor: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    #: The seasons these rules were adjusted for (:meth:`in_season`), none for the rules as written.
    in_force: tuple[Season, ...] = ()
    #: The categories as written, while ``categories`` holds those of the seasons in force.
    written_categories: Mapping[str, Category] | None = None
    #: Campaigns running on a day of the plan from ``campaign_day`` (set by :meth:`with_campaigns`): their venues fall
    #: due within them.
    campaigns: tuple[CampaignScope, ...] = ()
    campaign_day: date | None = None
    source: str = "rules.toml"

    def with_campaigns(self, campaigns: tuple[CampaignScope, ...], day: date, last: date | None = None) -> Rules:
        """These rules with the campaigns of a plan of the days ``day`` … ``last`` (default: ``day`` alone).

        A campaign counts when its period and the plan's days meet: one that starts on the plan's third day brings
        its venues due from that day on (:func:`gis.campaigns.campaign_due`).
        """
        last = day if last is None else last
        return replace(self, campaigns=tuple(c for c in campaigns if c.start <= last and day <= c.end),
                       campaign_day=day)

    def campaign_items(self, category: str, grid_id: str, day: date) -> list[str]:
        """The check items of the campaigns running on ``day`` for a venue of ``category`` in ``grid_id``."""
        return [item for c in self._campaigns_at(category, grid_id, day) for item in c.items]

    def campaign_focus(self, category: str, grid_id: str, day: date) -> list[str]:
        """The hazard types in focus (codes, once each) of the campaigns running on ``day`` at such a venue."""
        return list(dict.fromkeys(code for c in self._campaigns_at(category, grid_id, day) for code in c.hazard_types))

    def _campaigns_at(self, category: str, grid_id: str, day: date) -> list[CampaignScope]:
        return [c for c in self.campaigns if c.start <= day <= c.end and c.covers(category, grid_id)]

    def in_season(self, day: date) -> Rules:
        """These rules as they hold on ``day``: the intervals and risks of the seasons in force multiplied in.

        An interval stays a whole number of days, at least 1; a risk stays at most 1. Seasons that overlap multiply.
        """
        seasons = tuple(s for s in self.seasons if s.holds(day))
        if seasons == self.in_force:
            return self
        written = self.written_categories or self.categories
        categories = {}
        for code, cat in written.items():
            interval, risk = float(cat.interval_days), cat.base_risk
            for s in seasons:
                interval *= s.interval.get(code, 1.0)
                risk *= s.risk.get(code, 1.0)
            categories[code] = replace(cat, interval_days=max(1, round(interval)), base_risk=min(1.0, risk))
        factor = {code: math.prod(s.risk.get(code, 1.0) for s in seasons) for code in self.hazard_types}
        return replace(self, categories=MappingProxyType(categories) if seasons else written, in_force=seasons,
                       written_categories=written if seasons else None,
                       hazard_risk_factor=MappingProxyType({k: v for k, v in factor.items() if v != 1.0}))

    @classmethod
    def from_toml(cls, path: str | Path = DEFAULT_RULES_PATH) -> Rules:
        """Read and validate a rules file; every problem names its TOML path."""
        path = Path(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as err:
            msg = _("rules file not found: %(path)s", path=path)
            raise InputError(msg, file=path.name) from err
        except tomllib.TOMLDecodeError as err:
            msg = _("not valid TOML: %(error)s", error=err)
            raise InputError(msg, file=path.name) from err
        return _RulesReader(raw, path.name).read()

    # --- look-ups -------------------------------------------------------------------------
    def resolve_category(self, value: object) -> str | None:
        """The category code for a code, a Chinese label or an alias; ``None`` when unknown."""
        text = str(value).strip()
        return self._aliases.get(text) or self._aliases.get(text.lower())

    def suggest_category(self, value: object) -> str | None:
        """The closest known name (Chinese label for Chinese input) for a did-you-mean."""
        text = str(value).strip()
        names = list(self._aliases)
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):
            names = [n for n in names if any("\u4e00" <= ch <= "\u9fff" for ch in n)]
        close = difflib.get_close_matches(text, names, n=1, cutoff=0.3)
        if not close:
            return None
        code = self._aliases[close[0]]
        return self.categories[code].label_zh if names and close[0] != code else code

    def resolve_hazard_type(self, value: object) -> str | None:
        text = str(value).strip()
        for ht in self.hazard_types.values():
            if text in (ht.code, ht.label_zh) or text.lower() == ht.label_en.lower():
                return ht.code
        return None

    def base_risk(self, category: str) -> float:
        return self.categories[category].base_risk

    def checklist(self, category: str) -> list[HazardType]:
        """Hazard types to look for at a venue of this category (the route sheet's checklist)."""
        return [ht for ht in self.hazard_types.values() if ht.applies_to(category)]

    @property
    def _aliases(self) -> dict[str, str]:
        table = self.__dict__.get("_alias_table")
        if table is None:
            table = {}
            for code, cat in self.categories.items():
                for name in (code, cat.label_zh, cat.label_en.lower(), *cat.aliases):
                    table.setdefault(name, code)
            object.__setattr__(self, "_alias_table", table)
        return table


class _RulesReader:
    def __init__(self, raw: dict[str, Any], file: str) -> None:
        self.raw, self.file, self.problems = raw, file, []

    def _err(self, field: str, problem: str) -> None:
        self.problems.append(InputError(_("%(field)s: %(problem)s", field=field, problem=problem), file=self.file,
                                        field=field))

    def _get(self, table: Mapping[str, Any], key: str, path: str, kind: type | tuple, default: Any = ...) -> Any:
        if key not in table:
            if default is ...:
                self._err(f"{path}.{key}", _("is missing"))
            return None if default is ... else default
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            self._err(f"{path}.{key}", _("%(value)r should be %(kind)s", value=value, kind=_kind_name(kind)))
            return None
        return value

    def _fraction(self, table: Mapping[str, Any], key: str, path: str, default: Any = ...) -> float | None:
        value = self._get(table, key, path, (int, float), default)
        if value is not None and not 0 <= value <= 1:
            self._err(f"{path}.{key}", _between(value, 0, 1))
        return value

    def read(self) -> Rules:
        categories = self._categories()
        hazards = self._hazards(set(categories))
        travel = self.raw.get("travel", {})
        detour = self._get(travel, "detour_factor", "travel", (int, float), 1.3)
        if detour is not None and not 1 <= detour <= 3:
            self._err("travel.detour_factor", _between(detour, 1, 3))
        speeds = self._get(travel, "speed_m_s", "travel", dict, dict(DEFAULT_SPEEDS)) or {}
        for mode in MODES:
            v = self._get(speeds, mode, "travel.speed_m_s", (int, float))
            if v is not None and not 0.3 <= v <= 20:
                self._err(f"travel.speed_m_s.{mode}", _("%(value)r m/s is not a plausible speed (0.3-20)", value=v))
        planning = self.raw.get("planning", {})
        threshold = self._fraction(planning, "high_risk_threshold", "planning", 0.7)
        general = self._fraction(planning, "open_hazard_general", "planning", 0.15)
        major = self._fraction(planning, "open_hazard_major", "planning", 0.4)
        away = self._get(planning, "away_from_home_s", "planning", int, 600)
        if away is not None and not 0 <= away <= 7200:
            self._err("planning.away_from_home_s", _("%(value)r should be between 0 and 7200 seconds", value=away))
        notify = self._notify()
        kpi = self._kpi()
        seasons = self._seasons(set(categories), set(hazards))
        raise_collected(self.problems)
        return Rules(
            categories=MappingProxyType(categories),
            hazard_types=MappingProxyType(hazards),
            detour_factor=float(detour),
            speed_m_s=MappingProxyType({m: float(speeds[m]) for m in MODES}),
            high_risk_threshold=float(threshold),
            open_hazard_general=float(general),
            open_hazard_major=float(major),
            away_from_home_s=int(away),
            notify=notify,
            kpi=kpi,
            seasons=seasons,
            source=self.file,
        )

    def _notify(self) -> NotifyRules:
        table = self.raw.get("notify", {})
        if not isinstance(table, dict):
            self._err("notify", _("should be a table"))
            table = {}
        default = NotifyRules()
        severities = {}
        for severity in SEVERITIES:
            path, fallback = f"notify.{severity}", default.severities[severity]
            e = self._get(table, severity, "notify", dict, {}) or {}
            days = self._get(e, "remind_days_before", path, list, list(fallback.remind_days_before)) or []
            for d in days:
                if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 60:
                    self._err(f"{path}.remind_days_before",
                              _("%(value)r should be a whole number of days 0-60", value=d))
            yellow = self._whole(e, "yellow_after_days", path, fallback.yellow_after_days, 0, 60)
            red = self._whole(e, "red_after_days", path, fallback.red_after_days, 1, 90)
            at_once = e.get("immediately", fallback.immediately)
            if not isinstance(at_once, bool):
                self._err(f"{path}.immediately", _("%(value)r should be true or false", value=at_once))
            severities[severity] = SeverityWarnings(tuple(sorted({d for d in days if isinstance(d, int)},
                                                                 reverse=True)),
                                                    yellow, red, bool(at_once))
        return NotifyRules(
            severities=MappingProxyType(severities),
            interval_warn_days=self._whole(table, "interval_warn_days", "notify", default.interval_warn_days, 0, 60),
            no_visit_weekday=self._whole(table, "no_visit_weekday", "notify", default.no_visit_weekday, 1, 7),
            plan_failed_within_days=self._whole(table, "plan_failed_within_days", "notify",
                                                default.plan_failed_within_days, 0, 30),
        )

    def _seasons(self, categories: set[str], hazard_types: set[str]) -> tuple[Season, ...]:
        table = self.raw.get("seasons", {})
        if not isinstance(table, dict):
            self._err("seasons", _("should be a table"))
            return ()
        out = []
        for code, e in table.items():
            path = f"seasons.{code}"
            if not isinstance(e, dict):
                self._err(path, _("should be a table"))
                continue
            n_before = len(self.problems)
            label_zh, label_en = self._get(e, "label_zh", path, str), self._get(e, "label_en", path, str)
            months = [self._get(e, key, path, int) for key in ("from_month", "to_month")]
            for key, month in zip(("from_month", "to_month"), months):
                if month is not None and not 1 <= month <= 12:
                    self._err(f"{path}.{key}", _("%(value)r should be a month 1-12", value=month))
            factors = {}
            for kind, known, what in (("interval", categories, _("%(value)r is not a category code")),
                                      ("risk", categories | hazard_types,
                                       _("%(value)r is not a category or hazard type code"))):
                given = self._get(e, kind, path, dict, {}) or {}
                factors[kind] = {}
                for key in given:
                    if key not in known:
                        self._err(f"{path}.{kind}.{key}", what % {"value": key})
                        continue
                    value = self._get(given, key, f"{path}.{kind}", (int, float))
                    if value is not None and not 0.1 <= value <= 10:
                        self._err(f"{path}.{kind}.{key}",
                                  _("%(value)r should be a multiplier between 0.1 and 10", value=value))
                    elif value is not None:
                        factors[kind][key] = float(value)
            if len(self.problems) == n_before:
                out.append(Season(code, label_zh, label_en, months[0], months[1],
                                  MappingProxyType(factors["interval"]), MappingProxyType(factors["risk"])))
        return tuple(out)

    def _kpi(self) -> KpiRules:
        table = self.raw.get("kpi", {})
        if not isinstance(table, dict):
            self._err("kpi", _("should be a table"))
            table = {}
        default = KpiRules()
        given = self._get(table, "weights", "kpi", dict, {}) or {}
        for key in given:
            if key not in KPI_MEASURES:
                self._err(f"kpi.weights.{key}", _("%(value)r is not a measure of the ranking (%(measures)s)",
                                                  value=key, measures=", ".join(KPI_MEASURES)))
        weights = {}
        for key in KPI_MEASURES:
            value = self._fraction(given, key, "kpi.weights", default.weights[key])
            weights[key] = float(value) if value is not None and 0 <= value <= 1 else default.weights[key]
        if given and not any(weights[k] > 0 for k in KPI_MEASURES):
            self._err("kpi.weights", _("at least one weight should be above 0"))
        return KpiRules(weights=MappingProxyType(weights),
                        days_to_close_target=self._whole(table, "days_to_close_target", "kpi",
                                                         default.days_to_close_target, 1, 365))

    def _whole(self, table: Mapping[str, Any], key: str, path: str, default: int, low: int, high: int) -> int:
        """A whole number ``low``-``high`` at ``path.key`` (``default`` when absent or wrong, with the error noted)."""
        value = self._get(table, key, path, int, default)
        if value is None:
            return default
        if not low <= value <= high:
            self._err(f"{path}.{key}", _between(value, low, high))
            return default
        return value

    def _categories(self) -> dict[str, Category]:
        table = self.raw.get("categories")
        if not isinstance(table, dict):
            self._err("categories", _("the [categories.*] tables are missing"))
            return {}
        for code in CATEGORY_CODES:
            if code not in table:
                self._err(f"categories.{code}", _("is missing (every category code needs a table)"))
        out = {}
        for code, entry in table.items():
            path = f"categories.{code}"
            if code not in CATEGORY_CODES:
                self._err(path, _("%(value)r is not a known category code (%(codes)s)", value=code,
                                  codes=", ".join(CATEGORY_CODES)))
                continue
            if not isinstance(entry, dict):
                self._err(path, _("should be a table"))
                continue
            cat = self._category(code, entry, path)
            if cat is not None:
                out[code] = cat
        return out

    def _category(self, code: str, e: Mapping[str, Any], path: str) -> Category | None:
        n_before = len(self.problems)
        group = self._get(e, "group", path, str)
        if group is not None and group not in GROUPS:
            self._err(f"{path}.group", _("%(value)r should be one of %(groups)s", value=group,
                                         groups=", ".join(GROUPS)))
        interval = self._get(e, "interval_days", path, int)
        if interval is not None and interval < 1:
            self._err(f"{path}.interval_days", _("%(value)r should be at least 1", value=interval))
        service = self._get(e, "service_minutes", path, int)
        if service is not None and not 1 <= service <= 480:
            self._err(f"{path}.service_minutes", _between(service, 1, 480))
        roles = self._get(e, "required_roles", path, list)
        for r in roles or []:
            if r not in ROLES:
                self._err(f"{path}.required_roles", _("%(value)r is not a role (one of %(roles)s)", value=r,
                                                      roles=", ".join(ROLES)))
        times = []
        for key in ("open", "close"):
            text = self._get(e, key, path, str)
            try:
                times.append(parse_hhmm(text) if text is not None else None)
            except ValueError:
                self._err(f"{path}.{key}", _("%(text)r is not a time HH:MM", text=text))
                times.append(None)
        risk = self._fraction(e, "base_risk", path)
        aliases = self._get(e, "aliases", path, list, [])
        label_zh = self._get(e, "label_zh", path, str)
        label_en = self._get(e, "label_en", path, str)
        if len(self.problems) > n_before:
            return None
        open_s, close_s = times
        if close_s <= open_s:
            close_s += 86400
        return Category(code, label_zh, label_en, group, interval, service, frozenset(roles),
                        open_s, close_s, float(risk), tuple(str(a) for a in aliases))

    def _hazards(self, category_codes: set[str]) -> dict[str, HazardType]:
        table = self.raw.get("hazards")
        if not isinstance(table, dict) or not table:
            self._err("hazards", _("the [hazards.*] tables are missing"))
            return {}
        out = {}
        for code, e in table.items():
            path = f"hazards.{code}"
            n_before = len(self.problems)
            severity = self._get(e, "severity", path, str)
            if severity is not None and severity not in SEVERITIES:
                self._err(f"{path}.severity", _("%(value)r should be general or major", value=severity))
            days = self._get(e, "deadline_days", path, int)
            if days is not None and days < 0:
                self._err(f"{path}.deadline_days", _("%(value)r should be 0 or more", value=days))
            cats = self._get(e, "categories", path, list, ["*"])
            for c in cats or []:
                if c != "*" and c not in category_codes:
                    self._err(f"{path}.categories", _("%(value)r is not a category code", value=c))
            label_zh = self._get(e, "label_zh", path, str)
            label_en = self._get(e, "label_en", path, str)
            if len(self.problems) == n_before:
                out[code] = HazardType(code, label_zh, label_en, severity, days, frozenset(cats))
        return out


def _kind_name(kind: type | tuple) -> str:
    """What a TOML value of ``kind`` is called (int and float together: a number), translated."""
    kinds = set(kind if isinstance(kind, tuple) else (kind,))
    if float in kinds:
        kinds = (kinds - {int, float}) | {float}
    names = {int: N_("a whole number"), float: N_("a number"), str: N_("text"), list: N_("a list"), dict: N_("a table")}
    return ", ".join(_(names[k]) if k in names else k.__name__ for k in sorted(kinds, key=str))


def _between(value: object, low: object, high: object) -> str:
    return _("%(value)r should be between %(low)s and %(high)s", value=value, low=low, high=high)
