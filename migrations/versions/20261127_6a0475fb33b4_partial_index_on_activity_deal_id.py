"""partial index on activity.deal_id

Revision ID: 6a0475fb33b4
Revises: 5e6a7f1c2d3b
Create Date: 2026-11-27 04:30:47.828828
"""

import sqlalchemy as sa
from alembic import op

revision = '6a0475fb33b4'
down_revision = '5e6a7f1c2d3b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_deal_id'))
        batch_op.create_index('ix_activity_deal_present', ['deal_id'], unique=False, sqlite_where=sa.text('deal_id IS NOT NULL'), postgresql_where=sa.text('deal_id IS NOT NULL'))



def downgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_deal_present', sqlite_where=sa.text('deal_id IS NOT NULL'), postgresql_where=sa.text('deal_id IS NOT NULL'))
        batch_op.create_index(batch_op.f('ix_activity_deal_id'), ['deal_id'], unique=False)

