"""sessions and retiring: a session version and an active flag per user, retired venues and teams, their audit trail

Revision ID: s5e6f7a8b9c0
Revises: w1a2b3c4d5e6
Create Date: 2026-12-01 22:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "s5e6f7a8b9c0"
down_revision = "w1a2b3c4d5e6"
branch_labels = None
depends_on = None

MESSAGE = "record_event is append-only: the audit trail is never changed or deleted"


def upgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    for table in ("venue", "team"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "record_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
    )
    op.create_index("ix_record_event_object", "record_event", ["kind", "object_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION record_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""")
        op.execute("""CREATE TRIGGER record_event_append_only BEFORE UPDATE OR DELETE ON record_event
                      FOR EACH ROW EXECUTE FUNCTION record_event_append_only()""")
    else:
        for what in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER record_event_no_{what.lower()} BEFORE {what} ON record_event
                           BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER record_event_append_only ON record_event")
        op.execute("DROP FUNCTION record_event_append_only()")
    op.drop_index("ix_record_event_object", table_name="record_event")
    op.drop_table("record_event")
    for table in ("team", "venue"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("retired")
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("active")
        batch_op.drop_column("session_version")
