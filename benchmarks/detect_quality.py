"""Detection quality: precision, recall, F1, per-category figures and rate accuracy.

Runs the detector over the development corpus (/work/shared/corpus/ads-dev.jsonl, or a
path given as the first argument) and over the held-out texts written for this project
before tuning (tests/rules/data/heldout*.yaml), beside a naive baseline that calls any text
containing a keyword of the work plan a violation.

    .venv/bin/python benchmarks/detect_quality.py [ads-dev.jsonl] [--errors]

Rate accuracy: share of labelled non-null ``annualized_return`` values the detector gets
within 10 % (relative).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rules import CATEGORIES, detect  # noqa: E402

DEV = Path("/work/shared/corpus/ads-dev.jsonl")
HELDOUT_DIR = ROOT / "tests" / "rules" / "data"
# The naive baseline: the work plan's keywords, any one of them → violation.
BASELINE_WORDS = [
    "保本", "保息", "稳赚", "零风险", "无风险", "高回报", "高收益", "高息", "年化", "月息",
    "日息", "回本", "翻倍", "分红", "返利", "担保", "原始股", "养老", "区块链", "虚拟货币",
    "理财", "投资", "收益", "回报", "返租", "起投", "名额有限", "招募合伙人",
]


def load_dev(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_heldout(path: Path) -> list[dict[str, Any]]:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    return [{"id": c["id"], "text": c["text"], "violation": c["violation"],
             "categories": c.get("categories"), "annualized_return": c.get("rate")}
            for c in cases]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(rows: list[dict[str, Any]], name: str, show_errors: bool) -> None:
    tp = fp = fn = 0
    btp = bfp = bfn = 0
    cat = {c: [0, 0, 0] for c in CATEGORIES}
    rate_ok = rate_n = 0
    start = time.perf_counter()
    for row in rows:
        d = detect(row["text"])
        gold = bool(row["violation"])
        tp += d.violation and gold
        fp += d.violation and not gold
        fn += (not d.violation) and gold
        base = any(w in row["text"] for w in BASELINE_WORDS)
        btp += base and gold
        bfp += base and not gold
        bfn += (not base) and gold
        if row.get("categories") is not None:
            for c in CATEGORIES:
                g, p = c in row["categories"], c in d.categories
                cat[c][0] += g and p
                cat[c][1] += p and not g
                cat[c][2] += g and not p
        label_rate = row.get("annualized_return")
        rate_good = True
        if label_rate is not None:
            rate_n += 1
            got = d.annualized_return
            rate_good = got is not None and abs(got - label_rate) <= 0.1 * label_rate
            rate_ok += rate_good
        if show_errors and (d.violation != gold or not rate_good):
            print(f"  ERR {row['id']} gold={gold} got={d.violation} rate={label_rate}/"
                  f"{d.annualized_return} cats={d.categories} "
                  f"hits={[h.text for h in d.hits]} supp={[s.reason for s in d.suppressed]}"
                  f" | {row['text'][:60]}")
    seconds = time.perf_counter() - start
    p, r, f = prf(tp, fp, fn)
    bp, br, bf = prf(btp, bfp, bfn)
    print(f"== {name}: {len(rows)} texts, {seconds:.2f} s")
    print(f"   detector  precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  (tp {tp} fp {fp} fn {fn})")
    print(f"   baseline  precision {bp:.3f}  recall {br:.3f}  F1 {bf:.3f}  (any work-plan keyword)")
    if rate_n:
        print(f"   rate accuracy (within 10 %): {rate_ok}/{rate_n} = {rate_ok / rate_n:.3f}")
    if any(sum(v) for v in cat.values()):
        for c, (ctp, cfp, cfn) in cat.items():
            cp, cr, _ = prf(ctp, cfp, cfn)
            print(f"   {c:20} recall {cr:.3f}  precision {cp:.3f}  (tp {ctp} fp {cfp} fn {cfn})")


def main(argv: list[str]) -> None:
    show_errors = "--errors" in argv
    args = [a for a in argv if not a.startswith("--")]
    dev = Path(args[0]) if args else DEV
    for path in sorted(HELDOUT_DIR.glob("heldout*.yaml")):
        evaluate(load_heldout(path), f"held-out ({path.relative_to(ROOT)})", show_errors)
    if dev.exists():
        evaluate(load_dev(dev), f"development corpus ({dev})", show_errors)
    else:
        print(f"(development corpus {dev} not found; skipped)")


if __name__ == "__main__":
    main(sys.argv[1:])
