"""`admon schedule`: run the scheduler in the foreground (nightly crawls of every enabled
source). `--list` shows what would run and when, without running anything."""

from __future__ import annotations

import json
import logging

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from monitor import scheduler as sched
from monitor.cli.common import command_with_globals, current_settings
from monitor.cli.db import open_database


@click.command()
@click.option("--list", "list_only", is_flag=True, help="Print the scheduled crawls and exit.")
@command_with_globals
def schedule(list_only: bool) -> None:
    """Run the crawl schedule in the foreground (Ctrl-C stops it).

    Each enabled source is crawled on its own crontab line (`admon sources add --schedule`)
    or nightly at 02:00 office time. Daily at 06:00 the pages under rectification whose
    re-check date has come are crawled again (整改复查), and at 07:00 the semi-monthly
    report is written on reporting days. Crawl runs a dead scheduler left "running" are
    marked interrupted on start. Only one scheduler may run per database.

    Example:

        admon schedule --list
    """
    settings = current_settings()
    database = open_database(settings)
    if list_only:
        preview = sched.build(BackgroundScheduler(), database.engine, settings, database.sessions)
        preview.start(paused=True)
        try:
            sched.sync_jobs(preview, database.sessions, settings.timezone)
            for job in sched.describe_jobs(preview):
                click.echo(json.dumps(job, ensure_ascii=False))
        finally:
            preview.shutdown(wait=False)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with sched.single_instance(database.engine, settings.data_dir):
        blocking = sched.build(BlockingScheduler(), database.engine, settings, database.sessions)
        click.echo(f"admon schedule: running (time zone {settings.timezone}); Ctrl-C stops",
                   err=True)
        try:
            sched.start(blocking, database.sessions, settings.timezone)
        except (KeyboardInterrupt, SystemExit):
            blocking.shutdown(wait=False)
