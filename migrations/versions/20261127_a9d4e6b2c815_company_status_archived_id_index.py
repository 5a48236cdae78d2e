"""the customers' ids from the (status, archived) index alone

Revision ID: a9d4e6b2c815
Revises: c7e2f9a4b1d6
Create Date: 2026-11-27 11:00:00.000000

company (status_id, archived) becomes company (status_id, archived, id). SQLite's index
entries carry the row id already, so it reads them as before; PostgreSQL's do not, and it
fetched each customer's row from the table (a bitmap heap scan of ~62,000 rows at full scale,
twice) to learn its id for integration priorities' list of customers. With the id in the
index it reads the list from the index alone: integration priorities ~195 → ~115 ms on
PostgreSQL at full scale.
"""

from alembic import op

revision = "a9d4e6b2c815"
down_revision = "c7e2f9a4b1d6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_index("ix_company_status_archived")
        batch_op.create_index(
            "ix_company_status_archived_id", ["status_id", "archived", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_index("ix_company_status_archived_id")
        batch_op.create_index("ix_company_status_archived", ["status_id", "archived"], unique=False)
