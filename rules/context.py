"""Context (语境): is the text a warning, a licensed product's disclosure, about investing;
is a hit negated or inside a warning sentence?

The same words (保本保息, 原始股, 养老) appear in anti-fraud warnings, in bank products'
risk disclosures and in negations (不承诺保本). The detector computes these facts once per
text, only when there is at least one hit, and consults them per hit.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from rules.lexicon import ContextCues

_SENTENCE_STOP = re.compile(r"[。！!？?；;\n]")
_CLAUSE_STOP = "，,。！!？?；;\n：:"


def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(set(words), key=len, reverse=True))))


@dataclass
class TextContext:
    """Facts about one normalised text."""

    text: str
    warning_markers: list[tuple[int, int, str]]
    warning_doc: bool
    disclosure: list[str]
    investment: bool
    _stops: list[int] = field(default_factory=list)

    def sentence_of(self, pos: int) -> tuple[int, int]:
        """``[start, end)`` of the sentence containing ``pos``."""
        i = bisect.bisect_right(self._stops, pos)
        start = self._stops[i - 1] + 1 if i > 0 else 0
        end = self._stops[i] if i < len(self._stops) else len(self.text)
        return start, end

    def in_warning_sentence(self, start: int, end: int) -> bool:
        """Whether a warning marker shares the sentence with ``[start, end)``."""
        s_lo, s_hi = self.sentence_of(start)
        return any(s_lo <= m_start < s_hi or s_lo < m_end <= s_hi
                   for m_start, m_end, _ in self.warning_markers)


class ContextReader:
    """Compiled context cues for one lexicon."""

    def __init__(self, cues: ContextCues) -> None:
        self.cues = cues
        self._warning = _alternation(cues.warning_terms)
        self._disclosure = _alternation(cues.disclosure_terms)
        self._investment = _alternation(cues.investment_terms)

    def read(self, text: str, has_claims: bool) -> TextContext:
        """Compute the context of normalised ``text``."""
        markers = [(m.start(), m.end(), m.group()) for m in self._warning.finditer(text)]
        for pattern in self.cues.warning_patterns:
            markers.extend((m.start(), m.end(), pattern.pattern) for m in pattern.finditer(text))
        distinct = {label for _, _, label in markers}
        return TextContext(
            text=text,
            warning_markers=markers,
            warning_doc=len(distinct) >= self.cues.warning_threshold,
            disclosure=sorted({m.group() for m in self._disclosure.finditer(text)}),
            investment=has_claims or self._investment.search(text) is not None,
            _stops=[m.start() for m in _SENTENCE_STOP.finditer(text)],
        )

    def negated(self, text: str, start: int) -> bool:
        """Whether a negator (不承诺, 非, 不保证 …) stands right before ``start`` in its clause."""
        lo = start
        limit = self.cues.negation_window
        while lo > 0 and start - lo < limit and text[lo - 1] not in _CLAUSE_STOP:
            lo -= 1
        window = text[lo:start]
        return bool(window) and self.cues.negation.search(window) is not None
