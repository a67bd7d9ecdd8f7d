"""Route sheets as printed: the PDF renders Chinese for real, with the table, sketch map and QR codes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

from webmap.sheets import result_url, sheets_pdf
from webmap.sketch import qr_data_uri, route_sketch_svg


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
