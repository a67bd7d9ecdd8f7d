"""team start_name: where a team sets out, printed on its route sheets

Revision ID: d4e5f6a7b8c9
Revises: c3a1e0f2b7d4
Create Date: 2026-11-23 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d4e5f6a7b8c9"
down_revision = "c3a1e0f2b7d4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("team") as batch_op:
        batch_op.add_column(sa.Column("start_name", sa.String(length=200), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("team") as batch_op:
        batch_op.drop_column("start_name")
