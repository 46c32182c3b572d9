"""The rules package's exception tree (one class per thing that can go wrong)."""

from __future__ import annotations


class RulesError(Exception):
    """Base of every error the rules package raises on purpose."""


class RuleFileError(RulesError):
    """A lexicon data file is missing, is not valid YAML, or breaks the schema.

    The message names the file and the key path (``return_promise.yaml: rules[3].weight``)
    so whoever edited the file can find the mistake without reading code.
    """

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        where = f"{file}: {key}" if key else file
        super().__init__(f"rule file {where}: {problem}")
