"""write keys (one-time form tokens, Idempotency-Key answers) and venues added to a team's day

Revision ID: w1a2b3c4d5e6
Revises: d4e5f6a7b8c9
Create Date: 2026-12-01 22:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "w1a2b3c4d5e6"
down_revision = "d4e5f6a7b8c9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "write_key",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "added_stop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("venue_id", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "team_id", "venue_id"),
    )
    op.create_index("ix_added_stop_day", "added_stop", ["day"])


def downgrade():
    op.drop_index("ix_added_stop_day", table_name="added_stop")
    op.drop_table("added_stop")
    op.drop_table("write_key")
