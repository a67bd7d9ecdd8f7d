"""campaigns (专项排查): a named sweep with its period, scope and checklist

Revision ID: c4m5p6a7i8g9
Revises: v7e8r9s0i1o2
Create Date: 2026-12-02 08:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c4m5p6a7i8g9"
down_revision = "v7e8r9s0i1o2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False, server_default=""),
        sa.Column("grids", sa.Text(), nullable=False, server_default=""),
        sa.Column("hazard_types", sa.Text(), nullable=False, server_default=""),
        sa.Column("checklist", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_campaign_start", "campaign", ["start"])
    op.create_index("ix_campaign_end", "campaign", ["end"])


def downgrade():
    op.drop_index("ix_campaign_end", table_name="campaign")
    op.drop_index("ix_campaign_start", table_name="campaign")
    op.drop_table("campaign")
