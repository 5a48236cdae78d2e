"""What the import says about a row or a job, stored as a message id with parameters.

Rows keep {"id": "bad_cvr", "params": {...}, "level": "error"|"warning", "column": header}
so the preview shows each reason in the reader's language, whoever planned the import.
"""

from flask_babel import lazy_gettext as _l

MESSAGES = {
    # Row errors
    "required": _l("%(field)s is missing."),
    "bad_cvr": _l("“%(value)s” is not a valid CVR number (eight digits with a check digit)."),
    "bad_email": _l("“%(value)s” is not a valid e-mail address."),
    "bad_phone": _l("“%(value)s” is not a valid phone number."),
    "bad_website": _l("“%(value)s” is not a web address."),
    "bad_number": _l("“%(value)s” is not a number (%(field)s)."),
    "bad_whole_number": _l("“%(value)s” is not a whole number (%(field)s)."),
    "bad_date": _l("“%(value)s” is not a date (%(field)s); use 31-12-2026 or 2026-12-31."),
    "bad_bool": _l("“%(value)s” is not yes or no (%(field)s)."),
    "bad_percent": _l("%(field)s must be between 0 and 100, not %(value)s."),
    "unknown_status": _l("Unknown customer status “%(value)s”."),
    "unknown_owner": _l("Unknown user “%(value)s” (%(field)s)."),
    "unknown_stage": _l("Unknown stage “%(value)s”."),
    "unknown_outcome": _l("Unknown outcome “%(value)s”: use open, won or lost."),
    "unknown_kind": _l("Unknown activity kind “%(value)s”."),
    "unknown_country": _l("Unknown country “%(value)s”."),
    "unknown_industry": _l("Unknown industry code “%(value)s”."),
    "unknown_lost_reason": _l("Unknown lost reason “%(value)s”."),
    "unknown_option": _l("“%(value)s” is not an option of the group %(group)s."),
    "too_long": _l("%(field)s is longer than %(max)s characters."),
    "extra_cells": _l("The row has more cells than the header has columns."),
    "duplicate_in_file": _l("Duplicate of line %(line)s (same %(field)s)."),
    "no_company": _l("No company named “%(value)s” in Kanel or in this import."),
    "no_company_given": _l("The row names no company."),
    "unknown_contact": _l("No contact with the e-mail %(value)s at this company."),
    "company_not_unique": _l("Several companies are named “%(value)s”; give the CVR number."),
    # Row warnings and notes
    "near_duplicate": _l("Looks like the existing company %(name)s (%(score)s%% alike)."),
    "matched_on": _l("Matches %(name)s by %(field)s."),
    "no_changes": _l("Already up to date."),
    "changes": _l("Changes %(fields)s."),
    "left_empty": _l("“%(value)s” is left empty (%(field)s), as chosen in the value mapping."),
    "update_off": _l("Exists already (%(name)s); updates are switched off."),
    "orphan_company": _l("No company given: attached to %(name)s."),
    "long_value_cut": _l("%(field)s was cut to %(max)s characters."),
    # Job messages
    "failed": _l("The import failed and nothing was changed: %(error)s"),
    "stale": _l(
        "%(count)s rows changed in Kanel after the preview (first: line %(line)s). "
        "Check the file again before importing."
    ),
    "errors_block": _l(
        "%(count)s rows have errors. Correct the file, or choose to skip the rows with errors."
    ),
    "died": _l(
        "The import stopped without finishing (the server restarted?). Nothing was changed."
    ),
    "wrong_state": _l("This import cannot do that now (it is %(state)s)."),
    "reverted": _l("Reverted: %(count)s records removed or put back."),
    "edited_since": _l(
        "%(count)s imported records were changed after the import (for example %(name)s). "
        "Revert is only possible while nobody has changed them."
    ),
    "used_since": _l(
        "%(count)s %(what)s were added to the imported records from elsewhere since the import "
        "(for example %(name)s). Revert is only possible while nobody has added to them."
    ),
}


def message(code: str, level: str = "error", column: str | None = None, **params) -> dict:
    """A reason as stored on a row or a job."""
    reason = {"id": code, "params": {k: _plain(v) for k, v in params.items()}, "level": level}
    if column:
        reason["column"] = column
    return reason


def _plain(value):
    if isinstance(value, int | float | str | list) or value is None:
        return value
    return str(value)


FIELD_WORDS = {
    "website": _l("Website"),
    "full_name": _l("Name"),
    "cvr": _l("CVR number"),
    "status_id": _l("Customer status"),
    "owner_id": _l("Owner"),
    "industry_id": _l("Industry code"),
    "stage_id": _l("Stage"),
    "lost_reason_id": _l("Lost reason"),
    "author_id": _l("Written by"),
    "closed_at": _l("Closed on"),
    "created_at": _l("Opened on"),
    "probability_override": _l("Probability (%)"),
    "outcome": _l("Outcome"),
    "groups": _l("Groups"),
}


def _field_label(key):
    from webapp.services.imports.fields import FIELDS

    for fields in FIELDS.values():
        for found in fields:
            if found.key == key:
                return found.label
    return FIELD_WORDS.get(key, key)


def message_text(reason: dict | None) -> str:
    """The reason in the current user's language (field keys shown as their labels)."""
    if not reason:
        return ""
    template = MESSAGES.get(reason.get("id"))
    params = dict(reason.get("params") or {})
    if isinstance(params.get("field"), str):
        params["field"] = str(_field_label(params["field"]))
    if isinstance(params.get("fields"), list):
        params["fields"] = ", ".join(str(_field_label(f)) for f in params["fields"])
    if isinstance(params.get("state"), str):
        from webapp.models.imports import IMPORT_STATES

        params["state"] = str(IMPORT_STATES.get(params["state"], params["state"]))
    if template is None:
        return str(reason.get("id", ""))
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)
