"""`ocr.read`: bytes or a path in, text in reading order out."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from ocr.engines import get_engine
from ocr.errors import ImageRejected, OcrError
from ocr.layout import group_lines, lines_text
from ocr.loader import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, LoadedImage, load_image
from ocr.preprocess import map_box_back, prepare
from ocr.result import OcrLine, OcrResult


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A file's bytes, refusing oversize files before reading them into memory."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImageRejected(
                "too_large", f"the file is {size:,} bytes; the limit is {max_bytes:,} bytes"
            )
        return path.read_bytes()
    except IsADirectoryError as exc:
        raise OcrError(f"{path} is a directory, not an image", "unreadable") from exc
    except FileNotFoundError as exc:
        raise OcrError(f"{path} does not exist", "unreadable") from exc
    except OSError as exc:
        raise OcrError(f"cannot read {path}: {exc.strerror or exc}", "unreadable") from exc


def read(
    image: bytes | str | os.PathLike[str] | LoadedImage,
    engine: str = "auto",
    timeout: float = 60.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> OcrResult:
    """Read the text of one image: file bytes, a path (str or Path), or a loaded image.

    Raises `ImageRejected` for input we refuse to decode, `OcrTimeout` when the engine
    exceeds `timeout` seconds, `EngineUnavailable` / `OcrError` when the engine fails.
    Boxes are in pixels of the upright (EXIF-rotated) image.
    """
    ocr_engine = get_engine(engine)  # an unknown or missing engine fails before any decoding
    started = time.perf_counter()  # engine start-up (once per process) is not the image's time
    if isinstance(image, LoadedImage):
        loaded = image
    else:
        if isinstance(image, str | os.PathLike):
            data = read_bytes(Path(image), max_bytes)
        else:
            data = bytes(image)
        loaded = load_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    pixels = np.asarray(loaded.image, dtype=np.uint8)
    prepared, matrix = prepare(pixels, ocr_engine.pipeline)
    remaining = max(0.1, timeout - (time.perf_counter() - started))
    fragments = ocr_engine.recognise(prepared, remaining)
    mapped = [
        OcrLine(f.text, f.confidence, map_box_back(f.box, matrix, loaded.width, loaded.height))
        for f in fragments
    ]
    lines = group_lines(mapped)
    return OcrResult(
        text=lines_text(lines),
        lines=lines,
        engine=ocr_engine.name,
        seconds=time.perf_counter() - started,
    )
