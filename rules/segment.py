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
        """Whether ``text[start:end]`` starts and ends on jieba word boundaries."""
        lo = max(0, start - _WINDOW)
        hi = min(len(text), end + _WINDOW)
        bounds = {lo}
        pos = lo
        for token in self._get().lcut(text[lo:hi], HMM=False):
            pos += len(token)
            bounds.add(pos)
        return start in bounds and end in bounds

    def cut(self, text: str) -> list[str]:
        """Segment ``text`` (used by benchmarks and tests)."""
        return list(self._get().lcut(text, HMM=False))
