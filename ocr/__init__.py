"""ocr: read the text of poster photos and web images (图片文字识别).

Safe loading (`load_image`), preprocessing for phone photos, tesseract and RapidOCR engines,
and `read`, which returns the text in reading order with its lines, confidences and boxes.
Imports nothing else of admon's (DEVELOPERS.md: `rules` and `ocr` stand alone).

    from ocr import read
    result = read(Path("poster.jpg"))          # engine="auto": the most accurate installed
    print(result.text, result.engine, result.seconds)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ocr.derivative import display_copy
from ocr.errors import EngineUnavailable, ImageRejected, OcrError, OcrTimeout
from ocr.exif import GpsPosition
from ocr.loader import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, LoadedImage, load_image
from ocr.result import OcrLine, OcrResult

if TYPE_CHECKING:
    from ocr.api import read


def __getattr__(name: str) -> Any:
    """Import `read` (and with it numpy, OpenCV and the engines) only when it is used, so
    `import ocr` stays cheap for callers that only need the loader or `OcrError`."""
    if name == "read":
        from ocr.api import read

        return read
    raise AttributeError(f"module 'ocr' has no attribute {name!r}")


__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "EngineUnavailable",
    "GpsPosition",
    "ImageRejected",
    "LoadedImage",
    "OcrError",
    "OcrLine",
    "OcrResult",
    "OcrTimeout",
    "display_copy",
    "load_image",
    "read",
]
