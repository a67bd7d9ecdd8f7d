"""One i18n mechanism: the gettext catalogues are complete, compiled, and the pages speak the language chosen.

A Chinese page must not show a sentence of ours in English: every text node and every visible
attribute of each page (rendered as zh with the test client) is checked for a run of two Latin
words with no Chinese beside it. User data (the demo street is Chinese; accounts are one word),
ids, codes and units are single tokens, so they never make such a run.
"""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from language_checks import CJK as _CJK
from language_checks import english_lines, two_words
from web_helpers import TODAY, login

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "webmap" / "translations"
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3), "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2), "_term": ((1, "c"), 2)}


def _catalogue(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def _method_map() -> list[tuple[str, str]]:
    """babel.cfg's [method: pattern] sections, in order."""
    sections = re.findall(r"^\[(\w+):\s*(.+?)\]\s*$", (ROOT / "babel.cfg").read_text(encoding="utf-8"), flags=re.M)
    return [(pattern, method) for method, pattern in sections]


def _key(message) -> tuple[str | None, str]:
    msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
    return message.context, msgid


def test_every_msgid_has_a_chinese_translation():
    missing = [_key(m) for m in _catalogue("zh_CN") if m.id and (m.fuzzy or not all(
        (m.string if isinstance(m.string, (tuple, list)) else [m.string])))]
    assert missing == []


def test_the_catalogues_hold_exactly_the_msgids_of_the_code():
    """``pybabel extract`` (babel.cfg, the README's keywords).

    It finds no msgid the catalogues lack, and they hold no stale one.
    """
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(str(ROOT), _method_map(), keywords=KEYWORDS):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    for locale in ("zh_CN", "en"):
        known = {_key(m) for m in _catalogue(locale) if m.id}
        assert sorted(found - known, key=str) == [], locale  # run pybabel extract and update
        assert sorted(known - found, key=str) == [], locale  # stale entries: pybabel update drops them


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_each_compiled_catalogue_says_what_its_po_says(locale):
    """The committed .mo (a fresh clone needs no compile step) is the .po compiled.

    Run ``pybabel compile`` after each edit.
    """
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog  # noqa: SLF001 - the only way to list a .mo's entries
    expected = {}
    for m in _catalogue(locale):
        if not m.id or m.fuzzy:
            continue
        prefix = f"{m.context}\x04" if m.context else ""
        if isinstance(m.id, (tuple, list)):
            expected.update({(prefix + m.id[0], i): s for i, s in enumerate(m.string) if s})
        elif m.string:
            expected[prefix + m.id] = m.string
    assert {k: v for k, v in compiled.items() if k != ""} == expected


def test_code_outside_a_request_uses_the_same_catalogues():
    from gis.i18n import gettext, use_language
    from webmap.i18n import t

    assert t("grids", "zh") == "网格" and t("grids", "en") == "Grids"
    assert t("grid", "zh") == "网格" and t("gaps.col.grid_id", "zh") == "网格编号"  # one English word, two Chinese ones
    assert gettext("Log out") == "退出"  # Chinese unless English was chosen
    with use_language("en"):
        assert gettext("Log out") == "Log out"
        assert gettext("place %(place)d in the queue: starts by itself when the plans before it are done",
                       place=2).startswith("place 2")
    assert gettext("place %(place)d in the queue: starts by itself when the plans before it are done", place=2) == \
        "排队第 2 位，前面的计划完成后自动开始"


_NOT_PROSE = ("script", "style", "code", "kbd", "samp", "pre")  # code and commands are shown as typed
_SHOWN_ATTRS = ("title", "placeholder", "alt", "aria-label")


class _Texts(HTMLParser):
    """The text a reader sees: text nodes outside script and style, and visible attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in _NOT_PROSE:
            self._hidden += 1
        attrs = dict(attrs)
        self.texts += [attrs[a] for a in _SHOWN_ATTRS if attrs.get(a)]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in _NOT_PROSE:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(data.strip())


def english_sentences(html: str) -> list[str]:
    """Texts of a page that hold two Latin words of prose in a row and no Chinese at all."""
    parser = _Texts()
    parser.feed(html)
    return [text for text in parser.texts if not _CJK.search(text) and two_words(text)]


def test_the_check_catches_an_english_sentence_and_passes_ids_and_units():
    page = ("<p>巡查小组 T01</p><td>V0021</td><td>3.2 km</td><p>coord（协调员）</p><p>Save the result</p>"
            "<script>var a = 'not shown text'</script><input type=submit value='Log out'><td>EPSG:4490</td>"
            "<code>curl -H x</code><input placeholder='name@example.cn'><td>grid:G01 person:…</td>"
            "<span title='yellow card 2026-11-15'>黄牌</span>")
    assert english_sentences(page) == ["Save the result", "Log out", "yellow card 2026-11-15"]


def test_the_command_and_its_progress_speak_chinese(instance, tmp_path):
    """Every progress message of ``patrol plan`` (reading, each day's search, every file written) and its last
    line are Chinese unless English was chosen; and in English they are English."""
    import patrol
    from gis.i18n import use_language

    argv = ["plan", "--grids", str(instance["grids"]), "--venues", str(instance["venues"]), "--teams",
            str(instance["teams"]), "--date", "2026-11-23", "--time-limit", "1", "--no-pdf"]
    for lang in ("zh", "en"):
        seen: list[str] = []
        args = patrol.build_parser().parse_args([*argv, "--out", str(tmp_path / lang)])
        with use_language(lang):
            patrol.run_plan(args, progress=lambda _f, m: seen.append(m))
        assert len(seen) > 5
        if lang == "zh":
            assert english_lines("\n".join(seen)) == [], seen
        else:
            assert not any(_CJK.search(m) for m in seen if not m.startswith("done:")), seen
    assert english_lines("[ 42%  1.0s] reading layers\n[ 50%  2.0s] 读取数据") == ["reading layers"]


NO_MENU = ("/screen", "/m/")  # the command-centre screen and the phone app have no site menu


def _pages(app) -> list[str]:
    from ledger.models import Hazard, Team, Venue, db

    with app.app_context():
        hazard = db.session.scalars(db.select(Hazard).order_by(Hazard.hazard_id)).first()
        venue = db.session.scalars(db.select(Venue).order_by(Venue.venue_id)).first()
        team = db.session.scalars(db.select(Team).order_by(Team.team_id)).first()
    return ["/", "/map", "/plan", "/import", "/teams", "/ledger/problems", "/ledger/rectification", "/ledger/closed",
            f"/hazards/{hazard.hazard_id}", f"/venues/{venue.venue_id}", "/review", "/review?period=week&by=grid",
            "/review?projector=1", "/hotspots", "/gaps", "/users", "/account", "/notify",
            f"/stops/{TODAY.isoformat()}/{team.team_id}/{venue.venue_id}", "/no-such-page", "/plans/999999",
            "/kpi", "/kpi?period=week&by=team", "/screen", "/campaigns", "/live", "/m/"]


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_chinese_pages_show_no_english_sentence_of_ours(app, client):
    assert english_sentences(client.get("/login").get_data(as_text=True)) == []
    login(client, "coord")
    found = {}
    for url in _pages(app):
        html = client.get(url).get_data(as_text=True)
        assert 'lang="zh-CN"' in html, url
        if english_sentences(html):
            found[url] = english_sentences(html)
    assert found == {}, "\n".join(f"{url}: {texts}" for url, texts in found.items())


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_english_pages_exist_and_the_choice_is_kept(app, client):
    login(client, "coord")
    first = client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in first and "Log out" in first and "退出" not in first
    for url in _pages(app):
        html = client.get(url).get_data(as_text=True)  # the session keeps English
        assert 'lang="en"' in html and ("Log out" in html or "projector" in url
                                        or url in NO_MENU), url  # projector, screen, phone: no menu
    back = client.get("/?lang=zh").get_data(as_text=True)
    assert 'lang="zh-CN"' in back and "退出" in back
