"""company.last_activity_at: the latest date of a company's activities, kept with them

Revision ID: e5b1c7d3a942
Revises: d2a7c4e9f013
Create Date: 2026-11-27 06:40:00.000000

"No activity in 180 days" (data quality) and the segments' "last activity before/after" looked
through the activity log card by card (2,000,000 activities at full scale). The column holds
the latest occurred_at of the company's activities that are not deleted (planned ones
included), NULL when it has none; webapp/models/last_activity.py keeps it on every write. The
backfill is one set-based UPDATE (one probe of ix_activity_company_deleted_occurred per
company: about 2 s on SQLite at 200,000 companies).
"""

import sqlalchemy as sa
from alembic import op

revision = "e5b1c7d3a942"
down_revision = "d2a7c4e9f013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_activity_at", sa.DateTime(), nullable=True))
    company = sa.table("company", sa.column("id"), sa.column("last_activity_at"))
    activity = sa.table(
        "activity", sa.column("company_id"), sa.column("occurred_at"), sa.column("deleted")
    )
    latest = (
        sa.select(sa.func.max(activity.c.occurred_at))
        .where(activity.c.company_id == company.c.id, activity.c.deleted == sa.false())
        .scalar_subquery()
    )
    op.execute(company.update().values(last_activity_at=latest))
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.create_index(
            "ix_company_last_activity_archived", ["last_activity_at", "archived"], unique=False
        )


def downgrade():
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_index("ix_company_last_activity_archived")
        batch_op.drop_column("last_activity_at")
