"""Hazard ledgers imported from Excel: new hazards enter the audit trail, known ones never jump a step of the loop."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from openpyxl import load_workbook

from web_helpers import login, post_form, table_counts


def _events(app, hazard_id: str) -> list[tuple[str, str, dict]]:
    from ledger.models import HazardEvent, db

    with app.app_context():
        rows = db.session.scalars(db.select(HazardEvent).where(HazardEvent.hazard_id == hazard_id)
                                  .order_by(HazardEvent.id))
        return [(e.action, e.user, e.detail) for e in rows]


def _hazard(app, hazard_id: str):
    from ledger.models import Hazard, db

    with app.app_context():
        h = db.session.get(Hazard, hazard_id)
        db.session.expunge(h)
        return h


def _upload(client, data: bytes, name: str):
    return post_form(client, "/import", {"kind": "hazards", "file": (io.BytesIO(data), name)},
                     content_type="multipart/form-data")


def _edited(data: bytes, hazard_id: str, header: str, value: str) -> tuple[bytes, int]:
    """The workbook with one cell changed in the row of ``hazard_id``; also that row's number."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    headers = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[headers.index("隐患编号")].value == hazard_id)
    row[headers.index(header)].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), row[0].row


def test_a_new_hazard_from_a_file_enters_the_audit_trail(app, client):
    login(client, "coord")
    new = pd.DataFrame({"隐患编号": ["X001"], "场所编号": ["V0040"], "隐患类型": ["gas_misuse"], "等级": ["重大"],
                        "发现日期": ["2026-11-20"], "状态": ["发现"]})
    assert _upload(client, new.to_csv(index=False).encode(), "新隐患.csv").status_code == 200
    assert _hazard(app, "X001").supervised
    events = _events(app, "X001")
    assert [(a, u) for a, u, _ in events] == [("import", "coord"), ("supervise", "coord")]
    assert events[0][2] == {"file": "新隐患.csv", "row": 2}
    assert "导入" in client.get("/hazards/X001").get_data(as_text=True)


def test_an_imported_ledger_may_not_close_a_hazard(app, client):
    from ledger.models import Hazard, db

    login(client, "coord")
    with app.app_context():
        hid = db.session.scalars(db.select(Hazard.hazard_id).where(Hazard.status == "rectifying")
                                 .order_by(Hazard.hazard_id)).first()
    data, row = _edited(client.get("/ledger/rectification.xlsx").data, hid, "状态", "已销号")
    before, events = table_counts(app), _events(app, hid)
    refused = _upload(client, data, "整改台账.xlsx")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert f"整改台账.xlsx 第 {row} 行：status closed 与数据库中的 rectifying 不同" in text
    assert "（字段：status）" in text
    assert table_counts(app) == before and _events(app, hid) == events
    assert _hazard(app, hid).status == "rectifying"


def test_a_changed_field_is_recorded_and_the_closing_day_kept(app, client):
    from ledger.models import Hazard, db

    login(client, "coord")
    with app.app_context():
        hid = db.session.scalars(db.select(Hazard.hazard_id).where(Hazard.status == "feedback")
                                 .order_by(Hazard.hazard_id)).first()
    assert post_form(client, f"/hazards/{hid}", {"action": "close", "recheck_on": "2026-11-21"}).status_code == 302
    closed = _hazard(app, hid)
    assert closed.closed_on == dt.date(2026, 11, 21) != closed.deadline
    data, _ = _edited(client.get("/ledger/closed.xlsx").data, hid, "责任人", "新责任人")
    assert _upload(client, data, "销号台账.xlsx").status_code == 200
    after = _hazard(app, hid)
    assert after.closed_on == dt.date(2026, 11,
                                      21) and after.responsible_person == "新责任人" and after.status == "closed"
    action, user, detail = _events(app, hid)[-1]
    assert (action, user) == ("import", "coord") and list(detail["changed"]) == ["responsible_person"]
    page = client.get(f"/hazards/{hid}").get_data(as_text=True)
    assert f"责任人: {closed.responsible_person} → 新责任人" in page  # the audit trail's keys in Chinese
    assert "{" not in page.split('id="events"')[1]
    from zoneinfo import ZoneInfo

    from ledger.models import HazardEvent

    with app.app_context():
        at = db.session.scalars(db.select(HazardEvent.at).where(HazardEvent.hazard_id == hid)
                                .order_by(HazardEvent.id.desc())).first()
    shown = at.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert f"<td>{shown}</td>" in page  # the office's time, not UTC
    again = table_counts(app)
    assert _upload(client, client.get("/ledger/closed.xlsx").data, "销号台账.xlsx").status_code == 200
    assert table_counts(app) == again  # the same ledger again: nothing changed, no event


def test_the_measure_travels_with_the_ledger(app, client):
    from ledger.models import Hazard, db

    login(client, "coord")
    with app.app_context():
        hid = db.session.scalars(db.select(Hazard.hazard_id).where(Hazard.status == "rectifying")
                                 .order_by(Hazard.hazard_id.desc())).first()
    data, _ = _edited(client.get("/ledger/rectification.xlsx").data, hid, "整改措施", "拆除飞线，安装集中充电桩")
    assert _upload(client, data, "整改台账.xlsx").status_code == 200
    assert _hazard(app, hid).measure == "拆除飞线，安装集中充电桩"


def test_a_ledger_is_filtered_by_community_major_and_overdue_and_exported_so(app, client):
    from ledger.models import Grid, Hazard, Venue, db
    from web_helpers import TODAY

    with app.app_context():
        community = {g.grid_id: g.community for g in db.session.scalars(db.select(Grid))}
        where = {v.venue_id: community.get(v.grid_id) for v in db.session.scalars(db.select(Venue))}
        rows = db.session.scalars(db.select(Hazard).where(Hazard.status.in_(("rectifying", "feedback")))).all()
        name = where[next(h for h in rows if h.severity == "major").venue_id]
        expected = {h.hazard_id for h in rows if where[h.venue_id] == name and h.severity == "major"}
        late = {h.hazard_id for h in rows if h.deadline and h.deadline < TODAY}
    assert expected and late and len(expected) < len(rows)
    login(client, "viewer")
    page = client.get(f"/ledger/rectification?community={name}&severity=major").get_data(as_text=True)
    assert f'id="n-rows">{len(expected)}<' in page
    sheet = load_workbook(io.BytesIO(client.get(f"/ledger/rectification.xlsx?community={name}&severity=major")
                                     .data)).active
    assert {row[1].value for row in sheet.iter_rows(min_row=2)} == expected
    assert f'id="n-rows">{len(late)}<' in client.get("/ledger/rectification?overdue=1").get_data(as_text=True)
