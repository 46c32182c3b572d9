"""Context (语境): is the text a warning, a licensed product's disclosure, about investing;
is a hit negated or inside a warning sentence?

The same words (保本保息, 原始股, 养老) appear in anti-fraud warnings, in bank products'
risk disclosures and in negations (不承诺保本). The detector computes these facts once per
text, only when there is at least one hit, and consults them per hit.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

from rules.lexicon import ContextCues

_SENTENCE_STOPS = "。！!？?；;\n"
_CLAUSE_STOP = "，,。！!？?；;\n：:"
_MAX_MARKERS = 1000  # per warning pattern; a page with more is a warning through and through
_SENTENCE_SPAN = 200  # a "sentence" longer than this is cut (run-on pages without stops)
# 投资有风险？我们没有！ — a disclosure asked and denied is the advertiser's boast, not a licence
_RHETORICAL = re.compile(r"[？?]+[^。！!；;\n]{0,4}?(?:没有|不存在|为零|零风险|不会有|不用怕)")


def _in_two_sentences(text: str, starts: list[int]) -> bool:
    """Do the marker `starts` fall in more than one sentence? (One sentence's bounds and
    a comparison per marker, not a sentence lookup each.)"""
    if len(starts) < 2:
        return False
    probe = TextContext(text=text, warning_markers=[], warning_doc=False, disclosure=[],
                        investment=False)
    lo, hi = probe.sentence_of(min(starts))
    return any(start < lo or start >= hi for start in starts)


@dataclass
class TextContext:
    """Facts about one normalised text."""

    text: str
    warning_markers: list[tuple[int, int, str]]
    warning_doc: bool
    disclosure: list[str]
    investment: bool
    _marker_starts: list[int] | None = field(default=None, repr=False)

    def sentence_of(self, pos: int) -> tuple[int, int]:
        """``[start, end)`` of the sentence containing ``pos`` (a local scan, no index)."""
        text = self.text
        lo = max(0, pos - _SENTENCE_SPAN)
        start = max((text.rfind(ch, lo, pos) for ch in _SENTENCE_STOPS), default=-1)
        start = start + 1 if start >= 0 else lo
        hi = min(len(text), pos + _SENTENCE_SPAN)
        ends = [i for i in (text.find(ch, pos, hi) for ch in _SENTENCE_STOPS) if i >= 0]
        return start, min(ends) if ends else hi

    def in_warning_sentence(self, start: int, end: int) -> bool:
        """Whether a warning marker starts in the sentence of ``[start, end)`` (bisect over
        the sorted marker starts, so pages with thousands of hits stay fast)."""
        if not self.warning_markers:
            return False
        if self._marker_starts is None:
            self._marker_starts = sorted(m_start for m_start, _, _ in self.warning_markers)
        s_lo, s_hi = self.sentence_of(start)
        i = bisect.bisect_left(self._marker_starts, s_lo)
        return i < len(self._marker_starts) and self._marker_starts[i] < s_hi


class ContextReader:
    """Context cues for one lexicon; the words themselves are found by the matcher's
    automaton (``cue_words``), the warning patterns here."""

    def __init__(self, cues: ContextCues) -> None:
        self.cues = cues

    def cue_words(self) -> dict[str, tuple[str, ...]]:
        """Cue lists for the matcher, by kind."""
        return {"warning": self.cues.warning_terms, "disclosure": self.cues.disclosure_terms,
                "investment": self.cues.investment_terms}

    def read(self, text: str, found: dict[str, list[tuple[int, int, str]]],
             has_claims: bool) -> TextContext:
        """Compute the context of normalised ``text`` from the cues the matcher ``found``."""
        # a denied marker (不是骗局, 绝非非法集资) is the scammer's reassurance, not a warning
        markers = [m for m in found.get("warning", ()) if not self._denied(text, m[0])]
        for pattern in self.cues.warning_patterns:
            matches = ((m.start(), m.end(), pattern.pattern) for m in pattern.finditer(text))
            markers.extend(itertools.islice(matches, _MAX_MARKERS))
        distinct = {label for _, _, label in markers}
        # A warning throughout has its words in two sentences or more: a listing page's one
        # notice line (本站提醒：谨防诈骗，切勿相信…) must not shield the ads beside it
        # (nor an ad that adds such a line itself); its own sentence is still suppressed.
        warning_doc = (len(distinct) >= self.cues.warning_threshold
                       and _in_two_sentences(text, [start for start, _, _ in markers]))
        return TextContext(
            text=text,
            warning_markers=markers,
            warning_doc=warning_doc,
            disclosure=sorted({word for _, end, word in found.get("disclosure", ())
                               if not _RHETORICAL.match(text, end)}),
            investment=has_claims or bool(found.get("investment")),
        )

    def _denied(self, text: str, start: int) -> bool:
        """Whether a denial (不是, 绝非 …) stands right before a warning word."""
        return self.cues.denial.search(text, max(0, start - 4), start) is not None

    def negated(self, text: str, start: int) -> bool:
        """Whether a negator (不承诺, 非, 不保证 …) stands right before ``start`` in its clause."""
        lo = start
        limit = self.cues.negation_window
        while lo > 0 and start - lo < limit and text[lo - 1] not in _CLAUSE_STOP:
            lo -= 1
        window = text[lo:start]
        return bool(window) and self.cues.negation.search(window) is not None
