"""Display copies (展示副本) of untrusted images.

An upload's original bytes go only to the evidence store. Anything shown in a browser is
re-encoded from decoded pixels, so appended scripts (a JPEG/HTML polyglot, faults.md row 5),
EXIF GPS and other metadata (row 7) cannot survive: the output holds pixels and nothing else.
"""

from __future__ import annotations

import io
from typing import Literal

from PIL import Image

from ocr.loader import LoadedImage

DisplayFormat = Literal["JPEG", "PNG"]


def display_copy(
    loaded: LoadedImage,
    fmt: DisplayFormat = "JPEG",
    max_side: int | None = 2048,
    quality: int = 85,
) -> bytes:
    """Re-encode an already-upright image as metadata-free JPEG or PNG bytes.

    `max_side` bounds the longer side (None keeps the size) so the web page stays light.
    """
    img = loaded.image
    if max_side is not None and max(img.size) > max_side:
        scale = max_side / max(img.size)
        size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        img = img.resize(size, Image.Resampling.LANCZOS)
    # A fresh image from raw pixels carries no info dict (no exif, icc_profile, comments).
    clean = Image.frombytes("RGB", img.size, img.convert("RGB").tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, format="JPEG", quality=quality, optimize=True)
    else:
        clean.save(out, format="PNG", optimize=False)
    return out.getvalue()
