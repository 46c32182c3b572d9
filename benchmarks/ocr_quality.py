"""OCR quality benchmark: character error rate, speed, and what OCR costs the detector.

    .venv/bin/python benchmarks/ocr_quality.py                 # both engines, both styles
    .venv/bin/python benchmarks/ocr_quality.py --engines tesseract --steps tesseract=gray,binarise
    .venv/bin/python benchmarks/ocr_quality.py --psm 6 --limit 10

Figures, per engine and poster style (ocr/synth.py: `clean` flat posters, `photo`
phone-photo-like posters):

`hard` (further away, dim, blurred, noisy, JPEG quality 25-45) is an extra stress style:
`--styles clean,photo,hard`.

* CER — Levenshtein distance / reference length, on text with all whitespace removed.
  `CER(nfkc)` additionally folds full/half width (，→ ,), which the detector also does.
* s/img — wall-clock seconds per image on ONE core (OMP/onnxruntime/tesseract limited to
  one thread before anything is imported), engine start-up excluded (reported separately).
* detector recall on violation posters, true text vs OCR text (needs `rules.detect`;
  skipped with a note when rules is not there yet).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# One core for the measure: must happen before numpy/onnxruntime/tesseract start threads.
for _var in ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402

import ocr  # noqa: E402
from ocr import engines  # noqa: E402
from ocr.synth import STYLES, Sample, encode, samples  # noqa: E402
from ocr.synth_texts import POSTER_TEXTS  # noqa: E402

cv2.setNumThreads(1)


def squash(text: str, fold: bool = False) -> str:
    """Text with whitespace removed (and optionally NFKC width folding)."""
    if fold:
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split())


def cer(reference: str, hypothesis: str, fold: bool = False) -> float:
    """Character error rate of `hypothesis` against `reference`."""
    ref, hyp = squash(reference, fold), squash(hypothesis, fold)
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (tesseract runs as a child).

    On a shared machine wall-clock time measures the neighbours too; with one thread per
    engine, CPU seconds is what one free core would take.
    """
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@dataclass
class Cell:
    """Results for one engine × style."""

    cers: list[float] = field(default_factory=list)
    cers_fold: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    worst: list[tuple[float, str, str]] = field(default_factory=list)


def load_detector() -> Callable[[str], bool] | None:
    """`rules.detect(text).violation`, or None when rules is not written yet."""
    try:
        from rules import detect
    except ImportError as exc:
        print(f"detector recall skipped: rules.detect is not available ({exc})")
        return None
    return lambda text: bool(detect(text).violation)


def run_cell(engine: str, style: str, items: list[Sample]) -> Cell:
    """OCR every sample with one engine; images go through ocr.read as file bytes."""
    cell = Cell()
    for sample in items:
        data = encode(sample.image, "PNG") if style == "clean" else encode(sample.image, "JPEG", 92)
        started, cpu_started = time.perf_counter(), cpu_seconds()
        result = ocr.read(data, engine=engine, timeout=120)
        cell.seconds.append(time.perf_counter() - started)
        cell.cpu.append(cpu_seconds() - cpu_started)
        cell.cers.append(cer(sample.text, result.text))
        cell.cers_fold.append(cer(sample.text, result.text, fold=True))
        cell.texts[sample.poster.id] = result.text
        cell.worst.append((cell.cers_fold[-1], sample.poster.id, result.text.replace("\n", " / ")))
    return cell


def parse_steps(values: list[str]) -> dict[str, tuple[str, ...]]:
    """`--steps engine=a,b,c` → {engine: (a, b, c)}; `engine=` means no preprocessing."""
    out = {}
    for value in values:
        name, _, chain = value.partition("=")
        out[name] = tuple(step for step in chain.split(",") if step)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default="rapidocr,tesseract")
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument("--limit", type=int, default=None, help="first N posters only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads")
    parser.add_argument("--steps", action="append", default=[], metavar="ENGINE=STEP,...")
    parser.add_argument("--psm", type=int, default=None, help="tesseract page segmentation")
    parser.add_argument("--show-worst", type=int, default=3)
    args = parser.parse_args()

    engines.configure(args.threads)
    posters = POSTER_TEXTS[: args.limit]
    styles = tuple(s for s in args.styles.split(",") if s)
    overrides = parse_steps(args.steps)
    chosen = [name for name in args.engines.split(",") if name]

    started = time.perf_counter()
    corpus = {style: samples((style,), args.seed, posters) for style in styles}  # type: ignore[arg-type]
    print(
        f"{len(posters)} posters × {len(styles)} styles rendered in "
        f"{time.perf_counter() - started:.1f} s; threads={os.environ['OMP_NUM_THREADS']}"
    )

    results: dict[tuple[str, str], Cell] = {}
    for name in chosen:
        t0 = time.perf_counter()
        engine = engines.get_engine(name)
        if name in overrides:
            engine.pipeline = overrides[name]
        if args.psm is not None and name == "tesseract":
            engine.config = engine.config.replace(f"--psm {engine.psm}", f"--psm {args.psm}")  # type: ignore[attr-defined]
        ocr.read(encode(corpus[styles[0]][0].image, "PNG"), engine=name)  # warm-up
        print(
            f"{name}: start-up + first image {time.perf_counter() - t0:.1f} s; "
            f"pipeline={','.join(engine.pipeline) or '(none)'}"
        )
        for style in styles:
            results[(name, style)] = run_cell(name, style, corpus[style])

    print()
    print(
        f"{'engine':<10} {'style':<6} {'CER':>7} {'CER(nfkc)':>10} {'median':>7} "
        f"{'max':>7} {'s/img':>7} {'s max':>7} {'cpu s':>7} {'cpu max':>7}"
    )
    for (name, style), cell in results.items():
        print(
            f"{name:<10} {style:<6} {statistics.mean(cell.cers):7.2%} "
            f"{statistics.mean(cell.cers_fold):10.2%} {statistics.median(cell.cers_fold):7.2%} "
            f"{max(cell.cers_fold):7.2%} {statistics.mean(cell.seconds):7.2f} "
            f"{max(cell.seconds):7.2f} {statistics.mean(cell.cpu):7.2f} {max(cell.cpu):7.2f}"
        )
    if args.show_worst:
        print()
        for (name, style), cell in results.items():
            for score, pid, text in sorted(cell.worst, reverse=True)[: args.show_worst]:
                print(f"worst {name}/{style} {pid} {score:.1%}: {text}")

    detector = load_detector()
    if detector is not None:
        positives = [p for p in posters if p.violation]
        negatives = [p for p in posters if not p.violation]
        true_recall = sum(detector(p.text) for p in positives) / max(1, len(positives))
        true_fp = sum(detector(p.text) for p in negatives)
        print()
        print(
            f"detector on true text: recall {true_recall:.1%} ({len(positives)} violations), "
            f"false positives {true_fp}/{len(negatives)}"
        )
        for (name, style), cell in results.items():
            recall = sum(detector(cell.texts[p.id]) for p in positives) / max(1, len(positives))
            fp = sum(detector(cell.texts[p.id]) for p in negatives)
            print(
                f"detector on {name}/{style} OCR text: recall {recall:.1%} "
                f"({(recall - true_recall) * 100:+.1f} points), "
                f"false positives {fp}/{len(negatives)}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
