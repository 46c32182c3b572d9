"""`admon demo`: the newcomer's one command (README's first)."""

from __future__ import annotations

import click

from monitor.cli.common import current_settings, global_options


@click.command()
@global_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address for the web UI.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port for the web UI.")
@click.option("--no-serve", is_flag=True, help="Set everything up, print the summary, exit.")
@click.option("--no-crawl", is_flag=True, help="Skip crawling the bundled demo site.")
@click.option("--no-posters", is_flag=True, help="Skip reading the bundled demo posters.")
def demo(host: str, port: int, no_serve: bool, no_crawl: bool, no_posters: bool) -> None:
    """Run the demo: database, accounts, ledger, a real crawl of the bundled demo town,
    the bundled posters read by OCR, then the web UI.

    Example:

        admon demo            # then open http://127.0.0.1:8000 and sign in as admin
    """
    from contextlib import ExitStack

    from monitor.demo import run_demo

    settings = current_settings()

    def step(message: str) -> None:
        click.echo(f"admon demo: {message}", err=True)

    # The demo town stays up while the UI serves, so its source can be run again from it.
    with ExitStack() as keep:
        result = run_demo(
            settings, step, crawl=not no_crawl, posters=not no_posters,
            keep=None if no_serve else keep,
        )
        click.echo("")
        click.echo("== admon 演示已就绪 demo ready ==")
        if result.crawl is not None:
            c = result.crawl
            click.echo(
                f"网页巡查 crawl: {c.pages} pages ({c.rendered} rendered, {c.images} images read), "
                f"{c.leads_new} new leads, {c.errors} errors recorded — {c.status}"
            )
        if result.posters:
            click.echo(f"海报 posters: {result.posters} read, {result.poster_leads} raised leads")
        click.echo(f"企业台账 ledger: {result.enterprises} enterprises")
        click.echo(f"线索 leads in total: {result.leads_total}")
        click.echo("账号 accounts (passwords are new on every demo run):")
        for account in result.accounts:
            click.echo(f"  {account.username:<9} {account.role:<9} password: {account.password}")
        if no_serve:
            return
        import uvicorn

        from monitor.web import create_app

        click.echo(f"界面 UI: http://{host}:{port}/  (sign in as admin; Ctrl-C to stop)")
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
