"""partial index for the campaign figures (meetings held with minutes, proposals)

Revision ID: c7e2f9a4b1d6
Revises: b4e9c2a7d318
Create Date: 2026-11-27 09:30:00.000000

The campaign figures count, for each company attached to a campaign, its meetings held with
minutes and its proposals in the campaign's window: one probe per attached company (35,010 in
the benchmark's two campaigns, 2,000,000 activities). Testing "with minutes" read each
meeting's row for its body. The index holds different rows on each database, because each
can read a partial index alone on different terms:

- PostgreSQL reads an index alone when the query's terms prove its predicate, whatever columns
  the predicate names: here it holds the proposals and the meetings with minutes that are not
  deleted, and one probe per company counts both (figures statement of both benchmark
  campaigns ~290 → ~70 ms).
- SQLite (3.40) reads the row for any column the query names that the index lacks, and
  copying every meeting's minutes into an index is out of the question: here it holds the
  meetings without minutes (about 10 %), which the figures subtract from all meetings counted
  from ix_activity_kind_company_deleted_occurred (~105 → ~85 ms).
"""

import sqlalchemy as sa
from alembic import op

revision = "c7e2f9a4b1d6"
down_revision = "b4e9c2a7d318"
branch_labels = None
depends_on = None

# As webapp/models/activity.py CAMPAIGN_FIGURES_WHERE states them (a migration keeps its own copy).
SQLITE_WHERE = "kind = 'meeting' AND deleted = 0 AND (body IS NULL OR trim(body) = '')"
POSTGRESQL_WHERE = (
    "deleted = false AND (kind = 'proposal' OR kind = 'meeting' AND trim(body) != '')"
)


def upgrade():
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_campaign_figures",
            ["company_id", "occurred_at", "kind"],
            unique=False,
            sqlite_where=sa.text(SQLITE_WHERE),
            postgresql_where=sa.text(POSTGRESQL_WHERE),
        )


def downgrade():
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_campaign_figures")
