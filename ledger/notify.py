"""Telling people: each due warning (:mod:`ledger.warnings`) to each address it is for, once, stored with its result.

Who gets what: an active account with an ``email`` gets the warnings whose audiences meet its ``notify_for``
tokens (coordinators also get ``office``); a robot of ``NOTIFY_WEBHOOKS`` gets those that meet its ``for`` (``*``
for all, ``community:*`` for every community). A message is one row of ``notify_message`` whose unique key
(stage, subject, day, address) the database enforces: two runs at once never send one twice, because only the
run whose insert succeeded sends it. A failed send is tried again within the run after growing waits
(``NOTIFY_RETRY_WAITS_S``), and again at every later run until ``NOTIFY_MAX_TRIES`` tries in all.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError

from gis.errors import InputError
from gis.i18n import gettext as _
from gis.rules import Rules

from .channels import Robot, SendError, Smtp, parse_smtp_url, parse_webhooks, post_robot, send_email
from .models import NotifyMessage, User, db, utcnow
from .warnings import Due, due_today

log = logging.getLogger(__name__)

#: Settings read from the app's config (and so from the environment, see webmap.web.create_app).
SETTING_KEYS = ("SMTP_URL", "NOTIFY_WEBHOOKS", "NOTIFY_FROM", "PUBLIC_URL", "NOTIFY_EVERY_S")
STALE_SENDING = dt.timedelta(minutes=15)  # a row left "sending" this long belongs to a run that died


@dataclass(frozen=True)
class Address:
    channel: str  # email, wecom, dingtalk, feishu
    address: str  # e-mail address or robot name
    recipient: str  # account or robot name


@dataclass(frozen=True)
class NotifySettings:
    """Where messages go and how hard to try."""

    smtp: Smtp | None = None
    robots: tuple[Robot, ...] = ()
    sender: str = "patrol@localhost"
    public_url: str = "http://localhost:5000"
    retry_waits_s: tuple[float, ...] = (1.0, 2.0, 4.0)  # waits between tries within one run
    max_tries: int = 12  # tries over all runs before a failed message is left alone
    timeout_s: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> NotifySettings:
        """From the app's config: ``SMTP_URL``, ``NOTIFY_WEBHOOKS``, ``NOTIFY_FROM``, ``PUBLIC_URL``, ``NOTIFY_*``."""
        smtp = parse_smtp_url(config["SMTP_URL"]) if config.get("SMTP_URL") else None
        sender = config.get("NOTIFY_FROM") or (smtp.user if smtp and "@" in smtp.user else cls.sender)
        waits = config.get("NOTIFY_RETRY_WAITS_S", cls.retry_waits_s)
        return cls(smtp=smtp, robots=parse_webhooks(config.get("NOTIFY_WEBHOOKS")), sender=sender,
                   public_url=str(config.get("PUBLIC_URL") or cls.public_url),
                   retry_waits_s=tuple(float(w) for w in waits),
                   max_tries=int(config.get("NOTIFY_MAX_TRIES", cls.max_tries)),
                   timeout_s=float(config.get("NOTIFY_TIMEOUT_S", cls.timeout_s)))


@dataclass(frozen=True)
class Outcome:
    """One message of a run, as plain values (usable after the database session ends)."""

    day: dt.date
    stage: str
    subject: str
    recipient: str
    channel: str
    title: str
    status: str  # sent, failed; "sending" in a dry run

    @classmethod
    def of(cls, m: NotifyMessage) -> Outcome:
        return cls(m.day, m.stage, m.subject, m.recipient, m.channel, m.title, m.status)


@dataclass
class RunReport:
    """What one run did (or, for a dry run, would do)."""

    new: list[Outcome] = field(default_factory=list)  # stored now (a dry run: would be)
    retried: list[Outcome] = field(default_factory=list)  # failed before, tried again (a dry run: would be)
    sent: int = 0
    failed: int = 0


_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
_SCOPED = ("community:", "grid:", "person:")


def set_contact(user: User, *, email: str, notify_for: str) -> None:
    """Where warnings reach ``user`` (an e-mail address, or none) and what the account is told of.

    Raises
    ------
    InputError
        When the address is not one, or a token is none of street, office, community:<name>, grid:<id>, person:<name>.
    """
    email, tokens = email.strip(), sorted(_tokens(notify_for))
    if email and (len(email) > 200 or not _EMAIL.match(email)):
        msg = _("email %(email)r: is not an e-mail address", email=email)
        raise InputError(msg, file="user form", field="email")
    for token in tokens:
        if token not in ("street", "office") and not any(token.startswith(k) and len(token) > len(k) for k in _SCOPED):
            msg = _("notify_for %(token)r: should be street, office, community:NAME, "
                    "grid:ID or person:NAME", token=token)
            raise InputError(msg, file="user form", field="notify_for")
    user.email, user.notify_for = email, " ".join(tokens)


def _tokens(text: str) -> set[str]:
    return {t for t in text.replace(";", " ").replace(",", " ").split() if t}


def _meets(serves: Iterable[str], audiences: frozenset[str]) -> bool:
    for s in serves:
        if s == "*" or s in audiences or (s.endswith(":*") and any(a.startswith(s[:-1]) for a in audiences)):
            return True
    return False


def addresses(due: Due, settings: NotifySettings, accounts: list[User]) -> list[Address]:
    """The e-mail addresses and robots one warning goes to (each once)."""
    out: dict[str, Address] = {}
    if settings.smtp is not None:
        for user in accounts:
            serves = _tokens(user.notify_for or "") | ({"office"} if user.role == "coordinator" else set())
            if user.email and _meets(serves, due.audiences):
                out.setdefault(user.email, Address("email", user.email, user.username))
    for robot in settings.robots:
        if _meets(robot.serves, due.audiences):
            out.setdefault(f"robot:{robot.name}", Address(robot.kind, f"robot:{robot.name}", robot.name))
    return list(out.values())


def run_notify(rules: Rules, today: dt.date, settings: NotifySettings, *, dry_run: bool = False,
               sleep: Callable[[float], None] = time.sleep) -> RunReport:
    """Send what is due on ``today`` and what failed before; a dry run stores and sends nothing.

    Needs an app context (the database of the app).
    """
    accounts = list(db.session.scalars(db.select(User).where(User.active.is_(True), User.email != "")))
    candidates = [_message(due, a) for due in due_today(rules, today, public_url=settings.public_url)
                  for a in addresses(due, settings, accounts)]
    known = _known_keys(candidates)
    new = [m for m in candidates if _key(m) not in known]
    retriable = db.select(NotifyMessage).where(NotifyMessage.tries < settings.max_tries,
                                               (NotifyMessage.status == "failed") | (
        (NotifyMessage.status == "sending") & (NotifyMessage.tried_at < utcnow() - STALE_SENDING)))
    retried = list(db.session.scalars(retriable.order_by(NotifyMessage.id)))
    if not dry_run:
        new = [m for m in new if _insert(m)]
        retried = [m for m in retried if _claim(m)]
        for message in new + retried:
            _deliver(message, settings, sleep)
    report = RunReport(new=[Outcome.of(m) for m in new], retried=[Outcome.of(m) for m in retried])
    report.sent = sum(o.status == "sent" for o in report.new + report.retried)
    report.failed = sum(o.status == "failed" for o in report.new + report.retried)
    return report


def _message(due: Due, to: Address) -> NotifyMessage:
    return NotifyMessage(rule=due.rule, stage=due.stage, subject=due.subject, day=due.day, channel=to.channel,
                         address=to.address, recipient=to.recipient, title=due.title[:200], body=due.text,
                         link=due.link, status="sending", tries=0, error="")


def _key(m: NotifyMessage) -> tuple:
    return (m.stage, m.subject, m.day, m.address)


def _known_keys(candidates: list[NotifyMessage]) -> set[tuple]:
    """Keys among ``candidates`` already stored (to skip them without an insert that fails)."""
    subjects = {m.subject for m in candidates}
    if not subjects:
        return set()
    rows = db.session.execute(db.select(NotifyMessage.stage, NotifyMessage.subject, NotifyMessage.day,
                                        NotifyMessage.address)
                              .where(NotifyMessage.subject.in_(subjects)))
    return {tuple(r) for r in rows}


def _insert(message: NotifyMessage) -> bool:
    """Store a new message as "sending"; ``False`` when another run stored it first (the unique key)."""
    message.tried_at = utcnow()
    db.session.add(message)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _claim(message: NotifyMessage) -> bool:
    """Take a failed (or abandoned) message for this run; ``False`` when another run took it."""
    now = utcnow()
    taken = db.session.execute(
        db.update(NotifyMessage).where(NotifyMessage.id == message.id, NotifyMessage.status == message.status,
                                       NotifyMessage.tries == message.tries, NotifyMessage.tried_at == message.tried_at)
        .values(status="sending", tried_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    db.session.refresh(message)
    return taken == 1


def _deliver(message: NotifyMessage, settings: NotifySettings, sleep: Callable[[float], None]) -> None:
    """Try to send, waiting ``retry_waits_s`` between tries; record the result and commit."""
    error = ""
    for attempt in range(len(settings.retry_waits_s) + 1):
        if attempt:
            sleep(settings.retry_waits_s[attempt - 1])
        message.tries += 1
        try:
            _send(message, settings)
        except SendError as err:
            error = str(err)
            log.warning("message %s to %s: try %d failed: %s", message.id, message.recipient, message.tries, err)
            continue
        message.status, message.error, message.sent_at = "sent", "", utcnow()
        break
    else:
        message.status, message.error = "failed", error[:2000]
    message.tried_at = utcnow()
    db.session.commit()


def _send(message: NotifyMessage, settings: NotifySettings) -> None:
    if message.channel == "email":
        if settings.smtp is None:
            msg = "SMTP_URL is not set"
            raise SendError(msg)
        text = f"{message.body}\n\n{message.link}\n\n—— 社区安全巡查系统（patrol）自动发送"
        send_email(settings.smtp, sender=settings.sender, to=message.address, subject=message.title, text=text,
                   timeout_s=settings.timeout_s,
                   headers={"X-Patrol-Message": f"{message.stage} {message.subject} {message.day}"})
        return
    robot = next((r for r in settings.robots if f"robot:{r.name}" == message.address), None)
    if robot is None:
        msg = f"robot {message.recipient!r} is no longer in NOTIFY_WEBHOOKS"
        raise SendError(msg)
    post_robot(robot, title=message.title, text=message.body, link=message.link, timeout_s=settings.timeout_s)


def failed_count() -> int:
    """Messages whose last try failed (the front page links the message page when there are any)."""
    return db.session.scalar(db.select(db.func.count()).select_from(NotifyMessage)
                             .where(NotifyMessage.status == "failed")) or 0
