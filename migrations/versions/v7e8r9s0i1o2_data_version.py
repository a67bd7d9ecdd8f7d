"""the version of the layer tables, bumped with every write to them (cached layers across processes)

Revision ID: v7e8r9s0i1o2
Revises: n1o2t3i4f5y6
Create Date: 2026-12-02 07:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "v7e8r9s0i1o2"
down_revision = "n1o2t3i4f5y6"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade():
    op.drop_table("data_version")
