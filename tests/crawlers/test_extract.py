"""Visible text: body apart from navigation, scripts dropped, hostile text kept as text."""

from __future__ import annotations

from crawlers.extract import extract_text, new_lines

PAGE = """<!DOCTYPE html><html><head><title> 金丰 &amp; 财富 </title>
<script>var x = "保本保息";</script><style>p { color: red }</style></head>
<body><header><nav><a href="/">首页</a><a href="/licai/">投资理财</a></nav></header>
<div class="breadcrumb">首页 &gt; 商户</div>
<main><h1>稳盈宝</h1><p>年化收益<b>18%</b>，保本保息。</p>
<p style="display: none">隐藏的文字</p><p hidden>也隐藏</p>
<img src="/a.png" alt="海报上的字"><!-- 注释里的保本 --></main>
<footer>举报电话 138-0000-9000</footer></body></html>"""


def test_body_and_nav_are_kept_apart() -> None:
    page = extract_text(PAGE)
    assert page.title == "金丰 & 财富"
    assert page.body_text.splitlines() == ["稳盈宝", "年化收益18%，保本保息。"]
    assert "投资理财" in page.nav_text and "举报电话" in page.nav_text
    assert "首页 > 商户" in page.nav_text
    assert "投资理财" not in page.body_text


def test_scripts_styles_hidden_comments_and_alt_text_are_not_visible() -> None:
    page = extract_text(PAGE)
    everything = page.body_text + page.nav_text
    for invisible in ('var x', "color: red", "隐藏的文字", "也隐藏", "海报上的字", "注释里的"):
        assert invisible not in everything


def test_hostile_markup_stays_literal_text() -> None:
    html = (
        "<html><head><title><script>alert(1)</script></title></head><body>"
        '<h1>"&gt;&lt;img src=x onerror=alert(1)&gt;</h1><p>{{7*7}}</p>'
        '<a href="javascript:alert(1)">点我</a></body></html>'
    )
    page = extract_text(html)
    assert page.title == "<script>alert(1)</script>"
    assert '"><img src=x onerror=alert(1)>' in page.body_text
    assert "{{7*7}}" in page.body_text and "49" not in page.body_text


def test_script_facts_for_the_render_decision() -> None:
    page = extract_text(
        '<html><body><div id="app"></div><script src="/app.js"></script>'
        "<script>fetch('/api/offers').then(r => r.json())</script></body></html>"
    )
    assert page.script_count == 2
    assert page.script_srcs == ["/app.js"]
    assert page.inline_fetch
    assert not extract_text("<script>var a = 1;</script>").inline_fetch


def test_adjacent_links_do_not_run_together() -> None:
    page = extract_text('<p><a href="/a">投资</a><a href="/b">理财</a></p>')
    assert page.body_text == "投资 理财"


def test_new_lines_keeps_only_what_scripts_added() -> None:
    static = "云启数字\n欢迎"
    rendered = "云启数字\n欢迎\n日息千分之三，稳赚不赔"
    assert new_lines(rendered, static) == "日息千分之三，稳赚不赔"
    assert new_lines(static, static) == ""
