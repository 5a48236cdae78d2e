"""Helpers shared by the forms of every blueprint."""

from wtforms.fields.choices import SelectChoice


def choices(pairs):
    """Turn (value, label) pairs, or a dict, into select choices."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(str(value), label) for value, label in items]
