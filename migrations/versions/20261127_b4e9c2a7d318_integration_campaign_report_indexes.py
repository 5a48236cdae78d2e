"""indexes for integration priorities and campaign results

Revision ID: b4e9c2a7d318
Revises: f3a8d6c2b915
Create Date: 2026-11-27 10:00:00.000000

Measured at 200,000 companies, 2,000,000 activities and 100,000 deals (SQLite, CPU ms per
build):

- group_value (group_id, company_id): a group's values company by company, so the customers
  with two or more systems in a group are found without reading every group value of every
  company (integration priorities).
- company (status_id, archived): the customers in id order, so the list of customers the
  group values are looked up in is built by appending (integration priorities ~160 → ~115
  with the index above).
- deal (campaign_id, outcome, value): the won deals of a campaign and their values from the
  index alone instead of every campaign deal's row (campaign figures, on the campaign page
  and in campaign results: ~11 → ~2 for that part).
"""

from alembic import op

revision = "b4e9c2a7d318"
down_revision = "f3a8d6c2b915"
branch_labels = None
depends_on = None

INDEXES = (
    ("group_value", "ix_group_value_group_company", ["group_id", "company_id"]),
    ("company", "ix_company_status_archived", ["status_id", "archived"]),
    ("deal", "ix_deal_campaign_outcome_value", ["campaign_id", "outcome", "value"]),
)


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
