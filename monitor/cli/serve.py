"""`admon serve`: the web app on this machine (default http://127.0.0.1:8000)."""

from __future__ import annotations

import click

from monitor.cli.common import current_settings, global_options


@click.command()
@global_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Serve the web app (review queue, evidence, ledger, uploads, reports).

    Example:

        admon serve --host 0.0.0.0 --port 8000
    """
    import uvicorn

    from monitor.web import create_app

    app = create_app(current_settings())
    click.echo(f"admon: serving on http://{host}:{port} (Ctrl-C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
