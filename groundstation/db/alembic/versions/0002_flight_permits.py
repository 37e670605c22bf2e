"""flight permits (cooperative flights allowed in a place and time)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flight_permits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("ident", sa.String(length=64), nullable=False),
        sa.Column("lat_deg", sa.Float(), nullable=False),
        sa.Column("lon_deg", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("ceiling_amsl_m", sa.Float(), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("flight_permits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flight_permits_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_flight_permits_ident"), ["ident"], unique=False)
        batch_op.create_index(batch_op.f("ix_flight_permits_valid_to"), ["valid_to"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("flight_permits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flight_permits_valid_to"))
        batch_op.drop_index(batch_op.f("ix_flight_permits_ident"))
        batch_op.drop_index(batch_op.f("ix_flight_permits_org_id"))
    op.drop_table("flight_permits")
