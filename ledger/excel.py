"""The three hazard ledgers as Excel workbooks, in the column layout street offices keep by hand.

The headers are the Chinese ones the readers accept, so an exported ledger imports again
(``ledger.store.import_layer("hazards", ...)``).
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gis.cells import looks_like_formula
from gis.rules import Rules

from .lifecycle import ledger
from .models import Hazard, Venue, db
from .warnings import escalation

TITLES = {"problems": "隐患问题台账", "rectification": "隐患整改台账", "closed": "隐患销号台账"}
STATUS_ZH = {"found": "发现", "reported": "报告", "rectifying": "整改中", "feedback": "待复查", "closed": "已销号"}
COLUMNS = [  # (header, width)
    ("序号", 6), ("隐患编号", 10), ("场所编号", 10), ("场所名称", 26), ("地址", 22), ("网格", 8), ("隐患类型", 20),
    ("等级", 6), ("发现日期", 12), ("状态", 8), ("整改措施", 24), ("责任单位", 20), ("责任人", 10), ("整改期限", 12),
    ("整改标准", 22), ("挂牌督办", 8), ("销号日期", 12), ("描述", 30), ("红黄牌", 24),
]


def style_header(cells) -> None:
    """Bold, shaded, centred header cells (the ledgers' and the ranking's)."""
    for cell in cells:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def card_text(hazard: Hazard, rules: Rules, today: dt.date | None) -> str:
    """The hazard's escalation on ``today`` for a ledger cell.

    "黄牌 2026-11-20" or "红牌 2026-11-27（黄牌 2026-11-20）".
    """
    card = escalation(hazard, rules.notify, today) if today is not None else None
    if card is None:
        return ""
    return f"红牌 {card.red_on}（黄牌 {card.yellow_on}）" if card.colour == "red" else f"黄牌 {card.yellow_on}"


def ledger_workbook(kind: str, rules: Rules, *, hazards: list[Hazard] | None = None,
                    today: dt.date | None = None) -> bytes:
    """One ledger as an .xlsx file: the header row (frozen), then one row per hazard (``hazards``: all of the ledger).

    With ``today``, the last column holds each hazard's yellow or red card (黄牌 / 红牌 with their dates) on that day.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = TITLES[kind]
    hazards = ledger(kind) if hazards is None else hazards
    venues = {v.venue_id: v
              for v in db.session.scalars(db.select(Venue).where(Venue.venue_id.in_({h.venue_id for h in hazards})))}
    ws.append([h for h, _ in COLUMNS])
    for k, h in enumerate(hazards, start=1):
        v = venues.get(h.venue_id)
        kind_label = rules.hazard_types[h.type].label_zh if h.type in rules.hazard_types else h.type
        ws.append([k, h.hazard_id, h.venue_id, v.name if v else "", v.address if v else "", v.grid_id if v else "",
                   kind_label, "重大" if h.severity == "major" else "一般", h.found_on,
                   STATUS_ZH.get(h.status, h.status),
                   h.measure, h.responsible_unit, h.responsible_person, h.deadline, h.standard,
                   "是" if h.supervised else "", h.closed_on, h.description, card_text(h, rules, today)])
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    style_header(ws[1])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.column_letter in ("I", "N", "Q") and cell.value:
                cell.number_format = "yyyy-mm-dd"
            elif looks_like_formula(cell.value):  # text from users, never a formula (openpyxl reads "=…" as one)
                cell.data_type, cell.quotePrefix = "s", True
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
