"""the road layer (道路): road lines imported for the phone's route map

Revision ID: r0a1d2s3l4n5
Revises: k1c2a3m4p5n6
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "r0a1d2s3l4n5"
down_revision = "k1c2a3m4p5n6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "road",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("highway", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_road_min_lon", "road", ["min_lon"])
    op.create_index("ix_road_min_lat", "road", ["min_lat"])


def downgrade():
    op.drop_index("ix_road_min_lat", table_name="road")
    op.drop_index("ix_road_min_lon", table_name="road")
    op.drop_table("road")
