"""Normalisation: what it rewrites, and that hits point at the right original characters."""

from __future__ import annotations

import random

import pytest

from rules import default_lexicon, detect
from rules.normalize import Normalizer


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    lexicon = default_lexicon()
    return Normalizer(lexicon.variants, lexicon.keep)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("保 本", "保本"),
        ("稳-赚", "稳赚"),
        ("高*回*报", "高回报"),
        ("稳~赚~不~赔", "稳赚不赔"),
        ("穩賺不賠", "稳赚不赔"),
        ("年化１２％", "年化12%"),
        ("ＡＢＣ", "abc"),
        ("宝本宝息", "保本保息"),
        ("担堡", "担保"),
        ("零凤险", "零风险"),
        ("抱本金", "保本金"),
        ("理彩", "理财"),
        ("8.5% 8-12%", "8.5%8-12%"),  # separators between digits stay
        ("珠宝本店开业", "珠宝本店开业"),  # a variant inside an ordinary word is left alone
        ("第一行\n第二行", "第一行\n第二行"),  # newlines are kept as boundaries
    ],
)
def test_rewrites(normalizer: Normalizer, raw: str, expected: str) -> None:
    assert normalizer(raw).text == expected


def test_every_character_maps_back_to_one_original(normalizer: Normalizer) -> None:
    """Random filler inserted into ad copy: each normalised character maps to exactly one
    original character, in order, and that character normalises to it."""
    rng = random.Random(1)
    base = "保本保息，穩賺不賠！年化１８％，月息2分5，投1万每月返800。"
    filler = [" ", "  ", "*", "~", "-", "★", "·", "\u3000"]
    for _ in range(200):
        raw = "".join(ch + (rng.choice(filler) if rng.random() < 0.4 else "") for ch in base)
        norm = normalizer(raw)
        previous = -1
        for i, ch in enumerate(norm.text):
            start, end = norm.original_span(i, i + 1)
            assert end == start + 1 and start > previous
            previous = start
            assert normalizer(raw[start]).text in (ch, "")


def test_hit_offsets_highlight_original_characters() -> None:
    text = "限时：宝 本~宝 息，稳★赚★不★赔，年化　１８ ％"
    d = detect(text)
    assert d.violation
    spans = {h.rule: text[h.start:h.end] for h in d.hits}
    assert spans["guarantee.baoben"] == "宝 本~宝 息"
    assert spans["return.guaranteed"] == "稳★赚★不★赔"
    assert spans["return.stated_rate"] == "年化　１８ ％"
    for hit in d.hits:
        assert hit.text == text[hit.start:hit.end]


def test_offsets_after_a_long_prefix_of_filler() -> None:
    text = " " * 1000 + "★" * 50 + "保本保息"
    d = detect(text + "，投资年化18%")
    hit = next(h for h in d.hits if h.rule == "guarantee.baoben")
    assert (hit.start, hit.end) == (1050, 1054)
