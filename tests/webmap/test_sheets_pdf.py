"""Route sheets as printed: the PDF renders Chinese for real, with the table, sketch map and QR codes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from webmap.qrcodes import qr_data_uri
from webmap.sheets import crew, result_url, sheets_pdf
from webmap.sketch import route_sketch_svg

ROOT = Path(__file__).resolve().parents[2]


def render_gray(pdf: Path, page: int = 1, dpi: int = 50) -> np.ndarray:
    """Render one PDF page with pdftoppm to an 8-bit grayscale array."""
    out = subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf)],
                         capture_output=True, check=True).stdout
    header, rest = out.split(b"\n", 1)
    assert header == b"P5"
    dims, rest = rest.split(b"\n", 1)
    _maxval, data = rest.split(b"\n", 1)
    w, h = (int(x) for x in dims.split())
    return np.frombuffer(data, dtype=np.uint8)[: w * h].reshape(h, w)


def test_chinese_glyphs_really_render(tmp_path):
    # Tofu boxes look the same for every character; real glyphs do not.
    images = []
    for ch in "巡查":
        pdf = tmp_path / f"{ord(ch)}.pdf"
        pdf.write_bytes(sheets_pdf(f'<p style="font-size:120pt; font-family: Noto Sans CJK SC">{ch}</p>'))
        images.append(render_gray(pdf, dpi=40))
    ink = [(img < 128).sum() for img in images]
    assert min(ink) > 200
    assert (images[0] != images[1]).sum() > 200


def test_demo_sheets_pdf(demo_plan):
    pdf = demo_plan / "sheets.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    stops = pd.read_csv(demo_plan / "stops.csv", dtype=str)
    assert "联合巡查路线单" in text and "检查要点" in text and "签字" in text
    found = sum(name in text.replace(" ", "") for name in stops["name"])
    assert found >= 0.9 * len(stops)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-CJK-SC" in fonts
    page = render_gray(pdf)
    assert (page < 128).mean() > 0.02  # not blank: table, sketch and QR codes carry ink
    qr_area = page[:, int(page.shape[1] * 0.85):]
    assert (qr_area < 128).mean() > 0.02  # the QR column on the right is printed


def test_qr_code_encodes_the_result_form_url():
    url = result_url("https://patrol.example.gov.cn/", "2026-11-23", "T01", "V0001")
    assert url == "https://patrol.example.gov.cn/stops/2026-11-23/T01/V0001"
    uri = qr_data_uri(url)
    assert uri.startswith("data:image/svg+xml")


def test_sketch_places_stops_inside_the_drawing():
    svg = route_sketch_svg([[(113.30, 23.10), (113.31, 23.11), (113.30, 23.10)]], [(1, 113.31, 23.11)], (113.30, 23.10))
    assert svg.startswith("<svg") and svg.count("<circle") == 1 and "<polyline" in svg


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def test_every_page_says_whose_sheet_it_is_and_the_crew_signs_by_role(demo_plan):
    stops = pd.read_csv(demo_plan / "stops.csv", dtype=str)
    teams = pd.read_csv(ROOT / "data" / "demo" / "teams.csv", dtype=str).set_index("team_id")
    pages = _pages(demo_plan / "sheets.pdf")
    day = stops["day"].iat[0]
    continued = 0
    for number, page in enumerate(p for p in pages if p.strip()):
        assert f"第{number + 1}页" in page.replace(" ", "")  # a loose page can be put back in order
        if "日期" not in page:  # not the first page of a sheet: the repeated table header names team and day
            continued += 1
            assert any(f"联合巡查路线单 · {name} ({tid}) · {day}" in page
                       for tid, name in teams["name"].items()), page[:300]
        if "巡查人员签字" in page:  # the signatures never stand alone on a page, away from the stops
            assert re.search(r"^\s*\d+\s+\d\d:\d\d-\d\d:\d\d", page, re.M), page[:300]
    assert continued > 0
    for team_id, team in teams.iterrows():
        if team_id not in set(stops["team_id"]):
            continue
        sheet = "".join(p for p in pages if team["name"] in p)
        signing = sheet.split("巡查人员签字", 1)[1]
        for member in team["members"].split("、"):  # "网格员 孙军": each member signs on the line of his role
            assert member in signing, member
        assert "交回时间" in signing


def test_english_sheets_speak_english_around_the_data(demo_plan, tmp_path):
    done = subprocess.run([sys.executable, "-m", "patrol", "sheets", "--demo", "--plan", str(demo_plan), "--lang", "en",
                           "--out", str(tmp_path / "en"), "--quiet"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "en" / "sheets.html").read_text(encoding="utf-8")
    assert "Members: <div" in html and "Date: " in html and "Signatures" in html and "Grid worker" in html
    assert "：" not in html and "，" not in html  # no Chinese punctuation in the English frame
    page = _pages(tmp_path / "en" / "sheets.pdf")[1]
    assert "Joint patrol route sheet · " in page and "page 2" in page


def test_crew_lists_each_role_with_its_names_or_a_blank():
    team = pd.Series({"roles": frozenset({"grid_worker", "safety_officer"}),
                      "members": "安全员 萧军，网格员 孙军;网格员 李四"})
    assert crew(team, "zh") == [("网格员", "孙军、李四"), ("安全员", "萧军")]
    assert crew(pd.Series({"roles": frozenset({"volunteer", "property"}), "members": ""}), "en") == [
        ("Property staff", ""), ("Volunteer", "")]


def test_sheets_say_where_the_qr_codes_lead(demo_plan, tmp_path):
    html = (demo_plan / "sheets.html").read_text(encoding="utf-8")
    # the default, visible to the coordinator
    assert "二维码打开网页填报（需登录）：http://localhost:5000/stops/" in html
    done = subprocess.run([sys.executable, "-m", "patrol", "demo", "--time-limit", "1", "--no-pdf", "--quiet",
                           "--base-url", "https://patrol.example.gov.cn", "--out", str(tmp_path / "p")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "p" / "sheets.html").read_text(encoding="utf-8")
    assert "https://patrol.example.gov.cn/stops/" in html and "localhost" not in html


def _no_system_fonts(tmp_path: Path) -> dict[str, str]:
    """An environment whose fontconfig knows no font at all (a fresh machine without fonts-noto-cjk)."""
    import os

    (tmp_path / "empty").mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><dir>{tmp_path / "empty"}</dir>'
                    f'<cachedir>{tmp_path / "cache"}</cachedir></fontconfig>')
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


_RENDER = """
import sys
from pathlib import Path
from webmap.sheets import sheets_pdf
for ch in "巡查":
    fonts = "\\'Noto Sans CJK SC\\', \\'Microsoft YaHei\\', \\'Patrol Sans SC\\'"
    html = f'<p style="font-size:120pt; font-family: {fonts}">{ch}</p>'
    Path(sys.argv[1], f"{ord(ch)}.pdf").write_bytes(sheets_pdf(html))
"""


def test_chinese_renders_with_the_bundled_font_where_no_font_is_installed(tmp_path):
    env = _no_system_fonts(tmp_path)
    listed = subprocess.run(["fc-list"], capture_output=True, text=True, env=env, check=False).stdout
    assert listed.strip() == ""  # really no font on this 'machine'
    subprocess.run([sys.executable, "-c", _RENDER, str(tmp_path)], env=env, check=True, cwd=ROOT, capture_output=True)
    images = [render_gray(tmp_path / f"{ord(ch)}.pdf", dpi=40) for ch in "巡查"]
    assert min((img < 128).sum() for img in images) > 200
    assert (images[0] != images[1]).sum() > 200  # two different glyphs, not two boxes
    fonts = subprocess.run(["pdffonts", str(tmp_path / f"{ord('巡')}.pdf")], capture_output=True, text=True,
                           check=True).stdout
    assert "Patrol-Sans-SC" in fonts


def test_without_any_chinese_font_only_the_html_sheets_are_written(tmp_path):
    code = ("import webmap.sheets as s, pathlib\n"
            "s._FONT_FILES = {'normal': pathlib.Path('/nonexistent.otf')}\n"
            "print(s.chinese_font_missing())\n"
            "print(s.write_sheets_pdf('<p>巡查</p>', pathlib.Path('" + str(tmp_path / "sheets.pdf") + "')))\n")
    run = subprocess.run([sys.executable, "-c", code], env=_no_system_fonts(tmp_path), cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    message, written = run.stdout.splitlines()
    assert "fonts-noto-cjk" in message and written == "False"
    assert not (tmp_path / "sheets.pdf").exists()
    assert sum("fonts-noto-cjk" in line for line in run.stderr.splitlines()) == 1  # one line says why


def test_every_character_of_our_texts_is_in_the_bundled_font():
    from fontTools.ttLib import TTFont

    cmap = TTFont(ROOT / "webmap" / "static" / "fonts" / "PatrolSansSC-Regular.otf").getBestCmap()
    ours = set()
    for pattern in ("data/rules.toml", "webmap/templates/**/*.html",
                    "webmap/translations/zh_CN/LC_MESSAGES/messages.po", "data/demo/*.csv"):
        for path in ROOT.glob(pattern):
            ours |= {c for c in path.read_text(encoding="utf-8") if ord(c) > 0x7F and c.isprintable()}
    missing = sorted(c for c in ours if ord(c) not in cmap)
    assert missing == []


_MANY_CODES = """
import json, sys, threading
from webmap.sheets_parallel import pool_context
from webmap.qrcodes import QR_PER_PROCESS, qr_data_uri, qr_data_uris
urls = [f"https://patrol.example.gov.cn/stops/2026-11-23/T{k % 50:02d}/V{k:05d}" for k in range(2 * QR_PER_PROCESS + 7)]
alone = [qr_data_uri(u) for u in urls]
seen = {}
seen["fork"] = pool_context().get_start_method() == "fork" and qr_data_uris(urls, workers=2) == alone
idle = threading.Event()
threading.Thread(target=idle.wait, daemon=True).start()  # as Dask leaves one behind
seen["spawn"] = pool_context().get_start_method() == "spawn" and qr_data_uris(urls, workers=2) == alone
idle.set()
seen["distinct"] = len(set(alone)) == len(urls)
print(json.dumps(seen))
"""


def test_many_qr_codes_made_in_parallel_are_the_codes_made_one_by_one():
    """A district's codes are shared out over processes, forked, or spawned where a thread is left (Dask's
    after a partitioned plan): each is the code made alone, in the same order."""
    import json

    run = subprocess.run([sys.executable, "-c", _MANY_CODES], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(run.stdout) == {"fork": True, "spawn": True, "distinct": True}
