"""What runs inside the pipeline's OCR worker process (图片识别进程), at low priority.

OCR is the most expensive thing a crawl does per item (RapidOCR: about a second of CPU to
load its models, a quarter of a second per poster), so it gets a process of its own at
nice 10, where it uses what the crawl leaves over. This module imports only `ocr` (not
Scrapy, not SQLAlchemy, not intake): a worker that imported them would spend another
second of CPU on modules it never uses, in competition with the crawl.
"""

from __future__ import annotations

import logging
import os

from crawlers.process_exit import exit_without_teardown

log = logging.getLogger(__name__)

NICENESS = 10


def start_ocr_worker(engine: str, threads: int | None) -> None:
    """OCR worker initialiser: load the engine so the first image is read at once, then
    yield the CPU to the crawl (nice 10) for the reads.

    The engine loads at normal priority, once; the reads, which grow with the images, are
    the part that must not slow the crawl. Loaded at nice 10 on a busy box (demo town, 400
    pages, one CPU hog beside it), the engine was ready only after the last page and the
    crawl's end waited 0.7-1.0 s for the poster; loaded first, it was ready mid-crawl and
    the end waited under 0.1 s (the crawl's elapsed time, within noise, the same: the
    second of CPU is paid either way).

    `threads` caps onnxruntime's thread pool (RapidOCR). The crawl's OCR worker runs with
    one: with a thread per core, onnxruntime's spinning workers burned twice the CPU per
    poster (0.55 s against 0.25 s on the demo town's poster, 2 cores) and competed with the
    crawl on every core, where one niced thread soaks up idle time on one."""
    exit_without_teardown()
    from ocr import OcrError
    from ocr.engines import configure, get_engine

    configure(threads)
    try:
        get_engine(engine)
    except OcrError as exc:  # reported per image by read_image
        log.warning("OCR engine %s unavailable: %s", engine, exc)
    finally:
        os.nice(NICENESS)


def ocr_ready() -> bool:
    """A no-op task: submitting it starts the OCR worker (whose initialiser loads the
    engine) before the first image arrives."""
    return True


def read_image(
    body: bytes, engine: str, timeout: float, max_pixels: int
) -> tuple[str, str, str | None]:
    """`ocr.read` in the OCR worker: (text, engine name, error or None)."""
    from ocr import OcrError, read

    try:
        result = read(body, engine=engine, timeout=timeout, max_pixels=max_pixels)
    except OcrError as exc:
        return "", "", f"{getattr(exc, 'code', 'error')}: {exc}"
    return result.text, result.engine, None
