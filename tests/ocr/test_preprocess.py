"""Preprocessing steps on rendered posters (unit: OpenCV only, no OCR engine)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr.preprocess import (
    binarise,
    estimate_skew,
    find_quad,
    map_box_back,
    normalise_illumination,
    prepare,
    upscale,
)
from ocr.synth import render_clean, render_photo
from ocr.synth_texts import POSTER_TEXTS


@pytest.fixture(scope="module")
def poster() -> np.ndarray:
    return np.asarray(render_clean(POSTER_TEXTS[0], seed=0), dtype=np.uint8)


def rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return np.asarray(cv2.warpAffine(img, matrix, (w, h), borderValue=(255, 255, 255)), np.uint8)


@pytest.mark.parametrize("degrees", [-5.0, 3.0])
def test_skew_is_estimated(poster: np.ndarray, degrees: float) -> None:
    assert abs(estimate_skew(rotate(poster, degrees)) - degrees) < 1.0
    assert abs(estimate_skew(poster)) < 0.5


def test_poster_found_and_rectified_in_a_photo() -> None:
    photo = np.asarray(render_photo(POSTER_TEXTS[1], seed=1), dtype=np.uint8)
    quad = find_quad(photo)
    assert quad is not None
    h, w = photo.shape[:2]
    area = cv2.contourArea(quad.reshape(-1, 1, 2))
    assert 0.3 * w * h < area < 0.9 * w * h
    rectified, matrix = prepare(photo, ["rectify"])
    assert rectified.shape != photo.shape
    assert not np.allclose(matrix, np.eye(3))


def test_flat_image_has_no_quad() -> None:
    assert find_quad(np.full((300, 400, 3), 200, np.uint8)) is None


def test_boxes_map_back_through_geometric_steps(poster: np.ndarray) -> None:
    small = cv2.resize(poster, (300, 375))
    prepared, matrix = prepare(np.asarray(small, np.uint8), ["gray", "upscale"])
    assert prepared.shape[:2] == (1125, 900)  # 3× (the largest upscale)
    scale = prepared.shape[1] / 300
    box = map_box_back((10 * scale, 20 * scale, 110 * scale, 60 * scale), matrix, 300, 375)
    assert all(abs(a - b) <= 1 for a, b in zip(box, (10, 20, 110, 60), strict=True))


def test_illumination_flattens_a_gradient(poster: np.ndarray) -> None:
    ramp = np.linspace(0.45, 1.0, poster.shape[1])[None, :, None]
    dim = (poster.astype(np.float32) * ramp).astype(np.uint8)
    flat = normalise_illumination(dim)
    left, right = flat[:, : flat.shape[1] // 10], flat[:, -flat.shape[1] // 10 :]
    # paper on both sides ends up about equally bright
    assert abs(float(np.median(left)) - float(np.median(right))) < 15


def test_binarise_gives_dark_text_on_white() -> None:
    red_poster = np.asarray(render_clean(POSTER_TEXTS[2], seed=2), dtype=np.uint8)
    bw = binarise(red_poster)
    assert set(np.unique(bw)) <= {0, 255}
    assert np.count_nonzero(bw == 255) > bw.size / 2


def test_upscale_leaves_big_images_alone(poster: np.ndarray) -> None:
    assert upscale(poster, min_side=500) is poster
