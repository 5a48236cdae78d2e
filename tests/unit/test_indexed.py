"""A table read along a named index on SQLite, plainly on other databases."""

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from webapp.indexed import along_index
from webapp.models.group import GroupValue


def test_does_only_sqlite_get_told_which_index_to_read():
    values = along_index(GroupValue.__table__, "test_values", "ix_group_value_company_group")
    statement = select(values.c.company_id).where(values.c.group_id == 3)
    on_sqlite = str(statement.compile(dialect=sqlite.dialect()))
    on_postgresql = str(statement.compile(dialect=postgresql.dialect()))
    assert "FROM group_value AS test_values INDEXED BY ix_group_value_company_group" in on_sqlite
    assert "INDEXED BY" not in on_postgresql
    assert "FROM group_value AS test_values" in on_postgresql
    assert "test_values.group_id" in on_sqlite  # the columns keep the alias, not the hint


def test_may_one_alias_name_stand_for_two_indexes():
    along_index(GroupValue.__table__, "test_once", "ix_group_value_company_group")
    along_index(GroupValue.__table__, "test_once", "ix_group_value_company_group")  # same: fine
    with pytest.raises(ValueError, match="already names the index"):
        along_index(GroupValue.__table__, "test_once", "ix_group_value_option_company")
