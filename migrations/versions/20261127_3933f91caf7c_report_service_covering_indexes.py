"""covering indexes for the data quality and satisfaction reports

Revision ID: 3933f91caf7c
Revises: f3c8a1d5b720
Create Date: 2026-11-27 09:30:00.000000

At full scale (200,000 companies, SQLite, CPU ms per statement, before → after):

- company (id, archived, status_id, owner_id, created_at, last_activity_at, category,
  industry_id): data quality reads every active card's status, owner and dates; the table's
  rows are wide (about 12 to a page), this index's entries narrow, and in id order, so the
  probes of the group value index still move forward (~165 → ~135 for that statement).
- company (id, archived, country, industry_id, category, owner_id): satisfaction looks up
  each rated card (~60,000) by id for its country, industry and category (~87 → ~58).
- change (field, changed_at, company_id, new, old) for group changes only (partial, so the
  long texts of other history rows stay out): satisfaction's trend and its improved/worsened
  read the rating history from the index instead of each row (~100 → ~72 and ~52 → ~35).
"""

import sqlalchemy as sa
from alembic import op

revision = "3933f91caf7c"
down_revision = "f3c8a1d5b720"
branch_labels = None
depends_on = None

GROUP_CHANGES = "field LIKE 'group:%'"


def upgrade():
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.create_index(
            "ix_company_quality",
            [
                "id",
                "archived",
                "status_id",
                "owner_id",
                "created_at",
                "last_activity_at",
                "category",
                "industry_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_company_rating",
            ["id", "archived", "country", "industry_id", "category", "owner_id"],
            unique=False,
        )
    op.create_index(
        "ix_change_group_history",
        "change",
        ["field", "changed_at", "company_id", "new", "old"],
        unique=False,
        sqlite_where=sa.text(GROUP_CHANGES),
        postgresql_where=sa.text(GROUP_CHANGES),
    )


def downgrade():
    op.drop_index("ix_change_group_history", table_name="change")
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_index("ix_company_rating")
        batch_op.drop_index("ix_company_quality")
