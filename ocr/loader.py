"""Safe image loading (安全载入): the only place in admon that decodes untrusted image bytes.

Posters come from grid workers' phones and from crawled pages, so every byte is hostile until
proven otherwise. The order of checks matters:

1. size cap on the raw bytes (`too_large`), 0 bytes (`empty`);
2. format sniffed from the content, never from a file name or Content-Type, against an
   allow-list (JPEG, PNG, WebP, HEIC) — TIFF, FITS, EPS, SVG, PDF, HTML, executables are
   refused (`unsupported_type`, faults.md rows 4 and 9);
3. dimensions read from the header *before* decoding and checked against our pixel cap,
   which is far below Pillow's default; Pillow's own DecompressionBombWarning is turned into
   an error process-wide (`image_too_large`, faults.md rows 2 and 3);
4. a full decode with `ImageFile.LOAD_TRUNCATED_IMAGES` left False, so a truncated JPEG is
   an error rather than a grey half-picture (`corrupt_image`, faults.md row 6);
5. EXIF read (capture time, GPS), then the EXIF orientation applied (faults.md row 7).
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from PIL import Image, ImageOps

from ocr.errors import ImageRejected
from ocr.exif import GpsPosition, capture_time, gps_position

#: Raw-byte cap; matches monitor.settings.Settings.upload_max_bytes' default.
DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024
#: Decoded-pixel cap (40 MP: a 48 MP phone's binned photo is 12 MP). Pillow's default warning
#: threshold is 89.5 MP and its error threshold twice that; see
#: https://pillow.readthedocs.io/en/stable/reference/Image.html#PIL.Image.open
DEFAULT_MAX_PIXELS: Final = 40_000_000

# A DecompressionBombWarning anywhere in the process is an error, not a log line. Installed
# once at import (warnings.catch_warnings is not thread-safe, so no per-call filter).
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)

_HEIF_BRANDS: Final = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
)

# Magic numbers of things people try to pass off as images, to name them in the message.
_KNOWN_REFUSED: Final[tuple[tuple[bytes, str], ...]] = (
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"%PDF", "PDF"),
    (b"%!PS", "EPS/PostScript"),
    (b"\xc5\xd0\xd3\xc6", "EPS"),
    (b"SIMPLE  =", "FITS"),
    (b"GIF8", "GIF"),
    (b"BM", "BMP"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ", "Windows executable"),
    (b"PK\x03\x04", "ZIP archive"),
)

_DECODE_ERRORS: Final = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error)


@dataclass(frozen=True)
class LoadedImage:
    """A decoded, upright RGB image with what we learnt from its header and EXIF."""

    image: Image.Image
    format: str  # "JPEG" | "PNG" | "WEBP" | "HEIC"
    width: int
    height: int
    captured_at: datetime | None = None  # EXIF DateTimeOriginal (拍摄时间), aware if offset given
    gps: GpsPosition | None = None  # EXIF GPS (拍摄位置); never copied into derivatives
    orientation: int = 1  # EXIF Orientation before it was applied

    @property
    def mime_type(self) -> str:
        """MIME type of the original bytes."""
        return {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(
            self.format, "image/heic"
        )


def sniff_format(data: bytes) -> str:
    """The allowed format of `data` judged by its first bytes, or raise `unsupported_type`."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "HEIC"
    raise ImageRejected(
        "unsupported_type",
        f"{_describe(data)} is not an accepted image type (accepted: JPEG, PNG, WebP, HEIC)",
    )


def _describe(data: bytes) -> str:
    """A short name for refused content, for the error message."""
    for magic, name in _KNOWN_REFUSED:
        if data.startswith(magic):
            return name
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<"):
        if b"<svg" in head:
            return "SVG"
        return "HTML/XML text"
    return "this content"


def _open_heif_plugin() -> None:
    """Register pillow-heif's opener, or explain that HEIC needs the `heic` extra."""
    try:
        import pillow_heif
    except ImportError as exc:
        raise ImageRejected(
            "unsupported_type", "HEIC photos need pillow-heif (pip install 'admon[heic]')"
        ) from exc
    pillow_heif.register_heif_opener()


def load_image(
    data: bytes,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> LoadedImage:
    """Decode untrusted image bytes, or raise `ImageRejected` with one of its five codes."""
    if not data:
        raise ImageRejected("empty", "the file is empty (0 bytes)")
    if len(data) > max_bytes:
        raise ImageRejected(
            "too_large", f"the file is {len(data):,} bytes; the limit is {max_bytes:,} bytes"
        )
    fmt = sniff_format(data)
    if fmt == "HEIC":
        _open_heif_plugin()
    pillow_formats = ["HEIF"] if fmt == "HEIC" else [fmt]
    try:
        img = Image.open(io.BytesIO(data), formats=pillow_formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(
            "image_too_large", f"the image declares too many pixels ({exc})"
        ) from exc
    except Image.UnidentifiedImageError as exc:
        raise ImageRejected(
            "corrupt_image", f"the data starts like {fmt} but is not a readable {fmt} image"
        ) from exc
    except _DECODE_ERRORS as exc:
        raise ImageRejected("corrupt_image", f"cannot read the {fmt} header: {exc}") from exc
    with img:
        width, height = img.size
        if width <= 0 or height <= 0:
            raise ImageRejected("corrupt_image", f"the {fmt} header declares {width}×{height}")
        limit = _pixel_limit(max_pixels)
        if width * height > limit:
            raise ImageRejected(
                "image_too_large",
                f"the image is {width}×{height} = {width * height:,} pixels; "
                f"the limit is {limit:,}",
            )
        try:
            img.load()  # full decode; LOAD_TRUNCATED_IMAGES stays False
            exif = img.getexif()
            upright = ImageOps.exif_transpose(img) or img
            rgb = _to_rgb(upright)
        except _DECODE_ERRORS as exc:
            raise ImageRejected(
                "corrupt_image", f"the {fmt} data is truncated or damaged: {exc}"
            ) from exc
        orientation = _orientation(exif)
    return LoadedImage(
        image=rgb,
        format=fmt,
        width=rgb.width,
        height=rgb.height,
        captured_at=capture_time(exif),
        gps=gps_position(exif),
        orientation=orientation,
    )


def _orientation(exif: Image.Exif) -> int:
    """EXIF Orientation 1-8 (1 when absent or nonsense)."""
    value = exif.get(0x0112, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _pixel_limit(max_pixels: int) -> int:
    """Our cap, never above Pillow's warning threshold.

    The process-wide warnings filter can be reset by a host (pytest does, per test), so
    Pillow's DecompressionBombWarning threshold is also enforced here explicitly.
    """
    pillow_limit = Image.MAX_IMAGE_PIXELS
    return max_pixels if pillow_limit is None else min(max_pixels, int(pillow_limit))


def _to_rgb(img: Image.Image) -> Image.Image:
    """Flatten any mode to 8-bit RGB; transparent areas become white (posters are on paper)."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        img = img.point(lambda v: v / 256).convert("L")
    if img.mode == "P":
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGB", img.size, "white")
        background.paste(img.convert("RGBA"), mask=img.convert("RGBA").getchannel("A"))
        return background
    return img.convert("RGB") if img.mode != "RGB" else img.copy()
