"""Detector throughput (MB/s on one core) against jieba's precise mode on the same text.

Builds ≥ 10 MB of mixed Chinese text from generated sentences — ordinary news, shop and
job copy with a sprinkling of ad-like and warning sentences, spaces and full-width
characters — then times ``rules.detect`` over it in page-sized documents and
``jieba.lcut`` (precise mode, HMM on, as shipped) over the same documents.

The two are timed interleaved in blocks of a few documents (``--block``, default 10 ≈ 200 KB:
our block, then jieba on the same documents, the order swapped every block), in several
rounds over the whole text; each round gives a ratio and the median of the rounds is the
figure reported (a shared machine's load changes from second to second, so one round can be
off either way). Blocks rather than single documents: alternating the two tools on every
document makes each start cold on CPU caches the other has just filled, which measures
neither as it runs in service; ``--block 1`` gives that per-document figure too. Both
wall-clock and CPU time of this process are measured; on a loaded machine the CPU figure is
the steadier one (both tools run single-threaded in this process).

    .venv/bin/python benchmarks/detect_speed.py [--mb 10] [--page-kb 20] [--rounds 3] [--block 10]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rules import detect, engine_for  # noqa: E402

SUBJECTS = [
    "本社区", "街道办", "某科技公司", "这家超市", "新开的面馆", "市图书馆", "区医院",
    "物业中心", "老年大学", "少年宫", "菜市场", "健身中心", "培训学校", "家政公司", "快递站",
]
VERBS = [
    "今天发布了", "近期推出", "本周举办", "正在招聘", "隆重开业", "计划开展", "顺利完成",
    "欢迎参加", "提醒大家注意", "宣布调整",
]
OBJECTS = [
    "夏季消暑活动", "便民服务项目", "垃圾分类宣传", "社区义诊", "周末亲子课堂", "志愿者招募",
    "营业时间", "会员积分规则", "装修工程", "停车收费标准", "读书分享会", "防汛演练",
]
TAILS = [
    "，欢迎居民朋友踊跃参与。", "，详情请咨询服务台。", "，具体安排另行通知。",
    "，感谢大家支持！", "。地址：幸福路 18 号。", "，电话 0571-8888 0000。",
    "，满１００减２０。", "，月薪６０００元起。",
]
# About 3 % of sentences: ad copy, warnings and disclosures, so the detector does real work.
ADS = [
    "投资养殖项目，年化收益18%，保本保息，一万元起投。",
    "月 息 2 分，稳~赚~不~赔，名额有限！",
    "谨防以高额回报为诱饵的非法集资，切勿相信保本承诺。",
    "理财非存款，产品有风险，投资须谨慎，业绩比较基准3.2%。",
    "投1万每月返800，扫码进群了解。",
    "售后返租，十年包租，年回报8%。",
]


def build_pages(total_bytes: int, page_bytes: int, seed: int = 7) -> list[str]:
    """Generated pages of roughly ``page_bytes`` UTF-8 bytes each, ``total_bytes`` in all."""
    rng = random.Random(seed)
    pages: list[str] = []
    size = 0
    while size < total_bytes:
        parts: list[str] = []
        page_size = 0
        while page_size < page_bytes:
            if rng.random() < 0.03:
                sentence = rng.choice(ADS)
            else:
                sentence = (rng.choice(SUBJECTS) + rng.choice(VERBS) + rng.choice(OBJECTS)
                            + rng.choice(TAILS))
            parts.append(sentence)
            page_size += len(sentence.encode("utf-8"))
        page = "".join(parts)
        pages.append(page)
        size += page_size
    return pages


def one_round(pages: list[str], block: int) -> tuple[float, float, float, float, int, int]:
    """(ours wall, jieba wall, ours cpu, jieba cpu, flagged, tokens) over every page."""
    import jieba

    ours = theirs = ours_cpu = theirs_cpu = 0.0
    flagged = tokens = 0
    clock, cpu = time.perf_counter, time.process_time
    for n, first in enumerate(range(0, len(pages), block)):
        chunk = pages[first:first + block]
        for tool in ("ours", "jieba") if n % 2 == 0 else ("jieba", "ours"):
            t0, c0 = clock(), cpu()
            if tool == "ours":
                for page in chunk:
                    flagged += detect(page).violation
            else:
                for page in chunk:
                    tokens += len(jieba.lcut(page))
            wall, used = clock() - t0, cpu() - c0
            if tool == "ours":
                ours += wall
                ours_cpu += used
            else:
                theirs += wall
                theirs_cpu += used
    return ours, theirs, ours_cpu, theirs_cpu, flagged, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=10.0, help="megabytes of text (default 10)")
    parser.add_argument("--page-kb", type=float, default=20.0, help="document size in KB")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the text (default 3)")
    parser.add_argument("--block", type=int, default=10,
                        help="documents per interleaved block (default 10; 1 = per document)")
    args = parser.parse_args()
    pages = build_pages(int(args.mb * 1_000_000), int(args.page_kb * 1000))
    megabytes = sum(len(p.encode("utf-8")) for p in pages) / 1_000_000
    # load the lexicon, build the tables and both jieba dictionaries (jieba's own and the
    # detector's boundary tokenizer) outside the timing
    engine_for().warm_up()
    detect("年化18%，保本保息，投资基金")

    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    print(f"text: {megabytes:.1f} MB in {len(pages)} documents of ~{args.page_kb:g} KB, "
          f"{args.rounds} rounds interleaved in blocks of {args.block}")
    wall_ratios, cpu_ratios = [], []
    for n in range(1, args.rounds + 1):
        ours, theirs, ours_cpu, theirs_cpu, flagged, tokens = one_round(pages, max(1, args.block))
        wall_ratios.append(theirs / ours)
        cpu_ratios.append(theirs_cpu / ours_cpu)
        print(f"round {n}: rules.detect {ours:6.2f} s ({megabytes / ours:5.2f} MB/s, "
              f"{flagged} flagged)  jieba.lcut {theirs:6.2f} s ({megabytes / theirs:5.2f} MB/s, "
              f"{tokens} tokens)  wall ratio {theirs / ours:5.1f}  cpu ratio "
              f"{theirs_cpu / ours_cpu:5.1f}")
    print(f"ratio (median of {args.rounds}) : "
          f"{statistics.median(wall_ratios):.1f} × jieba wall-clock, "
          f"{statistics.median(cpu_ratios):.1f} × jieba CPU time (target ≥ 10 ×); "
          f"range {min(wall_ratios):.1f}–{max(wall_ratios):.1f} wall")


if __name__ == "__main__":
    main()
