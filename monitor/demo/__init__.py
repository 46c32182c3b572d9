"""The newcomer's demo (`admon demo`): a working office in one command.

It migrates the configured database (default: SQLite in the data directory), creates the
demo accounts, imports a small enterprise ledger, serves the bundled demo town on
127.0.0.1 and crawls it for real (Scrapy, Chromium, OCR of images), reads the bundled demo
posters as a grid worker's uploads, and hands over to `admon serve`.
"""

from monitor.demo.run import DemoAccount, DemoResult, run_demo

__all__ = ["DemoAccount", "DemoResult", "run_demo"]
