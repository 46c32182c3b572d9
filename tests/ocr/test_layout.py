"""Reading order and joining of fragments (unit)."""

from __future__ import annotations

from ocr.layout import group_lines, join_fragments, lines_text, tidy
from ocr.result import OcrLine


def frag(text: str, x0: int, y0: int, x1: int, y1: int, conf: float = 0.9) -> OcrLine:
    return OcrLine(text, conf, (x0, y0, x1, y1))


def test_chinese_fragments_join_without_spaces_latin_with_one() -> None:
    assert join_fragments(["年化", "收益", "18%"]) == "年化收益18%"
    assert join_fragments(["call", "138", "0000"]) == "call 138 0000"
    assert join_fragments(["扫码", "WeChat", "ID"]) == "扫码WeChat ID"


def test_tidy_removes_ocr_spaces_between_hanzi() -> None:
    assert tidy("保 本  保 息") == "保本保息"
    assert tidy("  hello   world ") == "hello world"


def test_fragments_grouped_into_lines_top_to_bottom_left_to_right() -> None:
    fragments = [
        frag("每月返息", 300, 205, 500, 245),
        frag("保本保息", 100, 100, 300, 150),  # headline, taller
        frag("入社一万元", 50, 200, 280, 240),
        frag("随时可退", 310, 108, 480, 142),  # same line as the headline, to its right
        frag("咨询电话", 60, 300, 240, 330),
    ]
    lines = group_lines(fragments)
    assert [line.text for line in lines] == ["保本保息随时可退", "入社一万元每月返息", "咨询电话"]
    assert lines[0].box == (100, 100, 480, 150)
    assert lines_text(lines) == "保本保息随时可退\n入社一万元每月返息\n咨询电话"


def test_line_confidence_is_length_weighted() -> None:
    lines = group_lines([frag("一二三", 0, 0, 30, 10, 1.0), frag("四", 40, 0, 50, 10, 0.0)])
    assert len(lines) == 1
    assert abs(lines[0].confidence - 0.75) < 1e-9


def test_blank_fragments_are_dropped() -> None:
    assert group_lines([frag("   ", 0, 0, 10, 10)]) == []
