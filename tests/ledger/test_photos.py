"""The one rule of which uploaded bytes are a picture (the result form's photo, the field API's photos and
signatures), judged on real bytes of each format."""

from __future__ import annotations

import io

import pytest

from gis.errors import InputError
from ledger.photos import photo_name, picture_type

HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00\x00\x00\x08free"  # an iPhone photo's first box


def pillow(kind: str, **save) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, kind, **save)
    return out.getvalue()


def mpo() -> bytes:
    """A camera JPEG with a second picture in it (Pillow opens such a JPEG as MPO)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, "MPO", save_all=True,
                                                     append_images=[Image.new("RGB", (40, 30))])
    return out.getvalue()


@pytest.mark.parametrize(("data", "media_type"), [
    (pillow("JPEG"), "image/jpeg"),
    (mpo(), "image/jpeg"),
    (pillow("PNG"), "image/png"),
    (pillow("WEBP"), "image/webp"),
])
def test_jpeg_png_and_webp_are_pictures(data, media_type):
    assert picture_type(data, name="hazards[0].photos[0]", file="request", field="hazards[0].photos[0]") == media_type


@pytest.mark.parametrize(("data", "message"), [
    (HEIC, "x：是 HEIC/HEIF 图片（iPhone 相机的格式），浏览器无法显示，"
           "请以 JPEG 发送（iPhone：设置 → 相机 → 格式 → 兼容性最佳）"),
    (HEIC.replace(b"heic", b"mif1", 1), "x：是 HEIC/HEIF 图片"),
    (pillow("GIF"), "x：GIF 图片不受支持，应为 JPEG、PNG 或 WebP"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00<script>alert(1)</script>", "x：内容不是 JPEG、PNG 或 WebP 图片"),
    (b"\x89PNG\r\n\x1a\nfake", "x：内容不是 JPEG、PNG 或 WebP 图片"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "x：内容不是 JPEG、PNG 或 WebP 图片"),
    (b"<svg onload=alert(1)>", "x：内容不是 JPEG、PNG 或 WebP 图片"),
    (b"", "x：图片为空"),
])
def test_anything_else_is_refused_naming_the_picture(data, message):
    with pytest.raises(InputError) as caught:
        picture_type(data, name="x", file="request", field="notice.signature")
    assert caught.value.problem.startswith(message)
    assert (caught.value.file, caught.value.field) == ("request", "notice.signature")


def test_a_limit_refuses_larger_pictures():
    data = pillow("PNG")
    assert picture_type(data, name="x", file="request", field="x", max_bytes=len(data)) == "image/png"
    with pytest.raises(InputError, match=r"x：图片太大"):
        picture_type(data, name="x", file="request", field="x", max_bytes=len(data) - 1)


def test_a_form_photo_is_kept_under_a_fresh_name_with_the_suffix_of_its_content():
    assert photo_name("现场.jpg", pillow("PNG")).endswith(".png")
    assert photo_name("IMG_0001.JPEG", mpo()).endswith(".jpg")
    assert "现场" not in photo_name("现场.webp", pillow("WEBP"))
    with pytest.raises(InputError) as caught:
        photo_name("IMG_0001.HEIC", HEIC)
    assert caught.value.problem.startswith("照片 'IMG_0001.HEIC'：是 HEIC/HEIF 图片")
    assert (caught.value.file, caught.value.field) == ("result form", "photo")
