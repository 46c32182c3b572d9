"""Word boundaries with jieba, only where they matter.

Short terms are ambiguous inside longer words: 基金 in 慈善基金会, 保本 in 确保本次, 养老 in
养老院. For rules marked ``boundary: true`` the detector asks jieba whether the hit is a word
of its own — by segmenting a small window around the hit, never the whole page (jieba runs
at well under 1 MB/s; the detector must not). The tokenizer gets a user dictionary of the
lexicon's multi-character terms so it keeps 售后返租, 以房养老, 保本保息 whole.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

import jieba

_WINDOW = 8
# jieba's re_han_default class: the characters it keeps together in one block
_BLOCK_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+#&._%-")


def _in_block(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fd5" or ch in _BLOCK_CHARS


class Segmenter:
    """A private jieba tokenizer with the domain's terms added (lazy, thread-safe)."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words = sorted({w for w in words if len(w) >= 2})
        self._tokenizer: jieba.Tokenizer | None = None
        self._lock = threading.Lock()

    def _get(self) -> jieba.Tokenizer:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    jieba.setLogLevel(logging.WARNING)
                    tokenizer = jieba.Tokenizer()
                    tokenizer.initialize()
                    for word in self._words:
                        tokenizer.add_word(word, freq=20000)
                    self._tokenizer = tokenizer
        return self._tokenizer

    def warm_up(self) -> None:
        """Load jieba's dictionary now (about a second) rather than on the first boundary
        check, which would otherwise land in the middle of some page's detection."""
        self._get()

    def is_word(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` starts and ends on jieba word boundaries.

        The same boundaries as ``lcut(text[lo:hi], HMM=False)``, computed on the one block
        jieba would cut the hit out of (the run of characters of its ``re_han`` class around
        the hit, within the window): jieba's DAG and best route over that block, without
        the regex split, generator and word strings of ``lcut``. A hit reaching outside
        that character class goes through ``lcut`` itself.
        """
        lo = max(0, start - _WINDOW)
        hi = min(len(text), end + _WINDOW)
        if not all(ch in _BLOCK_CHARS or "\u4e00" <= ch <= "\u9fd5" for ch in text[start:end]):
            return self._is_word_lcut(text, start, end, lo, hi)
        b_lo = start
        while b_lo > lo and _in_block(text[b_lo - 1]):
            b_lo -= 1
        b_hi = end
        while b_hi < hi and _in_block(text[b_hi]):
            b_hi += 1
        block = text[b_lo:b_hi]
        tokenizer = self._get()
        route: dict[int, tuple[float, int]] = {}
        tokenizer.calc(block, tokenizer.get_DAG(block), route)
        rel_start, rel_end = start - b_lo, end - b_lo
        x = 0
        found_start = rel_start == 0
        while x < rel_end:
            x = route[x][1] + 1
            if x == rel_start:
                found_start = True
        return found_start and x == rel_end

    def _is_word_lcut(self, text: str, start: int, end: int, lo: int, hi: int) -> bool:
        bounds = {lo}
        pos = lo
        for token in self._get().lcut(text[lo:hi], HMM=False):
            pos += len(token)
            bounds.add(pos)
        return start in bounds and end in bounds

    def cut(self, text: str) -> list[str]:
        """Segment ``text`` (used by benchmarks and tests)."""
        return list(self._get().lcut(text, HMM=False))
