"""docs/contract.md is the design card's contract, word for word, section by section."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CARD = ROOT.parent / "shared" / "DESIGN.md"
SECTIONS = ("## Rules file", "## Input layers", "## The `patrol` command")


def _sections(text: str) -> dict[str, str]:
    found = {}
    for part in ("\n" + text).split("\n## ")[1:]:
        title = "## " + part.splitlines()[0]
        for wanted in SECTIONS:
            if title.startswith(wanted):
                found[wanted] = part.rstrip()
    return found


def test_the_contract_page_has_every_section():
    assert set(_sections((ROOT / "docs" / "contract.md").read_text(encoding="utf-8"))) == set(SECTIONS)


@pytest.mark.skipif(not CARD.exists(), reason="the design card (../shared/DESIGN.md) is not beside this checkout")
def test_the_contract_page_is_the_design_cards_contract():
    ours = _sections((ROOT / "docs" / "contract.md").read_text(encoding="utf-8"))
    card = _sections(CARD.read_text(encoding="utf-8"))
    for title in SECTIONS:
        assert ours[title] == card[title], f"docs/contract.md '{title}' differs from the design card"


def test_the_readme_links_the_contract_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/contract.md" in readme and "../shared/" not in readme
