"""What every subcommand shares: the global options and the error translation.

`--db` and `--data-dir` are accepted both before the subcommand (`admon --db URL leads list`)
and after it (`admon leads list --db URL`); the innermost one wins.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from monitor.errors import AdmonError
from monitor.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

_SETTINGS_KEY = "admon_overrides"


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Store a global option's value on the root context so subcommands see it."""
    if value is not None:
        root = ctx.find_root()
        overrides = root.meta.setdefault(_SETTINGS_KEY, {})
        overrides[param.name] = value
    return value


def global_options(func: F) -> F:
    """Add `--db` and `--data-dir` to a command or group."""
    func = click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        expose_value=False,
        callback=_remember,
        is_eager=True,
        help="Data directory (else ADMON_DATA_DIR, else ./var).",
    )(func)
    func = click.option(
        "--db",
        "database_url",
        metavar="URL",
        default=None,
        expose_value=False,
        callback=_remember,
        is_eager=True,
        help="Database URL (else ADMON_DATABASE_URL, else SQLite in the data directory).",
    )(func)
    return func


def current_settings() -> Settings:
    """Settings for this invocation: environment plus any --db / --data-dir given."""
    ctx = click.get_current_context()
    overrides = ctx.find_root().meta.get(_SETTINGS_KEY, {})
    cached = ctx.find_root().meta.get("admon_settings")
    if cached is not None and cached[0] == overrides:
        settings_: Settings = cached[1]
        return settings_
    settings = Settings(**overrides)
    ctx.find_root().meta["admon_settings"] = (dict(overrides), settings)
    return settings


def fail(message: str, code: int = 1) -> None:
    """Print one clear line to stderr and exit with `code`."""
    click.echo(f"admon: {message}", err=True)
    sys.exit(code)


def _known_errors() -> tuple[type[BaseException], ...]:
    """Exception classes that become one line on stderr instead of a traceback."""
    errors: list[type[BaseException]] = [AdmonError]
    for module_name, class_name in (("rules", "RuleFileError"), ("ocr", "OcrError")):
        try:
            module = __import__(module_name)
            errors.append(getattr(module, class_name))
        except (ImportError, AttributeError):
            continue
    return tuple(errors)


def run_cli(cli: click.Command, argv: list[str] | None) -> int:
    """Run the click command, mapping domain errors to one line and exit codes 0/1/2."""
    try:
        result = cli.main(args=argv, prog_name="admon", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("admon: aborted", err=True)
        return 1
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("admon: interrupted", err=True)
        return 130
    except _known_errors() as exc:
        click.echo(f"admon: {exc}", err=True)
        return 1
    except BrokenPipeError:
        return 1
    return int(result) if isinstance(result, int) else 0


def command_with_globals(func: F) -> F:
    """Decorator for subcommands: accept the global options after the subcommand too."""
    return global_options(func)

