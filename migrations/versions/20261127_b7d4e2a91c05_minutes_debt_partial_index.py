"""partial index for minutes debt (meetings without minutes) per author

Revision ID: b7d4e2a91c05
Revises: 3f1c9a2b7d10
Create Date: 2026-11-27 05:50:00.000000

The data-quality report counts every author's meetings in the past without minutes. Over
280,000 meetings that read each meeting's row for its body (0.7–2 s on SQLite at 2,000,000
activities); this index holds only the meetings without minutes (about 28,000 there), with
every column the count needs, so it is read alone (about 20 ms).
"""

import sqlalchemy as sa
from alembic import op

revision = "b7d4e2a91c05"
down_revision = "3f1c9a2b7d10"
branch_labels = None
depends_on = None

COLUMNS = ["author_id", "occurred_at", "company_id", "kind", "deleted", "body"]
SQLITE_WHERE = "kind = 'meeting' AND deleted = 0 AND (body IS NULL OR body = '')"
POSTGRESQL_WHERE = "kind = 'meeting' AND deleted = false AND (body IS NULL OR body = '')"


def upgrade():
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_minutes_debt",
            COLUMNS,
            unique=False,
            sqlite_where=sa.text(SQLITE_WHERE),
            postgresql_where=sa.text(POSTGRESQL_WHERE),
        )


def downgrade():
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_minutes_debt")
