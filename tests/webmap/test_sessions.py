"""Sessions end when they should: logout, a password reset and disabling an account end every copy of the cookie."""

from __future__ import annotations

import re

import pytest

from web_helpers import PASSWORDS, csrf_token, login, post_form


def _copy(client, app):
    """A second browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _user_id(app, username: str) -> int:
    from ledger.models import User, db

    with app.app_context():
        return db.session.scalars(db.select(User.id).where(User.username == username)).one()


def _log_in_as(client, username: str, password: str):
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token(page)})


def test_a_copied_cookie_stops_working_after_logout(app, client):
    login(client, "viewer")
    thief = _copy(client, app)
    assert thief.get("/map").status_code == 200  # the copy works while the session lives
    other_device = app.test_client()
    login(other_device, "viewer")
    token = csrf_token(client.get("/map").get_data(as_text=True))
    assert _sent_to_login(client.post("/logout", data={"csrf_token": token}))
    assert _sent_to_login(thief.get("/map"))
    assert _sent_to_login(other_device.get("/map"))  # logging out ends every session of the account
    assert _sent_to_login(client.get("/map"))
    login(client, "viewer")  # and a new login works again
    assert client.get("/map").status_code == 200


@pytest.mark.parametrize("action", ["reset", "disable"])
def test_a_reset_or_disabling_ends_the_accounts_sessions_and_token(app, client, action):
    from ledger.models import User, db

    victim = app.test_client()
    login(victim, "patrol1")
    thief = _copy(victim, app)
    token = re.search(r'id="token">([^<]+)<',
                      post_form(victim, "/account", {"action": "token"}).get_data(as_text=True)).group(1)
    bearer = {"Authorization": f"Bearer {token}"}
    assert thief.get("/stops/2026-11-22/T01/V0001").status_code == 200
    assert client.get("/api/v1/venues?limit=1", headers=bearer).status_code == 200
    login(client, "coord")
    done = post_form(client, "/users", {"action": action, "user_id": str(_user_id(app, "patrol1"))})
    assert done.status_code == 200, done.get_data(as_text=True)[-800:]
    assert _sent_to_login(thief.get("/stops/2026-11-22/T01/V0001"))
    assert _sent_to_login(victim.get("/stops/2026-11-22/T01/V0001"))
    refused = app.test_client().get("/api/v1/venues?limit=1", headers=bearer)
    assert refused.status_code == 401 and refused.get_json()["error"] == "unauthorized"
    if action == "disable":
        page = done.get_data(as_text=True)
        assert re.search(r'id="account-patrol1" class="disabled">.*?已停用', page, re.S)
        again = _log_in_as(app.test_client(), "patrol1", PASSWORDS["patrol1"])
        assert again.status_code == 403 and "此账号已停用" in again.get_data(as_text=True)
        with app.app_context():
            user = db.session.scalars(db.select(User).where(User.username == "patrol1")).one()
            assert not user.active
        assert post_form(client, "/users",
                         {"action": "enable", "user_id": str(_user_id(app, "patrol1"))}).status_code == 200
        assert _log_in_as(app.test_client(), "patrol1", PASSWORDS["patrol1"]).status_code == 302
        assert app.test_client().get("/api/v1/venues?limit=1",
                                     headers=bearer).status_code == 401  # the token stays revoked
    from ledger.models import RecordEvent

    with app.app_context():  # put the password back for the other tests; the audit trail has the disabling
        db.session.scalars(db.select(User).where(User.username == "patrol1")).one().set_password(PASSWORDS["patrol1"])
        db.session.commit()
        trail = db.session.scalars(db.select(RecordEvent.action).where(RecordEvent.kind == "user",
                                                                       RecordEvent.object_id == "patrol1")).all()
    assert trail[-2:] == ["disable", "enable"] if action == "disable" else "disable" not in trail


def test_the_last_active_coordinator_cannot_be_disabled(app, client):
    from ledger.models import User, db

    login(client, "coord")
    with app.app_context():
        others = db.session.scalars(db.select(User).where(User.role == "coordinator", User.username != "coord")).all()
        assert others  # the first start made 'coordinator'
        others = [u.id for u in others]
    for uid in others:
        assert post_form(client, "/users", {"action": "disable", "user_id": str(uid)}).status_code == 200
    refused = post_form(client, "/users", {"action": "disable", "user_id": str(_user_id(app, "coord"))})
    assert refused.status_code == 400
    assert "最后一个在用的协调员账号不能停用" in refused.get_data(as_text=True)
    assert client.get("/users").status_code == 200  # still logged in, still a coordinator
    for uid in others:
        assert post_form(client, "/users", {"action": "enable", "user_id": str(uid)}).status_code == 200


def test_changing_ones_own_password_keeps_this_session_and_ends_the_copies(app, client):
    from ledger.models import User, db

    login(client, "viewer")
    thief = _copy(client, app)
    changed = post_form(client, "/account", {"action": "password", "old_password": PASSWORDS["viewer"],
                                             "new_password": "another-long-pw", "repeat_password": "another-long-pw"})
    assert changed.status_code == 302
    assert client.get("/map").status_code == 200
    assert _sent_to_login(thief.get("/map"))
    with app.app_context():
        db.session.scalars(db.select(User).where(User.username == "viewer")).one().set_password(PASSWORDS["viewer"])
        db.session.commit()


@pytest.mark.parametrize("session_id", ["1", "1:x", "x:0", "99999999999:0", "1:-1", ""])
def test_session_ids_without_a_valid_version_have_ended(app, session_id):
    from ledger.users import user_for_session

    with app.app_context():
        assert user_for_session(session_id) is None
