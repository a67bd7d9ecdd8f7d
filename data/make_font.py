"""Make the Chinese font subset that route sheets are printed with where no CJK font is installed.

Source: Noto Sans CJK SC (Regular and Bold), version 2.004, by Adobe and Google
(https://github.com/googlefonts/noto-cjk), as Debian's package ``fonts-noto-cjk``
(1:20220127+repack1-1) installs it in /usr/share/fonts/opentype/noto/. Licence: SIL Open Font
Licence 1.1 (``webmap/static/fonts/OFL.txt``); the OFL allows subsetting and redistribution under
the same licence. The subset is renamed "Patrol Sans SC" (a modified version must not pass for the
original, and "Noto" is Google's trademark) and holds every character of GB 2312 (6,763 hanzi, the
Chinese that venue names, addresses and our own texts are written in, and its symbols), ASCII and
Latin-1, general and CJK punctuation, arrows, box drawing, shapes and full-width forms (a test checks
that every character of our rules, templates and messages is among them).

Run ``python data/make_font.py`` (needs fonts-noto-cjk; ``--check`` tells whether the shipped files are
what the script makes).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "webmap" / "static" / "fonts"
SOURCES = {"Regular": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
           "Bold": "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"}
FAMILY = "Patrol Sans SC"  # the family name the sheets' CSS asks for


def _gb2312() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def characters() -> str:
    """Every character the subset holds, sorted."""
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x218F), (0x2190, 0x21FF), (0x2460, 0x24FF),
              (0x2500, 0x25FF), (0x2600, 0x26FF), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
    chars = {chr(c) for lo, hi in ranges for c in range(lo, hi + 1)} | _gb2312()
    return "".join(sorted(c for c in chars if c.isprintable() or c == " "))


def _sc_face(collection: Path):
    for font in TTCollection(str(collection)).fonts:
        if font["name"].getDebugName(1) == "Noto Sans CJK SC":
            return font
    msg = f"{collection}: no Noto Sans CJK SC face"
    raise SystemExit(msg)


def make(weight: str, source: Path, target: Path) -> None:
    font = _sc_face(source)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.layout_features = ["*"]
    options.notdef_outline = True
    options.hinting = False  # printing: the hints only add size
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters())
    subsetter.subset(font)
    name = font["name"]
    for record in list(name.names):
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID in (4,):
            record.string = f"{FAMILY} {weight}"
        elif record.nameID == 6:
            record.string = f"PatrolSansSC-{weight}"
    font.recalcTimestamp = False  # the same source makes the same bytes (--check)
    font.save(str(target))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the shipped files")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    status = 0
    for weight, source in SOURCES.items():
        target = OUT / f"PatrolSansSC-{weight}.otf"
        if args.check:
            tmp = target.with_suffix(".check.otf")
            make(weight, Path(source), tmp)
            same = hashlib.sha256(tmp.read_bytes()).digest() == hashlib.sha256(target.read_bytes()).digest()
            tmp.unlink()
            print(f"{target.name}: {'same' if same else 'DIFFERENT'}")
            status |= not same
        else:
            make(weight, Path(source), target)
            print(f"{target.relative_to(REPO)}: {target.stat().st_size / 1e6:.1f} MB")
    return status


if __name__ == "__main__":
    sys.exit(main())
