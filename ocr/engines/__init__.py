"""OCR engine registry: which engines exist, which is best, one instance per process.

`auto` picks RapidOCR when it is installed: on the synthetic posters it had a character
error rate of a few percent where tesseract had several times that, and it is not slower
(benchmarks/ocr_quality.py). tesseract is the fallback that Debian packages provide.
"""

from __future__ import annotations

import threading

from ocr.engines.base import Engine
from ocr.errors import EngineUnavailable, OcrError

ENGINE_NAMES = ("rapidocr", "tesseract")  # most accurate first: `auto` tries them in order
CHOICES = ("auto", *ENGINE_NAMES)

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_threads: int | None = None


def configure(threads: int | None) -> None:
    """Set RapidOCR's onnxruntime thread count for engines created after this call.

    None lets onnxruntime use every core; benchmarks pass 1 to measure one core.
    """
    global _threads
    with _lock:
        _threads = threads
        _engines.pop("rapidocr", None)


def _create(name: str) -> Engine:
    if name == "tesseract":
        from ocr.engines.tesseract import TesseractEngine

        return TesseractEngine()
    if name == "rapidocr":
        try:
            from ocr.engines.rapid import RapidOcrEngine
        except ImportError as exc:
            raise EngineUnavailable(
                "RapidOCR is not installed (pip install 'admon[rapidocr]')"
            ) from exc
        return RapidOcrEngine(threads=_threads)
    raise OcrError(
        f"unknown OCR engine {name!r} (choose from {', '.join(CHOICES)})", "unknown_engine"
    )


def get_engine(name: str = "auto") -> Engine:
    """The process-wide engine called `name`; `auto` is the most accurate one installed."""
    if name == "auto":
        reasons = []
        for candidate in ENGINE_NAMES:
            try:
                return get_engine(candidate)
            except EngineUnavailable as exc:
                reasons.append(str(exc))
        raise EngineUnavailable("no OCR engine is available: " + "; ".join(reasons))
    with _lock:
        engine = _engines.get(name)
        if engine is None:
            engine = _create(name)
            _engines[name] = engine
        return engine


def available_engines() -> list[str]:
    """Names of the engines that can be created here (loads them, so it is not free)."""
    names = []
    for name in ENGINE_NAMES:
        try:
            get_engine(name)
        except EngineUnavailable:
            continue
        names.append(name)
    return names
