"""The phone app's day: a team's stops of today, and a stop's whole result with its proof of presence.

A field result is a stop result (:func:`ledger.results.record_result`, which owns the rules and the
permissions: a patrol only for its own team's stops of that day) plus what only the phone gives:
the check-in (position, accuracy, time, distance to the venue, or a scanned venue QR code), the
checklist ticked, photos of the hazards found, and a signed 隐患整改通知书. A check-in farther than
``far_m`` from the venue, or none at all, is flagged on the result and on the live board; it is
never refused (the team may stand across a wide road) and never silently accepted.

Like :mod:`ledger.results`, nothing here commits: callers wrap it in ``once`` or ``transaction``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
from dataclasses import dataclass, field

from gis.errors import InputError
from gis.i18n import gettext as _
from gis.rules import Rules

from .campaigns import venue_campaigns
from .field_models import FieldEvent, FieldFile, FieldVisit, Notice
from .models import AddedStop, Hazard, Inspection, PlanRun, PlanStop, User, Venue, db
from .photos import picture_type
from .results import NotAllowed, Recorded, StopResult, check_stop, record_result

METHODS = ("gps", "qr", "none")
MAX_PHOTO_BYTES = 3 * 1024 * 1024  # the phone sends photos scaled down to 1600 px (about 200-400 kB)
MAX_SIGNATURE_BYTES = 512 * 1024
MAX_PHOTOS = 6  # per hazard


@dataclass(frozen=True)
class CheckIn:
    """How the team said it was there: the phone's position (WGS84) and its time, or a scanned venue code."""

    method: str = "none"
    lon: float | None = None
    lat: float | None = None
    accuracy_m: float | None = None
    at: dt.datetime | None = None  # UTC
    qr_token: str = ""


@dataclass(frozen=True)
class NoticeIn:
    """The 隐患整改通知书 as filled in on the phone: the 五落实, the deadline and the signature (PNG bytes)."""

    measure: str
    responsible_unit: str
    responsible_person: str
    deadline: dt.date
    standard: str
    signer: str
    signature: bytes


@dataclass(frozen=True)
class FieldResult:
    """One stop's result from the phone; ``photos[i]`` are the pictures of ``result.found[i]``."""

    result: StopResult
    checkin: CheckIn = CheckIn()
    checklist: tuple[str, ...] = ()
    photos: tuple[tuple[bytes, ...], ...] = ()
    #: Items ticked of the campaigns (专项排查) running at the venue: (campaign id, the items' texts).
    campaign_checklist: tuple[tuple[int, tuple[str, ...]], ...] = ()
    notice: NoticeIn | None = None


@dataclass
class FieldRecorded:
    recorded: Recorded
    visit: FieldVisit
    files: list[FieldFile] = field(default_factory=list)
    notice: Notice | None = None


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle metres between two WGS84 points (haversine: plenty at a few hundred metres)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


def venue_token(secret: str, venue_id: str) -> str:
    """The code printed in a venue's 扫码签到 QR: only someone who saw the posted code knows it."""
    return hmac.new(secret.encode(), f"checkin:{venue_id}".encode(), hashlib.sha256).hexdigest()[:20]


def day_stops(team_id: str, day: dt.date) -> tuple[int | None, list[PlanStop | AddedStop]]:
    """The team's stops of ``day`` in order.

    Those of the newest finished plan that has the team on that day (a re-plan of the rest of the day is the newest),
    then the venues a coordinator added.
    """
    plan_id = db.session.scalar(
        db.select(PlanStop.plan_id).join(PlanRun, PlanRun.id == PlanStop.plan_id)
        .where(PlanRun.status == "done", PlanStop.day == day, PlanStop.team_id == team_id)
        .order_by(PlanStop.plan_id.desc()).limit(1))
    planned = [] if plan_id is None else list(db.session.scalars(
        db.select(PlanStop).where(PlanStop.plan_id == plan_id, PlanStop.day == day, PlanStop.team_id == team_id)
        .order_by(PlanStop.seq)))
    seen = {s.venue_id for s in planned}
    added = [a for a in db.session.scalars(db.select(AddedStop).where(AddedStop.day == day,
                                                                      AddedStop.team_id == team_id)
                                           .order_by(AddedStop.id)) if a.venue_id not in seen]
    return plan_id, [*planned, *added]


def may_see_team(user: User, team_id: str) -> bool:
    """Coordinators see every team's day; a patrol only its own."""
    return user.role == "coordinator" or (user.role == "patrol" and user.team_id == team_id)


def record_field_result(user: User, field_result: FieldResult, *, rules: Rules, today: dt.date, far_m: float,
                        secret: str, file: str = "request") -> FieldRecorded:
    """Record one stop's result from the phone.

    The stop result, the check-in (flagged when far), files, notice, live event.

    Raises
    ------
    NotAllowed
        See :func:`ledger.results.check_stop`.
    InputError
        Naming the field: a bad check-in, a checklist item that is not a hazard type, a campaign item that is not
        on the checklist of a campaign running at the venue that day, a photo or
        signature that is not a picture or too large, a notice without hazards or with a deadline
        before the day.
    """
    r, c = field_result.result, field_result.checkin
    check_stop(user, day=r.day, team_id=r.team_id, venue_id=r.venue_id, today=today, file=file)  # who, before what
    _check_values(field_result, rules, file=file)
    media = [[_picture_type(p, f"hazards[{i}].photos[{k}]", MAX_PHOTO_BYTES) for k, p in enumerate(photos)]
             for i, photos in enumerate(field_result.photos)]
    notice = field_result.notice
    signature_type = None if notice is None else _picture_type(notice.signature, "notice.signature",
                                                               MAX_SIGNATURE_BYTES)
    venue = db.session.get(Venue, r.venue_id)
    campaign_ticks = _campaign_ticks(field_result.campaign_checklist, venue, r.day, file=file)
    recorded = record_result(user, r, rules=rules, today=today, file=file)  # the rules and the permissions
    dist = None if c.lon is None or c.lat is None else distance_m(c.lon, c.lat, venue.lon, venue.lat)
    if c.method == "qr":
        if not hmac.compare_digest(c.qr_token, venue_token(secret, r.venue_id)):
            msg = _("checkin.qr_token: is not this venue's check-in code")
            raise InputError(msg, file=file, field="checkin.qr_token")
        far = False  # the posted code was scanned at the venue
    else:
        far = dist is None or dist > far_m
    visit = FieldVisit(inspection_id=recorded.inspection.id, day=r.day, team_id=r.team_id, venue_id=r.venue_id,
                       method=c.method, lon=c.lon, lat=c.lat, accuracy_m=c.accuracy_m, checked_in_at=c.at,
                       distance_m=None if dist is None else round(dist, 1), far=far,
                       checklist=list(field_result.checklist), campaign_checklist=campaign_ticks or None,
                       recorded_by=user.username)
    db.session.add(visit)
    db.session.flush()
    out = FieldRecorded(recorded, visit)
    for hazard, photos, types in zip(recorded.hazards, field_result.photos, media):
        for data, media_type in zip(photos, types):
            out.files.append(_file(visit, "photo", data, media_type, hazard_id=hazard.hazard_id))
    if notice is not None:
        signature = _file(visit, "signature", notice.signature, signature_type)
        out.files.append(signature)
        db.session.flush()
        out.notice = Notice(visit_id=visit.id, venue_id=r.venue_id, team_id=r.team_id, day=r.day,
                            hazard_ids=[h.hazard_id for h in recorded.hazards], measure=notice.measure,
                            responsible_unit=notice.responsible_unit, responsible_person=notice.responsible_person,
                            deadline=notice.deadline, standard=notice.standard, signer=notice.signer,
                            signature_id=signature.id)
        db.session.add(out.notice)
        for hazard in recorded.hazards:  # new rows of this very result: the notice's 五落实 are theirs
            hazard.measure, hazard.responsible_unit = notice.measure, notice.responsible_unit
            hazard.responsible_person, hazard.standard, hazard.deadline = (notice.responsible_person, notice.standard,
                                                                           notice.deadline)
    db.session.add(FieldEvent(day=r.day, team_id=r.team_id, kind="result", detail=_event_detail(out, venue)))
    db.session.flush()
    return out


def _picture_type(data: bytes, name: str, max_bytes: int) -> str:
    return picture_type(data, name=name, file="request", field=name, max_bytes=max_bytes)


def _check_values(fr: FieldResult, rules: Rules, *, file: str) -> None:
    c = fr.checkin
    if c.method not in METHODS:
        msg = _("checkin.method %(method)r: should be one of %(choices)s", method=c.method, choices=", ".join(METHODS))
        raise InputError(msg,
                         file=file, field="checkin.method")
    if c.method == "gps" and (c.lon is None or c.lat is None):
        msg = _("checkin: a gps check-in needs lon and lat")
        raise InputError(msg, file=file, field="checkin.lon")
    for name, value, low, high in (("lon", c.lon, -180, 180), ("lat", c.lat, -90, 90),
                                   ("accuracy_m", c.accuracy_m, 0, 1e6)):
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            msg = _("checkin.%(name)s %(value)r: should be between %(low)s and %(high)s", name=name,
                    value=value, low=low, high=high)
            raise InputError(msg,
                             file=file, field=f"checkin.{name}")
    for code in fr.checklist:
        if code not in rules.hazard_types:
            msg = _("checklist %(code)r: is not a hazard type of the rules", code=code)
            raise InputError(msg, file=file,
                             field="checklist")
    if len(fr.photos) > len(fr.result.found):
        msg = _("hazards: photos were given for more hazards than were found")
        raise InputError(msg, file=file, field="hazards")
    for i, photos in enumerate(fr.photos):
        if len(photos) > MAX_PHOTOS:
            msg = _("hazards[%(i)d].photos: at most %(n)d photos a hazard", i=i, n=MAX_PHOTOS)
            raise InputError(msg, file=file,
                             field=f"hazards[{i}].photos")
    n = fr.notice
    if n is not None:
        if not fr.result.found:
            msg = _("notice: a rectification notice needs a hazard found")
            raise InputError(msg, file=file,
                             field="notice")
        for name in ("measure", "responsible_unit", "responsible_person", "standard", "signer"):
            if not getattr(n, name):
                msg = _("notice.%(name)s: is required (the five assignments)", name=name)
                raise InputError(msg, file=file, field=f"notice.{name}")
        if n.deadline < fr.result.day:
            msg = _("notice.deadline %(day)s: is before the day of the check", day=n.deadline)
            raise InputError(msg, file=file,
                             field="notice.deadline")


def _campaign_ticks(ticked: tuple[tuple[int, tuple[str, ...]], ...], venue: Venue, day: dt.date, *,
                    file: str) -> list[dict]:
    """The ticked items as stored: each of a campaign running at ``venue`` on ``day`` and one of its checklist's items.

    Raises
    ------
    InputError
        Naming ``campaign_checklist[i]``: a campaign not running there that day, an item not on its checklist.
    """
    running = {c.id: c for c in venue_campaigns(day, [venue]).get(venue.venue_id, [])}
    out = []
    for i, (campaign_id, items) in enumerate(ticked):
        campaign = running.get(campaign_id)
        if campaign is None:
            msg = _("campaign_checklist[%(i)d].campaign_id %(id)r: is not a campaign running at this venue on %(day)s",
                    i=i, id=campaign_id, day=day)
            raise InputError(msg, file=file, field=f"campaign_checklist[{i}].campaign_id")
        for item in items:
            if item not in campaign.items():
                msg = _("campaign_checklist[%(i)d].items %(item)r: is not an item of the campaign's checklist",
                        i=i, item=item[:60])
                raise InputError(msg, file=file, field=f"campaign_checklist[{i}].items")
        if items:
            out.append({"campaign_id": campaign.id, "name": campaign.name,
                        "items": [item for item in campaign.items() if item in items]})
    return out


def _file(visit: FieldVisit, kind: str, data: bytes, media_type: str, *, hazard_id: str = "") -> FieldFile:
    row = FieldFile(visit_id=visit.id, kind=kind, hazard_id=hazard_id, team_id=visit.team_id, media_type=media_type,
                    size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data)
    db.session.add(row)
    return row


def _event_detail(out: FieldRecorded, venue: Venue) -> dict:
    v, r = out.visit, out.recorded
    return {"venue_id": venue.venue_id, "name": venue.name, "outcome": r.inspection.outcome, "method": v.method,
            "lon": v.lon, "lat": v.lat, "accuracy_m": v.accuracy_m, "distance_m": v.distance_m, "far": v.far,
            "at": (v.checked_in_at or v.recorded_at
                   or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)).isoformat(),
            "hazards": len(r.hazards), "major": any(h.severity == "major" for h in r.hazards)}


def file_for(user: User, file_id: int) -> FieldFile | None:
    """A photo or signature when ``user`` may see it (a coordinator, or a patrol of the file's team); else None."""
    row = db.session.get(FieldFile, file_id)
    if row is None or not may_see_team(user, row.team_id):
        return None
    return row


def hazard_photo_ids(user: User, hazard_id: str) -> list[int]:
    """Ids of the field photos of a hazard that ``user`` may see (its team's patrols and coordinators)."""
    rows = db.session.execute(db.select(FieldFile.id, FieldFile.team_id).where(FieldFile.hazard_id == hazard_id,
                                                                              FieldFile.kind == "photo")
                                                                              .order_by(FieldFile.id))
    return [file_id for file_id, team_id in rows if may_see_team(user, team_id)]


def visits_of(day: dt.date, team_id: str | None = None) -> list[FieldVisit]:
    q = db.select(FieldVisit).where(FieldVisit.day == day)
    if team_id is not None:
        q = q.where(FieldVisit.team_id == team_id)
    return list(db.session.scalars(q.order_by(FieldVisit.id)))


def done_venues(day: dt.date, team_id: str) -> dict[str, str]:
    """Venues the team has a result for on ``day`` (from the phone, the form or the API): venue id → outcome."""
    rows = db.session.execute(db.select(Inspection.venue_id, Inspection.outcome)
                              .where(Inspection.date == day, Inspection.team_id == team_id).order_by(Inspection.id))
    return {venue_id: outcome for venue_id, outcome in rows}


def open_hazards(venue_ids: list[str]) -> dict[str, list[Hazard]]:
    if not venue_ids:
        return {}
    out: dict[str, list[Hazard]] = {}
    for h in db.session.scalars(db.select(Hazard).where(Hazard.venue_id.in_(venue_ids), Hazard.status != "closed")
                                .order_by(Hazard.found_on, Hazard.hazard_id)):
        out.setdefault(h.venue_id, []).append(h)
    return out


def events_after(last_id: int, day: dt.date, *, limit: int = 200) -> list[FieldEvent]:
    return list(db.session.scalars(db.select(FieldEvent).where(FieldEvent.id > last_id, FieldEvent.day == day)
                                   .order_by(FieldEvent.id).limit(limit)))


def add_event(day: dt.date, kind: str, detail: dict, *, team_id: str = "") -> FieldEvent:
    event = FieldEvent(day=day, team_id=team_id, kind=kind, detail=detail)
    db.session.add(event)
    db.session.flush()
    return event


__all__ = ["CheckIn", "FieldResult", "NoticeIn", "NotAllowed", "record_field_result", "day_stops", "venue_token"]
