"""admon's monitor: storage, intake, review workflow, enterprise ledger, reports, scheduler,
web app and CLI. Depends on `rules` and `ocr`; they never depend on it."""
