"""Safe loading: every hostile input of faults.md rows 2-4, 6, 7, 9 and friends.

Unit tests: no OCR engine is involved.
"""

from __future__ import annotations

import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from datetime import timedelta

import pytest
from PIL import Image, ImageFile

import ocr
from ocr import ImageRejected, load_image
from ocr.loader import DEFAULT_MAX_PIXELS

from .conftest import patch_jpeg_size

# As in production (ocr.loader installs this filter at import; pytest resets filters per test).
pytestmark = pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")


def rejected(data: bytes, **limits: int) -> ImageRejected:
    with pytest.raises(ImageRejected) as info:
        load_image(data, **limits)
    assert info.value.code in {
        "empty",
        "too_large",
        "image_too_large",
        "unsupported_type",
        "corrupt_image",
    }
    assert str(info.value)  # a message a person can read
    return info.value


def test_good_jpeg_png_webp_load_as_rgb(
    jpeg_bytes: Callable[..., bytes], encoded: Callable[[Image.Image, str], bytes]
) -> None:
    img = Image.new("RGBA", (64, 48), (0, 0, 0, 0))
    for data, fmt in (
        (jpeg_bytes(), "JPEG"),
        (encoded(img, "PNG"), "PNG"),
        (encoded(img.convert("RGB"), "WEBP"), "WEBP"),
    ):
        loaded = load_image(data)
        assert loaded.format == fmt
        assert loaded.image.mode == "RGB"
        assert (loaded.width, loaded.height) == loaded.image.size
    # transparent PNG pixels become white paper, not black
    assert load_image(encoded(img, "PNG")).image.getpixel((0, 0)) == (255, 255, 255)


def test_heic_is_accepted(encoded: Callable[[Image.Image, str], bytes]) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    loaded = load_image(encoded(Image.new("RGB", (80, 40), "blue"), "HEIF"))
    assert loaded.format == "HEIC"
    assert (loaded.width, loaded.height) == (80, 40)
    assert loaded.mime_type == "image/heic"


def test_empty_file() -> None:
    assert rejected(b"").code == "empty"


def test_byte_cap_is_checked_first(jpeg_bytes: Callable[..., bytes]) -> None:
    data = jpeg_bytes()
    error = rejected(data, max_bytes=len(data) - 1)
    assert error.code == "too_large"
    assert f"{len(data) - 1:,}" in str(error)


def test_truncated_jpeg_is_corrupt_not_half_grey(jpeg_bytes: Callable[..., bytes]) -> None:
    data = jpeg_bytes(800, 600)
    assert rejected(data[: len(data) // 2]).code == "corrupt_image"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_png_decompression_bomb_refused_before_decoding(
    bomb_png: Callable[[int, int], bytes],
) -> None:
    data = bomb_png(15_000, 15_000)
    assert len(data) < 40_000  # a few KB declaring 225 megapixels
    started = time.perf_counter()
    assert rejected(data).code == "image_too_large"
    assert time.perf_counter() - started < 0.5  # header only, nothing was inflated


def test_10000_square_png_refused(bomb_png: Callable[[int, int], bytes]) -> None:
    # 100 MP passes Pillow's own error threshold (2 × 89.5 MP) and only warns by default.
    data = bomb_png(10_000, 10_000)
    assert len(data) < 20_000
    assert 2 * Image.MAX_IMAGE_PIXELS > 10_000 * 10_000
    assert rejected(data).code == "image_too_large"


def test_project_pixel_limit_is_below_pillows(bomb_png: Callable[[int, int], bytes]) -> None:
    # 49 MP: no Pillow warning at all, refused by our lower limit, which the message names.
    assert Image.MAX_IMAGE_PIXELS > 7_000 * 7_000 > DEFAULT_MAX_PIXELS
    error = rejected(bomb_png(7_000, 7_000))
    assert error.code == "image_too_large"
    assert f"{DEFAULT_MAX_PIXELS:,}" in str(error)


def test_pillow_bomb_warning_is_an_error_even_with_a_raised_cap(
    bomb_png: Callable[[int, int], bytes],
) -> None:
    # With our own cap lifted, Pillow's DecompressionBombWarning (> 89.5 MP) must still stop it.
    error = rejected(bomb_png(10_000, 10_000), max_pixels=10**9)
    assert error.code == "image_too_large"
    assert "decompression bomb" in str(error)


def test_pillow_threshold_holds_even_if_a_host_silences_the_warning(
    bomb_png: Callable[[int, int], bytes],
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        error = rejected(bomb_png(10_000, 10_000), max_pixels=10**9)
    assert error.code == "image_too_large"
    assert f"{Image.MAX_IMAGE_PIXELS:,}" in str(error)


def test_loader_installs_the_warning_filter() -> None:
    # In a fresh interpreter, since pytest manages warning filters in this one.
    probe = (
        "import warnings, ocr\n"
        "from PIL import Image\n"
        "print(any(f[0] == 'error' and f[2] is Image.DecompressionBombWarning"
        " for f in warnings.filters))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_12000_square_photo_refused_from_its_header(jpeg_bytes: Callable[..., bytes]) -> None:
    declared = patch_jpeg_size(jpeg_bytes(), 12_000, 12_000)
    assert rejected(declared).code == "image_too_large"  # not corrupt: never decoded


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<!doctype html><html><script>alert(1)</script></html>", "HTML"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG"),
        (b"%PDF-1.7\n1 0 obj<<>>endobj\n", "PDF"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56, "ELF"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n", "EPS"),
        (b"SIMPLE  =                    T" + b" " * 50, "FITS"),
        (b"MZ\x90\x00" + b"\x00" * 60, "executable"),
        (b"just some text that is not an image", "this content"),
    ],
)
def test_non_images_named_jpg_are_unsupported(content: bytes, name: str) -> None:
    error = rejected(content)
    assert error.code == "unsupported_type"
    assert name in str(error)


@pytest.mark.parametrize("fmt", ["TIFF", "GIF", "BMP"])
def test_real_images_outside_the_allow_list_are_refused(
    fmt: str, encoded: Callable[[Image.Image, str], bytes]
) -> None:
    data = encoded(Image.new("RGB", (32, 32), "white"), fmt)
    error = rejected(data)
    assert error.code == "unsupported_type"
    assert fmt in str(error)


def test_garbage_after_a_png_signature_is_corrupt() -> None:
    assert rejected(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).code == "corrupt_image"


def test_exif_orientation_applied_and_gps_and_time_read(
    jpeg_bytes: Callable[..., bytes],
) -> None:
    loaded = load_image(jpeg_bytes(320, 200, orientation=6, gps=True, taken="2026:11:20 08:30:00"))
    assert loaded.orientation == 6
    assert (loaded.width, loaded.height) == (200, 320)  # rotated upright
    # Orientation 6 = rotate 90° clockwise: the red top-left marker is now top-right.
    red, green, blue = loaded.image.getpixel((loaded.width - 10, 10))
    assert red > 200 and green < 80 and blue < 80
    assert loaded.gps == ocr.GpsPosition(30.2583333, 120.1666667)
    assert loaded.captured_at is not None
    assert loaded.captured_at.utcoffset() == timedelta(hours=8)
    assert (loaded.captured_at.hour, loaded.captured_at.minute) == (8, 30)


def test_photo_without_exif_has_no_position(jpeg_bytes: Callable[..., bytes]) -> None:
    loaded = load_image(jpeg_bytes())
    assert loaded.gps is None and loaded.captured_at is None and loaded.orientation == 1


def test_rejection_is_an_ocr_error() -> None:
    with pytest.raises(ocr.OcrError):
        load_image(b"GIF89a")
    with pytest.raises(ValueError):
        ImageRejected("nonsense", "x")  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_damaged_files_only_ever_raise_image_rejected(
    fmt: str, encoded: Callable[[Image.Image, str], bytes]
) -> None:
    """Random byte flips and truncations: loaded or refused, never another exception."""
    import random

    rng = random.Random(fmt)
    good = encoded(Image.linear_gradient("L").resize((96, 64)).convert("RGB"), fmt)
    outcomes = {"loaded": 0, "rejected": 0}
    for _ in range(150):
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            data = data[: rng.randrange(1, len(data))]
        try:
            load_image(bytes(data))
            outcomes["loaded"] += 1
        except ImageRejected:
            outcomes["rejected"] += 1
    assert outcomes["rejected"] > 0


def test_image_rejected_survives_a_process_boundary() -> None:
    """The crawler reads images in worker processes; the error must cross intact."""
    import pickle

    from ocr import ImageRejected

    again = pickle.loads(pickle.dumps(ImageRejected("corrupt_image", "truncated JPEG")))
    assert isinstance(again, ImageRejected)
    assert (again.code, again.message) == ("corrupt_image", "truncated JPEG")
