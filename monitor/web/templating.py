"""Jinja2 set up once: autoescape on for every template (crawled text is hostile), and the
globals every page needs (who is signed in, the CSRF token, the navigation for the role)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

from monitor.labels import CATEGORY_LABELS, RISK_LABELS, SOURCE_LABELS
from monitor.web.deps import anonymous_csrf_token
from monitor.web.sessions import SignedIn

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

#: (path, label, roles that see it). The role check on each route is what protects it;
#: this only decides what the menu shows.
NAVIGATION: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("/leads", "线索队列", ("admin", "reviewer")),
    ("/referred", "移送线索", ("partner",)),
    ("/uploads", "海报上传", ("grid", "admin", "reviewer")),
    ("/ledger", "企业台账", ("admin", "reviewer")),
    ("/coverage", "排查覆盖", ("admin", "reviewer")),
    ("/reports", "半月报", ("admin", "reviewer")),
    ("/sources", "监测源", ("admin",)),
    ("/tips/rewards", "举报奖励", ("admin",)),
    ("/admin", "系统管理", ("admin",)),
)

LABELS = {
    "status": {
        "new": "待审核",
        "reviewing": "审核中",
        "confirmed": "已确认",
        "dismissed": "已排除",
        "closed": "已结案",
    },
    "risk": RISK_LABELS,
    "category": CATEGORY_LABELS,
    "source": SOURCE_LABELS,
    # 审计日志: what each audited action means; "lead.<action>" uses "action" below.
    "audit_action": {
        "login": "登录",
        "login_failed": "登录失败",
        "logout": "退出登录",
        "denied": "越权访问被拒",
        "csrf_denied": "表单校验失败",
        "user.create": "新建账号",
        "user.deactivate": "停用账号",
        "user.set_password": "重设密码",
        "upload.received": "海报上传",
        "upload.duplicate": "重复上传",
        "upload.rejected": "上传被拒",
        "upload.too_large": "上传超限",
        "upload.retry": "重新识别",
        "tip.received": "收到举报",
        "source.add": "添加监测源",
        "source.edit": "修改监测源",
        "source.enable": "启用/停用监测源",
        "source.run": "立即运行监测源",
        "ledger.import": "台账导入",
        "ledger.export": "台账导出",
        "ledger.set_tag": "设置风险标签",
        "ledger.event": "记录企业异动",
        "ledger.visit": "记录走访",
        "ledger.sweep": "记录张贴物排查",
        "lead.conflict": "研判冲突（已被他人修改）",
        "rectification.recheck": "整改复查",
        "evidence.verified": "证据校验",
    },
    "run_status": {
        "running": "运行中",
        "finished": "已完成",
        "failed": "失败",
        "interrupted": "已中断",
    },
    "via": {
        "html": "网页正文",
        "js": "脚本渲染",
        "image": "网页图片",
        "poster": "海报",
        "tip": "举报",
    },
    "action": {
        "start_review": "开始研判",
        "confirm": "确认并处置",
        "dismiss": "排除",
        "close": "结案",
        "reopen": "重新打开",
        "note": "备注",
        "link_enterprise": "关联企业",
        "recheck": "整改复查",
    },
    "role": {"admin": "管理员", "reviewer": "审核人员", "grid": "网格员", "partner": "协作单位"},
}


def audit_action_label(action: str) -> str:
    """The Chinese name of an audited action, e.g. "lead.confirm" → "线索：确认违法"."""
    known = LABELS["audit_action"].get(action)
    if known:
        return known
    kind, _, step = action.partition(".")
    if kind == "lead" and step in LABELS["action"]:
        return f"线索：{LABELS['action'][step]}"
    return action


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the package: checking every file's mtime on each render
        # cost ~4 % of the queue page's time.
        auto_reload=False,
    )
    env.globals["labels"] = LABELS
    env.filters["audit_action"] = audit_action_label
    return env


templates = Jinja2Templates(env=_environment())


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    signed_in: SignedIn | None = None,
) -> HTMLResponse:
    """Render a page with the standard globals."""
    signed_in = signed_in or getattr(request.state, "signed_in", None)
    csrf = signed_in.csrf_token if signed_in else anonymous_csrf_token(request)
    role = signed_in.view.role if signed_in else None
    page: dict[str, Any] = {
        "user": signed_in.view if signed_in else None,
        "csrf_token": csrf,
        "nav": [(path, label) for path, label, roles in NAVIGATION if role in roles],
        "current_path": request.url.path,
    }
    page.update(context or {})
    return templates.TemplateResponse(request, name, page, status_code=status_code)
