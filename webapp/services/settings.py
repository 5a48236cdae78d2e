"""Admin settings stored as JSON in the setting table, with defaults in code."""

import json

from webapp.extensions import db
from webapp.models.audit import Setting

DEFAULTS = {
    # When a company enters a customer-kind status: a task for the first proactive service call.
    # assignee_id None means "the first active user of the service department".
    "first_service_call": {
        "enabled": True,
        "assignee_id": None,
        "delay_days": 30,
        "subject": "First service call",
    },
}


def get_setting(key: str) -> dict:
    row = db.session.get(Setting, key)
    value = dict(DEFAULTS.get(key, {}))
    if row is not None:
        value.update(json.loads(row.value))
    return value


def set_setting(key: str, value: dict) -> None:
    row = db.session.get(Setting, key)
    text = json.dumps(value, sort_keys=True)
    if row is None:
        db.session.add(Setting(key=key, value=text))
    else:
        row.value = text
    db.session.flush()
