"""Preprocessing (图像预处理) for phone photos of posters: small steps, chained by name.

Each step takes and returns a numpy image (H×W×3 RGB or H×W gray, uint8) and does one thing,
so the benchmark can measure which steps help which engine (benchmarks/ocr_quality.py).
Measured on the synthetic posters (see ocr/synth.py and PIPELINES below): tesseract needs
rectification, grayscale, illumination flattening and deskew; binarisation adds nothing after
that, and upscaling hurts. RapidOCR's own detector copes with colour, light and skew, and
does best on the image as is apart from rectifying the poster out of its surroundings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.uint8]
Matrix = NDArray[np.float64]  # 3×3 homography, input → output pixel coordinates
Step = Callable[[Array], Array]
GeometricStep = Callable[[Array], tuple[Array, Matrix]]

IDENTITY: Matrix = np.eye(3)
#: Longest side the engines see (see `shrink`).
MAX_SIDE = 2000


def to_gray(img: Array) -> Array:
    """RGB → 8-bit luminance (text is legible in luminance on nearly every poster palette)."""
    if img.ndim == 2:
        return img
    return np.asarray(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def upscale(img: Array, min_side: int = 1400, max_scale: float = 3.0) -> Array:
    """Enlarge small images so the text is tall enough for the recogniser (~20+ px).

    tesseract reads poorly below ~20 px x-height; a cropped web banner is often 400 px tall.
    """
    return _upscale(img, min_side, max_scale)[0]


def _upscale(img: Array, min_side: int = 1400, max_scale: float = 3.0) -> tuple[Array, Matrix]:
    short = min(img.shape[:2])
    if short >= min_side:
        return img, IDENTITY
    scale = min(max_scale, min_side / short)
    out = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return np.asarray(out, dtype=np.uint8), np.diag([scale, scale, 1.0])


def shrink(img: Array, max_side: int = MAX_SIDE) -> Array:
    """Reduce a large photo so its longer side is at most `max_side` pixels.

    A 12 MP phone photo of a poster has text far taller than any recogniser needs; reading
    it at full size cost tesseract and the rectification several times the time for no gain.
    """
    return _shrink(img, max_side)[0]


def _shrink(img: Array, max_side: int = MAX_SIDE) -> tuple[Array, Matrix]:
    longest = max(img.shape[:2])
    if longest <= max_side:
        return img, IDENTITY
    scale = max_side / longest
    out = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.asarray(out, dtype=np.uint8), np.diag([scale, scale, 1.0])


def denoise(img: Array) -> Array:
    """Remove sensor noise and JPEG speckle with a 3×3 median (cheap, keeps stroke edges)."""
    return np.asarray(cv2.medianBlur(img, 3), dtype=np.uint8)


def normalise_illumination(img: Array) -> Array:
    """Divide by an estimate of the background to flatten lighting gradients and shadows.

    The background is a heavy blur of a dilated copy (text strokes vanish under dilation of
    light paper); works on gray images, dark text on light paper or the inverse.
    """
    gray = to_gray(img)
    if _is_dark_background(gray):
        gray = np.asarray(cv2.bitwise_not(gray), dtype=np.uint8)
    size = max(15, (min(gray.shape) // 30) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    background = cv2.medianBlur(cv2.dilate(gray, kernel), 21)
    flat = cv2.divide(gray, background, scale=255)
    return np.asarray(flat, dtype=np.uint8)


def clahe(img: Array) -> Array:
    """Local contrast equalisation (CLAHE) of a gray image."""
    return np.asarray(
        cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(to_gray(img)), dtype=np.uint8
    )


def binarise(img: Array) -> Array:
    """Otsu threshold to black text on white (tesseract's favourite input)."""
    gray = to_gray(img)
    _, raw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bw = np.asarray(raw, dtype=np.uint8)
    if _is_dark_background(bw):
        bw = np.asarray(cv2.bitwise_not(bw), dtype=np.uint8)
    return bw


def _is_dark_background(gray: Array) -> bool:
    """True when most pixels are dark, i.e. light text on a dark poster."""
    return bool(np.median(gray) < 110)


def estimate_skew(img: Array, max_angle: float = 15.0) -> float:
    """Skew angle in degrees (positive = counter-clockwise text) from line-shaped blobs.

    Text lines are smeared into bars with a wide closing; each bar's minimum-area rectangle
    gives an angle, and the median of the long bars is the page skew.
    """
    gray = to_gray(img)
    _, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if np.count_nonzero(bw) > bw.size / 2:  # light text on a dark poster: text must be white
        bw = cv2.bitwise_not(bw)
    width = max(9, gray.shape[1] // 40)
    bars = cv2.morphologyEx(
        bw, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (width, 3))
    )
    # RETR_LIST: a poster's printed border would otherwise hide every line inside it.
    contours, _ = cv2.findContours(bars, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    angles: list[float] = []
    for contour in contours:
        rect = cv2.minAreaRect(contour)
        (w, h) = rect[1]
        if max(w, h) < gray.shape[1] * 0.15 or not 4 <= min(w, h) <= gray.shape[0] * 0.1:
            continue  # too short for a text line, or a block / border rather than a line
        # Direction of the bar's long side, in image coordinates (y down).
        corners = cv2.boxPoints(rect)
        edges = [corners[(i + 1) % 4] - corners[i] for i in range(2)]
        dx, dy = max(edges, key=lambda e: float(np.hypot(e[0], e[1])))
        angle = float(np.degrees(np.arctan2(-dy, dx)))  # counter-clockwise positive
        angle = (angle + 90.0) % 180.0 - 90.0  # a line has no direction: fold to [-90, 90)
        if abs(angle) <= max_angle:
            angles.append(angle)
    return float(np.median(angles)) if len(angles) >= 2 else 0.0


def deskew(img: Array) -> Array:
    """Rotate so text lines are horizontal; small angles (< 0.3°) are left alone."""
    return _deskew(img)[0]


def _deskew(img: Array) -> tuple[Array, Matrix]:
    angle = estimate_skew(img)
    if abs(angle) < 0.3:
        return img, IDENTITY
    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    border = 255 if img.ndim == 2 else (255, 255, 255)
    out = cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=border)
    return np.asarray(out, dtype=np.uint8), np.vstack([matrix, [0.0, 0.0, 1.0]])


def find_quad(img: Array, min_share: float = 0.2) -> NDArray[np.float32] | None:
    """Corners of the largest four-sided contour (a notice on a wall), or None.

    Returned clockwise from top-left. A quad covering almost the whole frame is not a
    notice inside a photo, so it is ignored.
    """
    gray = to_gray(img)
    scale = 800 / max(gray.shape) if max(gray.shape) > 800 else 1.0
    small = cv2.resize(gray, None, fx=scale, fy=scale) if scale < 1.0 else gray
    edges = cv2.Canny(cv2.GaussianBlur(small, (5, 5), 0), 40, 120)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    area_total = small.shape[0] * small.shape[1]
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        area = cv2.contourArea(contour)
        if area < min_share * area_total or area > 0.97 * area_total:
            continue
        approx = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            return _order_corners(approx.reshape(4, 2).astype(np.float32) / scale)
    return None


def _order_corners(pts: NDArray[np.float32]) -> NDArray[np.float32]:
    """Top-left, top-right, bottom-right, bottom-left."""
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array(
        [pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]],
        dtype=np.float32,
    )


def rectify(img: Array) -> Array:
    """Perspective-correct the notice found by `find_quad` (4-point warp); else unchanged."""
    return _rectify(img)[0]


def _rectify(img: Array) -> tuple[Array, Matrix]:
    quad = find_quad(img)
    if quad is None:
        return img, IDENTITY
    tl, tr, br, bl = quad
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    if width < 100 or height < 100:
        return img, IDENTITY
    target = np.array(
        [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32
    )
    matrix = cv2.getPerspectiveTransform(quad, target)
    out = cv2.warpPerspective(img, matrix, (width, height), flags=cv2.INTER_CUBIC)
    return np.asarray(out, dtype=np.uint8), np.asarray(matrix, dtype=np.float64)


STEPS: dict[str, Step] = {
    "shrink": shrink,
    "rectify": rectify,
    "gray": to_gray,
    "upscale": upscale,
    "denoise": denoise,
    "illumination": normalise_illumination,
    "clahe": clahe,
    "deskew": deskew,
    "binarise": binarise,
}
# Steps that move pixels: prepare() chains their matrices so boxes map back to the input.
_GEOMETRIC: dict[str, GeometricStep] = {
    "shrink": _shrink,
    "rectify": _rectify,
    "upscale": _upscale,
    "deskew": _deskew,
}

#: Default chains per engine, chosen with benchmarks/ocr_quality.py --steps on the 35
#: synthetic posters per style (CER after NFKC, clean / photo):
#: tesseract (chi_sim, psm 3): none 1.4 / 42.5 %; default chain 0.9 / 0.6 %; default without
#: rectify 3.0 / 5.6 %; default + binarise 1.1 / 0.8 %; default + upscale 6.6 / 2.7 %.
#: Before illumination flattening, Otsu alone wiped out coloured headlines.
#: rapidocr ("hard" style): shrink only 2.5 %; shrink,rectify 1.2 %; + upscale 1.7 %;
#: + denoise 1.1 % (within noise, not worth the time). Clean / photo: 0.1 / 0.0 %.
PIPELINES: dict[str, tuple[str, ...]] = {
    "tesseract": ("shrink", "rectify", "gray", "illumination", "deskew"),
    "rapidocr": ("shrink", "rectify"),
}


def prepare(img: Array, steps: Sequence[str]) -> tuple[Array, Matrix]:
    """Apply the named steps in order; also return the input → output homography.

    Unknown step names raise KeyError (a programming error, not a user error).
    """
    total: Matrix = IDENTITY
    for name in steps:
        if name in _GEOMETRIC:
            img, matrix = _GEOMETRIC[name](img)
            total = matrix @ total
        else:
            img = STEPS[name](img)
    return img, total


def map_box_back(
    box: tuple[float, float, float, float], matrix: Matrix, width: int, height: int
) -> tuple[int, int, int, int]:
    """Map a box in the prepared image back to the input image (bounding box of its corners),
    clipped to the input size."""
    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64)
    back = corners @ np.linalg.inv(matrix).T
    xs, ys = back[:, 0] / back[:, 2], back[:, 1] / back[:, 2]
    return (
        int(max(0, min(width, np.floor(xs.min())))),
        int(max(0, min(height, np.floor(ys.min())))),
        int(max(0, min(width, np.ceil(xs.max())))),
        int(max(0, min(height, np.ceil(ys.max())))),
    )
