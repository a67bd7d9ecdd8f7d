"""`patrol notify` on the demo database with a real local SMTP server and HTTP robot sink.

The expected messages are recomputed here from the hazards, venues and grids tables and rules.toml (read with
tomllib, not through gis.rules), and the address book below; then: sent exactly once, a second run sends none,
a failing robot is retried and recorded, and the next run sends what failed.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

import patrol
from gis.rules import DEFAULT_RULES_PATH
from notify_sinks import RobotSink, smtp_server
from web_helpers import TODAY, login

PUBLIC = "https://patrol.example.cn"
RULES = tomllib.loads(Path(DEFAULT_RULES_PATH).read_text(encoding="utf-8"))
WAITS = (0.01, 0.02)  # two waits: three tries within a run


def address_book(app):
    """Accounts with e-mail (username → tokens) and robots (name → kind, for), set up once per module."""
    from ledger.models import Grid, Hazard, User, db

    with app.app_context():
        communities = sorted({g.community for g in db.session.scalars(db.select(Grid)) if g.community})
        person = db.session.scalar(db.select(Hazard.responsible_person).where(Hazard.hazard_id == "H0150"))
        people = {
            "leader": "street",
            "disabled-leader": "street",
            "worker-g05": "grid:G05",
            "owner": f"person:{person}",
            **{f"community-{i}": f"community:{c}" for i, c in enumerate(communities)},
        }
        if db.session.scalar(db.select(User).where(User.username == "leader")) is None:
            for name, tokens in people.items():
                db.session.add(
                    User(
                        username=name,
                        role="viewer",
                        password_hash="-",
                        email=f"{name}@street.test",
                        notify_for=tokens,
                        active=name != "disabled-leader",
                    )
                )
            db.session.commit()
    accounts = {f"{n}@street.test": {t} for n, t in people.items() if n != "disabled-leader"}
    robots = {
        "street-wecom": ("wecom", {"street"}),
        "communities": ("dingtalk", {"community:*"}),
        "all": ("feishu", {"*"}),
    }
    return accounts, robots


def expected(app, day: dt.date, accounts, robots) -> set[tuple]:
    """(stage, subject, day, address) of every message due on ``day``, from the tables and rules.toml."""
    from ledger.models import Grid, Hazard, Venue, db

    with app.app_context():
        grids = {g.grid_id: g for g in db.session.scalars(db.select(Grid))}
        venues = {v.venue_id: v for v in db.session.scalars(db.select(Venue)) if not v.retired}
        hazards = list(db.session.scalars(db.select(Hazard)))
    due = []  # (stage, subject, day, audiences)
    for h in hazards:
        grid = grids.get(venues[h.venue_id].grid_id) if h.venue_id in venues else None
        worker = {f"grid:{grid.grid_id}", f"person:{grid.worker}"} if grid else set()
        community = {f"community:{grid.community}"} if grid else set()
        sev = RULES["notify"][h.severity]
        if h.status == "closed":
            continue
        if sev["immediately"] and h.found_on <= day <= h.found_on + dt.timedelta(days=1):
            due.append(("major_new", h.hazard_id, h.found_on, {"street"} | community | worker))
        if h.status not in ("found", "reported", "rectifying") or h.deadline is None:
            continue
        if (h.deadline - day).days in sev["remind_days_before"]:
            due.append(
                (f"remind_{(h.deadline - day).days}", h.hazard_id, day, {f"person:{h.responsible_person}"} | worker)
            )
        yellow = h.deadline + dt.timedelta(days=sev["yellow_after_days"])
        red = yellow + dt.timedelta(days=sev["red_after_days"])
        if day >= yellow:
            due.append(("yellow", h.hazard_id, yellow, community))
        if day >= red:
            due.append(("red", h.hazard_id, red, {"street"} | community))
    soon = Counter()
    for v in venues.values():
        interval = RULES["categories"][v.category]["interval_days"]
        if (
            v.last_inspected
            and (v.last_inspected + dt.timedelta(days=interval) - day).days == RULES["notify"]["interval_warn_days"]
        ):
            soon[v.grid_id] += 1
    for grid_id in soon:
        due.append(("interval_soon", grid_id, day, {f"grid:{grid_id}", f"person:{grids[grid_id].worker}"}))
    assert day.isoweekday() != RULES["notify"]["no_visit_weekday"]  # (this test's days have no weekly grid check)
    keys = set()
    for stage, subject, on, audiences in due:
        keys |= {(stage, subject, on, address) for address, tokens in accounts.items() if tokens & audiences}
        for name, (_, serves) in robots.items():
            if (
                "*" in serves
                or serves & audiences
                or ("community:*" in serves and any(a.startswith("community:") for a in audiences))
            ):
                keys.add((stage, subject, on, f"robot:{name}"))
    return keys


def stored(app) -> list:
    from ledger.models import NotifyMessage, db

    with app.app_context():
        db.session.expire_all()
        return [
            (m.stage, m.subject, m.day, m.address, m.status, m.tries, m.error, m.link, m.body)
            for m in db.session.scalars(db.select(NotifyMessage))
        ]


@pytest.fixture
def notify_env(app, monkeypatch):
    """`patrol notify` pointed at this module's database and at the local sinks; yields (mailbox, robot sink)."""
    (Path(app.instance_path) / "config.py").write_text(f"NOTIFY_RETRY_WAITS_S = {WAITS!r}\nNOTIFY_TIMEOUT_S = 5\n")
    with smtp_server() as (smtp_url, box), RobotSink() as sink:
        webhooks = (
            f'[{{"name": "street-wecom", "kind": "wecom", "url": "{sink.url}/wecom?key=K", "for": ["street"]}},'
            f' {{"name": "communities", "kind": "dingtalk", "url": "{sink.url}/dingtalk?access_token=T", '
            f'"secret": "SEC1", "for": ["community:*"]}},'
            f' {{"name": "all", "kind": "feishu", "url": "{sink.url}/feishu", "secret": "fs", "for": ["*"]}}]'
        )
        for key, value in {
            "PATROL_INSTANCE": app.instance_path,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SMTP_URL": smtp_url,
            "NOTIFY_WEBHOOKS": webhooks,
            "PUBLIC_URL": PUBLIC,
        }.items():
            monkeypatch.setenv(key, value)
        yield box, sink


def robot_posts(sink) -> Counter:
    """(robot path, subject in the link) of each post."""
    out = Counter()
    for p in sink.posts:
        body = p["body"]
        markdown = body.get("markdown", {})
        text = markdown.get("content") or markdown.get("text") or body["content"]["text"]
        link = next(w for w in text.replace("(", " ").replace(")", " ").split() if w.startswith(PUBLIC))
        out[(p["path"], link.rsplit("/", 1)[-1].removeprefix("map?grid="))] += 1
    return out


PATHS = {"robot:street-wecom": "/wecom", "robot:communities": "/dingtalk", "robot:all": "/feishu"}


def test_notify_sends_the_expected_messages_once_and_retries_failures(app, client, notify_env, capsys):
    box, sink = notify_env
    accounts, robots = address_book(app)
    want = expected(app, TODAY, accounts, robots)
    assert len(want) > 20 and {k[0] for k in want} >= {"yellow", "red", "interval_soon"}  # the demo has all kinds

    assert patrol.main(["notify", "--date", str(TODAY), "--dry-run"]) == 0
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("将发送")]
    assert len(printed) == len(want)
    assert stored(app) == [] and box.messages == [] and sink.posts == []  # a dry run stores and sends nothing

    assert patrol.main(["notify", "--date", str(TODAY)]) == 0
    rows = stored(app)
    assert {r[:4] for r in rows} == want and len(rows) == len(want)
    assert all(r[4] == "sent" and r[5] == 1 for r in rows)
    emails = {(m["To"], m["X-Patrol-Message"]) for m in box.messages}
    assert len(box.messages) == len(emails) == len({k for k in want if "@" in k[3]})
    assert emails == {(k[3], f"{k[0]} {k[1]} {k[2]}") for k in want if "@" in k[3]}
    assert robot_posts(sink) == Counter((PATHS[k[3]], k[1]) for k in want if k[3].startswith("robot:"))
    assert all(r[7].startswith(PUBLIC + "/") for r in rows) and all("隐患" in r[8] or "网格" in r[8] for r in rows)

    n_mail, n_posts = len(box.messages), len(sink.posts)
    assert patrol.main(["notify", "--date", str(TODAY)]) == 0  # again: nothing new
    assert (len(box.messages), len(sink.posts), len(stored(app))) == (n_mail, n_posts, len(rows))

    day2 = TODAY + dt.timedelta(days=1)
    new = expected(app, day2, accounts, robots) - want
    new_robot = {k for k in new if k[3].startswith("robot:")}
    assert new_robot  # the next day has messages for the robots
    sink.status = 500
    assert patrol.main(["notify", "--date", str(day2)]) == 1  # a send failed: cron tells the owner
    printed = capsys.readouterr().err.splitlines()[-1]
    assert "失败" in printed and "失败 0 条" not in printed, printed  # N sent, M failed (M > 0), in Chinese
    failed = [r for r in stored(app) if r[4] == "failed"]
    assert {r[:4] for r in failed} == new_robot
    assert all(r[5] == 1 + len(WAITS) and "HTTP 500" in r[6] for r in failed)  # tried three times within the run
    assert len(sink.posts) - n_posts == (1 + len(WAITS)) * len(new_robot)
    assert len(box.messages) - n_mail == len(new - new_robot)  # e-mail went through

    login(client, "coord")
    front = client.get("/").get_data(as_text=True)
    assert 'id="notify-failed"' in front and "/notify?status=failed" in front
    page = client.get("/notify?status=failed").get_data(as_text=True)
    assert page.count('data-status="failed"') == len(new_robot) and "HTTP 500" in page

    sink.status, n_posts, n_mail = 200, len(sink.posts), len(box.messages)
    assert patrol.main(["notify", "--date", str(day2)]) == 0  # the sink is back: what failed is sent, nothing twice
    rows = stored(app)
    assert all(r[4] == "sent" for r in rows) and {r[:4] for r in rows} == want | new
    assert len(sink.posts) - n_posts == len(new_robot) and len(box.messages) == n_mail
    assert 'id="notify-failed"' not in client.get("/").get_data(as_text=True)


def test_cards_show_on_the_hazard_page_and_in_the_ledgers(app, client):
    login(client, "viewer")
    # H0087: major, deadline 2026-10-06, still rectifying: yellow from 10-07, red (3 days later) from 10-10
    page = client.get("/hazards/H0087").get_data(as_text=True)
    assert 'data-card="red"' in page and "2026-10-07" in page and "2026-10-10" in page and "红牌" in page
    ledger = client.get("/ledger/rectification").get_data(as_text=True)
    row = next(r for r in ledger.split("<tr") if "H0087</a>" in r)
    assert 'data-card="red"' in row and "2026-10-10" in row
    # H0115: overdue but in feedback (the fix is reported, the re-check is the office's): no card
    assert "data-card" not in client.get("/hazards/H0115").get_data(as_text=True)
    # H0150: deadline 2026-11-30, not yet due: no card
    assert "data-card" not in client.get("/hazards/H0150").get_data(as_text=True)
    assert "Red card" in client.get("/hazards/H0087?lang=en").get_data(as_text=True)


def test_only_coordinators_see_the_message_page(app, client):
    login(client, "viewer")
    assert client.get("/notify").status_code == 403


def test_bad_webhook_setting_is_one_line_naming_it(app, notify_env, monkeypatch, capsys):
    monkeypatch.setenv("NOTIFY_WEBHOOKS", '[{"name": "x", "kind": "slack", "url": "https://x"}]')
    before = len(stored(app))
    assert patrol.main(["notify", "--date", str(TODAY)]) == 2
    err = capsys.readouterr().err
    assert re.match(r"patrol: settings[:：] ?NOTIFY_WEBHOOKS\[0\]\.kind", err) and "Traceback" not in err, err
    assert len(stored(app)) == before


def test_the_web_app_schedule_sends_the_same_messages(app, notify_env):
    import time

    from webmap.web import create_app

    box, sink = notify_env
    day = TODAY + dt.timedelta(days=2)
    accounts, robots = address_book(app)
    want = expected(app, day, accounts, robots) - {r[:4] for r in stored(app)}
    assert want
    scheduled = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "TODAY": day,
            "LOAD_DEMO": False,
            "NOTIFY_EVERY_S": 0.2,
            "NOTIFY_RETRY_WAITS_S": WAITS,
        }
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not want <= {r[:4] for r in stored(app) if r[4] == "sent"}:
            time.sleep(0.2)
    finally:
        scheduled.extensions["notify_schedule"].stop()
        with scheduled.app_context():
            from ledger.models import db

            db.session.remove()
            db.engine.dispose()
    assert want <= {r[:4] for r in stored(app) if r[4] == "sent"}
    assert len(box.messages) == len({(m["To"], m["X-Patrol-Message"]) for m in box.messages})  # no e-mail twice


def test_the_accounts_page_keeps_where_warnings_reach_a_person(app, client):
    from ledger.models import User, db
    from web_helpers import post_form

    login(client, "coord")
    with app.app_context():
        viewer_id = db.session.scalar(db.select(User.id).where(User.username == "viewer"))
    ok = post_form(
        client,
        "/users",
        {
            "action": "contact",
            "user_id": viewer_id,
            "email": " wang@street.test ",
            "notify_for": "grid:G05  community:滨江东社区",
        },
    )
    assert ok.status_code == 200
    with app.app_context():
        user = db.session.get(User, viewer_id)
        assert (user.email, user.notify_for) == ("wang@street.test", "community:滨江东社区 grid:G05")
    for data, field in (
        ({"email": "not-an-address", "notify_for": ""}, "email"),
        ({"email": "", "notify_for": "boss"}, "notify_for"),
        ({"email": "", "notify_for": "grid:"}, "notify_for"),
    ):
        bad = post_form(client, "/users", {"action": "contact", "user_id": viewer_id, **data})
        assert bad.status_code == 400 and field in bad.get_data(as_text=True)
        with app.app_context():
            assert db.session.get(User, viewer_id).email == "wang@street.test"  # unchanged
    page = client.get("/users").get_data(as_text=True)
    assert 'value="wang@street.test"' in page and "community:滨江东社区 grid:G05" in page
