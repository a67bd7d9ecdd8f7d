"""hazard events append-only in the database itself (triggers refuse UPDATE and DELETE)

The ORM listener in ledger.models stops the app; these triggers stop everything else too
(a script, a SQL console, a bulk statement that bypasses the ORM).

Revision ID: c3a1e0f2b7d4
Revises: bca7053ec36a
Create Date: 2026-11-23 18:00:00
"""
from alembic import op

revision = "c3a1e0f2b7d4"
down_revision = "bca7053ec36a"
branch_labels = None
depends_on = None

MESSAGE = "hazard_event is append-only: the audit trail is never changed or deleted"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION hazard_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""")
        op.execute("""CREATE TRIGGER hazard_event_append_only BEFORE UPDATE OR DELETE ON hazard_event
                      FOR EACH ROW EXECUTE FUNCTION hazard_event_append_only()""")
    else:
        for what in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER hazard_event_no_{what.lower()} BEFORE {what} ON hazard_event
                           BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER hazard_event_append_only ON hazard_event")
        op.execute("DROP FUNCTION hazard_event_append_only()")
    else:
        for what in ("update", "delete"):
            op.execute(f"DROP TRIGGER hazard_event_no_{what}")
