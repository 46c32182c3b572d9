"""lead_tally: lead counts per status, risk, source kind and categories, kept by triggers

Hand-written (autogenerate does not see triggers). The review queue shows the number of
leads in each status on every page view, under the reviewer's filters; counting 100k leads
per view cost PostgreSQL ~18 ms of CPU, most of the page's time under ten concurrent
reviewers. The triggers keep the counts as the leads change, in the same transaction, so
they are exact by construction; `monitor.leads.status_tally` reads them.

- PostgreSQL: statement-level triggers with transition tables append one row per
  combination a statement changed (a bulk insert of 10,000 leads adds a few rows, not
  10,000). Appending instead of updating a counter row means concurrent writers never
  queue on a hot row and can never deadlock over two of them. The reader folds the rows
  together now and then.
- SQLite: writers are serialised by the database anyway, so the row triggers keep one row
  per combination (UPSERT on a unique index that only SQLite gets).

Replaces migration 0003's per-status `lead_status_counts` (which served only the
unfiltered queue): its triggers and table are dropped here, and downgrading restores them
by running 0003's own statements again.

Revision ID: 0004
Revises: 0003
"""

import importlib
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# 0003's module name starts with a digit: import it by name to reuse its statements.
_previous = importlib.import_module("monitor.migrations.versions.0003_lead_status_counts")

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: The lead columns the tally is kept by (all low-cardinality queue filters).
KEY = "status, risk, source_kind, category_bits"

SEED = f"""
    INSERT INTO lead_tally ({KEY}, delta)
    SELECT {KEY}, count(*) FROM leads GROUP BY {KEY}
"""

POSTGRES_UP = [
    f"""
    CREATE OR REPLACE FUNCTION lead_tally_on_insert() RETURNS trigger AS $$
    BEGIN
        INSERT INTO lead_tally ({KEY}, delta)
        SELECT {KEY}, count(*) FROM inserted_leads GROUP BY {KEY};
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION lead_tally_on_update() RETURNS trigger AS $$
    BEGIN
        INSERT INTO lead_tally ({KEY}, delta)
        SELECT {KEY}, sum(delta) FROM (
            SELECT o.status, o.risk, o.source_kind, o.category_bits, -1 AS delta
            FROM old_leads o JOIN new_leads n ON n.id = o.id
            WHERE (o.status, o.risk, o.source_kind, o.category_bits)
                IS DISTINCT FROM (n.status, n.risk, n.source_kind, n.category_bits)
            UNION ALL
            SELECT n.status, n.risk, n.source_kind, n.category_bits, 1
            FROM old_leads o JOIN new_leads n ON n.id = o.id
            WHERE (o.status, o.risk, o.source_kind, o.category_bits)
                IS DISTINCT FROM (n.status, n.risk, n.source_kind, n.category_bits)
        ) AS changes
        GROUP BY {KEY}
        HAVING sum(delta) <> 0;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION lead_tally_on_delete() RETURNS trigger AS $$
    BEGIN
        INSERT INTO lead_tally ({KEY}, delta)
        SELECT {KEY}, -count(*) FROM deleted_leads GROUP BY {KEY};
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION lead_tally_on_truncate() RETURNS trigger AS $$
    BEGIN
        DELETE FROM lead_tally;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER leads_tally_insert AFTER INSERT ON leads
        REFERENCING NEW TABLE AS inserted_leads
        FOR EACH STATEMENT EXECUTE FUNCTION lead_tally_on_insert()
    """,
    """
    CREATE TRIGGER leads_tally_update AFTER UPDATE ON leads
        REFERENCING OLD TABLE AS old_leads NEW TABLE AS new_leads
        FOR EACH STATEMENT EXECUTE FUNCTION lead_tally_on_update()
    """,
    """
    CREATE TRIGGER leads_tally_delete AFTER DELETE ON leads
        REFERENCING OLD TABLE AS deleted_leads
        FOR EACH STATEMENT EXECUTE FUNCTION lead_tally_on_delete()
    """,
    """
    CREATE TRIGGER leads_tally_truncate AFTER TRUNCATE ON leads
        FOR EACH STATEMENT EXECUTE FUNCTION lead_tally_on_truncate()
    """,
]

POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS leads_tally_truncate ON leads",
    "DROP TRIGGER IF EXISTS leads_tally_delete ON leads",
    "DROP TRIGGER IF EXISTS leads_tally_update ON leads",
    "DROP TRIGGER IF EXISTS leads_tally_insert ON leads",
    "DROP FUNCTION IF EXISTS lead_tally_on_truncate()",
    "DROP FUNCTION IF EXISTS lead_tally_on_delete()",
    "DROP FUNCTION IF EXISTS lead_tally_on_update()",
    "DROP FUNCTION IF EXISTS lead_tally_on_insert()",
]


def _sqlite_add(row: str, delta: int) -> str:
    """A trigger statement adding `delta` to the combination of `row` (NEW or OLD)."""
    values = f"{row}.status, {row}.risk, {row}.source_kind, {row}.category_bits"
    return f"""
        INSERT INTO lead_tally ({KEY}, delta) VALUES ({values}, {delta})
        ON CONFLICT ({KEY}) DO UPDATE SET delta = delta + ({delta});
    """


# `DELETE FROM leads` without WHERE fires the row trigger too (SQLite disables its truncate
# optimisation when a DELETE trigger exists).
SQLITE_UP = [
    f"CREATE UNIQUE INDEX uq_lead_tally_key ON lead_tally ({KEY})",
    f"""
    CREATE TRIGGER leads_tally_insert AFTER INSERT ON leads
    BEGIN
        {_sqlite_add("NEW", 1)}
    END
    """,
    f"""
    CREATE TRIGGER leads_tally_update AFTER UPDATE OF {KEY} ON leads
    WHEN OLD.status IS NOT NEW.status OR OLD.risk IS NOT NEW.risk
        OR OLD.source_kind IS NOT NEW.source_kind OR OLD.category_bits IS NOT NEW.category_bits
    BEGIN
        {_sqlite_add("OLD", -1)}
        {_sqlite_add("NEW", 1)}
    END
    """,
    f"""
    CREATE TRIGGER leads_tally_delete AFTER DELETE ON leads
    BEGIN
        {_sqlite_add("OLD", -1)}
    END
    """,
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS leads_tally_delete",
    "DROP TRIGGER IF EXISTS leads_tally_update",
    "DROP TRIGGER IF EXISTS leads_tally_insert",
    "DROP INDEX IF EXISTS uq_lead_tally_key",
]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return POSTGRES_UP if up else POSTGRES_DOWN
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    raise NotImplementedError(f"lead tally triggers: unsupported dialect {dialect}")


def upgrade() -> None:
    _previous.downgrade()  # 0003's triggers and per-status table
    op.create_table(
        "lead_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("risk", sa.String(length=8), nullable=True),
        sa.Column("source_kind", sa.String(length=8), nullable=True),
        sa.Column("category_bits", sa.Integer(), nullable=True),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_tally")),
    )
    # Seed, then arm, in one transaction (Alembic runs each migration in one), so no lead
    # written meanwhile is counted twice or missed. SQLite's unique index comes first:
    # the GROUP BY gives each combination once.
    statements = _statements(up=True)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(statements[0])
        statements = statements[1:]
    op.execute(SEED)
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
    op.drop_table("lead_tally")
    _previous.upgrade()  # back to 0003: its table, seeded from the leads, and its triggers
