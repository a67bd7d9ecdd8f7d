"""Clock times and shifts as whole seconds after midnight (the planner's unit)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from .i18n import gettext as _

_HHMM = re.compile(r"^\s*(\d{1,2})[:：](\d{2})(?::(\d{2}))?\s*$")


def parse_hhmm(text: str) -> int:
    """Seconds after midnight for ``"HH:MM"`` (``"24:00"`` allowed, full-width colon too).

    Raises
    ------
    ValueError
        When the text is not a clock time.
    """
    m = _HHMM.match(str(text))
    if not m:
        msg = _("%(text)r is not a time HH:MM", text=text)
        raise ValueError(msg)
    h, mnt, sec = int(m[1]), int(m[2]), int(m[3] or 0)
    if mnt > 59 or sec > 59 or h > 24 or (h == 24 and (mnt or sec)):
        msg = _("%(text)r is not a time HH:MM", text=text)
        raise ValueError(msg)
    return h * 3600 + mnt * 60 + sec


def format_hhmm(seconds: int | float) -> str:
    """``"HH:MM"`` for seconds after midnight, rounded to the nearest minute."""
    minutes = int(round(seconds / 60))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_shifts(text: str) -> tuple[tuple[int, int], ...]:
    """``"09:00-12:00,14:00-17:30"`` → ((32400, 43200), (50400, 63000)); ordered, not overlapping.

    Raises
    ------
    ValueError
        When a part is not ``HH:MM-HH:MM``, ends before it starts, or overlaps another.
    """
    shifts = []
    for part in re.split(r"[,，;；]", str(text)):
        if not part.strip():
            continue
        pieces = re.split(r"\s*[-–~至]\s*", part.strip())
        if len(pieces) != 2:
            msg = _("%(text)r is not a shift HH:MM-HH:MM", text=part.strip())
            raise ValueError(msg)
        start, end = parse_hhmm(pieces[0]), parse_hhmm(pieces[1])
        if end <= start:
            msg = _("%(text)r ends before it starts", text=part.strip())
            raise ValueError(msg)
        shifts.append((start, end))
    if not shifts:
        msg = _("%(text)r has no shift HH:MM-HH:MM", text=text)
        raise ValueError(msg)
    shifts.sort()
    for (_start, end), (start, _end) in zip(shifts, shifts[1:]):
        if start < end:
            msg = _("%(text)r has overlapping shifts", text=text)
            raise ValueError(msg)
    return tuple(shifts)


def local_today(zone: str = "Asia/Shanghai") -> dt.date:
    """Today's date in the time zone ``zone`` (the office's day, not the server's UTC day)."""
    return dt.datetime.now(ZoneInfo(zone)).date()
