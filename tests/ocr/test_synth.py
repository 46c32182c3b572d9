"""The poster generator: enough texts, both labels, deterministic, clear font error."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocr import synth
from ocr.synth import FontMissing, encode, render, write_samples
from ocr.synth_texts import POSTER_TEXTS


def test_at_least_thirty_texts_with_both_labels_and_unique_ids() -> None:
    assert len(POSTER_TEXTS) >= 30
    assert len({p.id for p in POSTER_TEXTS}) == len(POSTER_TEXTS)
    assert sum(p.violation for p in POSTER_TEXTS) >= 15
    assert sum(not p.violation for p in POSTER_TEXTS) >= 10


@pytest.mark.parametrize("style", ["clean", "photo"])
def test_same_seed_same_image(style: str) -> None:
    poster = POSTER_TEXTS[3]
    first = encode(render(poster, style, seed=7, width=400), "PNG")  # type: ignore[arg-type]
    assert first == encode(render(poster, style, seed=7, width=400), "PNG")  # type: ignore[arg-type]
    assert first != encode(render(poster, style, seed=8, width=400), "PNG")  # type: ignore[arg-type]


def test_photo_is_jpeg_like_and_larger_than_the_poster() -> None:
    clean = render(POSTER_TEXTS[0], "clean", width=400)
    photo = render(POSTER_TEXTS[0], "photo", width=400)
    assert photo.mode == "RGB"
    assert photo.width > clean.width * 0.85  # poster sits inside a wall, scaled like a phone


def test_write_samples_writes_image_and_truth(tmp_path: Path) -> None:
    paths = write_samples(tmp_path, "clean", limit=2)
    assert [p.name for p in paths] == ["p01-clean.jpg", "p02-clean.jpg"]
    assert paths[0].with_suffix(".txt").read_text(encoding="utf-8").strip() == POSTER_TEXTS[0].text


def test_missing_font_names_the_debian_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(synth, "FONT_DIRS", (tmp_path,))
    synth.find_cjk_font.cache_clear()
    synth.load_font.cache_clear()
    try:
        with pytest.raises(FontMissing, match="fonts-noto-cjk"):
            render(POSTER_TEXTS[0], "clean")
    finally:
        synth.find_cjk_font.cache_clear()
        synth.load_font.cache_clear()
