"""`admon users`: manage accounts (用户管理) from the command line.

Each command opens the database with `monitor.cli.db.open_session` (migrated to the newest
schema on first use), calls one function of `monitor.users`, and commits. Passwords are
read from stdin or generated and printed once; they are never taken as an argument (it
would land in shell history and the process list).
"""

from __future__ import annotations

import json
import sys

import click

from monitor import users as accounts
from monitor.cli.common import command_with_globals
from monitor.cli.db import open_session
from monitor.errors import InvalidInput
from monitor.models.accounts import ROLE_VALUES

CLI_ACTOR = "cli"


def _read_password_line() -> str:
    """The first line of stdin, without its line ending; on a terminal, a hidden prompt
    (typed twice) so the password is not echoed."""
    if sys.stdin.isatty():
        password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    line = sys.stdin.readline()
    if not line:
        raise InvalidInput("--password-stdin given but stdin is empty")
    return line.rstrip("\r\n")


@click.group()
@command_with_globals
def users() -> None:
    """Manage accounts: admin, reviewer (执法人员), grid (网格员), partner (协作单位).

    Example:

        echo 's3cret-pass' | admon users add zhangsan --role reviewer --password-stdin
    """


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLE_VALUES), help="Account role.")
@click.option("--display-name", default="", help="Name shown in the UI (e.g. 张三).")
@click.option("--unit", default=None, help="Unit (所属单位); required for partners (某某派出所).")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@command_with_globals
def add(name: str, role: str, display_name: str, unit: str | None, password_stdin: bool) -> None:
    """Create an account. Without --password-stdin a password is generated and printed once.

    Example:

        admon users add lijing --role partner --unit 某某派出所
    """
    generated = not password_stdin
    password = _read_password_line() if password_stdin else accounts.generate_password()
    with open_session() as session:
        user = accounts.create_user(
            session,
            name,
            role,
            password,
            display_name=display_name,
            unit=unit,
            created_by=CLI_ACTOR,
        )
        label = f"created user {user.username} (role {user.role}"
        label += f", unit {user.unit})" if user.unit else ")"
    click.echo(label, err=True)
    if generated:
        click.echo(f"password: {password}")
        click.echo("(shown once; change it after the first login)", err=True)


@users.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text")
@command_with_globals
def list_(fmt: str) -> None:
    """List accounts (never their password hashes).

    Example:

        admon users list --format jsonl
    """
    with open_session() as session:
        rows = accounts.list_users(session)
        for user in rows:
            record = {
                "username": user.username,
                "display_name": user.display_name,
                "role": user.role,
                "unit": user.unit,
                "active": user.active,
                "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
            }
            if fmt == "jsonl":
                click.echo(json.dumps(record, ensure_ascii=False))
            else:
                state = "" if user.active else "  (inactive)"
                unit = f"  {user.unit}" if user.unit else ""
                click.echo(f"{user.username}\t{user.role}{unit}\t{user.display_name}{state}")


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from stdin.")
@command_with_globals
def passwd(name: str, password_stdin: bool) -> None:
    """Set a new password (and lift any lock-out). Generates one without --password-stdin.

    Example:

        admon users passwd zhangsan --password-stdin < new-password.txt
    """
    password = _read_password_line() if password_stdin else accounts.generate_password()
    with open_session() as session:
        accounts.set_password(session, accounts.get_user(session, name), password, actor=CLI_ACTOR)
    click.echo(f"password changed for {name}", err=True)
    if not password_stdin:
        click.echo(f"password: {password}")


@users.command("deactivate")
@click.argument("name")
@command_with_globals
def deactivate(name: str) -> None:
    """Switch an account off; it stays on record for the audit log and lead history.

    Example:

        admon users deactivate zhangsan
    """
    with open_session() as session:
        accounts.deactivate(session, accounts.get_user(session, name), actor=CLI_ACTOR)
    click.echo(f"deactivated {name}", err=True)
