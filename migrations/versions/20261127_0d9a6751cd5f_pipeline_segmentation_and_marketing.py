"""pipeline, segmentation and marketing

Revision ID: 0d9a6751cd5f
Revises: 4cfe33bba2b9
Create Date: 2026-11-27 02:51:21.455979
"""

import sqlalchemy as sa
from alembic import op

revision = '0d9a6751cd5f'
down_revision = '4cfe33bba2b9'
branch_labels = None
depends_on = None


# Default pipeline of DESIGN.md (whitepaper figure 2). Won and lost are outcomes, not stages.
DEFAULT_STAGES = [
    # key, name, probability, colour, days before a deal rots, requirements
    ("suspect", "Suspect", 5, "#6b7280", 60, []),
    ("prospect", "Prospect", 10, "#2563eb", 45, []),
    ("lead", "Lead", 20, "#7c3aed", 30, [("call,email", True, False)]),
    ("qualified", "Qualified", 40, "#0f766e", 30, [("meeting", False, True)]),
    ("proposal", "Proposal", 60, "#b45309", 21, [("proposal", False, False)]),
]

# The 21 sections of NACE Rev. 2 / DB07, so industries work out of the box.
NACE_SECTIONS = [
    ("A", "Agriculture, forestry and fishing", "Landbrug, jagt, skovbrug og fiskeri"),
    ("B", "Mining and quarrying", "Råstofindvinding"),
    ("C", "Manufacturing", "Fremstillingsvirksomhed"),
    ("D", "Electricity, gas, steam and air conditioning supply",
     "El-, gas- og fjernvarmeforsyning"),
    ("E", "Water supply; sewerage, waste management and remediation activities",
     "Vandforsyning; kloakvæsen, affaldshåndtering og rensning af jord og grundvand"),
    ("F", "Construction", "Bygge- og anlægsvirksomhed"),
    ("G", "Wholesale and retail trade; repair of motor vehicles and motorcycles",
     "Engroshandel og detailhandel; reparation af motorkøretøjer og motorcykler"),
    ("H", "Transportation and storage", "Transport og godshåndtering"),
    ("I", "Accommodation and food service activities",
     "Overnatningsfaciliteter og restaurationsvirksomhed"),
    ("J", "Information and communication", "Information og kommunikation"),
    ("K", "Financial and insurance activities", "Pengeinstitut- og finansvirksomhed, forsikring"),
    ("L", "Real estate activities", "Fast ejendom"),
    ("M", "Professional, scientific and technical activities",
     "Liberale, videnskabelige og tekniske tjenesteydelser"),
    ("N", "Administrative and support service activities",
     "Administrative tjenesteydelser og hjælpetjenester"),
    ("O", "Public administration and defence; compulsory social security",
     "Offentlig forvaltning og forsvar; socialsikring"),
    ("P", "Education", "Undervisning"),
    ("Q", "Human health and social work activities", "Sundhedsvæsen og sociale foranstaltninger"),
    ("R", "Arts, entertainment and recreation", "Kultur, forlystelser og sport"),
    ("S", "Other service activities", "Andre serviceydelser"),
    ("T", "Activities of households as employers; undifferentiated goods- and "
          "services-producing activities of households for own use",
     "Private husholdninger med ansat medhjælp; husholdningers produktion af varer og "
     "tjenesteydelser til eget brug, i.a.n."),
    ("U", "Activities of extraterritorial organisations and bodies",
     "Ekstraterritoriale organisationer og organer"),
]

# Default A/B/C rules, first match wins; admins change them (and mark industries) in forms.
DEFAULT_CATEGORY_RULES = [
    # industry category, min employees, max employees, result
    ("A", 20, 500, "A"),
    ("A", None, None, "B"),
    ("B", 10, None, "B"),
    (None, None, None, "C"),
]


def seed_defaults():
    connection = op.get_bind()
    stage = sa.table(
        "stage",
        sa.column("id", sa.Integer), sa.column("key", sa.String), sa.column("name", sa.String),
        sa.column("position", sa.Integer), sa.column("probability", sa.Integer),
        sa.column("colour", sa.String), sa.column("rot_days", sa.Integer),
        sa.column("active", sa.Boolean),
    )
    requirement = sa.table(
        "stage_requirement",
        sa.column("stage_id", sa.Integer), sa.column("kinds", sa.String),
        sa.column("with_contact", sa.Boolean), sa.column("with_minutes", sa.Boolean),
    )
    for n, (key, name, probability, colour, rot_days, rules) in enumerate(DEFAULT_STAGES, 1):
        connection.execute(
            stage.insert().values(
                key=key, name=name, position=n, probability=probability, colour=colour,
                rot_days=rot_days, active=True,
            )
        )
        stage_id = connection.execute(
            sa.select(stage.c.id).where(stage.c.key == key)
        ).scalar_one()
        for kinds, with_contact, with_minutes in rules:
            connection.execute(
                requirement.insert().values(
                    stage_id=stage_id, kinds=kinds, with_contact=with_contact,
                    with_minutes=with_minutes,
                )
            )
    industry = sa.table(
        "industry",
        sa.column("code", sa.String), sa.column("level", sa.Integer),
        sa.column("section", sa.String), sa.column("title_en", sa.String),
        sa.column("title_da", sa.String), sa.column("search_key", sa.String),
        sa.column("active", sa.Boolean),
    )
    op.bulk_insert(
        industry,
        [
            {"code": code, "level": 0, "section": code, "title_en": en, "title_da": da,
             "search_key": f"{code} {en} {da}".lower(), "active": True}
            for code, en, da in NACE_SECTIONS
        ],
    )
    rule = sa.table(
        "category_rule",
        sa.column("position", sa.Integer), sa.column("industry_category", sa.String),
        sa.column("min_employees", sa.Integer), sa.column("max_employees", sa.Integer),
        sa.column("result", sa.String), sa.column("active", sa.Boolean),
    )
    op.bulk_insert(
        rule,
        [
            {"position": n, "industry_category": ic, "min_employees": lo, "max_employees": hi,
             "result": result, "active": True}
            for n, (ic, lo, hi, result) in enumerate(DEFAULT_CATEGORY_RULES, 1)
        ],
    )


def upgrade():
    op.create_table('category_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('industry_category', sa.String(length=4), nullable=True),
    sa.Column('min_employees', sa.Integer(), nullable=True),
    sa.Column('max_employees', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=1), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("industry_category IS NULL OR industry_category IN ('A', 'B', 'C', 'none')", name=op.f('ck_category_rule_industry_category')),
    sa.CheckConstraint("result IN ('A', 'B', 'C')", name=op.f('ck_category_rule_result')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category_rule'))
    )
    op.create_table('industry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=1), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('title_en', sa.String(length=300), nullable=True),
    sa.Column('title_da', sa.String(length=300), nullable=True),
    sa.Column('search_key', sa.String(length=700), nullable=False),
    sa.Column('category', sa.String(length=1), nullable=True),
    sa.Column('effective_category', sa.String(length=1), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("category IN ('A', 'B', 'C')", name=op.f('ck_industry_category')),
    sa.ForeignKeyConstraint(['parent_id'], ['industry.id'], name=op.f('fk_industry_parent_id_industry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_industry')),
    sa.UniqueConstraint('code', name=op.f('uq_industry_code'))
    )
    with op.batch_alter_table('industry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_industry_effective_category'), ['effective_category'], unique=False)
        batch_op.create_index(batch_op.f('ix_industry_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_industry_section_level', ['section', 'level'], unique=False)

    op.create_table('stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.Column('rot_days', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('probability BETWEEN 0 AND 100', name=op.f('ck_stage_probability')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage')),
    sa.UniqueConstraint('key', name=op.f('uq_stage_key')),
    sa.UniqueConstraint('name', name=op.f('uq_stage_name'))
    )
    op.create_table('budget',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_budget_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget')),
    sa.UniqueConstraint('month', 'user_id', name='uq_budget_month_user')
    )
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_user_id'), ['user_id'], unique=False)

    op.create_table('letter_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('letterhead', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'], name=op.f('fk_letter_template_updated_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_template')),
    sa.UniqueConstraint('name', name=op.f('uq_letter_template_name'))
    )
    with op.batch_alter_table('letter_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_template_updated_by_id'), ['updated_by_id'], unique=False)

    op.create_table('segment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_segment_owner_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segment'))
    )
    with op.batch_alter_table('segment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segment_owner_id'), ['owner_id'], unique=False)

    op.create_table('stage_requirement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('kinds', sa.String(length=200), nullable=False),
    sa.Column('with_contact', sa.Boolean(), nullable=False),
    sa.Column('with_minutes', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], name=op.f('fk_stage_requirement_stage_id_stage')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_requirement'))
    )
    with op.batch_alter_table('stage_requirement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_requirement_stage_id'), ['stage_id'], unique=False)

    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('channel_option_id', sa.Integer(), nullable=True),
    sa.Column('cost', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('segment_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['channel_option_id'], ['group_option.id'], name=op.f('fk_campaign_channel_option_id_group_option')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_campaign_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['segment_id'], ['segment.id'], name=op.f('fk_campaign_segment_id_segment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign'))
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_channel_option_id'), ['channel_option_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_segment_id'), ['segment_id'], unique=False)

    op.create_table('campaign_company',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['app_user.id'], name=op.f('fk_campaign_company_added_by_id_app_user')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_company_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_campaign_company_company_id_company')),
    sa.PrimaryKeyConstraint('campaign_id', 'company_id', name=op.f('pk_campaign_company'))
    )
    with op.batch_alter_table('campaign_company', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_company_added_by_id'), ['added_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_company_company_id'), ['company_id'], unique=False)

    op.create_table('deal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('probability_override', sa.Integer(), nullable=True),
    sa.Column('expected_close', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('lost_reason_id', sa.Integer(), nullable=True),
    sa.Column('competitor_option_id', sa.Integer(), nullable=True),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.Date(), nullable=True),
    sa.Column('stage_entered_at', sa.DateTime(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("outcome IN ('open', 'won', 'lost')", name=op.f('ck_deal_outcome')),
    sa.CheckConstraint('probability_override IS NULL OR probability_override BETWEEN 0 AND 100', name=op.f('ck_deal_probability_override')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_deal_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_deal_company_id_company')),
    sa.ForeignKeyConstraint(['competitor_option_id'], ['group_option.id'], name=op.f('fk_deal_competitor_option_id_group_option')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_deal_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['lost_reason_id'], ['status.id'], name=op.f('fk_deal_lost_reason_id_status')),
    sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_deal_owner_id_app_user')),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], name=op.f('fk_deal_stage_id_stage')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal'))
    )
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index('ix_deal_company_outcome', ['company_id', 'outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_competitor_option_id'), ['competitor_option_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_lost_reason_id'), ['lost_reason_id'], unique=False)
        batch_op.create_index('ix_deal_outcome_close', ['outcome', 'expected_close'], unique=False)
        batch_op.create_index('ix_deal_outcome_closed', ['outcome', 'closed_at'], unique=False)
        batch_op.create_index('ix_deal_outcome_stage', ['outcome', 'stage_id', 'stage_entered_at'], unique=False)
        batch_op.create_index('ix_deal_owner_outcome', ['owner_id', 'outcome'], unique=False)

    op.create_table('deal_group_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], name=op.f('fk_deal_group_value_deal_id_deal')),
    sa.ForeignKeyConstraint(['group_id'], ['field_group.id'], name=op.f('fk_deal_group_value_group_id_field_group')),
    sa.ForeignKeyConstraint(['option_id'], ['group_option.id'], name=op.f('fk_deal_group_value_option_id_group_option')),
    sa.ForeignKeyConstraint(['set_by_id'], ['app_user.id'], name=op.f('fk_deal_group_value_set_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_group_value')),
    sa.UniqueConstraint('deal_id', 'option_id', name='uq_deal_group_value_deal_option')
    )
    with op.batch_alter_table('deal_group_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_group_value_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_group_value_group_id'), ['group_id'], unique=False)
        batch_op.create_index('ix_deal_group_value_option_deal', ['option_id', 'deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_group_value_set_by_id'), ['set_by_id'], unique=False)

    op.create_table('stage_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('from_stage_id', sa.Integer(), nullable=True),
    sa.Column('to_stage_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('via', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], name=op.f('fk_stage_change_deal_id_deal')),
    sa.ForeignKeyConstraint(['from_stage_id'], ['stage.id'], name=op.f('fk_stage_change_from_stage_id_stage')),
    sa.ForeignKeyConstraint(['to_stage_id'], ['stage.id'], name=op.f('fk_stage_change_to_stage_id_stage')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_stage_change_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_change'))
    )
    with op.batch_alter_table('stage_change', schema=None) as batch_op:
        batch_op.create_index('ix_stage_change_deal_at', ['deal_id', 'changed_at'], unique=False)
        batch_op.create_index('ix_stage_change_to_at', ['to_stage_id', 'changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_stage_change_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deal_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_activity_deal_id'), ['deal_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_activity_deal_id_deal'), 'deal', ['deal_id'], ['id'])

    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('industry_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_company_industry_id'), ['industry_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_company_industry_id_industry'), 'industry', ['industry_id'], ['id'])

    seed_defaults()


def downgrade():
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_company_industry_id_industry'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_company_industry_id'))
        batch_op.drop_column('industry_id')

    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_activity_deal_id_deal'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_activity_deal_id'))
        batch_op.drop_column('deal_id')

    with op.batch_alter_table('stage_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_change_user_id'))
        batch_op.drop_index('ix_stage_change_to_at')
        batch_op.drop_index('ix_stage_change_deal_at')

    op.drop_table('stage_change')
    with op.batch_alter_table('deal_group_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_group_value_set_by_id'))
        batch_op.drop_index('ix_deal_group_value_option_deal')
        batch_op.drop_index(batch_op.f('ix_deal_group_value_group_id'))
        batch_op.drop_index(batch_op.f('ix_deal_group_value_deal_id'))

    op.drop_table('deal_group_value')
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_owner_outcome')
        batch_op.drop_index('ix_deal_outcome_stage')
        batch_op.drop_index('ix_deal_outcome_closed')
        batch_op.drop_index('ix_deal_outcome_close')
        batch_op.drop_index(batch_op.f('ix_deal_lost_reason_id'))
        batch_op.drop_index(batch_op.f('ix_deal_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_deal_competitor_option_id'))
        batch_op.drop_index('ix_deal_company_outcome')
        batch_op.drop_index(batch_op.f('ix_deal_campaign_id'))

    op.drop_table('deal')
    with op.batch_alter_table('campaign_company', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_company_company_id'))
        batch_op.drop_index(batch_op.f('ix_campaign_company_added_by_id'))

    op.drop_table('campaign_company')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_segment_id'))
        batch_op.drop_index(batch_op.f('ix_campaign_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_campaign_channel_option_id'))

    op.drop_table('campaign')
    with op.batch_alter_table('stage_requirement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_requirement_stage_id'))

    op.drop_table('stage_requirement')
    with op.batch_alter_table('segment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segment_owner_id'))

    op.drop_table('segment')
    with op.batch_alter_table('letter_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_template_updated_by_id'))

    op.drop_table('letter_template')
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_user_id'))
        batch_op.drop_index(batch_op.f('ix_budget_month'))

    op.drop_table('budget')
    op.drop_table('stage')
    with op.batch_alter_table('industry', schema=None) as batch_op:
        batch_op.drop_index('ix_industry_section_level')
        batch_op.drop_index(batch_op.f('ix_industry_parent_id'))
        batch_op.drop_index(batch_op.f('ix_industry_effective_category'))

    op.drop_table('industry')
    op.drop_table('category_rule')
