"""Contact search indexes: search-as-you-type finds people by name or e-mail start.

Revision ID: c49dd9cbf68a
Revises: 0d9a6751cd5f
Create Date: 2026-11-27 02:53:47.062816
"""

from alembic import op

revision = "c49dd9cbf68a"
down_revision = "0d9a6751cd5f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_search_key", ["search_key", "archived", "company_id"], unique=False
        )
        batch_op.create_index(
            "ix_contact_last_name", ["last_name", "archived", "company_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_last_name")
        batch_op.drop_index("ix_contact_search_key")
