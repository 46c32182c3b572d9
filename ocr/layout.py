"""Reading order (阅读顺序): turn an engine's boxes into lines and the lines into text.

Engines return fragments (tesseract: words or single characters; RapidOCR: line pieces) in
their own order. A poster is read top to bottom, left to right, so fragments whose vertical
extents overlap enough form one line, sorted by x. Chinese is written without spaces, so
fragments are joined without one unless both sides are Latin letters or digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ocr.result import Box, OcrLine

# A space between two CJK characters (or CJK and full-width punctuation) is an OCR artefact.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_GAP = re.compile(
    rf"(?<=[{_CJK}])\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+(?=\w)|(?<=\w)\s+(?=[{_CJK}])"
)
_SPACES = re.compile(r"\s+")

#: Two fragments share a line when their vertical overlap is at least this share of the
#: smaller height; 0.5 keeps a subscript-like small line from merging with a title.
LINE_OVERLAP = 0.5


def tidy(text: str) -> str:
    """Collapse whitespace and drop spaces that sit next to CJK characters."""
    text = _SPACES.sub(" ", text).strip()
    return _CJK_GAP.sub("", text)


def needs_space(left: str, right: str) -> bool:
    """Whether two fragments need a space between them (both sides ASCII alphanumerics)."""
    if not left or not right:
        return False
    a, b = left[-1], right[0]
    return a.isascii() and b.isascii() and a.isalnum() and b.isalnum()


def join_fragments(texts: Iterable[str]) -> str:
    """Join fragments of one line, with a space only between Latin words or numbers."""
    out = ""
    for piece in texts:
        piece = tidy(piece)
        if not piece:
            continue
        out = f"{out} {piece}" if needs_space(out, piece) else out + piece
    return out


def union_box(boxes: Sequence[Box]) -> Box:
    """The smallest box containing all `boxes`."""
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _overlap_ratio(a: Box, b: Box) -> float:
    """Vertical overlap of two boxes as a share of the smaller height."""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    height = min(a[3] - a[1], b[3] - b[1])
    return overlap / height if height > 0 else 0.0


def group_lines(fragments: Sequence[OcrLine]) -> list[OcrLine]:
    """Group fragments into lines in reading order; confidence is length-weighted."""
    rows: list[list[OcrLine]] = []
    for frag in sorted(fragments, key=lambda f: ((f.box[1] + f.box[3]) / 2, f.box[0])):
        if not frag.text.strip():
            continue
        for row in rows:
            if _overlap_ratio(union_box([f.box for f in row]), frag.box) >= LINE_OVERLAP:
                row.append(frag)
                break
        else:
            rows.append([frag])
    lines = []
    for row in rows:
        row.sort(key=lambda f: f.box[0])
        text = join_fragments(f.text for f in row)
        if not text:
            continue
        weights = [max(1, len(f.text.strip())) for f in row]
        confidence = sum(f.confidence * w for f, w in zip(row, weights, strict=True)) / sum(weights)
        lines.append(OcrLine(text, confidence, union_box([f.box for f in row])))
    lines.sort(key=lambda line: (line.box[1], line.box[0]))
    return lines


def lines_text(lines: Sequence[OcrLine]) -> str:
    """The text of an image: its lines joined by newlines."""
    return "\n".join(line.text for line in lines)
