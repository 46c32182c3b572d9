"""RapidOCR (PP-OCR models on onnxruntime) as an OCR engine, fully offline.

The `rapidocr` wheel ships its default models (PP-OCRv6 small det/rec, PP-OCR mobile cls)
in `rapidocr/models/`. By default RapidOCR resolves models through a download table and only
skips the download when the file's checksum matches; we pass explicit `model_path`s instead,
so no code path can reach the network (verified with `unshare -n`, see tests/ocr).

Initialisation takes seconds, so the engine is built once per process. RapidOCR's
`__call__` mutates per-call parameters on the shared object, so calls are serialised with a
lock; a worker thread runs each call so a time limit can be enforced.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

from ocr.errors import EngineUnavailable, OcrError, OcrTimeout
from ocr.preprocess import PIPELINES, Array
from ocr.result import OcrLine

#: Detection resizing: longer side scaled down to this many pixels. PP-OCR's default
#: ("min" side up to 736) made a 1200×1600 photo cost ~3 s on one core; 1280 "max" keeps
#: poster text ≥ 20 px tall and halves the time (benchmarks/ocr_quality.py).
DET_LIMIT_SIDE = 1280
DET_LIMIT_TYPE = "max"
#: The text-direction classifier (0°/180° per line): kept, it cost no measurable time on the
#: posters and reads a photo taken upside down.
USE_CLS = True


def bundled_models() -> dict[str, Path]:
    """Paths of the models inside the rapidocr wheel; EngineUnavailable if any is missing."""
    try:
        import rapidocr
    except ImportError as exc:
        raise EngineUnavailable(
            "RapidOCR is not installed (pip install 'admon[rapidocr]')"
        ) from exc
    root = Path(rapidocr.__file__).parent / "models"
    models = {
        "Det": root / "PP-OCRv6_det_small.onnx",
        "Rec": root / "PP-OCRv6_rec_small.onnx",
        "Cls": root / "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    }
    missing = [str(path) for path in models.values() if not path.is_file()]
    if missing:
        raise EngineUnavailable(f"RapidOCR models missing from the wheel: {', '.join(missing)}")
    return models


class RapidOcrEngine:
    """PP-OCR detection + recognition; one text line per detected box."""

    name = "rapidocr"
    pipeline = PIPELINES["rapidocr"]

    def __init__(self, threads: int | None = None) -> None:
        from rapidocr import RapidOCR

        params: dict[str, Any] = {
            "Global.log_level": "error",
            "Det.limit_side_len": DET_LIMIT_SIDE,
            "Det.limit_type": DET_LIMIT_TYPE,
            "Global.use_cls": USE_CLS,
        }
        for task, path in bundled_models().items():
            params[f"{task}.model_path"] = str(path)
        if threads:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
            params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
        try:
            self._ocr = RapidOCR(params=params)
        except (OSError, ValueError, RuntimeError) as exc:
            raise EngineUnavailable(f"RapidOCR failed to start: {exc}") from exc
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        # RapidOCR loads its models on the first call; load them now so that first image's
        # `seconds` measures recognition, not start-up (private loaders, hence the getattr).
        for loader in ("_load_det_model", "_load_cls_model", "_load_rec_model"):
            load = getattr(self._ocr, loader, None)
            if callable(load):
                load()
        self._lock = threading.Lock()
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="rapidocr")

    def _run(self, img: Array) -> Any:
        with self._lock:
            return self._ocr(img)

    def recognise(self, img: Array, timeout: float) -> list[OcrLine]:
        """Run detection + recognition within `timeout` seconds."""
        if img.ndim == 2:
            img = np.stack([img] * 3, axis=-1)
        # RapidOCR treats a 3-channel array as BGR (OpenCV order); ours is RGB.
        bgr = np.ascontiguousarray(img[:, :, ::-1])
        future = self._pool.submit(self._run, bgr)
        try:
            output = future.result(timeout=timeout)
        except concurrent.futures.TimeoutError as exc:
            raise OcrTimeout(f"RapidOCR did not finish within {timeout:g} s") from exc
        except (RuntimeError, ValueError, OSError, IndexError) as exc:
            raise OcrError(f"RapidOCR failed: {exc}") from exc
        if output.boxes is None or output.txts is None:
            return []
        lines = []
        for quad, text, score in zip(output.boxes, output.txts, output.scores, strict=True):
            pts = np.asarray(quad, dtype=np.float64)
            box = (
                int(pts[:, 0].min()),
                int(pts[:, 1].min()),
                int(np.ceil(pts[:, 0].max())),
                int(np.ceil(pts[:, 1].max())),
            )
            lines.append(OcrLine(str(text), float(score), box))
        return lines
