"""Render the demo posters: Chinese text drawn with fonts-noto-cjk into a PNG.

The demo's image-only ads must exist only as pixels, so they are drawn at run time from
`images.yaml` rather than committed as opaque binaries.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_CANDIDATES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
)


class FontMissing(RuntimeError):
    """No CJK font to draw the demo posters with (Debian package fonts-noto-cjk)."""


def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """The first installed Noto CJK font at `size` pixels."""
    for path in FONT_CANDIDATES:
        if path.exists():
            return ImageFont.truetype(str(path), size=size)
    raise FontMissing("no CJK font found: install the Debian package fonts-noto-cjk")


def render_poster(lines: tuple[str, ...] | list[str], size: int = 44) -> bytes:
    """A white PNG with `lines` in dark text, large enough for tesseract to read."""
    font = cjk_font(size)
    pad, gap = 40, size // 2
    widths = [int(font.getlength(line)) for line in lines]
    width = max(widths, default=100) + 2 * pad
    height = len(lines) * (size + gap) + 2 * pad
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((pad, pad + i * (size + gap)), line, fill=(20, 20, 20), font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
