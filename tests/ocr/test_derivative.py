"""Display copies carry pixels only (faults.md rows 5 and 7)."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image

from ocr import display_copy, load_image


def test_polyglot_jpeg_derivative_has_no_script(jpeg_bytes: Callable[..., bytes]) -> None:
    polyglot = jpeg_bytes() + b"<script>alert(document.cookie)</script>"
    loaded = load_image(polyglot)  # accepted: it is a valid JPEG
    for fmt in ("JPEG", "PNG"):
        copy = display_copy(loaded, fmt)  # type: ignore[arg-type]
        assert b"<script" not in copy.lower()
        assert Image.open(io.BytesIO(copy)).format == fmt


def test_derivative_is_upright_and_has_no_exif(jpeg_bytes: Callable[..., bytes]) -> None:
    original = jpeg_bytes(320, 200, orientation=6, gps=True, taken="2026:11:20 08:30:00")
    copy = display_copy(load_image(original))
    img = Image.open(io.BytesIO(copy))
    assert img.size == (200, 320)
    assert not img.getexif()  # no GPS, no orientation to apply twice
    assert b"Exif" not in copy
    assert "exif" not in img.info and "icc_profile" not in img.info


def test_derivative_is_bounded(jpeg_bytes: Callable[..., bytes]) -> None:
    copy = display_copy(load_image(jpeg_bytes(1000, 400)), max_side=500)
    assert Image.open(io.BytesIO(copy)).size == (500, 200)
