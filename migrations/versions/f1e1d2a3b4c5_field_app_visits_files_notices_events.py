"""the field app: check-ins with the checklist, photos and signatures, rectification notices, live events

Revision ID: f1e1d2a3b4c5
Revises: c4m5p6a7i8g9
Create Date: 2026-12-02 07:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f1e1d2a3b4c5"
down_revision = "c4m5p6a7i8g9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "field_visit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("inspection.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("venue_id", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("checked_in_at", sa.DateTime(), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("far", sa.Boolean(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_field_visit_inspection_id", "field_visit", ["inspection_id"])
    op.create_index("ix_field_visit_day", "field_visit", ["day"])
    op.create_index("ix_field_visit_team_id", "field_visit", ["team_id"])
    op.create_table(
        "field_file",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("visit_id", sa.Integer(), sa.ForeignKey("field_visit.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("hazard_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_field_file_visit_id", "field_file", ["visit_id"])
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("visit_id", sa.Integer(), sa.ForeignKey("field_visit.id"), nullable=False),
        sa.Column("venue_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hazard_ids", sa.JSON(), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("responsible_unit", sa.String(length=200), nullable=False),
        sa.Column("responsible_person", sa.String(length=100), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("standard", sa.Text(), nullable=False),
        sa.Column("signer", sa.String(length=100), nullable=False),
        sa.Column("signature_id", sa.Integer(), sa.ForeignKey("field_file.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_notice_visit_id", "notice", ["visit_id"])
    op.create_index("ix_notice_venue_id", "notice", ["venue_id"])
    op.create_table(
        "field_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
    )
    op.create_index("ix_field_event_day", "field_event", ["day"])


def downgrade():
    op.drop_index("ix_field_event_day", table_name="field_event")
    op.drop_table("field_event")
    op.drop_index("ix_notice_venue_id", table_name="notice")
    op.drop_index("ix_notice_visit_id", table_name="notice")
    op.drop_table("notice")
    op.drop_index("ix_field_file_visit_id", table_name="field_file")
    op.drop_table("field_file")
    op.drop_index("ix_field_visit_team_id", table_name="field_visit")
    op.drop_index("ix_field_visit_day", table_name="field_visit")
    op.drop_index("ix_field_visit_inspection_id", table_name="field_visit")
    op.drop_table("field_visit")
