"""Tables as offices save them: stray whitespace, empty rows at the end, repeated columns, Excel serial dates."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from gis.errors import InputError
from gis.io import read_venues

pytestmark = pytest.mark.usefixtures("english")  # the texts asserted here are the English msgids

HEADER = "venue_id,name,category,lon,lat"


def _write(tmp_path, text: str, name: str = "venues.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_whitespace_trailing_rows_and_serial_dates(tmp_path, rules):
    path = _write(tmp_path, f"{HEADER}, last_inspected \n V1 , 小店 , small_shop ,113.3,23.08,46338\n"
                            "V2,小馆,小餐饮,113.301,23.081,  \n,,,,,\n,,,,,\n")
    venues = read_venues(path, rules=rules)
    assert list(venues.index) == ["V1", "V2"] and venues.at["V1", "name"] == "小店"
    assert venues.at["V1", "last_inspected"] == dt.date(2026, 11, 12) and venues.at["V2", "last_inspected"] is None


def test_repeated_columns_that_agree_are_one(tmp_path, rules):
    path = _write(tmp_path, f"{HEADER},名称,name\nV1,小店,small_shop,113.3,23.08,小店,\n")
    assert read_venues(path, rules=rules).at["V1", "name"] == "小店"


def test_xlsx_serial_dates_and_numeric_ids(tmp_path, rules):
    path = tmp_path / "venues.xlsx"
    pd.DataFrame({"venue_id": [1001], "name": [7], "category": ["small_shop"], "lon": [113.3], "lat": [23.08],
                  "last_inspected": [46338]}).to_excel(path, index=False)
    venues = read_venues(path, rules=rules)
    assert list(venues.index) == ["1001"] and venues.at["1001", "name"] == "7"
    assert venues.at["1001", "last_inspected"] == dt.date(2026, 11, 12)


@pytest.mark.parametrize("text, message", [
    (f"{HEADER},名称\nV1,小店,small_shop,113.3,23.08,小店\nV2,甲,small_shop,113.3,23.08,乙\n",
     r"^venues\.csv row 3: name: two columns give name \('name' and '名称'\) and differ here \('甲' and '乙'\)"),
    (f"{HEADER},venue_id\nV1,小店,small_shop,113.3,23.08,V9\n",
     r"^venues\.csv row 2: venue_id: two columns give venue_id"),
    ("", r"^venues\.csv: the file is empty"),
    (f"{HEADER}\nV1,小店,small_shop,113.3,23.08\nV2,饭店,热菜,small_restaurant,113.3,23.08\n",
     r"^venues\.csv row 3: the row has 6 cells but the header names 5 columns \(a comma inside a value\?"),
])
def test_bad_tables_name_file_row_and_field(tmp_path, rules, text, message):
    with pytest.raises(InputError, match=message):
        read_venues(_write(tmp_path, text), rules=rules)


def test_a_venue_on_the_line_between_two_grids_joins_one(tmp_path, rules):
    import geopandas as gpd
    from shapely.geometry import box

    grids = gpd.GeoDataFrame({"grid_id": ["G1", "G2"]},
                             geometry=[box(113.30, 23.08, 113.31, 23.09), box(113.31, 23.08, 113.32, 23.09)],
                             crs="EPSG:4326").set_index("grid_id")
    path = _write(tmp_path, f"{HEADER}\nV1,界上,small_shop,113.31,23.085\n")
    assert read_venues(path, rules=rules, grids=grids).at["V1", "grid_id"] in {"G1", "G2"}


def test_short_rows_are_padded(tmp_path, rules):
    path = _write(tmp_path, f"{HEADER},phone\nV1,小店,small_shop,113.3,23.08\n")
    assert read_venues(path, rules=rules).at["V1", "phone"] == ""


def test_a_yaml_team_that_is_not_a_mapping_is_named(tmp_path):
    from gis.io import read_teams

    path = tmp_path / "teams.yaml"
    path.write_text("teams:\n  - team_id: T1\n    roles: 网格员\n    start_lon: 113.3\n    start_lat: 23.08\n  - 5\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"^teams\.yaml item 2: team_id: team 2 is 5, not a team"):
        read_teams(path)
