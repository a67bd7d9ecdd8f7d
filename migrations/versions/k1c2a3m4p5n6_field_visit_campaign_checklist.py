"""the phone's campaign checklist: the items of a running campaign (专项排查) ticked at a stop

Revision ID: k1c2a3m4p5n6
Revises: f1e1d2a3b4c5
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "k1c2a3m4p5n6"
down_revision = "f1e1d2a3b4c5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("field_visit") as batch:
        batch.add_column(sa.Column("campaign_checklist", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("field_visit") as batch:
        batch.drop_column("campaign_checklist")
