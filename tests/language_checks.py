"""Checks that a text of ours is in the language chosen: no English sentence on a Chinese page, line or message.

User data (the demo street is Chinese; accounts are one word), ids, codes and units are single tokens, so they
never make a run of two Latin words of prose.
"""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# a word of prose, not an id, code or address
_WORD = re.compile(r"""^[("'“]?[A-Za-z]{2,}(?:['’][a-z]+)?[,.:;!?)"'”]?$""")


def two_words(text: str) -> bool:
    """Whether ``text`` holds two Latin words of prose in a row."""
    words = [bool(_WORD.match(token)) for token in text.split()]
    return any(a and b for a, b in zip(words, words[1:]))


def english_lines(text: str) -> list[str]:
    """Lines of a command's output that hold two Latin words of prose in a row and no Chinese at all."""
    lines = [re.sub(r"^\[[^\]]*\]\s*", "", line).strip() for line in text.splitlines()]  # the progress prefix
    return [line for line in lines if line and not CJK.search(line) and two_words(line)]


def english_fragments(message: str, *, codes: frozenset[str] = frozenset()) -> list[str]:
    """The parts of a Chinese ``message`` between its Chinese characters that are English prose.

    Quoted values (the user's cells) and ``codes`` (field names, role and status codes…) are left out first:
    they are data and identifiers, shown as they are in every language.
    """
    text = re.sub(r"'[^']*'", " ", message)
    parts = [" ".join(w for w in part.split() if w.strip(",.;:()") not in codes) for part in CJK.split(text)]
    return [part.strip() for part in parts if two_words(part)]
