"""The days a person can work, as a roster writes them: weekdays, ranges of them, and dates.

``"周一-周五"``, ``"周一、周三、周五"``, ``"Mon;Wed"``, ``"工作日"``, ``"2026-11-25"``,
``"2026-11-23~2026-11-27"``, ``"每天"``, mixed freely. Weekdays count from Monday = 0 (as
:meth:`datetime.date.weekday`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ._table import parse_date
from .i18n import gettext as _

_WEEKDAY_NAMES: dict[str, int] = {}
for _k, _chars in enumerate(("一", "二", "三", "四", "五", "六", "日天")):
    for _char in _chars:
        for _prefix in ("周", "星期", "礼拜"):
            _WEEKDAY_NAMES[_prefix + _char] = _k
for _k, _names in enumerate((("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"),
                             ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
                             ("sun", "sunday"))):
    for _name in _names:
        _WEEKDAY_NAMES[_name] = _k
_GROUPS: dict[str, frozenset[int]] = {
    "每天": frozenset(range(7)), "每日": frozenset(range(7)), "全周": frozenset(range(7)), "daily": frozenset(range(7)),
    "everyday": frozenset(range(7)), "all": frozenset(range(7)),
    "工作日": frozenset(range(5)), "weekdays": frozenset(range(5)), "weekday": frozenset(range(5)),
    "周末": frozenset({5, 6}), "weekend": frozenset({5, 6}), "weekends": frozenset({5, 6}),
}
_RANGE = re.compile(r"^(.+?)[-–~～至到](.+)$")
_DATE_RANGE = re.compile(r"^(.+?)[~～至到](.+)$")  # "-" is inside ISO dates: date ranges use ~ 至 到
_SPACED_JOINER = re.compile(r"\s*([-–~～至到])\s*")
_SEPARATORS = re.compile(r"[;,，；、|\s]+")
EXAMPLE = "周一-周五, 周一、周三, Mon;Wed, 工作日, 2026-11-25, 2026-11-23~2026-11-27"


@dataclass(frozen=True)
class Workdays:
    """Weekdays and dates a person works; both empty means every day."""

    weekdays: frozenset[int] = frozenset()
    dates: frozenset[dt.date] = frozenset()

    @property
    def every_day(self) -> bool:
        return not self.weekdays and not self.dates

    def names(self, day: dt.date) -> bool:
        """Whether ``day`` is one of the days named (never, when none is)."""
        return day.weekday() in self.weekdays or day in self.dates

    def holds(self, day: dt.date) -> bool:
        """Whether ``day`` is one of these days (any day, when none is named)."""
        return self.every_day or self.names(day)


def works_on(day: dt.date, *, days: Workdays, off: Workdays) -> bool:
    """Whether a person with these ``days`` (empty: every day) and days ``off`` works on ``day``."""
    return days.holds(day) and not off.names(day)


def parse_workdays(text: str) -> Workdays:
    """The weekdays and dates named in ``text`` (empty text: every day).

    Raises
    ------
    ValueError
        Naming the first part that is neither a weekday, a range of weekdays, a date nor a range of dates.
    """
    weekdays: set[int] = set()
    dates: set[dt.date] = set()
    joined = _SPACED_JOINER.sub(r"\1", str(text).strip())
    for part in (p for p in _SEPARATORS.split(joined) if p):
        key = part.lower()
        if key in _WEEKDAY_NAMES:
            weekdays.add(_WEEKDAY_NAMES[key])
        elif key in _GROUPS:
            weekdays |= _GROUPS[key]
        elif (found := _weekday_range(key)) is not None:
            weekdays |= found
        else:
            dates |= _dates_of(part)
    return Workdays(frozenset(weekdays), frozenset(dates))


def _weekday_range(text: str) -> frozenset[int] | None:
    m = _RANGE.match(text)
    if not m or m[1] not in _WEEKDAY_NAMES or m[2] not in _WEEKDAY_NAMES:
        return None
    first, last = _WEEKDAY_NAMES[m[1]], _WEEKDAY_NAMES[m[2]]
    span = (last - first) % 7
    return frozenset((first + k) % 7 for k in range(span + 1))


def _dates_of(part: str) -> set[dt.date]:
    m = _DATE_RANGE.match(part)
    try:
        if m is None:
            return {parse_date(part)}
        first, last = parse_date(m[1]), parse_date(m[2])
    except ValueError:
        msg = _("%(text)r is neither a weekday nor a date", text=part)
        raise ValueError(msg) from None
    if last < first:
        msg = _("%(text)r ends before it starts", text=part)
        raise ValueError(msg)
    if (last - first).days > 366:
        msg = _("%(text)r spans more than a year", text=part)
        raise ValueError(msg)
    return {first + dt.timedelta(days=k) for k in range((last - first).days + 1)}
