r"""Sending a warning: e-mail over SMTP and the group robots of WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书).

No Flask and no database here: settings come in as values, a failure is a :class:`SendError` with a reason.

- ``SMTP_URL``: ``smtp://user:pass@host:587`` (STARTTLS whenever the server offers it; a password is never sent
  in clear to a host that is not this machine) or ``smtps://…:465`` (TLS from the first byte).
- ``NOTIFY_WEBHOOKS``: a JSON list of robots, each ``{"name", "kind": "wecom"|"dingtalk"|"feishu", "url",
  "secret" (optional: DingTalk's and Feishu's signing secret), "for": [what it is told of]}``.
  DingTalk signs the URL (``timestamp`` in ms and ``sign`` = base64(HMAC-SHA256(secret, f"{timestamp}\n{secret}")),
  url-encoded); Feishu signs the body (``timestamp`` in s and
  ``sign`` = base64(HMAC-SHA256(key=f"{timestamp}\n{secret}", msg=b""))); WeCom's key is part of its URL and has
  no secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from gis.errors import InputError
from gis.i18n import gettext as _

ROBOT_KINDS = ("wecom", "dingtalk", "feishu")


class SendError(Exception):
    """A message could not be delivered (the reason is the text)."""


@dataclass(frozen=True)
class Smtp:
    """Where e-mail goes: ``SMTP_URL`` taken apart."""

    host: str
    port: int
    implicit_tls: bool
    user: str = ""
    password: str = ""


@dataclass(frozen=True)
class Robot:
    """A group robot (群机器人) and what it is told of (``serves``: audience tokens, ``*`` for all)."""

    name: str
    kind: str
    url: str
    secret: str = ""
    serves: frozenset[str] = frozenset()


def parse_smtp_url(url: str) -> Smtp:
    """``smtp://user:pass@host:587`` or ``smtps://host:465`` as :class:`Smtp`.

    Raises
    ------
    InputError
        When the scheme is neither smtp nor smtps or there is no host.
    """
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        msg = _("SMTP_URL %(url)r should look like smtp://user:pass@host:587 or smtps://host:465",
                url=_without_password(url))
        raise InputError(msg, file="settings", field="SMTP_URL")
    try:
        port = parts.port
    except ValueError as err:
        msg = _("SMTP_URL: the port of %(url)r is not a number", url=_without_password(url))
        raise InputError(msg, file="settings", field="SMTP_URL") from err
    implicit = parts.scheme == "smtps"
    return Smtp(parts.hostname, port or (465 if implicit else 587), implicit,
                urllib.parse.unquote(parts.username or ""), urllib.parse.unquote(parts.password or ""))


def _without_password(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def parse_webhooks(value: str | list | None) -> tuple[Robot, ...]:
    """The robots of ``NOTIFY_WEBHOOKS`` (JSON text, or the list itself from instance/config.py).

    Raises
    ------
    InputError
        Naming the robot's place and field, e.g. ``NOTIFY_WEBHOOKS[1].kind``.
    """
    if not value:
        return ()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as err:
            msg = _("NOTIFY_WEBHOOKS is not valid JSON: %(error)s", error=err)
            raise InputError(msg, file="settings", field="NOTIFY_WEBHOOKS") from err
    if not isinstance(value, list):
        msg = _("NOTIFY_WEBHOOKS should be a list of robots [{name, kind, url, secret, for}]")
        raise InputError(msg, file="settings", field="NOTIFY_WEBHOOKS")
    robots, names = [], set()
    for i, entry in enumerate(value):
        robots.append(_robot(entry, f"NOTIFY_WEBHOOKS[{i}]", names))
    return tuple(robots)


def _robot(entry: Any, path: str, names: set[str]) -> Robot:
    def bad(*, field: str, problem: str) -> InputError:
        return InputError(f"{path}.{field}{_(': ')}{problem}", file="settings", field=f"{path}.{field}")

    if not isinstance(entry, Mapping):
        raise bad(field="name", problem=_("each robot should be a table {name, kind, url, secret, for}"))
    name, kind, url = (str(entry.get(k, "")).strip() for k in ("name", "kind", "url"))
    secret, serves = str(entry.get("secret", "") or ""), entry.get("for", ["*"])
    if not name or name in names:
        raise bad(field="name", problem=_("%(name)r should be a name no other robot has", name=name))
    names.add(name)
    if kind not in ROBOT_KINDS:
        raise bad(field="kind",
                  problem=_("%(kind)r should be one of %(kinds)s", kind=kind, kinds=", ".join(ROBOT_KINDS)))
    if urllib.parse.urlsplit(url).scheme not in ("http", "https") or not urllib.parse.urlsplit(url).hostname:
        raise bad(field="url", problem=_("should be the robot's https:// webhook address"))
    if kind == "wecom" and secret:
        raise bad(field="secret", problem=_("WeCom robots have no signing secret (their key is in the url)"))
    if isinstance(serves, str):
        serves = serves.split()
    if not isinstance(serves, list) or not all(isinstance(s, str) for s in serves):
        raise bad(field="for",
                  problem=_('should be a list of what it is told of, e.g. ["street", "community:滨江东社区"]'))
    return Robot(name, kind, url, secret, frozenset(serves))


# --- robots ------------------------------------------------------------------------------------

def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    r"""DingTalk's ``sign``: base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\n{secret}")), url-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    r"""Feishu's ``sign``: base64(HMAC-SHA256(key=f"{timestamp}\n{secret}", msg=b""))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def robot_request(robot: Robot, *, title: str, text: str, link: str, now_s: float) -> tuple[str, dict]:
    """The URL to post to and the JSON body for ``robot`` (signed when it has a secret)."""
    if robot.kind == "wecom":  # markdown: the link is clickable in the group
        content = f"**{title}**\n{text}" + (f"\n[查看详情]({link})" if link else "")
        return robot.url, {"msgtype": "markdown", "markdown": {"content": content}}
    if robot.kind == "dingtalk":
        body = {"msgtype": "markdown",
                "markdown": {"title": title,
                             "text": f"#### {title}\n\n{text}" + (f"\n\n[查看详情]({link})" if link else "")}}
        url = robot.url
        if robot.secret:
            ms = int(now_s * 1000)
            url += ("&" if "?" in url else "?") + f"timestamp={ms}&sign={dingtalk_sign(robot.secret, ms)}"
        return url, body
    body = {"msg_type": "text", "content": {"text": f"{title}\n{text}" + (f"\n{link}" if link else "")}}
    if robot.secret:
        seconds = int(now_s)
        body = {"timestamp": str(seconds), "sign": feishu_sign(robot.secret, seconds), **body}
    return robot.url, body


def post_robot(robot: Robot, *, title: str, text: str, link: str, timeout_s: float = 10.0,
               clock: Callable[[], float] = time.time) -> None:
    """Post one message to a robot; the robot's own error code (errcode / code) counts as a failure.

    Raises
    ------
    SendError
        When the robot cannot be reached, answers with an HTTP error, or reports an error in its answer.
    """
    url, body = robot_request(robot, title=title, text=text, link=link, now_s=clock())
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 (http(s) checked when parsed)
            answer = response.read(64 * 1024)
    except urllib.error.HTTPError as err:
        msg = _("robot %(name)s: HTTP %(code)s %(reason)s", name=robot.name, code=err.code, reason=err.reason)
        raise SendError(msg) from err
    except (urllib.error.URLError, OSError) as err:
        msg = _("robot %(name)s: cannot reach it (%(error)s)", name=robot.name, error=getattr(err, "reason", err))
        raise SendError(msg) from err
    try:
        reply = json.loads(answer or b"{}")
    except ValueError:
        reply = {}
    code = reply.get("errcode", reply.get("code", reply.get("StatusCode", 0))) if isinstance(reply, dict) else 0
    if code not in (0, "0", None):
        msg = _("robot %(name)s: error %(code)s %(message)s", name=robot.name, code=code,
                message=reply.get("errmsg") or reply.get("msg") or "").strip()
        raise SendError(msg)


# --- e-mail ------------------------------------------------------------------------------------

def send_email(smtp: Smtp, *, sender: str, to: str, subject: str, text: str, timeout_s: float = 10.0,
               headers: Mapping[str, str] | None = None) -> None:
    """Send one plain-text e-mail (``headers``: extra ones, e.g. ``X-Patrol-Message`` for mail filters).

    Raises
    ------
    SendError
        When the server cannot be reached, refuses the login or the message, or would get a password in clear.
    """
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    context = ssl.create_default_context()
    try:
        if smtp.implicit_tls:
            server = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout_s, context=context)
        else:
            server = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout_s)
        with server:
            if not smtp.implicit_tls:
                server.ehlo()
                if server.has_extn("starttls"):
                    server.starttls(context=context)
                    server.ehlo()
                elif smtp.user and not _is_loopback(smtp.host):
                    msg = _("smtp %(host)s: the server offers no STARTTLS; the password is not sent in clear "
                            "(use smtps://)", host=smtp.host)
                    raise SendError(msg)
            if smtp.user:
                server.login(smtp.user, smtp.password)
            server.send_message(message)
    except (smtplib.SMTPException, OSError) as err:
        msg = _("smtp %(host)s:%(port)s: %(error)s", host=smtp.host, port=smtp.port, error=err)
        raise SendError(msg) from err


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False
