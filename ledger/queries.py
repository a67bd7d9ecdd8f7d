"""What the pages and the API read: each function is one question to the database, answered with rows.

Nothing here writes. Filters that are rules (a ledger's rows of one community, the overdue ones)
live here too, so that a page, its Excel export and the API answer the same question the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .lifecycle import deadline_warnings, ledger
from .models import (
    HAZARD_STEPS,
    Grid,
    Hazard,
    HazardEvent,
    Inspection,
    NotifyMessage,
    PlanRun,
    PlanStop,
    Team,
    User,
    Venue,
    db,
    hash_token,
)
from .spatial import Box, venue_in_box


def venue_names(venue_ids: Iterable[str] | None = None) -> dict[str, str]:
    """venue_id → name, of the venues given (every venue when ``None``)."""
    q = db.select(Venue.venue_id, Venue.name)
    if venue_ids is not None:
        q = q.where(Venue.venue_id.in_(set(venue_ids)))
    return dict(db.session.execute(q).all())


def front_page(user: User, today: dt.date) -> dict[str, object]:
    """The front page: deadline warnings (coordinators), the last five plans, hazards per step, the patrol's sheets."""
    warnings = deadline_warnings(today) if user.role == "coordinator" else {"overdue": [], "due_soon": []}
    plans = db.session.scalars(db.select(PlanRun).order_by(PlanRun.id.desc()).limit(5)).all()
    per_step = dict(db.session.execute(db.select(Hazard.status, db.func.count()).group_by(Hazard.status)).all())
    my_sheets: set[int] = set()
    if user.role == "patrol":  # the plans in which the patrol's own team has stops
        my_sheets = set(db.session.scalars(db.select(PlanStop.plan_id).where(
            PlanStop.plan_id.in_([p.id for p in plans]), PlanStop.team_id == user.team_id).distinct()))
    return {"warnings": warnings, "names": venue_names(), "plans": plans, "my_sheets": my_sheets,
            "counts": {step: per_step.get(step, 0) for step in HAZARD_STEPS}}


def venue_history(venue_id: str) -> dict[str, list]:
    """A venue's inspections and hazards (newest first) and the hazards' events (oldest first)."""
    inspections = db.session.scalars(db.select(Inspection).where(Inspection.venue_id == venue_id)
                                     .order_by(Inspection.date.desc())).all()
    hazards = db.session.scalars(db.select(Hazard).where(Hazard.venue_id == venue_id)
                                 .order_by(Hazard.found_on.desc())).all()
    return {"inspections": inspections, "hazards": hazards, "events": hazard_events([h.hazard_id for h in hazards])}


def hazard_events(hazard_ids: Iterable[str]) -> list[HazardEvent]:
    """The closed-loop events of these hazards, in the order they were made."""
    return db.session.scalars(db.select(HazardEvent).where(HazardEvent.hazard_id.in_(list(hazard_ids)))
                              .order_by(HazardEvent.id)).all()


def waiting_hazards(venue_id: str) -> list[Hazard]:
    """A venue's hazards not yet closed, oldest first (the result form's re-check list)."""
    return db.session.scalars(db.select(Hazard).where(Hazard.venue_id == venue_id, Hazard.status != "closed")
                              .order_by(Hazard.found_on)).all()


def recent_inspections(venue_id: str, *, limit: int = 5) -> list[Inspection]:
    """A venue's last ``limit`` inspections as recorded, newest first."""
    return db.session.scalars(db.select(Inspection).where(Inspection.venue_id == venue_id)
                              .order_by(Inspection.id.desc()).limit(limit)).all()


def grids() -> list[Grid]:
    """Every grid, by id."""
    return db.session.scalars(db.select(Grid).order_by(Grid.grid_id)).all()


def ledger_rows(kind: str, *, today: dt.date, community: str = "", grid: str = "", major_only: bool = False,
                overdue_only: bool = False) -> list[Hazard]:
    """The rows of one ledger (``ledger.lifecycle.LEDGERS``).

    For one community or grid, major ones, or those past their deadline.
    """
    hazards = ledger(kind)
    if community or grid:
        q = db.select(Venue.venue_id)
        if community:
            q = q.where(Venue.grid_id.in_(db.select(Grid.grid_id).where(Grid.community == community)))
        if grid:
            q = q.where(Venue.grid_id == grid)
        inside = set(db.session.scalars(q))
        hazards = [h for h in hazards if h.venue_id in inside]
    if major_only:
        hazards = [h for h in hazards if h.severity == "major"]
    if overdue_only:
        hazards = [h for h in hazards if h.status != "closed" and h.deadline is not None and h.deadline < today]
    return hazards


def teams(*, in_use_only: bool = True) -> list[Team]:
    """The teams in use by id, or every team (in use first) with ``in_use_only=False``."""
    if in_use_only:
        return db.session.scalars(db.select(Team).where(Team.retired.is_(False)).order_by(Team.team_id)).all()
    return db.session.scalars(db.select(Team).order_by(Team.retired, Team.team_id)).all()


def team_names(team_ids: Iterable[str]) -> dict[str, str]:
    """team_id → name, of the teams given."""
    return dict(db.session.execute(db.select(Team.team_id, Team.name).where(Team.team_id.in_(list(team_ids)))).all())


def plan_runs(*, limit: int | None = None, newest_first: bool = False) -> list[PlanRun]:
    """Stored plans by id (the newest ``limit`` of them with ``newest_first``)."""
    q = db.select(PlanRun).order_by(PlanRun.id.desc() if newest_first else PlanRun.id)
    return db.session.scalars(q.limit(limit) if limit else q).all()


def plan_teams(plan_id: int) -> list[str]:
    """The teams that have stops in a plan."""
    return db.session.scalars(db.select(PlanStop.team_id).where(PlanStop.plan_id == plan_id).distinct()).all()


def plan_stops(plan_id: int, *, team_id: str | None = None) -> list[PlanStop]:
    """A plan's stops by day, team and order (one team's only, when given)."""
    q = db.select(PlanStop).where(PlanStop.plan_id == plan_id)
    if team_id is not None:
        q = q.where(PlanStop.team_id == team_id)
    return db.session.scalars(q.order_by(PlanStop.day, PlanStop.team_id, PlanStop.seq)).all()


def api_venues(*, grid_id: str = "", category: str = "", include_retired: bool = False, bbox: Box | None = None,
               limit: int) -> list[Venue]:
    """Venues by id for the API: in use only unless asked, of one grid or category, in a bounding box when given.

    The box is found by the database's spatial index (:mod:`ledger.spatial`: PostGIS's GiST, else a B-tree).
    """
    q = db.select(Venue).order_by(Venue.venue_id)
    if bbox is not None:
        q = q.where(venue_in_box(bbox))
    if not include_retired:
        q = q.where(Venue.retired.is_(False))
    if grid_id:
        q = q.where(Venue.grid_id == grid_id)
    if category:
        q = q.where(Venue.category == category)
    return db.session.scalars(q.limit(limit)).all()


def api_hazards(*, status: str = "", limit: int) -> list[Hazard]:
    """Hazards by id for the API, of one status when given."""
    q = db.select(Hazard).order_by(Hazard.hazard_id)
    if status:
        q = q.where(Hazard.status == status)
    return db.session.scalars(q.limit(limit)).all()


def api_inspections(*, venue_id: str = "", limit: int) -> list[Inspection]:
    """Inspections as recorded for the API, of one venue when given."""
    q = db.select(Inspection).order_by(Inspection.id)
    if venue_id:
        q = q.where(Inspection.venue_id == venue_id)
    return db.session.scalars(q.limit(limit)).all()


def user_named(username: str) -> User | None:
    """The account called ``username``."""
    return db.session.scalar(db.select(User).where(User.username == username))


def user_for_token(token: str) -> User | None:
    """The enabled account whose API token this is (a disabled account's token no longer works)."""
    user = db.session.scalar(db.select(User).where(User.token_hash == hash_token(token)))
    return user if user is not None and user.active else None


def accounts() -> list[User]:
    """Every account, by role and name."""
    return db.session.scalars(db.select(User).order_by(User.role, User.username)).all()


def notify_messages(*, status: str = "", limit: int) -> tuple[list[NotifyMessage], dict[str, int]]:
    """The newest ``limit`` warnings (of one status when given), and how many there are per status."""
    q = db.select(NotifyMessage).order_by(NotifyMessage.id.desc()).limit(limit)
    if status:
        q = q.where(NotifyMessage.status == status)
    counts = dict(db.session.execute(db.select(NotifyMessage.status,
                                               db.func.count()).group_by(NotifyMessage.status)).all())
    return db.session.scalars(q).all(), counts
