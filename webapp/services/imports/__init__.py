"""Importing companies, contacts, deals and activities from CSV and XLSX.

The flow, with the functions the web pages and the command line call:

1. `create_job(kind, filename, data, user, mapping=None)` reads the file (ImportFileError
   with a clear message when it cannot) and guesses the column mapping.
2. `sample_values(job)`, `target_choices(kind)`, `value_mapping(job)`, `value_choices(kind,
   target)` feed the mapping page; `set_mapping(job, columns, values, options)` stores the
   user's choices; `save_mapping(job, name, user)` keeps them for the next file.
3. `start_plan(job)` runs the dry run (background thread, or inline with IMPORT_INLINE):
   `preview_rows(job, action, page)`, `job.counts`, `near_duplicate_rows(job)`,
   `set_decision(row, "same"|"new")`, `message_text(reason)` show and adjust it.
4. `start_apply(job, user)` writes it all or nothing; progress on job.progress_done/_total,
   `effective_state(job)` says "failed" for a job whose process died.
5. `revert_blockers(job)` / `revert_import(job, user)` undo it while nothing moved since.
"""

from webapp.services.imports.apply import apply_import
from webapp.services.imports.fields import (
    FIELDS,
    IGNORE,
    NEW_GROUP,
    fields_for,
    guess_columns,
    is_choice_target,
    target_choices,
)
from webapp.services.imports.jobs import (
    DEFAULT_OPTIONS,
    ImportStateError,
    PreviewPage,
    can_apply,
    create_job,
    discard_job,
    effective_state,
    expire_dead_jobs,
    mapping_problems,
    near_duplicate_rows,
    preview_rows,
    recent_jobs,
    recount,
    sample_values,
    set_decision,
    set_decisions,
    set_mapping,
    table_of,
    value_mapping,
)
from webapp.services.imports.mappings import (
    delete_mapping,
    find_mapping,
    save_mapping,
    saved_mappings,
)
from webapp.services.imports.messages import MESSAGES, message, message_text
from webapp.services.imports.plan import plan_import
from webapp.services.imports.reading import MAX_BYTES, MAX_ROWS, ImportFileError, read_file
from webapp.services.imports.revert import revert_blockers, revert_import
from webapp.services.imports.runner import start_apply, start_plan
from webapp.services.imports.values import NEW, ValueRow, value_choices

__all__ = [
    "DEFAULT_OPTIONS",
    "FIELDS",
    "IGNORE",
    "MAX_BYTES",
    "MAX_ROWS",
    "MESSAGES",
    "NEW",
    "NEW_GROUP",
    "ImportFileError",
    "ImportStateError",
    "PreviewPage",
    "ValueRow",
    "apply_import",
    "can_apply",
    "create_job",
    "delete_mapping",
    "discard_job",
    "effective_state",
    "expire_dead_jobs",
    "fields_for",
    "find_mapping",
    "guess_columns",
    "is_choice_target",
    "mapping_problems",
    "message",
    "message_text",
    "near_duplicate_rows",
    "plan_import",
    "preview_rows",
    "read_file",
    "recent_jobs",
    "recount",
    "revert_blockers",
    "revert_import",
    "sample_values",
    "save_mapping",
    "saved_mappings",
    "set_decision",
    "set_decisions",
    "set_mapping",
    "start_apply",
    "start_plan",
    "table_of",
    "target_choices",
    "value_choices",
    "value_mapping",
]
