"""`admon detect` and `admon rules list`: the rules engine at the command line.

Input (interfaces.md): JSON Lines `{"id": ..., "text": ...}`, or plain text where a line is
not a JSON object (its 1-based line number becomes the id). Output: one JSON object per
input, in input order. Empty lines are skipped (they hold no ad and have no id). Lines that
are not valid UTF-8, and JSON objects without a string `text`, get one error line on
stderr naming the line (and id); the rest are still processed and the exit code is 1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import IO, Any

import click

from monitor.cli.common import global_options
from rules import default_lexicon
from rules import detect as detect_text


def _records(stream: IO[bytes]) -> Iterator[tuple[int, Any, str | None, str | None]]:
    """(line number, id, text, error) per non-empty line."""
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, number, None, f"line {number}: not valid UTF-8 (byte {exc.start})"
            continue
        line = line.rstrip("\r\n").lstrip("\ufeff")
        if not line.strip():
            continue
        obj: Any = None
        if line.lstrip().startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
        if not isinstance(obj, dict):
            yield number, number, line, None
            continue
        ident = obj.get("id", number)
        text = obj.get("text")
        if not isinstance(text, str):
            problem = "has no \"text\"" if text is None else "\"text\" is not a string"
            yield number, ident, None, f"line {number} (id {ident!r}): {problem}"
            continue
        yield number, ident, text, None


def _as_text(ident: Any, result: dict[str, Any]) -> str:
    """One human-readable line per input for `--format text`."""
    verdict = "VIOLATION" if result["violation"] else "ok"
    rate = result["annualized_return"]
    rate_part = f" {rate}%/yr" if rate is not None else ""
    cats = ",".join(result["categories"]) or "-"
    hits = "; ".join(f"{h['text']}[{h['rule']}]" for h in result["hits"])
    return f"{ident}\t{verdict}\t{result['risk']}\t{result['score']}\t{cats}{rate_part}\t{hits}"


@click.command("detect")
@click.argument("path", required=False, default="-", type=click.File("rb"))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "text"]), default="jsonl",
              show_default=True, help="JSON Lines (the stable contract) or a readable table.")
@global_options
def detect(path: IO[bytes], fmt: str) -> int:
    """Score ad texts for illegal-fundraising (非法集资) advertising.

    Reads JSON Lines ({"id", "text"}) or plain text lines from PATH (default: stdin) and
    writes one JSON object per input, in input order.

    Example:

        echo '{"id": "a1", "text": "年化18%，保本保息"}' | admon detect
    """
    failed = 0
    out = sys.stdout
    for _number, ident, text, error in _records(path):
        if error is not None:
            click.echo(f"admon detect: {error}", err=True)
            failed += 1
            continue
        assert text is not None
        result = detect_text(text).to_dict()
        if fmt == "jsonl":
            out.write(json.dumps({"id": ident, **result}, ensure_ascii=False) + "\n")
        else:
            out.write(_as_text(ident, result) + "\n")
    out.flush()
    return 1 if failed else 0


@click.group("rules")
@global_options
def rules_group() -> None:
    """Inspect the detector's lexicon (rules/data/*.yaml).

    Example:

        admon rules list --format jsonl
    """


@rules_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True)
@global_options
def rules_list(fmt: str) -> None:
    """Print every rule with its category, weight and legal basis.

    Example:

        admon rules list
    """
    for rule in default_lexicon().rules:
        if fmt == "jsonl":
            row = {"id": rule.id, "category": rule.category, "kind": rule.kind,
                   "weight": rule.weight, "name": rule.name, "basis": rule.basis.cite,
                   "law": rule.basis.law, "article": rule.basis.article,
                   "item": rule.basis.item, "version": rule.basis.version,
                   "article_text": rule.basis.text}
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(f"{rule.id:28} {rule.category:20} {rule.weight:.2f}  "
                       f"{rule.basis.cite}  {rule.name}")
