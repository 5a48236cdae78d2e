"""Models, a module per domain; importing this package registers them all with the metadata."""

from webapp.models.user import User

__all__ = ["User"]
