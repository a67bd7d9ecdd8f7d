"""The sheets' PDF laid out in several processes is the PDF laid out in one: the same pages, text and ink."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from test_sheets_pdf import render_gray

from webmap.sheets import sheets_pdf
from webmap.sheets_parallel import balanced_groups, split_sheets


def _page_texts(pdf: Path) -> list[str]:
    """Each page's text in reading order (``-layout`` would also compare how pdftotext guesses blank lines)."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [page.rstrip() for page in text.split("\f") if page.strip()]


def test_split_finds_every_sheet_and_keeps_head_and_tail():
    html = ('<html><head><style>x</style></head><body>'
            '<section class="sheet" id="a">&lt;section class="sheet"</section>\n<section class="sheet" '
            'id="b">B</section>'
            "</body></html>")
    head, sheets, tail = split_sheets(html)
    assert head == "<html><head><style>x</style></head><body>" and tail == "</body></html>"
    assert sheets == ['<section class="sheet" id="a">&lt;section class="sheet"</section>',
                      '<section class="sheet" id="b">B</section>']
    assert head + "\n".join(sheets) + tail == html
    assert split_sheets("<p>no sheet</p>") == ("<p>no sheet</p>", [], "")


@pytest.mark.parametrize(("sizes", "count", "expected"), [
    ([1] * 10, 2, [(0, 5), (5, 10)]),
    ([5, 1, 1, 1, 1, 1], 2, [(0, 1), (1, 6)]),
    ([1, 1], 3, [(0, 1), (1, 2)]),
    ([10, 1, 1, 1], 2, [(0, 1), (1, 4)]),
    ([2, 2, 2, 2, 2, 2], 3, [(0, 2), (2, 4), (4, 6)]),
])
def test_runs_of_sheets_cover_each_sheet_once_in_order(sizes, count, expected):
    groups = balanced_groups(sizes, count)
    assert groups == expected
    assert [i for a, b in groups for i in range(a, b)] == list(range(len(sizes)))


@pytest.mark.slow
@pytest.mark.parametrize("per_run", [25, 1], ids=["a run per process", "more runs than processes"])
def test_two_processes_print_what_one_prints(demo_plan, tmp_path, monkeypatch, per_run):
    import webmap.sheets_parallel

    monkeypatch.setattr(webmap.sheets_parallel, "SHEETS_PER_RUN", per_run)  # a district's many runs, on 3 sheets
    head, sheets, tail = split_sheets((demo_plan / "sheets.html").read_text(encoding="utf-8"))
    html = head + "".join(sheets[:3]) + tail
    one, two = tmp_path / "one.pdf", tmp_path / "two.pdf"
    one.write_bytes(sheets_pdf(html, workers=1))
    two.write_bytes(sheets_pdf(html, workers=2))
    pages = _page_texts(one)
    assert len(pages) >= 3 and _page_texts(two) == pages  # same text on the same pages, page numbers included
    assert [f"第{k}页" in p.replace(" ", "") for k, p in enumerate(pages, start=1)] == [True] * len(pages)
    fonts = subprocess.run(["pdffonts", str(two)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-CJK-SC" in fonts
    for k in range(1, len(pages) + 1):  # the same ink, page by page
        a, b = render_gray(one, page=k, dpi=40), render_gray(two, page=k, dpi=40)
        assert a.shape == b.shape and (np.abs(a.astype(int) - b.astype(int)) > 64).mean() < 0.001, k
