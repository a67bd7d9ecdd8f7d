"""The web app under attack and under mistakes: redirects, security headers, error pages, odd requests (no 500s)."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from web_helpers import PASSWORDS, api_token, csrf_token, login

SITE = "http://patrol.test/"


def script_tags(html: str) -> list[dict[str, str | None]]:
    """The attributes of each <script> element of a page, as a browser's parser finds them (code is not markup)."""
    found = []

    class Scripts(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "script":
                found.append(dict(attrs))

    Scripts().feed(html)
    return found


def browser_reads(location: str) -> str:
    """Where a browser goes for a ``Location`` header: it drops tabs and line breaks and reads ``\\`` as ``/``."""
    cleaned = re.sub(r"[\t\r\n]", "", location).replace("\\", "/")
    return urljoin(SITE, cleaned)


# (next=, as typed into the URL's query string)
HOSTILE_NEXT = [
    "//evil.example/x", "/\\evil.example", "\\\\evil.example", "/%09/evil.example/phish", "/%0D%0A/evil.example",
    "%2F%2Fevil.example", "/%2F/evil.example", "https:evil.example", "https://evil.example/", "http:/evil.example",
    "/%0D%0ALocation:%20http://evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "%20//evil.example",
    "/%5Cevil.example", "%09//evil.example", "/%7F/evil.example", "data:text/html,<script>alert(1)</script>",
    "///evil.example", "/\t/\tevil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_sends_to_another_site(app, target):
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    response = c.post(f"/login?next={target}", data={"username": "viewer", "password": PASSWORDS["viewer"],
                                                      "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert urlsplit(browser_reads(response.headers["Location"])).netloc == "patrol.test", response.headers["Location"]
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/ledger/problems", "/map?community=%E8%A5%BF%E5%9C%BA&grid=G01", "/venues/V0001"])
def test_login_keeps_a_path_of_this_site(app, target):
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    response = c.post(f"/login?next={quote(target, safe='')}", data={"username": "viewer",
                                                                     "password": PASSWORDS["viewer"],
                                                                     "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert urlsplit(browser_reads(response.headers["Location"]))[2:4] == urlsplit(target)[2:4]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.text(alphabet=st.sampled_from("/\\\t\r\n :.@%?#eEvil09\x7f\x00é"), max_size=14)
       | st.text(max_size=20))
def test_next_is_always_a_page_of_this_site(app, target):
    from webmap.views.auth import _local_target

    with app.test_request_context("/login"):
        location = _local_target(target)
    assert urlsplit(browser_reads(location)).netloc == "patrol.test"
    assert location == "/" or location == target


PAGES = ["/", "/map", "/map/frame", "/ledger/problems", "/review", "/hotspots", "/gaps", "/venues/V0001", "/login",
         "/api/v1/venues"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, path):
    login(client, "coord")
    response = client.get(path)
    assert response.status_code == 200
    headers = response.headers
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'self'" and policy["object-src"] == "'none'"
    nonce = re.fullmatch(r"'self' 'nonce-([\w-]+)'", policy["script-src"]).group(1)
    html = response.get_data(as_text=True)
    scripts = script_tags(html)
    assert all(tag.get("nonce") == nonce for tag in scripts), [s for s in scripts if s.get("nonce") != nonce][:3]
    # fresh per response
    assert client.get(path).headers["Content-Security-Policy"] != headers["Content-Security-Policy"]
    if path.endswith("frame"):
        assert len(scripts) >= 3  # Leaflet, jQuery and the map's own code all run under the nonce


@pytest.mark.parametrize(("lang", "title"), [("zh", "找不到页面"), ("en", "Not found")])
def test_an_unknown_page_is_a_404_in_the_sites_language_and_layout(client, lang, title):
    login(client, "viewer")
    client.get(f"/?lang={lang}")
    response = client.get("/no/such/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert f'data-code="404">{title}</h1>' in html and "<nav>" in html
    assert "Werkzeug" not in html and "The requested URL" not in html


@pytest.mark.parametrize(("method", "path", "code", "words"), [
    ("post", "/map", 405, "不支持的操作"), ("get", "/plan", 403, "没有权限"),
    ("get", "/venues/NOPE", 404, "找不到页面"),
    ("get", "/review?on=someday", 400, "请求有误"), ("get", "/plans/99999999999", 404, "找不到页面"),
])
def test_error_pages_are_chinese_first(client, method, path, code, words):
    login(client, "viewer")
    response = getattr(client, method)(path)
    assert response.status_code == code and words in response.get_data(as_text=True)
    if code == 405:
        assert "GET" in response.headers["Allow"]


def test_a_too_large_upload_is_a_413_page(app, client):
    login(client, "coord")
    token = csrf_token(client.get("/import").get_data(as_text=True))
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    try:
        response = client.post("/import",
                               data={"csrf_token": token, "kind": "venues",
                                     "file": (__import__("io").BytesIO(b"x" * 20_000), "v.csv")})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 32 * 1024 * 1024
    assert response.status_code == 413 and "文件太大" in response.get_data(as_text=True)


def test_too_many_logins_are_a_429_in_chinese(app):
    c = app.test_client()
    for _ in range(app.config["LOGIN_ATTEMPTS"] + 1):
        page = c.get("/login").get_data(as_text=True)
        response = c.post("/login",
                          data={"username": "nobody-here", "password": "wrong", "csrf_token": csrf_token(page)})
    assert response.status_code == 429 and "分钟" in response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path", "code"), [
    ("get", "/api/v1/nothing-here", 404), ("delete", "/api/v1/venues", 405), ("get", "/api/v1/plans/99999999999", 404),
    ("get", "/api/v1/plans/123456", 404), ("post", "/api/v1/hazards", 400),
])
def test_api_errors_are_always_json(client, method, path, code):
    assert client.get("/api/v1/venues").get_json()["error"] == "unauthorized"  # before logging in: JSON 401
    login(client, "coord")
    response = getattr(client, method)(path, data="not json", content_type="text/plain")
    assert response.status_code == code and response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) >= {"error", "message"} and body["message"]
    if code != 400:  # HTTP errors say what happened in Chinese first (a 400 names the file, row and field)
        assert "\u4e00" <= body["message"][0] <= "\u9fff", body["message"]


def test_an_unexpected_error_is_a_calm_500_page_and_json_under_the_api(tmp_path, monkeypatch, caplog):
    from webmap.web import create_app

    monkeypatch.setenv("PATROL_INSTANCE", str(tmp_path))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite'}", "LOAD_DEMO": False, "SECRET_KEY": "test",
                      "SESSION_COOKIE_SECURE": False})

    def broken() -> str:
        raise RuntimeError("a bug, with a secret detail")

    app.add_url_rule("/broken", "broken", broken)
    app.add_url_rule("/api/v1/broken", "api_broken", broken)
    c = app.test_client()
    page = c.get("/broken")
    assert page.status_code == 500 and "服务器出错" in page.get_data(as_text=True)
    assert "secret detail" not in page.get_data(as_text=True) and "Traceback" not in page.get_data(as_text=True)
    api = c.get("/api/v1/broken")
    assert api.status_code == 500 and api.get_json()["error"] == "internal_server_error"
    assert "secret detail" in caplog.text  # logged for the administrator
    with app.app_context():
        from ledger.models import db

        db.engine.dispose()


def test_inputs_that_once_reached_a_500(app, client):
    from ledger.models import PlanRun, db

    login(client, "coord")
    assert client.get("/map/frame?community=x").status_code == 200
    assert client.get("/map/frame?community=x&grid=nope&category=nope&group=nope").status_code == 200
    with app.app_context():
        run = PlanRun(created_by="coord", start=dt.date(2026, 11, 22), days=1, status="failed",
                      progress=0.2, message="x")
        db.session.add(run)
        db.session.commit()
        failed = run.id
    assert client.get(f"/plans/{failed}/sheets/T01").status_code == 404
    assert client.get(f"/plans/{failed}/files/map.html").status_code == 404
    assert client.get(f"/plans/{failed}").status_code == 200
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    response = c.post("/login?next=/%0D%0ASet-Cookie:%20x=1", data={"username": "viewer",
                                                                    "password": PASSWORDS["viewer"],
                                                                   "csrf_token": csrf_token(page)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "x=1" not in response.headers.get("Set-Cookie", "")



def test_a_multipart_part_with_a_malformed_name_is_never_a_500(app, client):
    # schemathesis found it: werkzeug parses the part name="\\" as the name None
    token = api_token(app, "coord")
    body = (b'--XX\r\nContent-Disposition: form-data; name="\\"\r\n\r\ntrue\r\n'
            b'--XX\r\nContent-Disposition: form-data; name="crs"\r\n\r\nx\r\n--XX--\r\n')
    response = client.post("/api/v1/imports/venues", data=body, content_type="multipart/form-data; boundary=XX",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.is_json

ODD_VALUES = ["x", "", "-1", "0", "99999999999999999999", "2026-13-45", "<script>alert(1)</script>", "../../etc/passwd",
              "%", "💥", "a" * 3000, "1e309", "NaN", "[]", "' OR 1=1 --", "\\u0000", "\x00", "week\r\nX: y"]
QUERY_KEYS = ["community", "grid", "group", "category", "period", "on", "by", "projector", "days", "lang", "kind",
              "status", "venue_id", "team_id", "since", "until", "limit", "next", "page", "bbox"]
SLOW = {"/map/frame", "/hotspots/frame", "/gaps/frame"}  # each draws a whole map: a few odd values are enough


def _get_routes(app) -> list[str]:
    samples = {"venue_id": "V0001", "plan_id": "1", "team_id": "T01", "day": "2026-11-22", "kind": "problems",
               "hazard_id": "H0001", "name": "stops.csv", "filename": "vendor/leaflet/leaflet.js", "campaign_id": "1",
               "notice_id": "1", "file_id": "1", "job_id": "x"}
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            routes.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: samples[m.group(1)], rule.rule))
    return sorted(set(routes))


@pytest.mark.slow
def test_odd_query_strings_on_every_get_route_are_never_a_500(app, client):
    login(client, "coord")
    seen = {}
    for path in _get_routes(app):
        values = ODD_VALUES[:4] + ODD_VALUES[6:7] if path in SLOW else ODD_VALUES
        for value in values:
            query = "&".join(f"{k}={quote(value)}" for k in QUERY_KEYS)
            response = client.get(f"{path}?{query}")
            response.close()  # static files are streamed
            seen[(path, value)] = response.status_code
            assert response.status_code < 500, (path, value)
            if path.startswith("/api/"):
                stream = path == "/api/v1/live" and response.status_code == 200  # Server-Sent Events (not read here)
                assert response.mimetype == ("text/event-stream" if stream else "application/json"), (path, value)
    assert len(seen) > 100 and {200, 404} <= set(seen.values())


@pytest.mark.parametrize("path", [
    "/venues/%3Cscript%3E", "/venues/" + "9" * 40, "/plans/99999999999999999999", "/plans/1/files/..%2F..%2Fsecret_key",
    "/plans/1/files/%2e%2e", "/plans/0/sheets/T01", "/plans/1/sheets/%3Csvg%3E", "/stops/2026-02-30/T01/V0001",
    "/stops/x/T01/V0001", "/stops/2026-11-22/NOPE/V0001", "/stops/2026-11-22/T01/NOPE", "/ledger/nothing",
    "/ledger/nothing.xlsx", "/hazards/%00", "/hazards/NOPE", "/photos/..%2Fsecret_key", "/photos/%2e%2e",
    "/api/v1/plans/-1", "/api/v1/hazards/NOPE/events", "/static/..%2F..%2Fweb.py", "/map/frame/extra",
])
def test_odd_paths_are_never_a_500(client, path):
    login(client, "coord")
    response = client.get(path)
    response.close()
    assert response.status_code in (400, 404, 405), (path, response.status_code)
    if path.startswith("/api/"):
        assert response.mimetype == "application/json"
    else:
        assert "data-code" in response.get_data(as_text=True) or "error" in response.get_data(as_text=True)


def test_every_json_error_has_the_one_body_and_its_status(app, client):
    """``{error, message, file, row, field}`` from each door that answers an error with JSON (the OpenAPI's Error)."""
    import io

    from web_helpers import TODAY, add_to_day

    add_to_day(app, TODAY, "T01", "V0105")
    patrol = {"Authorization": f"Bearer {api_token(app, 'patrol1')}"}
    answers = {
        "input": client.post("/api/v1/results", json=[], headers=patrol),
        "not_allowed": client.post("/api/v1/results", json={"team_id": "T02", "venue_id": "V0201"}, headers=patrol),
        "http": client.get("/api/v1/files/0", headers=patrol),
    }
    key = {**patrol, "Idempotency-Key": "hardening-1"}
    assert client.post("/api/v1/results", json={"venue_id": "V0105"}, headers=key).status_code == 201
    answers["reused_key"] = client.post("/api/v1/results", json={"venue_id": "V0105", "notes": "别的"}, headers=key)
    login(client, "coord")
    page = client.get("/import").get_data(as_text=True)
    answers["import_job"] = client.post("/import/jobs", data={"csrf_token": csrf_token(page), "kind": "nope",
                                                              "file": (io.BytesIO(b"x"), "x.csv")},
                                        content_type="multipart/form-data")
    got = {door: (r.status_code, {k: v for k, v in r.get_json().items() if k != "message"},
                  bool(r.get_json()["message"])) for door, r in answers.items()}
    assert got == {
        "input": (400, {"error": "input_error", "file": "request", "row": None, "field": "body"}, True),
        "not_allowed": (403, {"error": "forbidden", "file": "request", "row": None, "field": "team_id"}, True),
        "http": (404, {"error": "not_found", "file": None, "row": None, "field": None}, True),
        "reused_key": (422, {"error": "idempotency_key_reused", "file": "request", "row": None,
                             "field": "Idempotency-Key"}, True),
        "import_job": (400, {"error": "input_error", "file": "import", "row": None, "field": "kind"}, True),
    }
