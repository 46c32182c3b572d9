"""Text normalisation for matching, with offsets that map back to the text as given.

Ads evade keyword filters with full-width characters (１２％), traditional characters
(穩賺不賠), characters inserted between the letters of a word (保 本, 稳-赚, 高*回*报,
稳~赚~不~赔) and homophones (宝本, 担堡, 零凤险). Matching runs on a normalised copy; every
hit is mapped back to the original characters so a reviewer sees the real evidence.

The pipeline is built for speed (the crawler feeds whole pages):

1. one ``str.translate`` pass, 1:1 in length: NFKC for single-character expansions,
   traditional → simplified (OpenCC's character table), lower-case;
2. one ``re.sub`` that deletes filler (spaces, decoration symbols; hyphens, tildes and dots
   only between two CJK characters), so lengths change — the offset map is computed lazily,
   only when a caller asks for an original offset;
3. homophone / variant repair (宝本 → 保本), 1:1 in length because every variant has the
   same length as its canonical form (checked when the data file loads).

Chinese numerals are not rewritten here: the return-claim patterns read them in place
(see ``rules.numbers``), so offsets stay exact.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Inserted to break words; deleted wherever they appear. Newlines are kept: on posters they
# separate lines, and the context rules treat them as clause boundaries.
_DECOR = r"*★☆●○◆◇■□▲△▼▽♥♡❤✿❀※#@^`|丨_=<>《》「」『』【】\[\]{}\"'“”‘’…"
# Meaningful between digits (8.5, 8-12, 8~12) but filler between two CJK characters.
_SEP = r"\-—–~.·•"
_FILLER = re.compile(
    rf"(?<=[{CJK}])(?:[^\S\n]|[{_DECOR}{_SEP}])+(?=[{CJK}])"
    rf"|(?:[^\S\n]|[{_DECOR}])+"
)


@functools.lru_cache(maxsize=1)
def _translate_table() -> dict[int, str]:
    """NFKC (single-character results only), traditional → simplified, lower-case."""
    table: dict[int, str] = {}
    for code in range(0x20, 0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        norm = unicodedata.normalize("NFKC", ch).lower()
        if len(norm) == 1 and norm != ch:
            table[code] = norm
    table[0x3000] = " "  # ideographic space
    table[ord("\r")] = "\n"
    table[ord("\t")] = " "
    for arrow in "⟶➔➜➝➞⇒=":  # "2800⇒3500" style before/after amounts
        table.setdefault(ord(arrow), "→")
    table[ord("→")] = "→"
    for trad, simp in _opencc_chars().items():
        table[ord(trad)] = simp
    return table


def _opencc_chars() -> dict[str, str]:
    """Single-character traditional → simplified pairs from OpenCC's TSCharacters table."""
    import opencc  # imported here: only the table is needed, not the (slow) phrase converter

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    pairs: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            trad, _, simps = line.rstrip("\n").partition("\t")
            simp = simps.split(" ")[0] if simps else ""
            if len(trad) == 1 and len(simp) == 1 and trad != simp:
                pairs[trad] = simp
    return pairs


@dataclass
class Normalized:
    """A normalised copy of ``original`` and the means to map its offsets back."""

    original: str
    translated: str  # step 1 output, same length as ``original``
    text: str  # after deletion and variant repair
    _starts: list[int] | None = field(default=None, repr=False)
    _origins: list[int] | None = field(default=None, repr=False)

    def _build_map(self) -> tuple[list[int], list[int]]:
        """Segments (normalised start, original start) of kept text, computed on demand."""
        if self._starts is None or self._origins is None:
            starts, origins = [0], [0]
            kept = 0
            prev_end = 0
            for match in _FILLER.finditer(self.translated):
                kept += match.start() - prev_end
                prev_end = match.end()
                starts.append(kept)
                origins.append(match.end())
            self._starts, self._origins = starts, origins
        return self._starts, self._origins

    def original_index(self, index: int) -> int:
        """Original offset of the character at normalised ``index``."""
        starts, origins = self._build_map()
        seg = bisect.bisect_right(starts, index) - 1
        return origins[seg] + (index - starts[seg])

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` covering normalised ``[start, end)``."""
        if end <= start:
            pos = self.original_index(start) if start < len(self.text) else len(self.original)
            return pos, pos
        return self.original_index(start), self.original_index(end - 1) + 1


class Normalizer:
    """Runs the pipeline with one variant table (homophones, wrong characters)."""

    def __init__(self, variants: Mapping[str, str], keep: Sequence[str] = ()) -> None:
        """``variants`` maps a variant to its canonical spelling of equal length; ``keep``
        lists longer strings in which a variant is ordinary text (珠宝本店 is not 保本)."""
        for variant, canonical in variants.items():
            if len(variant) != len(canonical):
                raise ValueError(f"variant {variant!r} and {canonical!r} differ in length")
        self._variants = dict(variants)
        alternatives = sorted(set(variants) | set(keep), key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(re.escape(a) for a in alternatives)) if alternatives else None
        )

    def _repair(self, match: re.Match[str]) -> str:
        found = match.group()
        return self._variants.get(found, found)

    def __call__(self, text: str) -> Normalized:
        translated = text.translate(_translate_table())
        compact = _FILLER.sub("", translated)
        if self._pattern is not None:
            compact = self._pattern.sub(self._repair, compact)
        return Normalized(original=text, translated=translated, text=compact)


def warm_up() -> None:
    """Build the translation table now (about 0.1 s) rather than on the first detect()."""
    _translate_table()
