"""`admon ledger`: the enterprise risk ledger (风险企业台账) from the command line.

Each command opens the database with `monitor.cli.db.open_session` (migrated on first
use), calls one function of `monitor.ledger` and commits. Output is JSON on stdout;
problems are one line on stderr.
Exit codes: 0 success, 1 some rows/inputs failed (the rest went in), 2 usage error.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from monitor import ledger as ledger_api
from monitor.cli.common import command_with_globals, current_settings
from monitor.cli.db import open_session
from monitor.models.ledger import EVENT_KINDS, TAGS

CLI_ACTOR = "cli"

_actor_option = click.option(
    "--actor", default=CLI_ACTOR, show_default=True, help="Who is acting (recorded in history)."
)
_as_of_option = click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Assess signals as of this date (default: today, office time zone).",
)


def _today() -> date:
    return datetime.now(ZoneInfo(current_settings().timezone)).date()


def _day(value: datetime | None) -> date:
    return value.date() if value else _today()


def _echo(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group("ledger")
@command_with_globals
def ledger_group() -> None:
    """The enterprise risk ledger (风险企业台账): import, export, show, tag.

    Example:

        admon ledger import 台账.xlsx
        admon ledger export --out 台账-导出.xlsx
        admon ledger show 91440305MA000001XX
    """


@ledger_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_actor_option
@command_with_globals
def import_cmd(file: Path, actor: str) -> int:
    """Import a ledger spreadsheet (.xlsx) with Chinese headers; prints a JSON summary.

    Required columns: 统一社会信用代码, 企业名称. Rows with an invalid code are rejected by
    row number; the others still go in. Re-importing updates, never duplicates.

    Example:

        admon ledger import 桃源社区台账.xlsx
    """
    with open_session() as session:
        summary = ledger_api.import_xlsx(session, file, actor=actor, today=_today())
    _echo(summary.to_dict())
    return 1 if summary.rejected else 0


@ledger_group.command("export")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@_as_of_option
@command_with_globals
def export_cmd(out: Path, as_of: datetime | None) -> None:
    """Write the ledger to an .xlsx file: the import columns plus 风险标签 and 标签理由.

    Example:

        admon ledger export --out 台账-2026-11-15.xlsx
    """
    with open_session() as session:
        count = ledger_api.export_xlsx(session, out, as_of=_day(as_of))
    _echo({"exported": count, "out": str(out)})


@ledger_group.command("list")
@click.option("--tag", default="", type=click.Choice(["", *TAGS, "none"]), help="none = untagged")
@click.option("--community", default="", help="所属社区.")
@click.option("--q", "query", default="", help="Part of the name or credit code.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(min=1))
@click.option("--per-page", default=50, show_default=True, type=click.IntRange(1, 500))
@command_with_globals
def list_cmd(tag: str, community: str, query: str, page: int, per_page: int) -> None:
    """List enterprises, red first, one JSON object per line.

    Example:

        admon ledger list --tag red --community 桃源社区
    """
    filters = ledger_api.EnterpriseFilters(tag=tag, community=community, q=query)
    with open_session() as session:
        result = ledger_api.search_enterprises(session, filters, page=page, per_page=per_page)
        for ent in result.rows:
            click.echo(
                json.dumps(
                    {
                        "id": ent.id,
                        "credit_code": ent.credit_code,
                        "name": ent.name,
                        "community": ent.community,
                        "status": ent.status,
                        "tag": ent.tag,
                        "tag_reason": ent.tag_reason,
                    },
                    ensure_ascii=False,
                )
            )


@ledger_group.command("show")
@click.argument("ref")
@_as_of_option
@command_with_globals
def show_cmd(ref: str, as_of: datetime | None) -> None:
    """Show one enterprise (by id or 统一社会信用代码) with signals, 异动, tags, leads.

    Example:

        admon ledger show 91440305MA000001XX
    """
    with open_session() as session:
        _echo(ledger_api.enterprise_detail(session, ref, as_of=_day(as_of)))


@ledger_group.command("tag")
@click.argument("ref")
@click.option("--set", "tag", required=True, type=click.Choice(TAGS), help="New tag.")
@click.option("--reason", required=True, help="Why (标签理由); kept in the history.")
@_actor_option
@command_with_globals
def tag_cmd(ref: str, tag: str, reason: str, actor: str) -> None:
    """Set an enterprise's red/yellow/green tag with a reason (history is kept).

    Example:

        admon ledger tag 91440305MA000001XX --set red --reason "名称含理财，已约谈" --actor 张三
    """
    with open_session() as session:
        enterprise = ledger_api.get_enterprise(session, ref)
        entry = ledger_api.set_tag(session, enterprise.id, tag, reason, actor, as_of=_today())
        _echo(
            {
                "id": enterprise.id,
                "credit_code": enterprise.credit_code,
                "from": entry.from_tag,
                "to": entry.to_tag,
                "suggested_tag": entry.suggested_tag,
            }
        )


@ledger_group.command("event")
@click.argument("ref")
@click.option("--kind", required=True, type=click.Choice(EVENT_KINDS), help="异动 kind.")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Date.")
@click.option("--new", "new_value", default="", help="New value (address, executive, name).")
@click.option("--note", default="", help="Note.")
@_actor_option
@command_with_globals
def event_cmd(
    ref: str, kind: str, on: datetime | None, new_value: str, note: str, actor: str
) -> None:
    """Record a 异动 (move in/out, address, executive or name change).

    Example:

        admon ledger event 91440305MA000001XX --kind address_change --new "南山区科技园2栋"
    """
    with open_session() as session:
        enterprise = ledger_api.get_enterprise(session, ref)
        event = ledger_api.record_event(
            session,
            enterprise,
            kind,
            occurred_on=_day(on),
            new_value=new_value,
            note=note,
            recorded_by=actor,
        )
        session.flush()
        _echo({"event_id": event.id, "enterprise_id": enterprise.id, "kind": kind})


@ledger_group.command("candidates")
@click.argument("lead_id", type=int)
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50))
@command_with_globals
def candidates_cmd(lead_id: int, limit: int) -> None:
    """Rank ledger enterprises that may be behind a lead (nothing is linked).

    Example:

        admon ledger candidates 42
    """
    with open_session() as session:
        _echo(ledger_api.candidates_for_lead(session, lead_id, limit=limit).to_dict())


@ledger_group.command("link")
@click.argument("lead_id", type=int)
@click.argument("ref")
@click.option("--user", "username", required=True, help="Staff account confirming the link.")
@command_with_globals
def link_cmd(lead_id: int, ref: str, username: str) -> None:
    """Confirm that a lead belongs to an enterprise (id or credit code).

    Example:

        admon ledger link 42 91440305MA000001XX --user zhangsan
    """
    from monitor.users import get_user

    with open_session() as session:
        enterprise = ledger_api.get_enterprise(session, ref)
        user = get_user(session, username)
        changed = ledger_api.confirm_link(session, lead_id, enterprise.id, actor=user)
        _echo({"lead_id": lead_id, "enterprise_id": enterprise.id, "changed": changed})


def _moment(value: datetime | None) -> datetime:
    """A command-line time (office-local, naive) as an aware datetime; default now."""
    zone = ZoneInfo(current_settings().timezone)
    return value.replace(tzinfo=zone) if value else datetime.now(zone)


_check_choice = click.Choice(["ok", "issue", "not_checked"])


@ledger_group.command("visit")
@click.argument("ref")
@click.option("--visitor", required=True, help="Who visited (走访人).")
@click.option("--at", "at", type=click.DateTime(["%Y-%m-%d %H:%M", "%Y-%m-%d"]), default=None)
@click.option("--qualification", type=_check_choice, default="not_checked", help="资质")
@click.option("--actual-operation", type=_check_choice, default="not_checked", help="实际经营")
@click.option("--promo-materials", type=_check_choice, default="not_checked", help="宣传材料")
@click.option("--findings", default="", help="What was found (走访情况).")
@command_with_globals
def visit_cmd(
    ref: str,
    visitor: str,
    at: datetime | None,
    qualification: str,
    actual_operation: str,
    promo_materials: str,
    findings: str,
) -> None:
    """Record a 走访 visit to an enterprise and what was checked.

    Example:

        admon ledger visit 91440305MA000001XX --visitor 张三 --promo-materials issue
    """
    checks = {
        "qualification": qualification,
        "actual_operation": actual_operation,
        "promo_materials": promo_materials,
    }
    with open_session() as session:
        enterprise = ledger_api.get_enterprise(session, ref)
        visit = ledger_api.record_visit(
            session,
            enterprise,
            visitor=visitor,
            visited_at=_moment(at),
            checks=checks,
            findings=findings,
        )
        session.flush()
        _echo({"visit_id": visit.id, "enterprise_id": enterprise.id})


@ledger_group.command("sweep")
@click.option("--community", required=True, help="所属社区.")
@click.option("--building", default="", help="楼宇.")
@click.option("--place", default="", help="电梯 / 公告栏 / 街面 …")
@click.option("--by", "swept_by", required=True, help="Who swept (排查人).")
@click.option("--at", "at", type=click.DateTime(["%Y-%m-%d %H:%M", "%Y-%m-%d"]), default=None)
@click.option("--photos", default=0, type=click.IntRange(min=0), help="Photos uploaded.")
@click.option("--note", default="")
@command_with_globals
def sweep_cmd(
    community: str,
    building: str,
    place: str,
    swept_by: str,
    at: datetime | None,
    photos: int,
    note: str,
) -> None:
    """Record a 张贴物排查 poster sweep of a place.

    Example:

        admon ledger sweep --community 桃源社区 --building A栋 --place 电梯 --by 王五 --photos 3
    """
    with open_session() as session:
        sweep = ledger_api.record_sweep(
            session,
            community=community,
            building=building,
            place=place,
            swept_by=swept_by,
            swept_at=_moment(at),
            uploads_count=photos,
            note=note,
        )
        session.flush()
        _echo({"sweep_id": sweep.id})


@ledger_group.command("coverage")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True)
@command_with_globals
def coverage_cmd(start: datetime, end: datetime) -> None:
    """排查全覆盖: visits, poster sweeps and grid workers' poster photos per community and
    building, both days included.

    Example:

        admon ledger coverage --from 2026-11-01 --to 2026-11-15
    """
    zone = ZoneInfo(current_settings().timezone)
    begin = datetime.combine(start.date(), time.min, zone)
    finish = datetime.combine(end.date() + timedelta(days=1), time.min, zone)
    with open_session() as session:
        rows = ledger_api.coverage(session, begin, finish, tz=zone)
        _echo([row.to_dict() for row in rows])


#: The name the lazy CLI registry looks up (`monitor.cli.ledger:ledger`).
ledger = ledger_group
