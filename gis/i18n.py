"""Messages in the user's language from code of any layer (errors, progress, the CLI): the gettext catalogues.

There is one set of catalogues, ``webmap/translations/{zh_CN,en}`` (Flask-Babel reads the same
files for the pages). Code outside a request asks :func:`gettext` here; the language is the one
chosen for the current context with :func:`use_language` (each web request sets it from the
user's choice, the CLI from ``PATROL_LANG``), Chinese when none was chosen.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar, Token
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LANGS = ("zh", "en")
LOCALES = {"zh": "zh_CN", "en": "en"}  # our language codes → the catalogues' locales
CATALOGUES = Path(__file__).resolve().parents[1] / "webmap" / "translations"

_language: ContextVar[str] = ContextVar("patrol_language", default="zh")


@lru_cache(maxsize=None)
def translations(lang: str = "zh") -> NullTranslations:
    """The catalogue of ``lang`` ('zh' or 'en'; zh_CN for any other)."""
    return Translations.load(str(CATALOGUES), [LOCALES.get(lang, LOCALES["zh"])])


def language() -> str:
    """The language chosen for this context: 'zh' (the default) or 'en'."""
    return _language.get()


def set_language(lang: str) -> Token[str]:
    """Choose the language of this context's messages (unknown codes mean Chinese); :func:`reset_language` undoes it."""
    return _language.set(lang if lang in LANGS else "zh")


def reset_language(token: Token[str]) -> None:
    """The language as it was before the :func:`set_language` that gave ``token``."""
    _language.reset(token)


@contextlib.contextmanager
def use_language(lang: str) -> Iterator[None]:
    """Messages made inside the block are in ``lang``."""
    token = set_language(lang)
    try:
        yield
    finally:
        reset_language(token)


def gettext(message: str, /, **variables: object) -> str:
    """``message`` (an English msgid) in this context's language.

    Its ``%(name)s`` placeholders are filled from ``variables``.
    """
    text = translations(language()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, /, **variables: object) -> str:
    """The form for ``n`` in this context's language; ``%(num)d`` is ``n``."""
    return translations(language()).ungettext(singular, plural, n) % {"num": n, **variables}


def N_(message: str, /) -> str:
    """Mark ``message`` as a msgid where it is written (a table of labels); :func:`gettext` it where it is shown."""
    return message


_ = gettext
