"""Finding raw rule matches in normalised text: Aho-Corasick for words, regexes for patterns.

One automaton (ahocorasick-rs when installed, else pyahocorasick) holds every ``terms``
rule's words, the context cues (warning, disclosure, investment words) and the pattern
rules' anchors, so a page is scanned once whatever the size of the lexicon. A pattern rule
with anchors runs only in windows around them (regexes over a whole page cost far more
than the automaton); one without anchors runs everywhere. Raw matches are filtered later
by context (rules.detector).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from rules.lexicon import Rule

_REACH = 45  # characters a pattern match may extend beyond its anchor on either side
#: Raw matches kept per rule and per cue kind, in text order. Context decides which count;
#: past this many, a page is one text pasted over and over and more copies change nothing.
MAX_RAW = 1000


# per word: (length, rules it is a term of, the (rule id, pattern index) pairs it anchors,
# context cue kinds it signals)
_Payload = tuple[int, tuple[Rule, ...], tuple[tuple[str, int], ...], tuple[str, ...]]


def _anchored_patterns(rule: Rule, anchor: str) -> tuple[int, ...]:
    """Indexes of the patterns of ``rule`` an anchor word stands for: those whose source
    spells the word out (名额 → the 名额有限 pattern only), or all of them when none does
    (an anchor that sits next to a match rather than inside it)."""
    spelled = tuple(i for i, p in enumerate(rule.patterns) if anchor in p.pattern)
    if not spelled:  # spelled with optional parts: 万元?起 spells 万元起
        spelled = tuple(i for i, p in enumerate(rule.patterns)
                        if anchor in _OPTIONAL_MARK.sub("", p.pattern)
                        or anchor in _OPTIONAL_MARK.sub("", _OPTIONAL_CHAR.sub("", p.pattern)))
    return spelled or tuple(range(len(rule.patterns)))


_OPTIONAL_MARK = re.compile(r"\?(?!:)|\(\?:|\)")
_OPTIONAL_CHAR = re.compile(r"[^\\)\]]\?(?!:)")  # 每个?月 also spells 每月


@dataclass(frozen=True)
class RawMatch:
    """A rule matched normalised ``[start, end)``."""

    rule: Rule
    start: int
    end: int


@dataclass
class Scan:
    """What one pass over a text found."""

    matches: list[RawMatch]
    cues: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)


class Matcher:
    """Compiled matchers for a set of rules and context cue lists."""

    def __init__(self, rules: tuple[Rule, ...], cues: Mapping[str, tuple[str, ...]]) -> None:
        self._automaton = ahocorasick.Automaton()
        # payload per word: (rules it is a term of, rules it anchors, cue kinds it signals)
        terms: dict[str, list[Rule]] = {}
        anchors: dict[str, list[Rule]] = {}
        cue_kinds: dict[str, list[str]] = {}
        for rule in rules:
            for term in rule.terms:
                terms.setdefault(term, []).append(rule)
            for anchor in rule.anchors:
                anchors.setdefault(anchor, []).append(rule)
        for kind, words in cues.items():
            for word in words:
                cue_kinds.setdefault(word, []).append(kind)
        table = {word: (len(word), tuple(terms.get(word, ())),
                        tuple((r.id, i) for r in anchors.get(word, ())
                              for i in _anchored_patterns(r, word)),
                        tuple(cue_kinds.get(word, ())))
                 for word in {*terms, *anchors, *cue_kinds}}
        self._words = sorted(table)
        self._payloads = [table[w] for w in self._words]
        self._fast = _rust_automaton(self._words)
        if self._fast is None:
            for word, payload in table.items():
                self._automaton.add_word(word, payload)
            if table:
                self._automaton.make_automaton()
        self._has_words = bool(table)
        self._anchored = [r for r in rules if r.kind == "pattern" and r.anchors]
        self._pattern_of = {(r.id, i): (r, p) for r in self._anchored
                            for i, p in enumerate(r.patterns)}
        self._pattern_order = {key: n for n, key in enumerate(self._pattern_of)}
        self._everywhere = [r for r in rules if r.kind == "pattern" and not r.anchors]

    def _iter(self, text: str) -> Iterator[tuple[int, int, _Payload]]:
        """(start, end, payload) of every word occurrence, overlapping ones included."""
        if self._fast is not None:
            payloads = self._payloads
            # a list of tuples built in one comprehension: cheaper than a generator step
            # per occurrence (pages of ad copy have thousands)
            yield from [(start, end, payloads[index]) for index, start, end
                        in self._fast.find_matches_as_indexes(text, overlapping=True)]
        else:
            for end_index, payload in self._automaton.iter(text):
                yield end_index - payload[0] + 1, end_index + 1, payload

    def scan(self, text: str) -> Scan:
        """Every raw match (minus those inside a rule's ``except`` words) and every cue."""
        found: list[RawMatch] = []
        cues: dict[str, list[tuple[int, int, str]]] = {}
        # per (rule id, pattern index): anchor spans
        anchors: dict[tuple[str, int], list[tuple[int, int]]] = {}
        if self._has_words:
            append = found.append
            seen: dict[str, int] = {}
            for start, end, (_, term_rules, anchor_keys, kinds) in self._iter(text):
                for rule in term_rules:
                    n = seen[rule.id] = seen.get(rule.id, 0) + 1
                    if n <= MAX_RAW:
                        append(RawMatch(rule, start, end))
                for key in anchor_keys:
                    spans = anchors.setdefault(key, [])
                    if len(spans) < MAX_RAW:
                        spans.append((start, end))
                for kind in kinds:
                    found_cues = cues.setdefault(kind, [])
                    if len(found_cues) < MAX_RAW:
                        found_cues.append((start, end, text[start:end]))
        if anchors:
            # only the (rule, pattern) pairs whose anchors occur, in lexicon order
            pattern_of = self._pattern_of
            size = len(text)
            for key in sorted(anchors, key=self._pattern_order.__getitem__):
                rule, pattern = pattern_of[key]
                for lo, hi in _windows(anchors[key], size):
                    found.extend(_run_one(rule, pattern, text, lo, hi))
        for rule in self._everywhere:
            found.extend(_run(rule, text, 0, len(text)))
        # most rules have no ``except`` words: test that before calling out per match
        return Scan([m for m in found if not m.rule.excepts or not _excepted(text, m)], cues)


def _rust_automaton(words: list[str]) -> Any:
    """ahocorasick-rs when installed: the same matches as pyahocorasick, about ten times
    faster on Chinese text (the automaton pass is the largest fixed cost per page)."""
    if not words:
        return None
    try:
        import ahocorasick_rs
    except ImportError:
        return None
    return ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.Standard)


def _windows(spans: list[tuple[int, int]] | tuple[()], size: int) -> list[tuple[int, int]]:
    if len(spans) == 1:
        start, end = spans[0]
        return [(start - _REACH if start > _REACH else 0, min(size, end + _REACH))]
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        lo, hi = max(0, start - _REACH), min(size, end + _REACH)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _run(rule: Rule, text: str, lo: int, hi: int) -> list[RawMatch]:
    out = []
    for pattern in rule.patterns:
        for m in pattern.finditer(text, lo, hi):
            if m.end() > m.start():
                out.append(RawMatch(rule, m.start(), m.end()))
    return out


def _run_one(rule: Rule, pattern: Any, text: str, lo: int, hi: int) -> list[RawMatch]:
    return [RawMatch(rule, m.start(), m.end()) for m in pattern.finditer(text, lo, hi)
            if m.end() > m.start()]


def _excepted(text: str, match: RawMatch) -> bool:
    """Whether the match lies inside one of its rule's ``except`` words (原始股东)."""
    piece = text[match.start:match.end]
    for word in match.rule.excepts:
        offset = word.find(piece)
        while offset >= 0:
            if match.start - offset >= 0 and text.startswith(word, match.start - offset):
                return True
            offset = word.find(piece, offset + 1)
    return False
