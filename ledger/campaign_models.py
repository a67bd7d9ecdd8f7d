"""Campaigns (专项排查, 拉网排查): a named sweep in which every venue in scope must be seen within a period.

Kept apart from :mod:`ledger.models` so that the campaign's table reads as one piece; it shares its ``db``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import db, utcnow


class Campaign(db.Model):
    """A sweep: its name, its period, what is in scope (empty: everything) and its own checklist."""

    __tablename__ = "campaign"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    start: Mapped[dt.date] = mapped_column(Date, index=True)
    end: Mapped[dt.date] = mapped_column(Date, index=True)
    categories: Mapped[str] = mapped_column(Text, default="")  # category codes, ";"-separated; empty = every category
    grids: Mapped[str] = mapped_column(Text, default="")  # grid ids, ";"-separated; empty = every grid
    hazard_types: Mapped[str] = mapped_column(Text, default="")  # hazard types in focus, ";"-separated
    checklist: Mapped[str] = mapped_column(Text, default="")  # the campaign's own check items, one per line
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    def codes(self, column: str) -> tuple[str, ...]:
        """``categories``, ``grids`` or ``hazard_types`` as a tuple (empty: no restriction)."""
        return tuple(c for c in (getattr(self, column) or "").split(";") if c)

    def items(self) -> tuple[str, ...]:
        """The checklist's items."""
        return tuple(line.strip() for line in (self.checklist or "").splitlines() if line.strip())
