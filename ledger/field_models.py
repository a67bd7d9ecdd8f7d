"""What the phone app adds to a stop's result.

The check-in, photos and signatures, the rectification notice, live events.

Kept apart from :mod:`ledger.models` so that the field app's tables read as one piece; they share its ``db``.
Photos and signatures are kept in the database (``field_file.data``), never on paths a user chose,
so they are backed up with the rest and served only through a view that checks who asks.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import db, utcnow


class FieldVisit(db.Model):
    """One stop's result as the phone recorded it: how and where the team checked in, and the checklist ticked."""

    __tablename__ = "field_visit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    team_id: Mapped[str] = mapped_column(String(64), index=True)
    venue_id: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(8))  # gps, qr (扫码签到), none
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)  # WGS84, as the phone gave it
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)  # UTC, the phone's clock
    distance_m: Mapped[float | None] = mapped_column(Float, nullable=True)  # from the venue's point
    far: Mapped[bool] = mapped_column(Boolean, default=False)  # farther than FIELD_FAR_M (or no position at all)
    checklist: Mapped[list | None] = mapped_column(JSON, nullable=True)  # hazard type codes ticked as checked
    #: The items of running campaigns (专项排查) ticked: [{"campaign_id", "name", "items": [...]}], in their order.
    campaign_checklist: Mapped[list | None] = mapped_column(JSON, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FieldFile(db.Model):
    """A photo of a hazard or a signature of a notice, checked by its content (JPEG, PNG or WebP)."""

    __tablename__ = "field_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("field_visit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # photo, signature
    hazard_id: Mapped[str] = mapped_column(String(64), default="")
    team_id: Mapped[str] = mapped_column(String(64))  # whose: only this team's patrols and coordinators see it
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Notice(db.Model):
    """A 隐患整改通知书 handed over at a stop: the 五落实 and the deadline, signed by the venue's person in charge."""

    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("field_visit.id"), index=True)
    venue_id: Mapped[str] = mapped_column(String(64), index=True)
    team_id: Mapped[str] = mapped_column(String(64))
    day: Mapped[dt.date] = mapped_column(Date)
    hazard_ids: Mapped[list] = mapped_column(JSON)
    measure: Mapped[str] = mapped_column(Text, default="")
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")
    responsible_person: Mapped[str] = mapped_column(String(100), default="")
    deadline: Mapped[dt.date] = mapped_column(Date)
    standard: Mapped[str] = mapped_column(Text, default="")
    signer: Mapped[str] = mapped_column(String(100), default="")
    signature_id: Mapped[int] = mapped_column(ForeignKey("field_file.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FieldEvent(db.Model):
    """What the live board shows as it happens: a check-in, a result, a re-plan. Rows are only added."""

    __tablename__ = "field_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    team_id: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(16))  # result, replan
    detail: Mapped[dict | None] = mapped_column(JSON, nullable=True)
