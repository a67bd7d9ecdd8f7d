"""The web app: ``create_app()`` binds the database, logins, CSRF, languages and the blueprints."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sys
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Flask, Response, current_app, g, jsonify, render_template, request, session
from flask_babel import Babel, Domain
from flask_babel import gettext as _
from flask_login import LoginManager
from flask_migrate import Migrate, upgrade
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import event
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.serving import WSGIRequestHandler

from gis.errors import PatrolError
from gis.i18n import LOCALES, gettext, reset_language, set_language, translations
from gis.rules import DEFAULT_RULES_PATH, Rules
from gis.timeparse import local_today
from ledger.models import User, db
from ledger.notify import SETTING_KEYS as NOTIFY_SETTINGS

from .apikit import error_response, http_error_body
from .context import csp_nonce, current_lang, public_url, tile_origin, today
from .data_problems import page_problem_notes
from .i18n import LANGS, category_label, hazard_label, t, word
from .throttle import LoginThrottle

REPO = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO / "data" / "demo"
MIGRATIONS = REPO / "migrations"

class _Catalogues(Domain):
    """The pages' catalogue, found by our language code.

    Babel names Chinese zh_Hans_CN, which misses the zh_CN folder.
    """

    def get_translations(self):
        return translations(current_lang())


class _Babel(Babel):
    @cached_property
    def domain_instance(self) -> Domain:
        return _Catalogues()


login_manager = LoginManager()
csrf = CSRFProtect()
babel = _Babel()
migrate = Migrate()


class PatrolExtension:
    """What views need beyond the database.

    The rules and the current layers (``layers()``, built once per data version).
    """

    def __init__(self, app: Flask) -> None:
        from ledger.layer_cache import LayerCache

        self.rules = Rules.from_toml(app.config["RULES_PATH"])
        self.login_throttle = LoginThrottle(limit=app.config["LOGIN_ATTEMPTS"], window_s=app.config["LOGIN_LOCK_S"])
        self.cache = LayerCache()

    def layers(self, as_of: dt.date | None = None):
        """The stored layers as of a day, shared between requests until the next write (never change them).

        Stored records that break a rule are set aside and listed in ``problems`` for the pages' warning.
        """
        from ledger.store import layers_from_db

        return self.cache.get(("layers", as_of), lambda: layers_from_db(self.rules, as_of=as_of))


def _locale() -> str:
    lang = request.args.get("lang") or session.get("lang")
    if lang in LANGS:
        session["lang"] = lang
        return LOCALES[lang]
    return LOCALES["zh"]  # Chinese first: English only when chosen with the switch


def _lang_switch() -> str:
    """The page in the other language, keeping its filters (the query string)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = ["zh" if current_lang() == "en" else "en"]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then the environment, then ``test_config``."""
    instance = os.environ.get("PATROL_INSTANCE") or str(Path.cwd() / "instance")
    app = Flask("webmap", root_path=str(Path(__file__).resolve().parent), instance_path=str(Path(instance).resolve()),
                instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{Path(app.instance_path) / 'patrol.sqlite'}",
        SECRET_KEY=None, RULES_PATH=str(DEFAULT_RULES_PATH), LOAD_DEMO=True,
        SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=True, MAX_CONTENT_LENGTH=32 * 1024 * 1024, BABEL_DEFAULT_LOCALE=LOCALES["zh"],
        TIMEZONE="Asia/Shanghai",  # times are stored in UTC and shown in the office's time
        LOGIN_ATTEMPTS=5, LOGIN_LOCK_S=900,  # wrong passwords of one account from one address, then a 15-minute wait
        PUBLIC_URL="",  # the address phones and printed QR codes use (accounts page); empty: the address asked
        FIELD_FAR_M=150.0,  # a check-in farther than this from the venue is flagged
        LIVE_POLL_S=1.0, LIVE_STREAM_S=60.0,  # the live stream reads new events this often, and reconnects this often
        REPLAN_TIME_LIMIT_S=5.0,  # solver seconds of "re-plan the rest of the day"
        FIELD_TILE_URL="",  # background tiles of the phone's route map, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png
        FIELD_TILE_ATTRIBUTION="",  # shown under the map when tiles are drawn, e.g. © OpenStreetMap
        FIELD_ROAD_SEGMENTS=3000,  # at most this many road segments in a phone's day (the most important roads first)
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.update({k: os.environ[k] for k in ("DATABASE_URL", "SECRET_KEY", *NOTIFY_SETTINGS) if k in os.environ})
    if not app.config["PUBLIC_URL"] and os.environ.get("PATROL_BASE_URL"):  # the older name of the same setting
        app.config["PUBLIC_URL"] = os.environ["PATROL_BASE_URL"]
    if "FIELD_FAR_M" in os.environ:
        app.config["FIELD_FAR_M"] = float(os.environ["FIELD_FAR_M"])
    if os.environ.get("PATROL_INSECURE_COOKIES") == "1":  # plain-http use on localhost only
        app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    app.config.update(test_config or {})
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or _instance_secret(Path(app.instance_path))
    url = app.config["DATABASE_URL"]
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30, "check_same_thread": False}}

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_locale)
    app.extensions["patrol"] = PatrolExtension(app)
    from . import imports, jobs

    jobs.init_app(app)  # web plans: worker processes with a memory ceiling, PLAN_JOBS at a time
    imports.init_app(app)  # the import page's imports in background threads, with their progress

    from .views import (
        api,
        auth,
        campaign,
        field,
        field_api,
        kpi,
        ledger,
        live,
        map,
        notify,
        plan,
        retire,
        review,
        screen,
        seasons,
        sheets,
    )

    for bp in (auth.bp, map.bp, plan.bp, sheets.bp, ledger.bp, review.bp, api.bp, retire.bp, notify.bp,
               field.bp, field_api.bp, live.bp):
        app.register_blueprint(bp)
    app.register_blueprint(kpi.bp)
    app.register_blueprint(screen.bp)
    app.register_blueprint(seasons.bp)
    app.register_blueprint(campaign.bp)
    csrf.exempt(api.bp)
    csrf.exempt(field_api.bp)
    app.register_error_handler(PatrolError, _handle_patrol_error)
    zone = ZoneInfo(app.config["TIMEZONE"])
    app.jinja_env.filters.update(local=lambda at: _local_time(at, zone), detail=_detail)
    app.register_error_handler(CSRFError, _handle_csrf_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(InternalServerError, _handle_server_error)
    app.before_request(_messages_in_the_chosen_language)
    app.teardown_request(_language_as_before)
    app.before_request(_refuse_nul_characters)
    app.after_request(_security_headers)
    app.jinja_env.globals.update(tr=lambda key: t(key, current_lang()), lang=current_lang,
                                 word=lambda kind, code: word(kind, code, current_lang()), lang_switch=_lang_switch,
                                 hazard_name=lambda code: hazard_label(app.extensions["patrol"].rules, code,
                                                                       current_lang()),
                                 category_name=lambda code: category_label(app.extensions["patrol"].rules, code,
                                                                           current_lang()),
                                 csp_nonce=csp_nonce, public_url=public_url, field_photos=_field_photos,
                                 data_problems=lambda: page_problem_notes(today(), current_lang()))

    with app.app_context():
        if url.startswith("sqlite"):
            event.listen(db.engine, "connect", _sqlite_wal)
        upgrade(directory=str(MIGRATIONS))
        _interrupted_plans()
        if app.config["LOAD_DEMO"]:
            _first_start(app)
    from . import notify_schedule

    notify_schedule.init_app(app)  # NOTIFY_EVERY_S > 0: `patrol notify` in a background thread
    return app


def serve(*, host: str = "127.0.0.1", port: int = 5000) -> None:
    """Run the app on ``host:port`` (``patrol serve`` and ``python app.py``), saying where and with which folder."""
    app = create_app()
    print(f"patrol: instance folder {app.instance_path}; open http://{host}:{port}/ in a browser", file=sys.stderr)
    if app.config["SESSION_COOKIE_SECURE"] and host not in ("127.0.0.1", "localhost", "::1"):
        print("patrol: session cookies are Secure: browsers on other machines can log in only over HTTPS "
              "(put the app behind an HTTPS proxy, or set PATROL_INSECURE_COOKIES=1 on a trusted network)",
              file=sys.stderr)
    app.run(host=host, port=port, threaded=True, request_handler=_QuietRequestHandler)


class _QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without its ``Server: Werkzeug/x.y Python/x.y`` (versions tell attackers what to try)."""

    def version_string(self) -> str:
        return "patrol"


def _field_photos(hazard_id: str) -> list[int]:
    from flask_login import current_user

    from ledger.field import hazard_photo_ids

    return hazard_photo_ids(current_user, hazard_id) if current_user.is_authenticated else []


def _local_time(at: dt.datetime | None, zone: ZoneInfo) -> str:
    """A stored UTC time as the office reads it: YYYY-MM-DD HH:MM in its time zone."""
    return "" if at is None else at.replace(tzinfo=dt.timezone.utc).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _detail(detail: object) -> str:
    """An event's detail for people: "key: value" parts, changes as "field: before → after", keys in their words."""
    if not isinstance(detail, dict):
        return "" if detail is None else str(detail)
    lang = current_lang()
    parts = []
    for key, value in detail.items():
        if isinstance(value, dict):
            parts += [f"{word('detail', k, lang)}: {v}" for k, v in value.items()]
        elif value not in (None, ""):
            shown = word(key, value, lang) if key == "reason" else value  # a code (older rows: their text)
            parts.append(f"{word('detail', key, lang)}: {shown}")
    return " · ".join(parts)


def _sqlite_wal(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _instance_secret(instance: Path) -> str:
    """A secret key kept in the instance folder, made once (never a fixed one in the code)."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _interrupted_plans() -> None:
    """Plans left queued or running by a stopped server never finish: say so instead of a bar stuck forever.

    (Plans run in worker processes that the server started and that ended with it; see webmap.jobs.)
    """
    from ledger.models import PlanRun

    stuck = db.session.scalars(db.select(PlanRun).where(PlanRun.status.in_(("queued", "running")))).all()
    for run in stuck:
        run.status, run.message = "failed", gettext("interrupted by a restart: plan again")
    db.session.commit()


def _first_start(app: Flask) -> None:
    """On an empty database: load the demo street and make a coordinator with a generated password."""
    from ledger.models import Venue
    from ledger.store import load_demo

    if db.session.scalar(db.select(db.func.count()).select_from(User)) == 0:
        password = secrets.token_urlsafe(12)
        user = User(username="coordinator", role="coordinator")
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        print(f"patrol: first start. Log in as 'coordinator' with password: {password}", file=sys.stderr)
        if not app.config["PUBLIC_URL"]:
            print("patrol: set PUBLIC_URL (in instance/config.py or the environment) to the address "
                  "phones reach this site "
                  "at, e.g. https://patrol.example.cn/: QR codes and links on sheets, notices and messages use it",
                  file=sys.stderr)
    if db.session.scalar(db.select(db.func.count()).select_from(Venue)) == 0 and DEMO_DIR.exists():
        import json

        today = dt.date.fromisoformat(json.loads((DEMO_DIR / "meta.json").read_text(encoding="utf-8"))["today"])
        counts = load_demo(DEMO_DIR, app.extensions["patrol"].rules,
                           as_of=max(today, local_today(app.config["TIMEZONE"])))
        print(f"patrol: loaded the demo street: {counts}", file=sys.stderr)


def _messages_in_the_chosen_language() -> None:
    """Messages made by code outside the views (ledger errors) follow the user's language too."""
    g.patrol_language = set_language(current_lang())


def _language_as_before(_error: BaseException | None = None) -> None:
    """After the request, the thread's language is what it was (a test client's thread, a server's worker)."""
    token = g.pop("patrol_language", None)
    if token is not None:
        reset_language(token)


def _refuse_nul_characters() -> None:
    """Text with a NUL character cannot be stored (PostgreSQL refuses it): a clear 400, never a 500."""
    from gis.errors import InputError

    if "\x00" in request.path:  # /hazards/%00: ids in the path too
        raise InputError(_("path: the address contains a NUL character"), file="request", field="path")
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            key = key or ""  # a multipart part with a malformed name (name="\\") has the name None
            if "\x00" in key or "\x00" in (value or ""):
                name = key.replace(chr(0), "?")
                raise InputError(_("%(field)s: contains a NUL character", field=name), file="request", field=name)


def _handle_patrol_error(err: PatrolError):
    if request.path.startswith("/api/"):
        return error_response(err, 400)
    info = err.as_dict() if hasattr(err, "as_dict") else {"error": type(err).__name__, "message": str(err)}
    return render_template("error.html", error=info), 400


# Scripts run only with this response's nonce: the templates' own <script> tags carry it and the Folium
# pages get it on every <script> they render (context.nonced). Nonces rather than hashes, because a
# map page's inline scripts differ with every map; no 'unsafe-inline' for scripts, so an injected
# <script> or onerror= never runs even if some text slipped through unescaped. Styles do need
# 'unsafe-inline': Folium, Leaflet's DivIcons and our templates set style="" attributes, which
# neither nonces nor hashes can allow. Tiles come from OpenStreetMap (and FIELD_TILE_URL's origin);
# Leaflet's images and the QR codes are data: URIs; maps are frames of this site (frame-src/frame-ancestors 'self').
_CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: https://tile.openstreetmap.org{tiles}; font-src 'self' data:; connect-src 'self'; "
        "frame-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'self'; form-action 'self'")


def _security_headers(response: Response) -> Response:
    """CSP, framing, sniffing and referrer rules on every response (``patrol serve`` also names no versions)."""
    response.headers["Content-Security-Policy"] = _CSP.format(nonce=csp_nonce(), tiles=_tiles_source())
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # the origin (never the path, which holds ids) to other sites: OpenStreetMap's tile policy asks for a Referer
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return response


def _tiles_source() -> str:
    """The phone map's tile origin for ``img-src``, when one is set and is not already allowed."""
    origin = tile_origin()
    return f" {origin}" if origin and origin != "https://tile.openstreetmap.org" else ""


def _handle_http_error(err: HTTPException):
    """400-499 and the like: JSON ``{error, message, ...}`` under ``/api/``, else a page in the site's layout."""
    headers = {k: v for k, v in err.get_headers() if k.lower() not in ("content-type", "content-length")}
    if request.path.startswith("/api/"):
        return jsonify(http_error_body(err.code, err.name, err.description)), err.code, headers
    return render_template("error.html", code=err.code, description=err.description), err.code, headers


def _handle_server_error(err: InternalServerError):
    """An unexpected error: logged with its traceback; the user gets a calm page (or JSON) and no details."""
    cause = err.original_exception or err
    current_app.logger.error("unexpected error on %s %s", request.method, request.path, exc_info=cause)
    if request.path.startswith("/api/"):
        return jsonify(http_error_body(500, "Internal Server Error", "unexpected server error")), 500
    return render_template("error.html", code=500), 500


def _handle_csrf_error(err: CSRFError):
    """A form without a valid CSRF token: say why in words a coordinator can act on (never a bare 400)."""
    plain_http = not request.is_secure and current_app.config["SESSION_COOKIE_SECURE"]
    message = t("csrf.failed", current_lang()) + (" " + t("csrf.plain_http", current_lang()) if plain_http else "")
    info = {"error": "CSRFError", "message": f"{message} ({err.description})", "field": "csrf_token"}
    return render_template("error.html", error=info), 400


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    from ledger.users import user_for_session

    return user_for_session(session_id)
