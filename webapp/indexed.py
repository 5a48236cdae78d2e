"""Tables read along a named index on SQLite ("INDEXED BY"), plainly elsewhere.

SQLite's planner goes by averages; for a few statements they point it to an index that is
slower there (each use says which and by how much). ``along_index(table, "alias", "ix_…")``
gives the table under that alias; on SQLite the FROM clause names the index, on other
databases it is a plain alias and the database plans for itself. A statement on a partial
index must state the index's own condition, or SQLite refuses it ("no query solution").
"""

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Alias

# Alias name → index: the alias name is what the compiled statement carries (and what
# SQLAlchemy's statement cache keys on), so one name always means one index.
_INDEXES: dict[str, str] = {}


class IndexedAlias(Alias):
    __visit_name__ = "indexed_alias"
    inherit_cache = True


@compiles(IndexedAlias)
def _compile(element, compiler, **kw):
    return compiler.visit_alias(element, **kw)


@compiles(IndexedAlias, "sqlite")
def _compile_sqlite(element, compiler, **kw):
    text = compiler.visit_alias(element, **kw)
    return f"{text} INDEXED BY {_INDEXES[element.name]}" if kw.get("asfrom") else text


def along_index(table, name: str, index: str) -> IndexedAlias:
    """The table under alias `name`, read along `index` on SQLite."""
    if _INDEXES.setdefault(name, index) != index:
        raise ValueError(f"the alias {name!r} already names the index {_INDEXES[name]!r}")
    return IndexedAlias._construct(table, name=name)
