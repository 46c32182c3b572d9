"""Typed reading of YAML data with errors that name the file and the key.

Staff edit the lexicon by hand; a typo must produce ``rule file hot_concept.yaml:
rules[4].weight: expected a number between 0 and 1, got 'high'`` — not a KeyError deep
inside the detector. The urlwatch filter loader is the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from rules.errors import RuleFileError


def load_yaml(path: Path) -> Node:
    """Parse ``path`` and wrap its top-level mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleFileError(path.name, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(path.name, "", f"cannot read ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", exc)
        raise RuleFileError(path.name, where, f"invalid YAML ({problem})") from None
    node = Node(path.name, "", data)
    node.mapping()
    return node


class Node:
    """One value inside a data file, remembering where it came from."""

    def __init__(self, file: str, key: str, value: Any) -> None:
        self.file = file
        self.key = key
        self.value = value

    def error(self, problem: str) -> RuleFileError:
        """An error about this value."""
        return RuleFileError(self.file, self.key, problem)

    def _child_key(self, name: str | int) -> str:
        if isinstance(name, int):
            return f"{self.key}[{name}]"
        return f"{self.key}.{name}" if self.key else name

    def mapping(self) -> dict[str, Any]:
        """The value as a mapping with string keys."""
        if not isinstance(self.value, dict):
            raise self.error(f"expected a mapping, got {_kind(self.value)}")
        return self.value

    def has(self, name: str) -> bool:
        """Whether the mapping has key ``name``."""
        return name in self.mapping()

    def get(self, name: str, default: Any = ...) -> Node:
        """Child ``name``; missing keys are an error unless a default is given."""
        data = self.mapping()
        if name not in data:
            if default is ...:
                raise RuleFileError(self.file, self._child_key(name), "missing")
            return Node(self.file, self._child_key(name), default)
        return Node(self.file, self._child_key(name), data[name])

    def only_keys(self, allowed: set[str]) -> None:
        """Reject unknown keys (usually typos such as ``weigth``)."""
        for name in self.mapping():
            if name not in allowed:
                raise RuleFileError(
                    self.file, self._child_key(str(name)),
                    f"unknown key (allowed: {', '.join(sorted(allowed))})",
                )

    def items(self) -> Iterator[tuple[str, Node]]:
        """Children of a mapping."""
        for name, value in self.mapping().items():
            yield str(name), Node(self.file, self._child_key(str(name)), value)

    def children(self) -> list[Node]:
        """Children of a list."""
        if not isinstance(self.value, list):
            raise self.error(f"expected a list, got {_kind(self.value)}")
        return [Node(self.file, self._child_key(i), v) for i, v in enumerate(self.value)]

    def text(self, allow_empty: bool = False) -> str:
        """The value as a string (numbers and dates written bare are accepted)."""
        value = self.value
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            raise self.error(f"expected text, got {_kind(value)}")
        text = str(value).strip()
        if not text and not allow_empty:
            raise self.error("must not be empty")
        return text

    def strings(self) -> list[str]:
        """A list of non-empty strings, lower-cased like the normalised text."""
        out = [item.text().lower() for item in self.children()]
        if not out:
            raise self.error("must list at least one entry")
        return out

    def number(self, low: float | None = None, high: float | None = None) -> float:
        """A number, optionally within ``[low, high]``."""
        value = self.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(f"expected a number, got {_kind(value)}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.error(f"expected a number between {low} and {high}, got {value}")
        return float(value)

    def boolean(self) -> bool:
        """A true/false flag."""
        if not isinstance(self.value, bool):
            raise self.error(f"expected true or false, got {_kind(self.value)}")
        return self.value

    def choice(self, options: set[str]) -> str:
        """One of ``options``."""
        text = self.text()
        if text not in options:
            raise self.error(f"expected one of {', '.join(sorted(options))}, got {text!r}")
        return text

    def regex(self) -> re.Pattern[str]:
        """A compiled regular expression."""
        text = self.text()
        try:
            return re.compile(text)
        except re.error as exc:
            raise self.error(f"invalid regular expression ({exc})") from None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
