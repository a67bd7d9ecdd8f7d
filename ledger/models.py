"""The database: layers, plans, inspections, hazards with their append-only event trail, users.

SQLite (a file in the instance folder) by default, PostgreSQL by ``DATABASE_URL``. Geometry is
kept as GeoJSON text so that both work the same; the planner reads the layers back through the
same readers and validation as files (:func:`ledger.store.layers_from_db`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

db = SQLAlchemy()

ROLES = ("coordinator", "patrol", "viewer")
HAZARD_STEPS = ("found", "reported", "rectifying", "feedback", "closed")  # 发现→报告→处置→反馈→销号


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Grid(db.Model):
    grid_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    community: Mapped[str] = mapped_column(String(200), default="")
    worker: Mapped[str] = mapped_column(String(200), default="")
    geometry: Mapped[str] = mapped_column(Text)  # GeoJSON, WGS84


class Road(db.Model):
    """A road line of the imported road layer (道路), for the phone's route map; the layer is replaced as a whole.

    The bounding box is kept beside the line, so that the roads near a day's stops are found by index.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    highway: Mapped[str] = mapped_column(String(64), default="")  # the road's class (OSM highway, e.g. residential)
    level: Mapped[int] = mapped_column(Integer, default=0)  # 0 on the ground, above for bridges, below for tunnels
    min_lon: Mapped[float] = mapped_column(Float, index=True)
    min_lat: Mapped[float] = mapped_column(Float, index=True)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    geometry: Mapped[str] = mapped_column(Text)  # GeoJSON LineString or MultiLineString, WGS84


class Venue(db.Model):
    venue_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    grid_id: Mapped[str] = mapped_column(String(64), index=True, default="unassigned")
    # the spatial index (B-tree on lon, lat; or PostGIS's generated geom with a GiST) is the migrations' alone:
    # ledger/spatial.py
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    open: Mapped[str] = mapped_column(String(5), default="")
    close: Mapped[str] = mapped_column(String(5), default="")
    last_inspected: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    risk: Mapped[float | None] = mapped_column(Float, nullable=True)
    phone: Mapped[str] = mapped_column(String(64), default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())  # out of planning and maps


class Team(db.Model):
    team_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(200))  # "grid_worker;property;volunteer;safety_officer"
    start_lon: Mapped[float] = mapped_column(Float)
    start_lat: Mapped[float] = mapped_column(Float)
    shift: Mapped[str] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(16), default="walk")
    home_grids: Mapped[str] = mapped_column(Text, default="")
    members: Mapped[str] = mapped_column(Text, default="")
    start_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())  # out of planning and maps


class Person(db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.team_id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))


class PlanRun(db.Model):
    """A plan made in the web app: its parameters, progress while it runs, and its files."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    start: Mapped[dt.date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer, default=1)
    teams: Mapped[str] = mapped_column(Text, default="")
    time_limit_s: Mapped[float] = mapped_column(Float, default=20.0)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, running, done, failed
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    out_dir: Mapped[str] = mapped_column(Text, default="")


class ImportRun(db.Model):
    """An import from the import page: its files, progress while it runs, and its outcome, for every web worker.

    ``id`` is the unguessable token the page polls by; ``boot`` is the random token of the app (server start)
    whose thread runs it, so a row left running by a stopped server is told apart (:mod:`webmap.imports`).
    """

    __tablename__ = "import_job"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: secrets.token_urlsafe(12))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="running")  # running, done, failed
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    done: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the counts (Imported.as_dict())
    error: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # InputError.as_dict(): file, row, field
    files: Mapped[list] = mapped_column(JSON, default=list)  # the uploaded files' names
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    pid: Mapped[int] = mapped_column(Integer, default=0)  # the server process that runs it
    boot: Mapped[str] = mapped_column(String(32), default="")  # that server's start token


class PlanStop(db.Model):
    __tablename__ = "stop"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    team_id: Mapped[str] = mapped_column(String(64), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    venue_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(16))
    arrive: Mapped[str] = mapped_column(String(5))
    depart: Mapped[str] = mapped_column(String(5))


class Inspection(db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue_id: Mapped[str] = mapped_column(String(64), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    team_id: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(16), default="done")  # done, closed_door, refused
    notes: Mapped[str] = mapped_column(Text, default="")
    recheck_of: Mapped[str] = mapped_column(String(64), default="")  # hazard id when this closes one
    recorded_by: Mapped[str] = mapped_column(String(64), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Hazard(db.Model):
    hazard_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    venue_id: Mapped[str] = mapped_column(String(64), index=True)
    type: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16), default="general")
    status: Mapped[str] = mapped_column(String(16), default="found", index=True)
    found_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    measure: Mapped[str] = mapped_column(Text, default="")  # 五落实: 措施
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")  # 责任单位
    responsible_person: Mapped[str] = mapped_column(String(100), default="")  # 责任人
    standard: Mapped[str] = mapped_column(Text, default="")  # 整改标准 (with the deadline: the five)
    description: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[str] = mapped_column(String(300), default="")
    supervised: Mapped[bool] = mapped_column(Boolean, default=False)  # 挂牌督办
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class HazardNumber(db.Model):
    """One row per hazard recorded in the app: its id numbers hazards without races between writers."""

    __tablename__ = "hazard_number"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class HazardEvent(db.Model):
    """One change of a hazard: who, when, what. Rows are only ever added (see the listener below)."""

    __tablename__ = "hazard_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hazard_id: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16), default="")
    detail: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class RecordEvent(db.Model):
    """One retire or restore of a venue or team, one disable or enable of an account: who, when, what.

    Rows are only ever added (the listener below, and triggers in the database).
    """

    __tablename__ = "record_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))  # retire, restore, disable, enable
    kind: Mapped[str] = mapped_column(String(16))  # venue, team, user
    object_id: Mapped[str] = mapped_column(String(64))


@event.listens_for(HazardEvent, "before_update")
@event.listens_for(HazardEvent, "before_delete")
@event.listens_for(RecordEvent, "before_update")
@event.listens_for(RecordEvent, "before_delete")
def _audit_is_append_only(mapper, connection, target) -> None:  # noqa: ARG001
    msg = "the audit trail is append-only: events are never changed or deleted"
    raise PermissionError(msg)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[str] = mapped_column(String(64), default="")  # patrol users: their team
    token_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    # Part of every session's id (get_id): raising it ends every session of the account at once.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, default=True,
                                         server_default=sa_true())  # a disabled account cannot log in
    email: Mapped[str] = mapped_column(String(200), default="", server_default="")  # where warnings reach this person
    # What this person is told of (ledger.notify): "street", "community:<name>", "grid:<id>", "person:<name>", space-
    # separated
    notify_for: Mapped[str] = mapped_column(Text, default="", server_default="")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in an inactive user
        return bool(self.active)

    def get_id(self) -> str:
        """The session's user id: the account and its session version ("12:3")."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Every session of this account (cookies, remember cookies) stops working at its next request."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def new_token(self) -> str:
        """A fresh API token for scripts; only its hash is stored."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        return token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AddedStop(db.Model):
    """A venue a coordinator added to a team's day beside its stored plan (the patrol may record it then)."""

    __tablename__ = "added_stop"
    __table_args__ = (UniqueConstraint("day", "team_id", "venue_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    team_id: Mapped[str] = mapped_column(String(64))
    venue_id: Mapped[str] = mapped_column(String(64))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WriteKey(db.Model):
    """A used one-time form token or API ``Idempotency-Key`` and the answer it got (its key is unique)."""

    __tablename__ = "write_key"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)  # "form:<token>" or "api:<user id>:<header>"
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of what was asked: a reused key must ask the same
    status: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class NotifyMessage(db.Model):
    """One warning to one address: what, to whom, by which rule, and how sending went.

    The unique key (stage, subject, day, address) makes a message to an address once per hazard (or grid, or
    plan), stage and day, whatever runs at the same time: a second insert fails in the database.
    """

    __tablename__ = "notify_message"
    __table_args__ = (UniqueConstraint("stage", "subject", "day", "address", name="uq_notify_message_once"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(32),
                                      # remind, yellow, red, major_new, interval_soon, no_visit, plan_failed
                                      index=True)
    stage: Mapped[str] = mapped_column(String(32))  # the rule's step, e.g. remind_3 (three days before)
    subject: Mapped[str] = mapped_column(String(64))  # hazard id, grid id or plan id
    day: Mapped[dt.date] = mapped_column(Date)  # the day the stage is for (a card's day, a reminder's day)
    channel: Mapped[str] = mapped_column(String(16))  # email, wecom, dingtalk, feishu
    address: Mapped[str] = mapped_column(String(300))  # e-mail address or robot name
    recipient: Mapped[str] = mapped_column(String(64))  # account or robot name
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default="sending", index=True)  # sending, sent, failed
    tries: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    tried_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class DataVersion(db.Model):
    """One row: the version of the layer tables.

    Bumped in the same transaction as every write to them (:mod:`ledger.layer_cache`), so every process sees every
    other's writes.
    """

    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
