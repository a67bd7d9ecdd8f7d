"""The [notify] rules (warnings and escalation per severity): their defaults, and errors that name the TOML path."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from gis.errors import InputError
from gis.rules import DEFAULT_RULES_PATH, Rules, SeverityWarnings
from ledger.warnings import escalation

DEFAULT = DEFAULT_RULES_PATH.read_text(encoding="utf-8")


def test_the_default_rules_are_written_down_in_rules_toml():
    notify = Rules.from_toml().notify
    assert notify.severities["general"] == SeverityWarnings((3, 0), 1, 7, False)
    assert notify.severities["major"] == SeverityWarnings((7, 3, 1, 0), 1, 3, True)
    assert (notify.interval_warn_days, notify.no_visit_weekday, notify.plan_failed_within_days) == (3, 4, 1)


def test_a_rules_file_without_notify_gets_the_same_defaults(tmp_path):
    start = DEFAULT.index("# Warnings and escalation")
    path = tmp_path / "rules.toml"
    path.write_text(DEFAULT[:start], encoding="utf-8")
    assert "[notify" not in path.read_text(encoding="utf-8")
    assert Rules.from_toml(path).notify == Rules.from_toml().notify


@pytest.mark.parametrize(("old", "new", "field"), [
    ("red_after_days = 7", "red_after_days = 0", "notify.general.red_after_days"),
    ("red_after_days = 3", 'red_after_days = "3"', "notify.major.red_after_days"),
    ("remind_days_before = [3, 0]", "remind_days_before = [3, -1]", "notify.general.remind_days_before"),
    ("remind_days_before = [3, 0]", 'remind_days_before = "3"', "notify.general.remind_days_before"),
    ("yellow_after_days = 1\nred_after_days = 3", "yellow_after_days = 99\nred_after_days = 3",
     "notify.major.yellow_after_days"),
    ("immediately = true", 'immediately = "yes"', "notify.major.immediately"),
    ("no_visit_weekday = 4", "no_visit_weekday = 8", "notify.no_visit_weekday"),
    ("interval_warn_days = 3", "interval_warn_days = 3.5", "notify.interval_warn_days"),
])
def test_bad_notify_rules_name_the_toml_path(tmp_path, old, new, field):
    assert old in DEFAULT
    path = tmp_path / "rules.toml"
    path.write_text(DEFAULT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError, match=rf"^rules\.toml：{re.escape(field)}：") as info:  # Chinese: the default
        Rules.from_toml(path)
    assert info.value.field == field


def _hazard(status="rectifying", severity="general", deadline=dt.date(2026, 11, 10)):
    return SimpleNamespace(status=status, severity=severity, deadline=deadline)


@pytest.mark.parametrize(("hazard", "today", "card"), [
    (_hazard(), dt.date(2026, 11, 10), None),  # the deadline day itself: not overdue yet
    (_hazard(), dt.date(2026, 11, 11), ("yellow", dt.date(2026, 11, 11), dt.date(2026, 11, 18))),
    (_hazard(), dt.date(2026, 11, 18), ("red", dt.date(2026, 11, 11), dt.date(2026, 11, 18))),
    (_hazard(severity="major"), dt.date(2026, 11, 14), ("red", dt.date(2026, 11, 11), dt.date(2026, 11, 14))),
    (_hazard(status="feedback"), dt.date(2026, 12, 30), None),  # fixed, awaiting the re-check
    (_hazard(status="closed"), dt.date(2026, 12, 30), None),
    (_hazard(deadline=None), dt.date(2026, 12, 30), None),
])
def test_escalation_follows_the_rules(hazard, today, card):
    got = escalation(hazard, Rules.from_toml().notify, today)
    assert (got and (got.colour, got.yellow_on, got.red_on)) == card
