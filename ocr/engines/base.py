"""What an OCR engine adapter provides, so `ocr.read` can treat tesseract and RapidOCR alike."""

from __future__ import annotations

from typing import Protocol

from ocr.preprocess import Array
from ocr.result import OcrLine


class Engine(Protocol):
    """An OCR engine loaded once per process and safe to call from worker threads."""

    #: Name used in results and on the command line ("tesseract", "rapidocr").
    name: str
    #: Preprocessing steps (ocr.preprocess.STEPS names) this engine reads best after.
    pipeline: tuple[str, ...]

    def recognise(self, img: Array, timeout: float) -> list[OcrLine]:
        """Text fragments with boxes in `img`'s pixel coordinates, in any order.

        Raises `OcrTimeout` past `timeout` seconds and `OcrError` on engine failure.
        """
        ...
