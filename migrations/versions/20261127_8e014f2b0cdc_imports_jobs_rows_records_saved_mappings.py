"""imports: jobs, rows, records, saved mappings

Revision ID: 8e014f2b0cdc
Revises: 6a0475fb33b4
Create Date: 2026-11-27 05:16:17.698738
"""

import sqlalchemy as sa
from alembic import op

revision = '8e014f2b0cdc'
down_revision = '6a0475fb33b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('encoding', sa.String(length=20), nullable=True),
    sa.Column('delimiter', sa.String(length=1), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('mapping_name', sa.String(length=120), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('message', sa.JSON(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('planned_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('reverted_at', sa.DateTime(), nullable=True),
    sa.Column('reverted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('companies', 'contacts', 'deals', 'activities')", name=op.f('ck_import_job_kind')),
    sa.CheckConstraint("state IN ('uploaded', 'planning', 'planned', 'importing', 'done', 'failed', 'reverted')", name=op.f('ck_import_job_state')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_import_job_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['reverted_by_id'], ['app_user.id'], name=op.f('fk_import_job_reverted_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_job'))
    )
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.create_index('ix_import_job_created_at', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_job_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_job_reverted_by_id'), ['reverted_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_job_state'), ['state'], unique=False)

    op.create_table('import_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_import_mapping_created_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mapping')),
    sa.UniqueConstraint('kind', 'name', name='uq_import_mapping_kind_name')
    )
    with op.batch_alter_table('import_mapping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_mapping_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('import_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('old', sa.JSON(), nullable=True),
    sa.Column('version_after', sa.Integer(), nullable=True),
    sa.CheckConstraint("action IN ('created', 'updated')", name=op.f('ck_import_record_action')),
    sa.ForeignKeyConstraint(['job_id'], ['import_job.id'], name=op.f('fk_import_record_job_id_import_job'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_record'))
    )
    with op.batch_alter_table('import_record', schema=None) as batch_op:
        batch_op.create_index('ix_import_record_entity', ['entity', 'entity_id'], unique=False)
        batch_op.create_index('ix_import_record_job_entity', ['job_id', 'entity', 'entity_id'], unique=False)

    op.create_table('import_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('has_warning', sa.Boolean(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('match_version', sa.Integer(), nullable=True),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('candidate_score', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=10), nullable=True),
    sa.CheckConstraint("action IN ('create', 'update', 'skip', 'error')", name=op.f('ck_import_row_action')),
    sa.CheckConstraint("decision IS NULL OR decision IN ('same', 'new')", name=op.f('ck_import_row_decision')),
    sa.ForeignKeyConstraint(['job_id'], ['import_job.id'], name=op.f('fk_import_row_job_id_import_job'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_row'))
    )
    with op.batch_alter_table('import_row', schema=None) as batch_op:
        batch_op.create_index('ix_import_row_job_action_line', ['job_id', 'action', 'line'], unique=False)
        batch_op.create_index('ix_import_row_job_line', ['job_id', 'line'], unique=False)



def downgrade():
    with op.batch_alter_table('import_row', schema=None) as batch_op:
        batch_op.drop_index('ix_import_row_job_line')
        batch_op.drop_index('ix_import_row_job_action_line')

    op.drop_table('import_row')
    with op.batch_alter_table('import_record', schema=None) as batch_op:
        batch_op.drop_index('ix_import_record_job_entity')
        batch_op.drop_index('ix_import_record_entity')

    op.drop_table('import_record')
    with op.batch_alter_table('import_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_mapping_created_by_id'))

    op.drop_table('import_mapping')
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_job_state'))
        batch_op.drop_index(batch_op.f('ix_import_job_reverted_by_id'))
        batch_op.drop_index(batch_op.f('ix_import_job_created_by_id'))
        batch_op.drop_index('ix_import_job_created_at')

    op.drop_table('import_job')
