"""The rules file: all categories present, aliases, and errors that name the TOML path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gis.errors import InputError
from gis.rules import CATEGORY_CODES, KPI_MEASURES, Rules

pytestmark = pytest.mark.usefixtures("english")  # the texts asserted here are the English msgids


def test_default_rules_have_every_category_and_hazard_type(rules):
    assert set(rules.categories) == set(CATEGORY_CODES)
    assert len(rules.hazard_types) >= 15
    assert rules.hazard_types["gas_misuse"].label_zh == "燃气使用不规范"
    assert rules.categories["small_entertainment"].close_s > 86400  # closes after midnight


@pytest.mark.parametrize(("alias", "code"), [("小餐饮", "small_restaurant"), ("小旅馆", "small_hotel"),
                                             ("KTV", "small_entertainment"), ("Small shop", "small_shop"),
                                             ("在建工程", "construction_site"), ("small_workshop", "small_workshop")])
def test_chinese_labels_and_aliases_resolve(rules, alias, code):
    assert rules.resolve_category(alias) == code


def test_rules_are_frozen(rules):
    with pytest.raises(Exception):
        rules.detour_factor = 2.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        rules.categories["x"] = None  # type: ignore[index]


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = Path(__file__).resolve().parents[2].joinpath("data", "rules.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "my_rules.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("interval_days = 60\nservice_minutes = 10", "interval_days = \"often\"\nservice_minutes = 10",
         r"my_rules\.toml: categories\.small_shop\.interval_days: 'often' should be a whole number"),
        ("required_roles = [\"grid_worker\"]\nopen = \"08:00\"\nclose = \"22:00\"\nbase_risk = 0.25",
         "required_roles = [\"cook\"]\nopen = \"08:00\"\nclose = \"22:00\"\nbase_risk = 0.25",
         r"categories\.small_shop\.required_roles: 'cook' is not a role"),
        ("base_risk = 0.25", "base_risk = 1.25", r"categories\.small_shop\.base_risk: 1\.25 should be between 0 and 1"),
        ("open = \"08:00\"\nclose = \"22:00\"\nbase_risk = 0.25", "open = \"8am\"\nclose = \"22:00\"\nbase_risk = 0.25",
         r"categories\.small_shop\.open: '8am' is not a time HH:MM"),
        ("[categories.other]", "[categories.others]", r"categories\.other: is missing"),
        ("severity = \"major\"", "severity = \"huge\"",
         r"hazards\.illegal_fire_power\.severity: 'huge' should be general or major"),
        ("walk = 1.2", "walk = 120", r"travel\.speed_m_s\.walk: 120 m/s is not a plausible speed"),
        ("detour_factor = 1.3", "detour_factor = [", r"my_rules\.toml: not valid TOML"),
        ("coverage = 0.30", "coverage = 1.5", r"kpi\.weights\.coverage: 1\.5 should be between 0 and 1"),
        ("coverage = 0.30", "cover = 0.30", r"kpi\.weights\.cover: 'cover' is not a measure of the ranking"),
        ("coverage = 0.30", "coverage = \"high\"",
         r"kpi\.weights\.coverage: 'high' should be a number"),
        ("days_to_close_target = 7", "days_to_close_target = 0",
         r"kpi\.days_to_close_target: 0 should be between 1 and 365"),
        ("from_month = 11", "from_month = 13", r"seasons\.winter_fire\.from_month: 13 should be a month 1-12"),
        ("from_month = 11", "", r"seasons\.winter_fire\.from_month: is missing"),
        ("rental_housing = 0.5", "rental_house = 0.5",
         r"seasons\.winter_fire\.interval\.rental_house: 'rental_house' is not a category code"),
        ("ebike_flying_wire = 1.5", "ebike = 1.5",
         r"seasons\.winter_fire\.risk\.ebike: 'ebike' is not a category or hazard type code"),
        ("ebike_flying_wire = 1.5", "ebike_flying_wire = 50",
         r"seasons\.winter_fire\.risk\.ebike_flying_wire: 50 should be a multiplier"),
        ("many_in_one = 0.5", "many_in_one = \"half\"",
         r"seasons\.winter_fire\.interval\.many_in_one: 'half' should be"),
        ('label_en = "Winter fire season"', "", r"seasons\.winter_fire\.label_en: is missing"),
    ],
)
def test_rules_errors_name_the_toml_path(tmp_path, old, new, message):
    with pytest.raises(InputError) as info:
        Rules.from_toml(_broken(tmp_path, old, new))
    assert re.search(message, info.value.full_message()), info.value.full_message()


def test_kpi_weights_default_to_the_documented_ones(rules):
    assert rules.kpi.weights["coverage"] == 0.30 and rules.kpi.weights["hazards_per_patrol"] == 0.0
    assert sum(rules.kpi.weights.values()) == pytest.approx(1.0)


def test_all_kpi_weights_zero_is_an_error(tmp_path):
    text = Path(__file__).resolve().parents[2].joinpath("data", "rules.toml").read_text(encoding="utf-8")
    head, _, _ = text.partition("[kpi.weights]")
    path = tmp_path / "my_rules.toml"
    zero = "".join(f"{m} = 0\n" for m in KPI_MEASURES)
    path.write_text(head + "[kpi.weights]\n" + zero, encoding="utf-8")
    with pytest.raises(InputError, match=r"kpi\.weights: at least one weight should be above 0"):
        Rules.from_toml(path)
