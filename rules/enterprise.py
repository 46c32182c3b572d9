"""Enterprise names and business scopes (企业名称、经营范围), 条例 第九条.

Names and scopes must not contain 金融, 交易所, 交易中心, 理财, 财富管理, 股权众筹 (restricted);
other 集资-related words are to be watched (重点关注). The word lists are data
(enterprise.yaml); the ledger uses the hits to tag enterprises for review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rules.lexicon import EnterpriseTerms, default_lexicon
from rules.normalize import Normalizer


@dataclass(frozen=True)
class EnterpriseTermHit:
    """One restricted or watched word found in a name or business scope."""

    term: str
    field: str  # "name" | "business_scope"
    level: str  # "restricted" | "watch"
    start: int  # offset into the field as given
    end: int
    basis: str

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON and templates."""
        return {"term": self.term, "field": self.field, "level": self.level,
                "start": self.start, "end": self.end, "basis": self.basis}


def _scan(value: str, field_name: str, terms: EnterpriseTerms,
          normalizer: Normalizer) -> list[EnterpriseTermHit]:
    norm = normalizer(value)
    text = norm.text
    hits: list[EnterpriseTermHit] = []
    taken: list[tuple[int, int]] = []
    levels = (("restricted", terms.restricted, terms.restricted_basis.cite),
              ("watch", terms.watch, terms.watch_basis.cite))
    for level, words, cite in levels:
        for word in sorted(words, key=len, reverse=True):
            pos = text.find(word)
            while pos >= 0:
                end = pos + len(word)
                inside_except = level == "watch" and any(
                    text.startswith(e, pos - e.find(word)) for e in terms.excepts
                    if word in e and pos - e.find(word) >= 0)
                overlaps = any(a < end and pos < b for a, b in taken)
                if not inside_except and not overlaps:
                    taken.append((pos, end))
                    o_start, o_end = norm.original_span(pos, end)
                    hits.append(EnterpriseTermHit(word, field_name, level, o_start, o_end, cite))
                pos = text.find(word, pos + 1)
    return sorted(hits, key=lambda h: h.start)


def scan_enterprise(name: str, business_scope: str = "") -> list[EnterpriseTermHit]:
    """Restricted and watched words in an enterprise's name and business scope."""
    lexicon = default_lexicon()
    normalizer = Normalizer(lexicon.variants, lexicon.keep, lexicon.spelled)
    return (_scan(name, "name", lexicon.enterprise, normalizer)
            + _scan(business_scope, "business_scope", lexicon.enterprise, normalizer))
