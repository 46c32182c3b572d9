"""The `admon` console script.

Each subcommand lives in its own module under `monitor.cli` and is loaded lazily, so
`admon detect` does not import Scrapy or SQLAlchemy. A command is a few lines that parse
options and call one domain function (the sqlite-utils model).

Exit codes (../shared/interfaces.md): 0 success, 1 some inputs failed, 2 usage error.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from monitor.cli.common import global_options, run_cli

# command name -> "module:attribute". A module that does not exist yet is simply not listed.
COMMANDS: dict[str, str] = {
    "detect": "monitor.cli.detect:detect",
    "rules": "monitor.cli.detect:rules_group",
    "ocr": "monitor.cli.ocr:ocr",
    "init": "monitor.cli.db:init",
    "evidence": "monitor.cli.db:evidence",
    "leads": "monitor.cli.leads:leads",
    "ledger": "monitor.cli.ledger:ledger",
    "users": "monitor.cli.users:users",
    "report": "monitor.cli.report:report",
    "upload": "monitor.cli.upload:upload",
    "crawl": "monitor.cli.crawl:crawl",
    "sources": "monitor.cli.sources:sources",
    "schedule": "monitor.cli.schedule:schedule",
    "serve": "monitor.cli.serve:serve",
    "demo": "monitor.cli.demo:demo",
    "worker": "monitor.cli.worker:worker",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._spec_available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module_name, _, attr = spec.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command

    @staticmethod
    def _spec_available(name: str) -> bool:
        module_name = COMMANDS[name].partition(":")[0]
        return importlib.util.find_spec(module_name) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@global_options
@click.version_option(package_name="admon")
def cli(**_: Any) -> None:
    """admon: 非法集资广告监测 — find, review and dispose of illegal-fundraising ads.

    Example:

        admon detect ads.jsonl
    """


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    sys.exit(run_cli(cli, argv))
