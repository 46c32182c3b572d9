"""Split a lead's text into plain and highlighted pieces from the detector's offsets.

The template prints every piece through autoescape; nothing here produces markup, so a
crawled `<script>` can only ever appear as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Piece:
    """A run of the text; `hit` is the index into the hits list when highlighted."""

    text: str
    hit: int | None = None


def pieces(text: str, hits: Sequence[Mapping[str, Any]]) -> list[Piece]:
    """Pieces of `text` in order; overlapping hits are merged into the first one's piece.

    Offsets outside the text (a hit stored against another version's text) are ignored
    rather than trusted.
    """
    spans = sorted(
        (
            (int(h["start"]), int(h["end"]), index)
            for index, h in enumerate(hits)
            if isinstance(h.get("start"), int)
            and isinstance(h.get("end"), int)
            and 0 <= h["start"] < h["end"] <= len(text)
        ),
        key=lambda span: (span[0], -span[1]),
    )
    result: list[Piece] = []
    cursor = 0
    for start, end, index in spans:
        if end <= cursor:
            continue
        start = max(start, cursor)
        if start > cursor:
            result.append(Piece(text[cursor:start]))
        result.append(Piece(text[start:end], index))
        cursor = end
    if cursor < len(text):
        result.append(Piece(text[cursor:]))
    return result
