"""Builders for test data: make_user(...) and friends. They add and flush, never commit."""

import itertools

from webapp.extensions import db
from webapp.models.user import User

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_user(role="employee", name=None, email=None, password=PASSWORD, **fields):
    n = next(_counter)
    user = User(
        name=name or f"User {n}",
        email=email or f"user{n}@example.com",
        role=role,
        active=fields.pop("active", True),
        **fields,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
