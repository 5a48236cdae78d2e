"""Segment filter indexes: last activity and marketing consent answered from indexes alone.

A segment's "last activity before/after" and "has a contact with consent" are EXISTS
probes per company; these indexes hold every column the probes read, so neither touches
the activity or contact rows.

Revision ID: 5e6a7f1c2d3b
Revises: c82fac084181
Create Date: 2026-11-27 03:55:00
"""

from alembic import op

revision = "5e6a7f1c2d3b"
down_revision = "c82fac084181"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_company_deleted_occurred",
            ["company_id", "deleted", "occurred_at"],
            unique=False,
        )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_company_archived_consent",
            ["company_id", "archived", "marketing_consent"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_company_archived_consent")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_company_deleted_occurred")
