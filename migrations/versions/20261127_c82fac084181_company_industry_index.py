"""Company industry index: the list filtered by an industry counts and pages along it.

Revision ID: c82fac084181
Revises: c49dd9cbf68a
Create Date: 2026-11-27 03:45:00
"""

from alembic import op

revision = "c82fac084181"
down_revision = "c49dd9cbf68a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.create_index(
            "ix_company_industry_archived_name",
            ["industry_id", "archived", "name_key"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_index("ix_company_industry_archived_name")
