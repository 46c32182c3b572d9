"""Documentation that cannot drift: every CLI command is in the README's command table,
and the README's two quick-start commands exist in the Makefile (datasette's test_docs
idea)."""

from __future__ import annotations

import re
from pathlib import Path

from monitor.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme() -> None:
    import click

    ctx = click.Context(cli)
    listed = cli.list_commands(ctx)  # type: ignore[attr-defined]
    assert set(listed) <= set(COMMANDS)
    missing = [name for name in listed if f"`admon {name}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_quick_start_targets_exist() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"^make (\w+)", README, re.M):
        assert re.search(rf"^{target}:", makefile, re.M), f"make {target} is not a target"
