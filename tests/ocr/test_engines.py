"""Real tesseract and real RapidOCR on generated posters (integration)."""

from __future__ import annotations

import concurrent.futures
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein

import ocr
from ocr.engines import get_engine
from ocr.synth import encode, render
from ocr.synth_texts import POSTER_TEXTS

pytestmark = pytest.mark.integration

# One lure, one notice, one with digits and Latin; different palettes.
POSTERS = [POSTER_TEXTS[i] for i in (1, 5, 27)]


def cer(truth: str, text: str) -> float:
    ref, hyp = "".join(truth.split()), "".join(text.split())
    return Levenshtein.distance(ref, hyp) / len(ref)


@pytest.fixture(scope="module")
def images() -> dict[str, list[tuple[str, bytes]]]:
    """(truth, file bytes) per style; photos as JPEG, clean posters as PNG.

    600 px wide posters keep body text ≈ 30 px tall and the suite quick.
    """
    out: dict[str, list[tuple[str, bytes]]] = {}
    for style, fmt in (("clean", "PNG"), ("photo", "JPEG")):
        out[style] = [
            (p.text, encode(render(p, style, seed=i, width=600), fmt))  # type: ignore[arg-type]
            for i, p in enumerate(POSTERS)
        ]
    return out


@pytest.mark.parametrize(
    ("engine", "style", "limit"),
    [
        ("rapidocr", "clean", 0.03),
        ("rapidocr", "photo", 0.06),
        ("tesseract", "clean", 0.12),
        ("tesseract", "photo", 0.15),
    ],
)
def test_engine_reads_posters(
    images: dict[str, list[tuple[str, bytes]]], engine: str, style: str, limit: float
) -> None:
    errors = []
    for truth, data in images[style]:
        result = ocr.read(data, engine=engine)
        assert result.engine == engine
        assert result.seconds > 0
        errors.append(cer(truth, result.text))
        width, height = Image.open(io.BytesIO(data)).size
        assert result.lines, "no lines recognised"
        for line in result.lines:
            x0, y0, x1, y1 = line.box
            assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
            assert 0.0 <= line.confidence <= 1.0
        assert result.text == "\n".join(line.text for line in result.lines)
    assert sum(errors) / len(errors) <= limit, errors


def test_auto_uses_rapidocr_when_installed() -> None:
    assert get_engine("auto").name == "rapidocr"


def test_exif_rotated_photo_is_read_upright(images: dict[str, list[tuple[str, bytes]]]) -> None:
    truth, data = images["clean"][0]
    upright = Image.open(io.BytesIO(data)).convert("RGB")
    stored = upright.rotate(90, expand=True)  # how the phone stored it: needs Orientation 6
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=92, exif=exif)
    assert cer(truth, ocr.read(out.getvalue(), engine="rapidocr").text) <= 0.05


def test_tesseract_timeout_is_an_ocr_timeout(images: dict[str, list[tuple[str, bytes]]]) -> None:
    with pytest.raises(ocr.OcrTimeout, match="within"):
        ocr.read(images["photo"][0][1], engine="tesseract", timeout=0.05)


def test_engines_are_shared_and_thread_safe(images: dict[str, list[tuple[str, bytes]]]) -> None:
    assert get_engine("rapidocr") is get_engine("rapidocr")
    data = encode(render(POSTERS[1], "clean", seed=1, width=400), "PNG")
    expected = ocr.read(data, engine="rapidocr").text
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        texts = list(pool.map(lambda d: ocr.read(d, engine="rapidocr").text, [data] * 3))
    assert texts == [expected] * 3


def test_path_input_and_unknown_engine(tmp_path: Path) -> None:
    with pytest.raises(ocr.OcrError, match="does not exist"):
        ocr.read(tmp_path / "missing.jpg")
    with pytest.raises(ocr.OcrError, match="does not exist"):
        ocr.read(str(tmp_path / "missing.jpg"))
    with pytest.raises(ocr.OcrError, match="is a directory"):
        ocr.read(tmp_path)
    with pytest.raises(ocr.OcrError, match="unknown OCR engine"):
        ocr.read(b"\xff\xd8\xff", engine="abbyy")


@pytest.mark.skipif(
    shutil.which("unshare") is None or os.geteuid() != 0,
    reason="needs unshare -n (root) to cut the network",
)
def test_rapidocr_runs_without_network(images: dict[str, list[tuple[str, bytes]]]) -> None:
    """The bundled models are used: no download is even attempted (no network namespace)."""
    truth, data = images["clean"][0]
    script = "import sys, ocr\nprint(ocr.read(sys.stdin.buffer.read(), engine='rapidocr').text)\n"
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("unshare -n is not permitted here")
    out = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", script],
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr.decode()[-500:]
    assert cer(truth, out.stdout.decode()) <= 0.03


# Last: a timed-out RapidOCR call keeps running in the background and holds the engine.
def test_rapidocr_timeout_is_an_ocr_timeout(images: dict[str, list[tuple[str, bytes]]]) -> None:
    get_engine("rapidocr")  # start-up is not part of the per-image limit
    with pytest.raises(ocr.OcrTimeout) as info:
        ocr.read(images["photo"][0][1], engine="rapidocr", timeout=0.05)
    assert info.value.code == "timeout"
