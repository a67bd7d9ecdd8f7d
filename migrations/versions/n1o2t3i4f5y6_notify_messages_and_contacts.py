"""warnings that reach people: an e-mail address and what each account is told of, and the messages sent

Revision ID: n1o2t3i4f5y6
Revises: s5e6f7a8b9c0
Create Date: 2026-12-01 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "n1o2t3i4f5y6"
down_revision = "s5e6f7a8b9c0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("notify_for", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "notify_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("tried_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("stage", "subject", "day", "address", name="uq_notify_message_once"),
    )
    op.create_index("ix_notify_message_rule", "notify_message", ["rule"])
    op.create_index("ix_notify_message_status", "notify_message", ["status"])


def downgrade():
    op.drop_index("ix_notify_message_status", table_name="notify_message")
    op.drop_index("ix_notify_message_rule", table_name="notify_message")
    op.drop_table("notify_message")
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("notify_for")
        batch_op.drop_column("email")
