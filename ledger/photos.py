"""Pictures uploaded to us: the one rule of which bytes are a picture, and the fresh name a form photo is kept under.

Every door uses :func:`picture_type`: the result form's photo (kept in the instance folder, shown with ``<img>``),
and the field API's hazard photos and notice signatures (kept in the database, shown with ``<img>``).
Nothing converts a picture on the server, so only what every browser shows is taken: JPEG, PNG and WebP.
HEIC/HEIF (the iPhone camera's own format) is refused with a message saying how to send a JPEG instead:
Chrome, Edge and Firefox cannot show it, and Pillow (without a HEIF plugin) cannot read it to convert it.
iPhones send a JPEG to ``<input type="file" accept="image/*">`` of their own accord, and the field app
redraws every photo as a JPEG before it is sent, so this refusal is met only by files sent some other way.
"""

from __future__ import annotations

import io
import uuid

from gis.errors import InputError
from gis.i18n import gettext as _

#: What Pillow calls the pictures we take, and their media types (MPO is a camera's JPEG with a second picture in it).
MEDIA_TYPES = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1", b"heif")


def picture_type(data: bytes, *, name: str, file: str, field: str, max_bytes: int | None = None) -> str:
    """The media type of a JPEG, PNG or WebP picture, read from its content (Pillow reads it), never from its name.

    Parameters
    ----------
    data
        The whole upload.
    name
        How the messages name the picture: the field (``hazards[0].photos[1]``) or the upload's file name.
    file, field
        Those of the :class:`~gis.errors.InputError`.
    max_bytes
        The largest picture taken, if there is a limit.

    Raises
    ------
    InputError
        Empty, too large, HEIC/HEIF, or not a JPEG, PNG or WebP picture.
    """
    from PIL import Image, UnidentifiedImageError

    if not data:
        msg = _("%(field)s: the picture is empty", field=name)
        raise InputError(msg, file=file, field=field)
    if max_bytes is not None and len(data) > max_bytes:
        msg = _("%(field)s: the picture is larger than %(max)d KB (%(size)d KB)", field=name,
                max=max_bytes // 1024, size=len(data) // 1024)
        raise InputError(msg, file=file, field=field)
    if is_heif(data):
        msg = _("%(field)s: is a HEIC/HEIF picture (the iPhone camera's format), which browsers cannot show: send it "
                "as JPEG (on the iPhone: Settings, Camera, Formats, Most Compatible)", field=name)
        raise InputError(msg, file=file, field=field)
    try:
        with Image.open(io.BytesIO(data)) as picture:
            kind = picture.format
            picture.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        msg = _("%(field)s: is not a JPEG, PNG or WebP picture (its content)", field=name)
        raise InputError(msg, file=file, field=field) from err
    if kind not in MEDIA_TYPES:
        msg = _("%(field)s: %(kind)s should be a JPEG, PNG or WebP picture", field=name, kind=kind)
        raise InputError(msg, file=file, field=field)
    return MEDIA_TYPES[kind]


def is_heif(data: bytes) -> bool:
    """Whether the bytes start as a HEIC/HEIF file does (an ISO BMFF ``ftyp`` box of a HEIF brand)."""
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def photo_name(filename: str, data: bytes, *, file: str = "result form") -> str:
    """The name a form's photo is kept under: fresh, with the suffix of its content (users' names never reach the disk).

    Raises
    ------
    InputError
        See :func:`picture_type`; the message names the upload's file name, the field is ``photo``.
    """
    media_type = picture_type(data, name=_("photo %(name)r", name=filename), file=file, field="photo")
    return f"{uuid.uuid4().hex}{SUFFIXES[media_type]}"
