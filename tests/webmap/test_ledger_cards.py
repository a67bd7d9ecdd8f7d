"""The Excel ledgers carry each hazard's card (黄牌 / 红牌 with their dates), as the hazard page shows it."""

from __future__ import annotations

import datetime as dt
import io
import tomllib
from pathlib import Path

from openpyxl import load_workbook

from web_helpers import TODAY, login

RULES = tomllib.loads((Path(__file__).resolve().parents[2] / "data" / "rules.toml")
                      .read_text(encoding="utf-8"))["notify"]


def test_rectification_ledger_has_the_card_column(app, client):
    from ledger.models import Hazard, db

    general = RULES["general"]
    with app.app_context():
        for hazard_id, late in (("HY001", general["yellow_after_days"]),
                                ("HR001", general["yellow_after_days"] + general["red_after_days"]), ("HN001", -2)):
            db.session.add(Hazard(hazard_id=hazard_id, venue_id="V0001", type="other", severity="general",
                                  status="rectifying",
                                  found_on=TODAY - dt.timedelta(days=30), deadline=TODAY - dt.timedelta(days=late)))
        db.session.commit()
    login(client, "coord")
    sheet = load_workbook(io.BytesIO(client.get("/ledger/rectification.xlsx").data)).active
    header = [c.value for c in sheet[1]]
    rows = {r[1]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    yellow_on = TODAY  # HY001: the yellow card's first day is today
    assert rows["HY001"]["红黄牌"] == f"黄牌 {yellow_on}"
    red_deadline = TODAY - dt.timedelta(days=general["yellow_after_days"] + general["red_after_days"])
    red_yellow_on = red_deadline + dt.timedelta(days=general["yellow_after_days"])
    red_on = red_yellow_on + dt.timedelta(days=general["red_after_days"])
    assert rows["HR001"]["红黄牌"] == f"红牌 {red_on}（黄牌 {red_yellow_on}）"
    assert rows["HN001"]["红黄牌"] in (None, "")  # not yet overdue
    page = client.get("/hazards/HR001").get_data(as_text=True)
    assert 'data-card="red"' in page  # the same card as the hazard page
