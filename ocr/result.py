"""What `ocr.read` returns: the text in reading order plus the lines it was built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels of the (oriented) input image


@dataclass(frozen=True)
class OcrLine:
    """One recognised line (一行文字): its text, the engine's confidence 0..1 and its box."""

    text: str
    confidence: float
    box: Box

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape used by `admon ocr` (interfaces.md)."""
        return {"text": self.text, "confidence": round(self.confidence, 4), "box": list(self.box)}


@dataclass(frozen=True)
class OcrResult:
    """Text of one image, in reading order, with the engine that produced it and its time."""

    text: str
    lines: list[OcrLine] = field(default_factory=list)
    engine: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The `admon ocr` JSON object without the `file` key."""
        return {
            "engine": self.engine,
            "text": self.text,
            "lines": [line.to_dict() for line in self.lines],
            "seconds": round(self.seconds, 3),
        }
