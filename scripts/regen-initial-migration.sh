#!/usr/bin/env bash
# Until the first release the schema is one migration, regenerated from the models.
# After a release, add migrations with:  .venv/bin/alembic -c <cfg> revision --autogenerate
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f monitor/migrations/versions/0001_initial.py
# Hand-written later migrations (0002_...) revise 0001: park them while 0001 is rebuilt.
mkdir -p "$tmp/later"
find monitor/migrations/versions -maxdepth 1 -name '0[0-9][0-9][0-9]_*.py' -exec mv {} "$tmp/later/" \;
restore() { mv "$tmp"/later/*.py monitor/migrations/versions/ 2>/dev/null || true; rm -rf "$tmp"; }
trap restore EXIT
.venv/bin/python - "$tmp/blank.db" <<'PY'
import sys
from alembic import command
from monitor.db import alembic_config, make_engine
engine = make_engine(f"sqlite:///{sys.argv[1]}")
cfg = alembic_config(engine)
command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
PY
mv monitor/migrations/versions/0001_*.py monitor/migrations/versions/0001_initial.py
.venv/bin/ruff format -q monitor/migrations/versions/0001_initial.py || true
echo "wrote monitor/migrations/versions/0001_initial.py"
