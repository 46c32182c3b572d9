"""Text normalisation for matching, with offsets that map back to the text as given.

Ads evade keyword filters with full-width characters (１２％), traditional characters
(穩賺不賠), characters inserted between the letters of a word (保 本, 稳-赚, 高*回*报,
稳~赚~不~赔) and homophones (宝本, 担堡, 零凤险). Matching runs on a normalised copy; every
hit is mapped back to the original characters so a reviewer sees the real evidence.

The pipeline is built for speed (the crawler feeds whole pages):

1. a 1:1 character translation (NFKC for single-character results, traditional →
   simplified from OpenCC's character table, lower-case), applied only to the runs of
   characters that need it, found with one character-class regex;
2. one pass that deletes filler (spaces, decoration symbols; hyphens, tildes and dots
   only between two CJK characters), so lengths change — it records a segment map (one
   entry per deleted run) from which any offset maps back with one bisect;
3. homophone / variant repair (宝本 → 保本), 1:1 in length because every variant has the
   same length as its canonical form (checked when the data file loads).

Chinese numerals are not rewritten here: the return-claim patterns read them in place
(see ``rules.numbers``), so offsets stay exact.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rules.trie import word_regex

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Inserted to break words; deleted wherever they appear. Newlines are kept: on posters they
# separate lines, and the context rules treat them as clause boundaries.
_DECOR = "*★☆●○◆◇■□▲△▼▽♥♡❤✿❀※#@^`|丨_=<>《》「」『』【】[]{}\"'“”‘’…"
# Meaningful between digits (8.5, 8-12, 8~12) but filler between two CJK characters.
_SEP = "-—–~.·•"
_WHITE = " \t\r\f\v\u00a0\u3000"
# Emoji, pictographs, dingbats, zero-width characters and variation selectors (保💰本)
_PICTO = ("\u200b-\u200f\u2060\ufe0e\ufe0f\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff"
          "\U0001f000-\U0001faff")
_PURE_SPLIT = re.compile("([" + re.escape(_WHITE + _DECOR) + _PICTO + "]+)")
# a separator run with CJK on both sides: the character class comes first so the engine
# scans for separators quickly; the fixed-width lookbehind then checks the left neighbour
_SEP_BETWEEN_CJK = re.compile(
    f"[{re.escape(_SEP)}](?<=[{CJK}][{re.escape(_SEP)}])[{re.escape(_SEP)}]*(?=[{CJK}])"
)
# every pinyin-mixed spelling has a Latin letter; a page without one skips that pass
_LATIN = re.compile("[a-z]")
# Full-width Chinese punctuation is left as it is (it is frequent, and every pattern accepts
# both forms); translating it would cost a dictionary lookup per character of every page.
_KEEP_AS_IS = "，。、：；！？（）"


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
    for arrow in "⟶➔➜➝➞⇒":  # "2800⇒3500" style before/after amounts
        table[ord(arrow)] = "→"
    for trad, simp in _opencc_chars().items():
        table[ord(trad)] = simp
    for ch in _KEEP_AS_IS:
        table.pop(ord(ch), None)
    # financial (capital) numerals: 贰万 → 二万 (陆 is also a common word; see variants.yaml)
    for capital, plain in zip("壹贰叁肆伍柒捌玖拾佰仟", "一二三四五七八九十百千", strict=True):
        table[ord(capital)] = plain
    return table


@functools.lru_cache(maxsize=1)
def _translatable() -> frozenset[str]:
    return frozenset(chr(code) for code in _translate_table())


@functools.lru_cache(maxsize=1)
def _translatable_automaton() -> Any:
    """ahocorasick-rs over the translatable characters, when installed: finding which of
    them a page contains is then a fast scan rather than a set built from every character."""
    try:
        import ahocorasick_rs
    except ImportError:
        return None
    return ahocorasick_rs.AhoCorasick(sorted(_translatable()))


def _present(text: str) -> set[str]:
    automaton = _translatable_automaton()
    if automaton is None:
        return set(_translatable() & set(text))
    return set(automaton.find_matches_as_strings(text))


def _translate(text: str) -> str:
    """Apply the table. Most Chinese pages contain only a handful of distinct characters
    that need it (a full-width digit, an upper-case letter); those are replaced one by one
    with ``str.replace``, which is much faster than translating every character."""
    present = _present(text)
    if not present:
        return text
    table = _translate_table()
    if len(present) > 24:
        return text.translate(table)
    for ch in present:
        text = text.replace(ch, table[ord(ch)])
    return text


def _leftmost_automaton(words: list[str]) -> Any:
    """A leftmost-longest automaton over ``words`` (ahocorasick-rs), or a regex fallback."""
    if not words:
        return None
    try:
        import ahocorasick_rs
    except ImportError:
        return _RegexFinder(words)
    return ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)


class _RegexFinder:
    """The part of ahocorasick-rs's interface used here, over a trie regex."""

    def __init__(self, words: list[str]) -> None:
        self._index = {w: i for i, w in enumerate(words)}
        self._pattern = re.compile(word_regex(set(words)))

    def find_matches_as_indexes(self, text: str) -> list[tuple[int, int, int]]:
        return [(self._index[m.group()], m.start(), m.end()) for m in self._pattern.finditer(text)]


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


class SegmentMap:
    """Maps offsets of a text with some spans deleted back to the text before deletion.

    ``starts[k]``/``origins[k]``: from ``starts[k]`` on, the shorter text continues the
    longer one from ``origins[k]`` on, character for character, up to the next segment.
    """

    __slots__ = ("origins", "starts")

    def __init__(self, starts: list[int] | None = None, origins: list[int] | None = None) -> None:
        self.starts = starts or [0]
        self.origins = origins or [0]

    @classmethod
    def from_spans(cls, deleted: list[tuple[int, int]]) -> SegmentMap:
        """The map for deleting ``deleted`` (sorted, non-overlapping) spans."""
        starts, origins = [0], [0]
        removed = 0
        for start, end in deleted:
            starts.append(start - removed)
            removed += end - start
            origins.append(end)
        return cls(starts, origins)

    def index(self, i: int) -> int:
        """Offset before deletion of the character at ``i``."""
        if len(self.starts) == 1:
            return i
        seg = bisect.bisect_right(self.starts, i) - 1
        return self.origins[seg] + (i - self.starts[seg])


def _delete(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    pieces, prev = [], 0
    for start, end in spans:
        pieces.append(text[prev:start])
        prev = end
    pieces.append(text[prev:])
    return "".join(pieces)


def _strip_filler(text: str) -> tuple[str, SegmentMap, SegmentMap]:
    """Delete filler in two passes, each with its segment map.

    1. whitespace and decoration symbols always go;
    2. separators (- ~ . ·) go only when they sit between two CJK characters (稳-赚 → 稳赚,
       but 8-12% and 8.5 stay) — a Python check per separator run, which are rare.
    """
    # re.split with a group alternates kept and deleted pieces; lengths and running sums
    # are then C-level work (map, accumulate) instead of a Python step per deleted run.
    pieces = _PURE_SPLIT.split(text)
    if len(pieces) == 1:
        first, outer = text, SegmentMap()
    else:
        kept = pieces[0::2]
        first = "".join(kept)
        ends = list(itertools.accumulate(map(len, pieces)))
        kept_ends = list(itertools.accumulate(map(len, kept)))
        outer = SegmentMap([0, *kept_ends[:-1]], [0, *ends[1::2]])
    spans2 = [m.span() for m in _SEP_BETWEEN_CJK.finditer(first)]
    return _delete(first, spans2), outer, SegmentMap.from_spans(spans2)


@dataclass
class Normalized:
    """A normalised copy of ``original`` and the means to map its offsets back."""

    original: str
    text: str
    _outer: SegmentMap = field(default_factory=SegmentMap, repr=False)
    _inner: SegmentMap = field(default_factory=SegmentMap, repr=False)

    def original_index(self, index: int) -> int:
        """Original offset of the character at normalised ``index``."""
        return self._outer.index(self._inner.index(index))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` covering normalised ``[start, end)``."""
        if end <= start:
            pos = self.original_index(start) if start < len(self.text) else len(self.original)
            return pos, pos
        # the two maps inlined: this runs once per hit, and hits are the detector's most
        # frequent objects on pages full of ad copy
        last = end - 1
        inner, outer = self._inner, self._outer
        if len(inner.starts) > 1:
            seg = bisect.bisect_right(inner.starts, start) - 1
            start = inner.origins[seg] + (start - inner.starts[seg])
            seg = bisect.bisect_right(inner.starts, last) - 1
            last = inner.origins[seg] + (last - inner.starts[seg])
        if len(outer.starts) > 1:
            seg = bisect.bisect_right(outer.starts, start) - 1
            start = outer.origins[seg] + (start - outer.starts[seg])
            seg = bisect.bisect_right(outer.starts, last) - 1
            last = outer.origins[seg] + (last - outer.starts[seg])
        return start, last + 1


class Normalizer:
    """Runs the pipeline with one variant table (homophones, wrong characters)."""

    def __init__(self, variants: Mapping[str, str], keep: Sequence[str] = (),
                 spelled: Mapping[str, str] | None = None) -> None:
        """``variants`` maps a variant to its canonical spelling of equal length; ``keep``
        lists longer strings in which a variant is ordinary text (珠宝本店 is not 保本)."""
        for variant, canonical in variants.items():
            if len(variant) != len(canonical):
                raise ValueError(f"variant {variant!r} and {canonical!r} differ in length")
        self._variants = dict(variants)
        alternatives = set(variants) | set(keep)
        # one leftmost-longest automaton pass finds variants and the keep words that
        # shield them (珠宝本店); a keep word maps to itself
        self._variant_words = sorted(alternatives)
        self._variant_automaton = _leftmost_automaton(self._variant_words)
        # pinyin-mixed spellings (bao本 → 保__本): rewritten before the filler is stripped
        self._spelled = dict(spelled or {})
        for variant, padded in self._spelled.items():
            if len(variant) != len(padded):
                raise ValueError(f"spelling {variant!r} and {padded!r} differ in length")
        self._spelled_words = sorted(self._spelled)
        self._spelled_automaton = _leftmost_automaton(self._spelled_words)

    def _respell_all(self, text: str) -> str:
        """bao本 → 保__本 (one Rust automaton pass; most pages have no such spelling)."""
        found = self._spelled_automaton.find_matches_as_indexes(text)
        if not found:
            return text
        pieces, prev = [], 0
        for index, start, end in found:
            pieces.append(text[prev:start])
            pieces.append(self._spelled[self._spelled_words[index]])
            prev = end
        pieces.append(text[prev:])
        return "".join(pieces)

    def _repair_all(self, text: str) -> str:
        found = self._variant_automaton.find_matches_as_indexes(text)
        if not found:
            return text
        pieces, prev = [], 0
        for index, start, end in found:
            word = self._variant_words[index]
            pieces.append(text[prev:start])
            pieces.append(self._variants.get(word, word))
            prev = end
        pieces.append(text[prev:])
        return "".join(pieces)

    def __call__(self, text: str) -> Normalized:
        plain = _translate(text)
        if self._spelled_automaton is not None and _LATIN.search(plain):
            plain = self._respell_all(plain)
        compact, outer, inner = _strip_filler(plain)
        if self._variant_automaton is not None:
            compact = self._repair_all(compact)
        return Normalized(original=text, text=compact, _outer=outer, _inner=inner)


def warm_up() -> None:
    """Build the translation tables now (about 0.2 s) rather than on the first detect()."""
    _translatable()
