"""Finding raw rule matches in normalised text: Aho-Corasick for words, regexes for patterns.

One automaton holds every ``terms`` rule's words, so a page is scanned once whatever the
size of the lexicon. Raw matches are filtered later by context (rules.detector).
"""

from __future__ import annotations

from dataclasses import dataclass

import ahocorasick

from rules.lexicon import Rule


@dataclass(frozen=True)
class RawMatch:
    """A rule matched normalised ``[start, end)``."""

    rule: Rule
    start: int
    end: int


class Matcher:
    """Compiled matchers for a set of rules."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self._automaton = ahocorasick.Automaton()
        table: dict[str, list[Rule]] = {}
        for rule in rules:
            for term in rule.terms:
                table.setdefault(term, []).append(rule)
        for term, owners in table.items():
            self._automaton.add_word(term, (len(term), tuple(owners)))
        self._has_terms = bool(table)
        if self._has_terms:
            self._automaton.make_automaton()
        self._pattern_rules = [r for r in rules if r.kind == "pattern"]

    def find(self, text: str) -> list[RawMatch]:
        """Every raw match, excluding those inside a rule's ``except`` words."""
        found: list[RawMatch] = []
        if self._has_terms:
            for end_index, (length, owners) in self._automaton.iter(text):
                start = end_index - length + 1
                for rule in owners:
                    found.append(RawMatch(rule, start, end_index + 1))
        for rule in self._pattern_rules:
            for pattern in rule.patterns:
                for m in pattern.finditer(text):
                    if m.end() > m.start():
                        found.append(RawMatch(rule, m.start(), m.end()))
        return [m for m in found if not _excepted(text, m)]


def _excepted(text: str, match: RawMatch) -> bool:
    """Whether the match lies inside one of its rule's ``except`` words (原始股东)."""
    piece = text[match.start:match.end]
    for word in match.rule.excepts:
        offset = word.find(piece)
        while offset >= 0:
            if text.startswith(word, match.start - offset) and match.start - offset >= 0:
                return True
            offset = word.find(piece, offset + 1)
    return False
