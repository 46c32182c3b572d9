"""Jinja2 set up once: autoescape on for every template (crawled text is hostile), and the
globals every page needs (who is signed in, the CSRF token, the navigation for the role)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

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
    "risk": {"high": "高", "medium": "中", "low": "低", "none": "无"},
    "category": {
        "return_promise": "承诺收益",
        "principal_guarantee": "保本保息",
        "hot_concept": "高风险概念",
        "endorsement": "专家/受益者推荐",
        "public_solicitation": "公开募集",
    },
    "source": {"web": "网页", "poster": "海报", "tip": "举报"},
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
