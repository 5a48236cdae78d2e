"""customer cards: companies, contacts, statuses, groups, activities, history

Revision ID: 4cfe33bba2b9
Revises: 0a81f61d8cc6
Create Date: 2026-11-27 02:36:59.300460
"""

import sqlalchemy as sa
from alembic import op

revision = '4cfe33bba2b9'
down_revision = '0a81f61d8cc6'
branch_labels = None
depends_on = None


# The default configuration of DESIGN.md; admins rename, reorder and retire it in forms.
DEFAULT_STATUSES = [
    # name, kind, key, colour
    ("Suspect", "prospect", "suspect", "#6b7280"),
    ("Prospect", "prospect", "prospect", "#2563eb"),
    ("Lead", "prospect", "lead", "#7c3aed"),
    ("Customer", "customer", "customer", "#15803d"),
    ("Former customer", "former_customer", "former_customer", "#92400e"),
    ("Inactive – lost to competitor", "inactive", "lost_to_competitor", "#b91c1c"),
    ("Inactive – no budget", "inactive", "no_budget", "#9f1239"),
    ("Inactive – bad timing", "inactive", "bad_timing", "#a16207"),
    ("Inactive – too small", "inactive", "too_small", "#57534e"),
    ("Inactive – no need", "inactive", "no_need", "#475569"),
]

DEFAULT_GROUPS = [
    # key, name, multiple, required_from, help text, options
    (
        "lead_source", "Lead source", False, "prospect",
        "How we came into contact with the company.",
        ["Referral", "SEO", "AdWords", "Canvas", "Trade fair", "Cold call", "Website", "Partner"],
    ),
    (
        "competitor", "Competitor", False, None,
        "The competitor we were up against in the sale.",
        ["Microsoft Dynamics", "Salesforce", "HubSpot", "Pipedrive", "Other"],
    ),
    (
        "accounting_system", "Accounting system", True, "customer",
        "The accounting systems the company uses.",
        ["e-conomic", "Dinero", "Billy", "Uniconta", "Business Central", "Navision", "Visma",
         "Other"],
    ),
    (
        "payroll_system", "Payroll system", True, None,
        "The payroll systems the company uses.",
        ["Danløn", "Dataløn", "Visma Løn", "Lessor", "Zenegy", "Proløn", "Other"],
    ),
    (
        "previous_system", "Previous system", False, None,
        "What the company used before choosing us (or uses now).",
        ["Spreadsheets", "Paper", "Another CRM", "Nothing"],
    ),
    (
        "reference_customer", "Reference customer", False, None,
        "Is the customer willing to be a reference for other customers?",
        ["Yes", "No"],
    ),
    (
        "satisfaction", "Satisfaction", False, None,
        "Set by service staff after each contact.",
        ["1 Very unhappy", "2 Unhappy", "3 Neutral", "4 Happy", "5 Very happy"],
    ),
]


def seed_defaults():
    status = sa.table(
        "status",
        sa.column("name", sa.String), sa.column("kind", sa.String), sa.column("key", sa.String),
        sa.column("colour", sa.String), sa.column("position", sa.Integer),
        sa.column("active", sa.Boolean),
    )
    op.bulk_insert(
        status,
        [
            {"name": name, "kind": kind, "key": key, "colour": colour, "position": n,
             "active": True}
            for n, (name, kind, key, colour) in enumerate(DEFAULT_STATUSES, start=1)
        ],
    )
    group = sa.table(
        "field_group",
        sa.column("id", sa.Integer), sa.column("key", sa.String), sa.column("name", sa.String),
        sa.column("help_text", sa.Text), sa.column("multiple", sa.Boolean),
        sa.column("applies_to", sa.String), sa.column("required_from", sa.String),
        sa.column("position", sa.Integer), sa.column("active", sa.Boolean),
    )
    option = sa.table(
        "group_option",
        sa.column("group_id", sa.Integer), sa.column("label", sa.String),
        sa.column("position", sa.Integer), sa.column("active", sa.Boolean),
    )
    connection = op.get_bind()
    for n, (key, name, multiple, required_from, help_text, options) in enumerate(
        DEFAULT_GROUPS, start=1
    ):
        connection.execute(
            group.insert().values(
                key=key, name=name, help_text=help_text, multiple=multiple,
                applies_to="company", required_from=required_from, position=n, active=True,
            )
        )
        group_id = connection.execute(
            sa.select(group.c.id).where(group.c.key == key)
        ).scalar_one()
        op.bulk_insert(
            option,
            [
                {"group_id": group_id, "label": label, "position": m, "active": True}
                for m, label in enumerate(options, start=1)
            ],
        )


def upgrade():
    op.create_table('field_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('help_text', sa.Text(), nullable=True),
    sa.Column('multiple', sa.Boolean(), nullable=False),
    sa.Column('applies_to', sa.String(length=10), nullable=False),
    sa.Column('required_from', sa.String(length=20), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("applies_to IN ('company', 'deal')", name=op.f('ck_field_group_applies_to')),
    sa.CheckConstraint("required_from IS NULL OR required_from IN ('prospect', 'customer', 'former_customer', 'inactive')", name=op.f('ck_field_group_required_from')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_group')),
    sa.UniqueConstraint('key', name=op.f('uq_field_group_key'))
    )
    op.create_table('setting',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('status',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=True),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('prospect', 'customer', 'former_customer', 'inactive')", name=op.f('ck_status_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status')),
    sa.UniqueConstraint('key', name=op.f('uq_status_key')),
    sa.UniqueConstraint('name', name=op.f('uq_status_name'))
    )
    with op.batch_alter_table('status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_kind'), ['kind'], unique=False)

    op.create_table('company',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('cvr', sa.String(length=8), nullable=True),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('postcode', sa.String(length=12), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('website', sa.String(length=255), nullable=True),
    sa.Column('website_domain', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=1), nullable=True),
    sa.Column('category_manual', sa.Boolean(), nullable=False),
    sa.Column('status_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("category IN ('A', 'B', 'C')", name=op.f('ck_company_category')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_company_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_company_owner_id_app_user')),
    sa.ForeignKeyConstraint(['status_id'], ['status.id'], name=op.f('fk_company_status_id_status')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'], name=op.f('fk_company_updated_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company'))
    )
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.create_index('ix_company_archived_name', ['archived', 'name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_city'), ['city'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_cvr'), ['cvr'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_employees'), ['employees'], unique=False)
        batch_op.create_index('ix_company_owner_archived_name', ['owner_id', 'archived', 'name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_company_status_archived_name', ['status_id', 'archived', 'name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_status_id'), ['status_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_updated_by_id'), ['updated_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_website_domain'), ['website_domain'], unique=False)

    op.create_table('group_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['field_group.id'], name=op.f('fk_group_option_group_id_field_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_option'))
    )
    with op.batch_alter_table('group_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_option_group_id'), ['group_id'], unique=False)

    op.create_table('card_view',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_card_view_company_id_company')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_card_view_user_id_app_user')),
    sa.PrimaryKeyConstraint('user_id', 'company_id', name=op.f('pk_card_view'))
    )
    with op.batch_alter_table('card_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_view_company_id'), ['company_id'], unique=False)

    op.create_table('change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_change_company_id_company')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_change_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change'))
    )
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.create_index('ix_change_company_at', ['company_id', 'changed_at'], unique=False)
        batch_op.create_index('ix_change_entity', ['entity', 'entity_id'], unique=False)
        batch_op.create_index('ix_change_field_at', ['field', 'changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_user_id'), ['user_id'], unique=False)

    op.create_table('contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('search_key', sa.String(length=500), nullable=False),
    sa.Column('marketing_consent', sa.Boolean(), nullable=False),
    sa.Column('consent_at', sa.DateTime(), nullable=True),
    sa.Column('consent_source', sa.String(length=120), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_contact_company_id_company')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'], name=op.f('fk_contact_updated_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact'))
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_company_archived', ['company_id', 'archived'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_updated_by_id'), ['updated_by_id'], unique=False)

    op.create_table('group_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_group_value_company_id_company')),
    sa.ForeignKeyConstraint(['group_id'], ['field_group.id'], name=op.f('fk_group_value_group_id_field_group')),
    sa.ForeignKeyConstraint(['option_id'], ['group_option.id'], name=op.f('fk_group_value_option_id_group_option')),
    sa.ForeignKeyConstraint(['set_by_id'], ['app_user.id'], name=op.f('fk_group_value_set_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_value')),
    sa.UniqueConstraint('company_id', 'option_id', name='uq_group_value_company_option')
    )
    with op.batch_alter_table('group_value', schema=None) as batch_op:
        batch_op.create_index('ix_group_value_company_group', ['company_id', 'group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_value_group_id'), ['group_id'], unique=False)
        batch_op.create_index('ix_group_value_option_company', ['option_id', 'company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_value_set_by_id'), ['set_by_id'], unique=False)

    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('automation', sa.String(length=40), nullable=True),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['app_user.id'], name=op.f('fk_activity_assignee_id_app_user')),
    sa.ForeignKeyConstraint(['author_id'], ['app_user.id'], name=op.f('fk_activity_author_id_app_user')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_activity_company_id_company')),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_activity_contact_id_contact')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index('ix_activity_assignee_open_due', ['assignee_id', 'done_at', 'due_date'], unique=False)
        batch_op.create_index('ix_activity_author_kind_occurred', ['author_id', 'kind', 'occurred_at'], unique=False)
        batch_op.create_index('ix_activity_company_occurred', ['company_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_activity_kind_occurred', ['kind', 'occurred_at'], unique=False)

    op.create_table('activity_attendee',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_attendee_activity_id_activity')),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_activity_attendee_contact_id_contact')),
    sa.PrimaryKeyConstraint('activity_id', 'contact_id', name=op.f('pk_activity_attendee'))
    )
    with op.batch_alter_table('activity_attendee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_attendee_contact_id'), ['contact_id'], unique=False)

    seed_defaults()


def downgrade():
    with op.batch_alter_table('activity_attendee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_attendee_contact_id'))

    op.drop_table('activity_attendee')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_kind_occurred')
        batch_op.drop_index(batch_op.f('ix_activity_contact_id'))
        batch_op.drop_index('ix_activity_company_occurred')
        batch_op.drop_index('ix_activity_author_kind_occurred')
        batch_op.drop_index('ix_activity_assignee_open_due')

    op.drop_table('activity')
    with op.batch_alter_table('group_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_value_set_by_id'))
        batch_op.drop_index('ix_group_value_option_company')
        batch_op.drop_index(batch_op.f('ix_group_value_group_id'))
        batch_op.drop_index('ix_group_value_company_group')

    op.drop_table('group_value')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_updated_by_id'))
        batch_op.drop_index(batch_op.f('ix_contact_email'))
        batch_op.drop_index(batch_op.f('ix_contact_company_id'))
        batch_op.drop_index('ix_contact_company_archived')

    op.drop_table('contact')
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_user_id'))
        batch_op.drop_index('ix_change_field_at')
        batch_op.drop_index('ix_change_entity')
        batch_op.drop_index('ix_change_company_at')

    op.drop_table('change')
    with op.batch_alter_table('card_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_view_company_id'))

    op.drop_table('card_view')
    with op.batch_alter_table('group_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_option_group_id'))

    op.drop_table('group_option')
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_company_website_domain'))
        batch_op.drop_index(batch_op.f('ix_company_updated_by_id'))
        batch_op.drop_index(batch_op.f('ix_company_updated_at'))
        batch_op.drop_index(batch_op.f('ix_company_status_id'))
        batch_op.drop_index('ix_company_status_archived_name')
        batch_op.drop_index(batch_op.f('ix_company_owner_id'))
        batch_op.drop_index('ix_company_owner_archived_name')
        batch_op.drop_index(batch_op.f('ix_company_employees'))
        batch_op.drop_index(batch_op.f('ix_company_cvr'))
        batch_op.drop_index(batch_op.f('ix_company_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_company_country'))
        batch_op.drop_index(batch_op.f('ix_company_city'))
        batch_op.drop_index(batch_op.f('ix_company_category'))
        batch_op.drop_index('ix_company_archived_name')

    op.drop_table('company')
    with op.batch_alter_table('status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_kind'))

    op.drop_table('status')
    op.drop_table('setting')
    op.drop_table('field_group')
