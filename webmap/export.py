"""A page as one PNG image for the minutes: WeasyPrint draws it on one tall page, poppler rasterises it."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

from .sheets import pdf_available, sheets_pdf

# One tall page (A4 landscape wide) so the image has no page breaks; longer pages are stacked.
_TALL_PAGE = "<style>@page { size: 297mm 1200mm; margin: 10mm; }</style>"


def png_available() -> bool:
    """Whether a page can be exported as PNG here (WeasyPrint and poppler's pdftoppm)."""
    return pdf_available() and shutil.which("pdftoppm") is not None


def page_png(html: str, *, dpi: int = 110) -> bytes:
    """The printed look of ``html`` (print CSS applies: no navigation) as one PNG, trimmed of blank paper."""
    pdf = sheets_pdf(html.replace("</head>", f"{_TALL_PAGE}</head>", 1))
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "page.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "page.pdf", "page"], cwd=tmp, check=True,
                       capture_output=True)
        pages = [Image.open(p).convert("RGB") for p in sorted(Path(tmp).glob("page*.png"))]
    pages = [_trim(p) for p in pages]
    sheet = Image.new("RGB", (max(p.width for p in pages), sum(p.height for p in pages)), "white")
    top = 0
    for p in pages:
        sheet.paste(p, (0, top))
        top += p.height
    out = io.BytesIO()
    sheet.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _trim(page: Image.Image, margin: int = 30) -> Image.Image:
    """Cut the blank paper below the last ink (keeping ``margin`` pixels)."""
    box = ImageChops.difference(page, Image.new("RGB", page.size, "white")).getbbox()
    return page if box is None else page.crop((0, 0, page.width, min(page.height, box[3] + margin)))
