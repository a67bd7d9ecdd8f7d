"""Photos of hazards: which uploads are pictures, and the fresh name each is kept under in the instance folder."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from gis.errors import InputError
from gis.i18n import gettext as _

PHOTO_TYPES = {".jpg", ".jpeg", ".png", ".webp", ".heic"}


def photo_name(filename: str, head: bytes, *, file: str = "result form") -> str:
    """The name a checked photo is kept under: a fresh one with the upload's suffix (users' names never reach the disk).

    ``head`` is the upload's first 16 bytes: its name alone proves nothing.

    Raises
    ------
    InputError
        When the name's suffix or the content is not that of a JPEG, PNG, WebP or HEIC picture.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix not in PHOTO_TYPES:
        msg = _("photo %(name)r: should be a picture (%(types)s)", name=filename, types=", ".join(sorted(PHOTO_TYPES)))
        raise InputError(msg, file=file, field="photo")
    if not looks_like_a_picture(head):
        msg = _("photo %(name)r: is not a JPEG, PNG, WebP or HEIC picture (its content)", name=filename)
        raise InputError(msg, file=file, field="photo")
    return f"{uuid.uuid4().hex}{suffix}"


def looks_like_a_picture(head: bytes) -> bool:
    """Whether a file starts the way a JPEG, PNG, WebP or HEIC picture does."""
    return (head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"))
            or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
            or (head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc")))
