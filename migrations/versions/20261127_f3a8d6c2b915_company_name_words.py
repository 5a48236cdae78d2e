"""company_word: the words of company names, so a search finds a word inside a name

Revision ID: f3a8d6c2b915
Revises: 3933f91caf7c
Create Date: 2026-11-27 08:10:00.000000

The search matched only the start of the whole name (company.name_key), so "byg" did not find
"Nordisk Byg ApS". company_word holds each company's name_key from its second word on, from
its third, ... ("byg aps", "aps"); a range on ix_company_word_suffix is "a word of the name
starts with". webapp/models/company_words.py keeps the rows on every write. The backfill reads
the names once and inserts their rows before building the index (about 2 s on SQLite at
200,000 companies, 500,000 rows).
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "f3a8d6c2b915"
down_revision = "3933f91caf7c"
branch_labels = None
depends_on = None

WORD = re.compile(r"\w+")
CHUNK = 10_000


def suffixes(name_key):
    starts = [match.start() for match in WORD.finditer(name_key or "")]
    return [name_key[start:] for start in starts[1:]]


def upgrade():
    word = op.create_table(
        "company_word",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("suffix", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_company_word_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "suffix", name=op.f("pk_company_word")),
    )
    company = sa.table("company", sa.column("id"), sa.column("name_key"))
    connection = op.get_bind()
    names = connection.execute(sa.select(company.c.id, company.c.name_key).order_by(company.c.id))
    rows = [
        {"company_id": company_id, "suffix": suffix}
        for company_id, name_key in names
        for suffix in suffixes(name_key)
    ]
    for start in range(0, len(rows), CHUNK):
        connection.execute(word.insert(), rows[start : start + CHUNK])
    op.create_index("ix_company_word_suffix", "company_word", ["suffix", "company_id"])


def downgrade():
    op.drop_index("ix_company_word_suffix", table_name="company_word")
    op.drop_table("company_word")
