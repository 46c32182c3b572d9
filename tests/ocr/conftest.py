"""Builders for the hostile and ordinary images the OCR tests feed the loader.

Everything is generated in the test (no binary fixtures in the repository), small and fast:
the decompression bombs are 1-bit PNGs whose zero rows compress to a few kilobytes.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import pytest
from PIL import ExifTags, Image

ImageFactory = Callable[..., bytes]


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


@pytest.fixture
def bomb_png() -> Callable[[int, int], bytes]:
    """A *valid* 1-bit PNG of width×height, all black: megapixels in kilobytes."""

    def build(width: int, height: int) -> bytes:
        row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
        compressor = zlib.compressobj(9)
        body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
        header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", body)
            + png_chunk(b"IEND", b"")
        )

    return build


@pytest.fixture
def jpeg_bytes() -> ImageFactory:
    """A small real JPEG photo-like image (gradient), optionally with EXIF."""

    def build(
        width: int = 320,
        height: int = 200,
        orientation: int | None = None,
        gps: bool = False,
        taken: str | None = None,
    ) -> bytes:
        img = Image.linear_gradient("L").resize((width, height)).convert("RGB")
        img.paste((255, 0, 0), (0, 0, 40, 40))  # red marker in the top-left corner
        exif = Image.Exif()
        if orientation is not None:
            exif[0x0112] = orientation
        if gps:
            exif[ExifTags.IFD.GPSInfo] = {
                1: "N",
                2: (30.0, 15.0, 30.0),
                3: "E",
                4: (120.0, 10.0, 0.0),
            }
        if taken:
            exif[ExifTags.IFD.Exif] = {0x9003: taken, 0x9011: "+08:00"}
        out = io.BytesIO()
        img.save(out, "JPEG", quality=90, exif=exif)
        return out.getvalue()

    return build


@pytest.fixture
def encoded() -> Callable[[Image.Image, str], bytes]:
    """Encode a PIL image in a given Pillow format."""

    def build(img: Image.Image, fmt: str) -> bytes:
        out = io.BytesIO()
        img.save(out, fmt)
        return out.getvalue()

    return build


def patch_jpeg_size(data: bytes, width: int, height: int) -> bytes:
    """Rewrite the SOF0/SOF2 frame header so the JPEG declares another size."""
    i = 2
    while i < len(data) - 9:
        if data[i] != 0xFF:
            raise ValueError("not at a JPEG marker")
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC2):
            head = data[: i + 5]
            return head + struct.pack(">HH", height, width) + data[i + 9 :]
        i += 2 + length
    raise ValueError("no SOF marker")
