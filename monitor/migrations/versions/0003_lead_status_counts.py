"""lead_status_counts: per-status lead counts kept by triggers on leads

Hand-written (autogenerate does not see triggers). The review queue shows the number of
leads in each status on every page view; counting 100k leads per view cost PostgreSQL
~18 ms of CPU, most of the page's time under ten concurrent reviewers. The triggers keep
the counts as the leads change, in the same transaction, so they are exact by
construction; `monitor.leads.status_tally` reads them.

- PostgreSQL: statement-level triggers with transition tables append one row per status a
  statement changed (a bulk insert of 10,000 leads adds one row, not 10,000). Appending
  instead of updating a counter row means concurrent writers never queue on a hot row and
  can never deadlock over two of them. The reader folds the rows together now and then.
- SQLite: writers are serialised by the database anyway, so the row triggers update one
  row per status (inserted the first time a status is seen).

Revision ID: 0003
Revises: 0002
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SEED = """
    INSERT INTO lead_status_counts (status, delta)
    SELECT status, count(*) FROM leads GROUP BY status
"""

POSTGRES_UP = [
    """
    CREATE OR REPLACE FUNCTION lead_status_counts_on_insert() RETURNS trigger AS $$
    BEGIN
        INSERT INTO lead_status_counts (status, delta)
        SELECT status, count(*) FROM inserted_leads GROUP BY status;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION lead_status_counts_on_update() RETURNS trigger AS $$
    BEGIN
        INSERT INTO lead_status_counts (status, delta)
        SELECT status, sum(delta) FROM (
            SELECT o.status, -1 AS delta
            FROM old_leads o JOIN new_leads n ON n.id = o.id
            WHERE o.status IS DISTINCT FROM n.status
            UNION ALL
            SELECT n.status, 1
            FROM old_leads o JOIN new_leads n ON n.id = o.id
            WHERE o.status IS DISTINCT FROM n.status
        ) AS changes
        GROUP BY status
        HAVING sum(delta) <> 0;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION lead_status_counts_on_delete() RETURNS trigger AS $$
    BEGIN
        INSERT INTO lead_status_counts (status, delta)
        SELECT status, -count(*) FROM deleted_leads GROUP BY status;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION lead_status_counts_on_truncate() RETURNS trigger AS $$
    BEGIN
        DELETE FROM lead_status_counts;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER leads_status_counts_insert AFTER INSERT ON leads
        REFERENCING NEW TABLE AS inserted_leads
        FOR EACH STATEMENT EXECUTE FUNCTION lead_status_counts_on_insert()
    """,
    """
    CREATE TRIGGER leads_status_counts_update AFTER UPDATE ON leads
        REFERENCING OLD TABLE AS old_leads NEW TABLE AS new_leads
        FOR EACH STATEMENT EXECUTE FUNCTION lead_status_counts_on_update()
    """,
    """
    CREATE TRIGGER leads_status_counts_delete AFTER DELETE ON leads
        REFERENCING OLD TABLE AS deleted_leads
        FOR EACH STATEMENT EXECUTE FUNCTION lead_status_counts_on_delete()
    """,
    """
    CREATE TRIGGER leads_status_counts_truncate AFTER TRUNCATE ON leads
        FOR EACH STATEMENT EXECUTE FUNCTION lead_status_counts_on_truncate()
    """,
]

POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS leads_status_counts_truncate ON leads",
    "DROP TRIGGER IF EXISTS leads_status_counts_delete ON leads",
    "DROP TRIGGER IF EXISTS leads_status_counts_update ON leads",
    "DROP TRIGGER IF EXISTS leads_status_counts_insert ON leads",
    "DROP FUNCTION IF EXISTS lead_status_counts_on_truncate()",
    "DROP FUNCTION IF EXISTS lead_status_counts_on_delete()",
    "DROP FUNCTION IF EXISTS lead_status_counts_on_update()",
    "DROP FUNCTION IF EXISTS lead_status_counts_on_insert()",
]


def _sqlite_add(status: str, delta: str) -> str:
    """Trigger body statements adding `delta` to `status`'s single row (created if new)."""
    return f"""
        INSERT INTO lead_status_counts (status, delta)
        SELECT {status}, 0
        WHERE NOT EXISTS (SELECT 1 FROM lead_status_counts WHERE status = {status});
        UPDATE lead_status_counts SET delta = delta + ({delta}) WHERE status = {status};
    """


# `DELETE FROM leads` without WHERE fires the row trigger too (SQLite disables its truncate
# optimisation when a DELETE trigger exists).
SQLITE_UP = [
    f"""
    CREATE TRIGGER leads_status_counts_insert AFTER INSERT ON leads
    BEGIN
        {_sqlite_add("NEW.status", "1")}
    END
    """,
    f"""
    CREATE TRIGGER leads_status_counts_update AFTER UPDATE OF status ON leads
    WHEN OLD.status IS NOT NEW.status
    BEGIN
        {_sqlite_add("OLD.status", "-1")}
        {_sqlite_add("NEW.status", "1")}
    END
    """,
    f"""
    CREATE TRIGGER leads_status_counts_delete AFTER DELETE ON leads
    BEGIN
        {_sqlite_add("OLD.status", "-1")}
    END
    """,
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS leads_status_counts_delete",
    "DROP TRIGGER IF EXISTS leads_status_counts_update",
    "DROP TRIGGER IF EXISTS leads_status_counts_insert",
]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return POSTGRES_UP if up else POSTGRES_DOWN
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    raise NotImplementedError(f"lead status count triggers: unsupported dialect {dialect}")


def upgrade() -> None:
    op.create_table(
        "lead_status_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_status_counts")),
    )
    op.create_index(
        op.f("ix_lead_status_counts_status"), "lead_status_counts", ["status"], unique=False
    )
    # Seed and arm in one transaction (Alembic runs each migration in one), so no lead
    # written meanwhile is counted twice or missed.
    op.execute(SEED)
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
    op.drop_index(op.f("ix_lead_status_counts_status"), table_name="lead_status_counts")
    op.drop_table("lead_status_counts")
