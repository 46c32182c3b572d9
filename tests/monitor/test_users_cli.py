"""`admon users` as a user runs it: the real console script, a real database (SQLite and
PostgreSQL), the password on stdin, one clear line for every mistake."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from sqlalchemy.orm import Session

from monitor import users
from monitor.cli import cli
from monitor.cli.common import run_cli
from monitor.cli.db import close_all
from monitor.db import make_engine, session_factory

ADMON = str(Path(sys.executable).parent / "admon")


class Result:
    """What a command printed and returned, run in-process (no interpreter start-up)."""

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run(db_url: str, *args: str, stdin: str = "") -> Result:
    with CliRunner().isolation(input=stdin) as (out, err, _):
        code = run_cli(cli, ["--db", db_url, "users", *args])
        return Result(code, out.getvalue().decode(), err.getvalue().decode())


@pytest.fixture
def cheap_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(users, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    yield
    close_all()  # the in-process CLI keeps one engine per URL; let the test database go


def admon(db_url: str, cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ADMON, "--db", db_url, "users", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def _session(db_url: str) -> Session:
    return session_factory(make_engine(db_url))()


def test_add_with_password_stdin(db_url: str, tmp_path: Path) -> None:
    result = run(
        db_url, "add", "zhangsan", "--role", "reviewer", "--display-name", "张三",
        "--password-stdin", stdin="s3cret pass phrase\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "created user zhangsan (role reviewer)" in result.stderr
    assert "s3cret" not in result.stdout + result.stderr
    with _session(db_url) as s:
        user = users.authenticate(s, "zhangsan", "s3cret pass phrase")
        assert user is not None and user.display_name == "张三"
        assert users.authenticate(s, "zhangsan", "s3cret pass phrase\n") is None


@pytest.mark.usefixtures("cheap_hasher")
def test_generated_password_is_printed_once_and_works(db_url: str) -> None:
    result = run(db_url, "add", "police1", "--role", "partner", "--unit", "某某派出所")
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    password = line.removeprefix("password: ")
    assert len(password) >= 16
    with _session(db_url) as s:
        user = users.authenticate(s, "police1", password)
        assert user is not None and user.unit == "某某派出所"


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["add", "x1", "--role", "boss"], "", 2, "Invalid value for '--role'"),
        (["add", "x1", "--role", "partner"], "", 1, "admon: a partner account needs its unit"),
        (["add", "x1", "--role", "admin", "--password-stdin"], "", 1, "stdin is empty"),
        (["add", "x1", "--role", "admin", "--password-stdin"], "short\n", 1, "at least 8"),
        (["add", "bad name", "--role", "admin"], "", 1, "admon: invalid user name"),
        (["passwd", "ghost", "--password-stdin"], "long enough\n", 1, "no user named 'ghost'"),
    ],
)
@pytest.mark.usefixtures("cheap_hasher")
def test_mistakes_give_one_clear_line(
    db_url: str, args: list[str], stdin: str, code: int, message: str
) -> None:
    result = run(db_url, *args, stdin=stdin)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.usefixtures("cheap_hasher")
def test_duplicate_list_passwd_deactivate(db_url: str) -> None:
    ok = run(db_url, "add", "li", "--role", "grid", "--password-stdin", stdin="first pass 1\n")
    assert ok.returncode == 0, ok.stderr
    dup = run(db_url, "add", "li", "--role", "admin", "--password-stdin", stdin="another one\n")
    assert dup.returncode == 1
    assert dup.stderr.strip() == "admon: user 'li' already exists"

    changed = run(db_url, "passwd", "li", "--password-stdin", stdin="second pass 2\n")
    assert changed.returncode == 0, changed.stderr
    off = run(db_url, "deactivate", "li")
    assert off.returncode == 0, off.stderr

    listed = run(db_url, "list", "--format", "jsonl")
    assert listed.returncode == 0, listed.stderr
    (record,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert record["username"] == "li" and record["role"] == "grid" and record["active"] is False
    assert "password_hash" not in record and "argon2" not in listed.stdout
    with _session(db_url) as s:
        assert users.get_user(s, "li").password_hash.startswith("$argon2id$")
