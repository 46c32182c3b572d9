"""Synthetic posters (合成海报) for tests, benchmarks and the demo.

Renders the invented copy in `ocr.synth_texts` with a CJK font from Debian's fonts-noto-cjk,
as a clean poster (what a web banner looks like) or as a phone photo of a poster in a lift
or on a notice board: framed, on a wall, in perspective, slightly rotated, unevenly lit,
blurred, noisy and JPEG-compressed. Everything is deterministic given the seed, so a test's
image and its ground truth never drift apart.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr.errors import OcrError
from ocr.synth_texts import POSTER_TEXTS, PosterText

Style = Literal["clean", "photo", "hard"]
#: The styles the benchmark targets are set for; "hard" is an extra stress test.
STYLES: tuple[Style, ...] = ("clean", "photo")
ALL_STYLES: tuple[Style, ...] = ("clean", "photo", "hard")

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_FILES = {False: "NotoSansCJK-Regular.ttc", True: "NotoSansCJK-Bold.ttc"}

# (background, headline, body) colours: the palettes seen on lift and street-hub posters.
PALETTES: tuple[tuple[tuple[int, int, int], ...], ...] = (
    ((255, 255, 255), (200, 20, 20), (20, 20, 20)),
    ((250, 240, 200), (170, 20, 20), (40, 30, 20)),
    ((190, 20, 25), (255, 230, 90), (255, 255, 255)),
    ((20, 60, 150), (255, 255, 255), (235, 240, 255)),
    ((255, 250, 235), (10, 90, 50), (30, 30, 30)),
)


class FontMissing(OcrError):
    """Raised when no CJK font is installed to render posters with."""

    code = "font_missing"


@dataclass(frozen=True)
class PhotoParams:
    """Ranges the phone-photo degradations are drawn from (uniform, per poster)."""

    jitter: tuple[float, float]  # corner displacement as a share of width, height
    max_angle: float  # degrees of camera roll
    light: tuple[float, float]  # darkest side's brightness factor
    glare: tuple[float, float]  # added brightness at the glare's centre
    scale: tuple[float, float]  # photo pixels per poster pixel
    blur: tuple[float, float]  # Gaussian sigma in pixels
    noise: tuple[float, float]  # sensor noise sigma
    quality: tuple[int, int]  # JPEG quality


#: A reasonable phone photo in a lift: headline ≈ 30-45 px, body ≈ 22-32 px tall.
PHOTO = PhotoParams(
    (0.07, 0.05), 6.0, (0.55, 0.75), (20, 60), (0.7, 0.95), (0.7, 1.5), (4.0, 9.0), (40, 75)
)
#: A poor one: from further away (body ≈ 15-19 px), dim, blurred, noisy, heavily compressed.
HARD = PhotoParams(
    (0.11, 0.08), 9.0, (0.35, 0.55), (40, 90), (0.45, 0.6), (1.2, 2.0), (8.0, 14.0), (25, 45)
)


@dataclass(frozen=True)
class Sample:
    """A rendered poster with its ground truth."""

    poster: PosterText
    style: Style
    seed: int
    image: Image.Image

    @property
    def text(self) -> str:
        """The true text (lines joined by newlines)."""
        return self.poster.text


@lru_cache(maxsize=2)
def find_cjk_font(bold: bool = False) -> Path:
    """Path of Noto Sans CJK (regular or bold); FontMissing names the Debian package."""
    name = FONT_FILES[bold]
    for root in FONT_DIRS:
        if root.is_dir():
            for path in sorted(root.rglob(name)):
                return path
    raise FontMissing(
        f"no CJK font found ({name} under {', '.join(map(str, FONT_DIRS))}); "
        "install Debian's fonts-noto-cjk"
    )


@lru_cache(maxsize=64)
def load_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The Simplified-Chinese face of the .ttc collection at `size` pixels."""
    path = find_cjk_font(bold)
    for index in range(10):
        try:
            font = ImageFont.truetype(str(path), size, index=index)
        except OSError:
            break
        if " SC" in " ".join(str(part) for part in font.getname()):
            return font
    return ImageFont.truetype(str(path), size, index=0)


def _fit_font(text: str, size: int, bold: bool, max_width: int) -> ImageFont.FreeTypeFont:
    """The largest font ≤ `size` at which `text` fits in `max_width` pixels."""
    while size > 12:
        font = load_font(size, bold)
        if font.getlength(text) <= max_width:
            return font
        size -= 2
    return load_font(12, bold)


def render_clean(poster: PosterText, seed: int = 0, width: int = 900) -> Image.Image:
    """A flat, upright poster: headline large and bold, body lines centred, a border."""
    rng = random.Random(seed)
    background, head_colour, body_colour = PALETTES[rng.randrange(len(PALETTES))]
    margin = width // 12
    usable = width - 2 * margin
    fonts = [_fit_font(poster.lines[0], int(width * 0.075), True, usable)]
    fonts += [_fit_font(line, int(width * 0.052), False, usable) for line in poster.lines[1:]]
    heights = [int(font.size * 1.25) for font in fonts]
    gap = int(width * 0.045)
    content = sum(heights) + gap * len(heights)
    height = max(int(width * 1.25), content + 2 * margin)
    img = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(img)
    draw.rectangle(
        (margin // 3, margin // 3, width - margin // 3, height - margin // 3),
        outline=head_colour,
        width=max(3, width // 150),
    )
    y = (height - content) // 2
    for i, (line, font) in enumerate(zip(poster.lines, fonts, strict=True)):
        colour = head_colour if i == 0 else body_colour
        x = (width - font.getlength(line)) / 2
        draw.text((x, y), line, font=font, fill=colour)
        y += heights[i] + gap + (gap if i == 0 else 0) // 2
    return img


def render_photo(
    poster: PosterText, seed: int = 0, width: int = 900, params: PhotoParams = PHOTO
) -> Image.Image:
    """The clean poster as a phone photo: frame, wall, perspective, light, blur, noise, JPEG."""
    p = params
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    clean = np.asarray(render_clean(poster, seed, width), dtype=np.uint8)
    frame = rng.randint(10, 22)
    framed = cv2.copyMakeBorder(
        clean,
        frame,
        frame,
        frame,
        frame,
        cv2.BORDER_CONSTANT,
        value=(rng.randint(40, 160),) * 3,
    )
    ph, pw = framed.shape[:2]
    cw, ch = int(pw * 1.3), int(ph * 1.3)
    wall = np.full((ch, cw, 3), [rng.randint(150, 225) for _ in range(3)], dtype=np.float32)
    wall += nrng.normal(0, 6, (ch, cw, 1)).astype(np.float32)
    x0, y0 = (cw - pw) / 2, (ch - ph) / 2
    corners = np.array([[x0, y0], [x0 + pw, y0], [x0 + pw, y0 + ph], [x0, y0 + ph]])
    jitter = np.array(
        [
            [
                rng.uniform(-p.jitter[0], p.jitter[0]) * cw,
                rng.uniform(-p.jitter[1], p.jitter[1]) * ch,
            ]
            for _ in range(4)
        ]
    )
    angle = np.deg2rad(rng.uniform(-p.max_angle, p.max_angle))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    centre = np.array([cw / 2, ch / 2])
    target = ((corners + jitter - centre) @ rot.T + centre).astype(np.float32)
    source = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, target)
    warped = cv2.warpPerspective(framed, matrix, (cw, ch), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((ph, pw), np.float32), matrix, (cw, ch))[..., None]
    photo = warped.astype(np.float32) * mask + wall * (1.0 - mask)
    # Lighting: a linear gradient in a random direction plus a soft vignette.
    yy, xx = np.mgrid[0:ch, 0:cw].astype(np.float32)
    theta = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(theta) * xx / cw + np.sin(theta) * yy / ch
    ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
    light = rng.uniform(*p.light) + rng.uniform(0.3, 0.45) * ramp
    vignette = 1.0 - 0.25 * (((xx / cw - 0.5) ** 2 + (yy / ch - 0.5) ** 2) * 2)
    photo *= (light * vignette)[..., None]
    # Glare: a soft bright spot where a lift's ceiling light reflects off the lamination.
    gx, gy, radius = rng.uniform(0.2, 0.8) * cw, rng.uniform(0.2, 0.8) * ch, 0.25 * cw
    glare = np.exp(-(((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * radius**2)))
    photo += (rng.uniform(*p.glare) * glare)[..., None]
    scale = rng.uniform(*p.scale)
    size = (int(cw * scale), int(ch * scale))
    photo = np.asarray(cv2.resize(photo, size, interpolation=cv2.INTER_AREA), np.float32)
    blurred = np.asarray(cv2.GaussianBlur(photo, (0, 0), rng.uniform(*p.blur)), np.float32)
    blurred += nrng.normal(0, rng.uniform(*p.noise), blurred.shape).astype(np.float32)
    out = Image.fromarray(np.clip(blurred, 0, 255).astype(np.uint8))
    return Image.open(io.BytesIO(encode(out, "JPEG", quality=rng.randint(*p.quality)))).convert(
        "RGB"
    )


def encode(img: Image.Image, fmt: str = "JPEG", quality: int = 90) -> bytes:
    """Image → file bytes (JPEG, PNG or WEBP) for feeding `ocr.read` or writing to disk."""
    out = io.BytesIO()
    if fmt.upper() in ("JPEG", "WEBP"):
        img.save(out, format=fmt.upper(), quality=quality)
    else:
        img.save(out, format=fmt.upper())
    return out.getvalue()


def render(poster: PosterText, style: Style, seed: int = 0, width: int = 900) -> Image.Image:
    """Render one poster in one style; `width` is the flat poster's width in pixels."""
    if style == "clean":
        return render_clean(poster, seed, width)
    return render_photo(poster, seed, width, HARD if style == "hard" else PHOTO)


def samples(
    styles: tuple[Style, ...] = STYLES,
    seed: int = 0,
    posters: tuple[PosterText, ...] = POSTER_TEXTS,
) -> list[Sample]:
    """Every poster in every style; poster i gets seed `seed + i` (deterministic)."""
    return [
        Sample(poster, style, seed + i, render(poster, style, seed + i))
        for style in styles
        for i, poster in enumerate(posters)
    ]


def write_samples(
    directory: Path, style: Style = "photo", seed: int = 0, limit: int | None = None
) -> list[Path]:
    """Write posters as JPEG files plus `<name>.txt` ground truth (used by the demo)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for i, poster in enumerate(POSTER_TEXTS[:limit]):
        path = directory / f"{poster.id}-{style}.jpg"
        path.write_bytes(encode(render(poster, style, seed + i), "JPEG", 88))
        path.with_suffix(".txt").write_text(poster.text + "\n", encoding="utf-8")
        written.append(path)
    return written
