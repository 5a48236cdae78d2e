"""initial schema: users

Revision ID: 0a81f61d8cc6
Revises:
Create Date: 2026-11-27 02:30:08.236248
"""

import sqlalchemy as sa
from alembic import op

revision = '0a81f61d8cc6'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('department', sa.String(length=20), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("role IN ('admin', 'manager', 'employee')", name=op.f('ck_app_user_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('email', name=op.f('uq_app_user_email'))
    )
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_app_user_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_app_user_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_app_user_role'), ['role'], unique=False)



def downgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_user_role'))
        batch_op.drop_index(batch_op.f('ix_app_user_department'))
        batch_op.drop_index(batch_op.f('ix_app_user_active'))

    op.drop_table('app_user')
