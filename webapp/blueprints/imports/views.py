"""The import pages: log, upload, mapping, progress, preview, result, records and revert.

Admins only: an import writes to every user's customer cards at once, can create group
options (which admins otherwise keep), and a revert removes data; the command line that
does the same is for admins with shell access too.

Every step is a plain page that works without JavaScript; htmx refreshes the value mapping
when a column's target changes, swaps a near-duplicate's row when it is decided, polls the
progress, and opens the confirmations as dialogs.
"""

import csv
import io

from flask import (
    Response,
    abort,
    flash,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from jinja2_fragments.flask import render_block
from werkzeug.exceptions import RequestEntityTooLarge

from webapp.blueprints.imports import bp
from webapp.blueprints.imports import queries as q
from webapp.blueprints.imports.forms import (
    KIND_HELP,
    ConfirmForm,
    MappingForm,
    UploadForm,
)
from webapp.errors import error_response
from webapp.extensions import db
from webapp.forms import choices
from webapp.htmx import hx_redirect, render, wants_fragment
from webapp.models.customer import Status
from webapp.models.imports import IMPORT_KINDS, IMPORT_STATES, ImportJob, ImportMapping, ImportRow
from webapp.permissions import role_required
from webapp.services import imports as service

PER_PAGE = 50
# Distinct values of one column shown for mapping; the rest keep Kanel's guess.
VALUES_SHOWN = 150
RUNNING = ("planning", "importing")
# Column targets whose values are Kanel users.
USER_TARGETS = ("owner", "author")
ENTITY_LABELS = {
    "company": _l("Companies"),
    "contact": _l("Contacts"),
    "deal": _l("Deals"),
    "activity": _l("Activities"),
    "group": _l("Groups"),
    "group_option": _l("Group options"),
    "group_value": _l("Group values"),
    "deal_group_value": _l("Deal group values"),
}
PREVIEW_FILTERS = {
    "": _l("All rows"),
    "create": _l("Create"),
    "update": _l("Update"),
    "skip": _l("Skip"),
    "error": _l("Errors"),
    "warning": _l("Warnings"),
    "alike": _l("Look-alikes"),
}


def _job_or_404(job_id: int) -> ImportJob:
    return db.get_or_404(ImportJob, job_id)


def _state(job: ImportJob) -> str:
    return service.effective_state(job)


def _main_counts(job: ImportJob) -> dict[str, int]:
    counts = (job.counts or {}).get(q.ENTITY_OF_KIND[job.kind], {})
    return {a: int(counts.get(a, 0)) for a in ("create", "update", "skip", "error", "warning")}


def _next_url(job: ImportJob) -> str:
    """Where a job's link leads: the step it waits at, or its progress or result."""
    state = _state(job)
    if state == "uploaded":
        return url_for("imports.mapping", job_id=job.id)
    if state == "planned":
        return url_for("imports.preview", job_id=job.id)
    return url_for("imports.show", job_id=job.id)


def _common(job: ImportJob) -> dict:
    return {
        "job": job,
        "state": _state(job),
        "states": IMPORT_STATES,
        "kinds": IMPORT_KINDS,
        "entity_labels": ENTITY_LABELS,
        "message_text": service.message_text,
    }


# The log -------------------------------------------------------------------------------------


@bp.get("/")
@role_required("admin")
def index():
    """Every import: who, when, which file, what it did, and whether it can still be reverted."""
    if service.expire_dead_jobs():  # a dead apply's chunks are undone before it is listed
        db.session.commit()
    page = q.job_log(_int_arg("page", 1), per_page=25)
    return render(
        "imports/index.html",
        log=page,
        states=IMPORT_STATES,
        kinds=IMPORT_KINDS,
        effective_state=service.effective_state,
        main_counts=_main_counts,
        next_url=_next_url,
        confirm_form=ConfirmForm(formdata=None),
    )


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 9 else default


# Upload --------------------------------------------------------------------------------------


def _mapping_choices(form: UploadForm) -> None:
    saved = service.saved_mappings()
    form.mapping.choices = [("", _("Guess from the column names"))]
    form.mapping.choices += [(str(m.id), f"{m.name} ({IMPORT_KINDS[m.kind]})") for m in saved]
    form.mapping.choices = choices(form.mapping.choices)


@bp.route("/new", methods=["GET", "POST"])
@role_required("admin")
def new():
    """Upload a file: what it holds, the file, and optionally a saved mapping."""
    form = UploadForm()
    _mapping_choices(form)
    if request.method == "GET" and request.args.get("kind") in IMPORT_KINDS:
        form.kind.data = request.args["kind"]
    if request.method == "GET" and request.args.get("mapping", "").isdigit():
        form.mapping.data = request.args["mapping"]
    if form.validate_on_submit():
        mapping = _chosen_mapping(form)
        if not form.errors:
            upload = form.file.data
            try:
                job = service.create_job(
                    form.kind.data,
                    upload.filename or "",
                    upload.read(),
                    current_user,
                    mapping=mapping,
                )
            except service.ImportFileError as error:
                db.session.rollback()
                form.file.errors.append(str(error))
            else:
                db.session.commit()
                return hx_redirect(url_for("imports.mapping", job_id=job.id))
    return _upload_page(form, 422 if form.errors else 200)


def _upload_page(form: UploadForm, status: int):
    return render(
        "imports/new.html",
        block="upload_form" if status >= 400 else None,
        form=form,
        kind_help=KIND_HELP,
        saved=service.saved_mappings(),
        kinds=IMPORT_KINDS,
        max_rows=service.MAX_ROWS,
        status=status,
    )


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A file over the request limit (MAX_CONTENT_LENGTH): the upload page says so."""
    if request.endpoint != "imports.new" or not current_user.has_role("admin"):
        return error_response(413)
    form = UploadForm(formdata=None)
    _mapping_choices(form)
    form.file.errors = [
        _(
            "The file is too large: Kanel imports files up to %(size)s MB. Split it into "
            "smaller files, or save it as XLSX, which takes less space.",
            size=service.MAX_BYTES // (1024 * 1024),
        )
    ]
    return _upload_page(form, 413)


def _chosen_mapping(form: UploadForm) -> ImportMapping | None:
    value = form.mapping.data or ""
    if not value:
        return None
    mapping = db.session.get(ImportMapping, int(value)) if value.isdigit() else None
    if mapping is None:
        form.mapping.errors = [_("That saved mapping no longer exists.")]
        return None
    if mapping.kind != form.kind.data:
        form.mapping.errors = [
            _(
                "“%(name)s” maps a file of %(kind)s. Choose %(kind)s above, or another mapping.",
                name=mapping.name,
                kind=str(IMPORT_KINDS[mapping.kind]).lower(),
            )
        ]
        return None
    return mapping


@bp.post("/mappings/<int:mapping_id>/delete")
@role_required("admin")
def delete_mapping(mapping_id):
    """Forget a saved mapping (imports that used it keep its name in the log)."""
    mapping = db.get_or_404(ImportMapping, mapping_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = mapping.name
    service.delete_mapping(mapping)
    db.session.commit()
    flash(_("Deleted the saved mapping “%(name)s”.", name=name), "success")
    return hx_redirect(url_for("imports.new"))


# Mapping -------------------------------------------------------------------------------------


def _mapping_form(job: ImportJob, formdata=None) -> MappingForm:
    options = {**service.DEFAULT_OPTIONS, **(job.options or {})}
    form = MappingForm(
        formdata=formdata,
        data={
            "update_existing": bool(options.get("update_existing")),
            "create_options": bool(options.get("create_options")),
            "skip_errors": bool(options.get("skip_errors")),
            "near_duplicates": options.get("near_duplicates") or "new",
            "orphan_company": options.get("orphan_company") or "",
            "default_status_id": str(options.get("default_status_id") or ""),
            "save_as": job.mapping_name or "",
        },
    )
    statuses = db.session.scalars(
        db.select(Status).where(Status.active).order_by(Status.position)
    ).all()
    form.default_status_id.choices = choices(
        [("", _("The first status (%(name)s)", name=statuses[0].name if statuses else "—"))]
        + [(str(s.id), s.name) for s in statuses]
    )
    return form


def _columns(job: ImportJob, table) -> list[dict]:
    """Each file column: its header, sample values, chosen target and Kanel's guess."""
    samples = service.sample_values(job, table=table)
    guesses = service.guess_columns(job.kind, job.headers)
    chosen = (job.mapping or {}).get("columns", {})
    return [
        {
            "index": index,
            "header": header,
            "samples": samples.get(header, []),
            "target": chosen.get(header, ""),
            "guess": guesses.get(header, ""),
        }
        for index, header in enumerate(job.headers)
    ]


def _value_sections(job: ImportJob, table) -> list[dict]:
    """The value mapping of every choice column: its rows and the Kanel values to pick from."""
    by_header = service.value_mapping(job, table=table)
    columns = (job.mapping or {}).get("columns", {})
    explicit = (job.mapping or {}).get("values", {})
    create = bool((job.options or {}).get("create_options"))
    labels = dict(service.target_choices(job.kind))
    sections = []
    for index, header in enumerate(job.headers):
        if header not in by_header:
            continue
        target = columns[header]
        rows = by_header[header]
        # A value with neither a guess nor a choice is "open": its rows are errors until the
        # user picks a Kanel value or "no value" on purpose.
        chosen = explicit.get(header, {})
        open_values = {r.value for r in rows if not r.chosen and r.value not in chosen}
        # Open values first: they are the ones that need the user.
        ordered = sorted(rows, key=lambda r: (r.value not in open_values, bool(r.chosen), -r.count))
        shown = ordered[:VALUES_SHOWN]
        base = service.value_choices(job.kind, target)
        new_options = []
        if target == service.NEW_GROUP or (target.startswith("group:") and create):
            known = {label.casefold() for _value, label in base}
            new_options = [
                (service.NEW + r.value, _("New option “%(label)s”", label=r.value))
                for r in sorted(rows, key=lambda r: -r.count)
                if r.value.casefold() not in known
            ]
        sections.append(
            {
                "index": index,
                "header": header,
                "target": target,
                "target_label": labels.get(target, target),
                "rows": shown,
                "hidden": len(rows) - len(shown),
                "unmapped": len(open_values),
                "open": open_values,
                "choices": base + new_options,
                "is_group": target.startswith("group:") or target == service.NEW_GROUP,
                "is_user": target in USER_TARGETS,
                "create": create,
            }
        )
    return sections


def _mapping_page(job, form, status=200, block=None, problems=None):
    table = service.table_of(job)
    context = _common(job)
    response = render(
        "imports/mapping.html",
        block=block,
        form=form,
        columns=_columns(job, table),
        sections=_value_sections(job, table),
        targets=service.target_choices(job.kind),
        required=[f.key for f in service.fields_for(job.kind) if f.required],
        problems=problems if problems is not None else service.mapping_problems(job),
        has_groups=job.kind in ("companies", "deals"),
        links_company=job.kind != "companies",
        status=status,
        **context,
    )
    return response


def _posted_mapping(job: ImportJob) -> tuple[dict, dict]:
    """The column and value choices of the mapping form, checked against what is offered."""
    allowed_targets = {value for value, _label in service.target_choices(job.kind)}
    columns = {}
    for index, header in enumerate(job.headers):
        target = request.form.get(f"col-{index}", "")
        columns[header] = target if target in allowed_targets else service.IGNORE
    values: dict[str, dict[str, str]] = {}
    for index, header in enumerate(job.headers):
        target = columns[header]
        # Values rendered for another target (the column was just changed) do not apply.
        if not target or request.form.get(f"valtarget-{index}") != target:
            continue
        allowed = {value for value, _label in service.value_choices(job.kind, target)}
        prefix = f"val-{index}:"
        chosen = {}
        for name, value in request.form.items():
            if not name.startswith(prefix):
                continue
            if value in allowed or (
                value.startswith(service.NEW) and len(value) > len(service.NEW)
            ):
                chosen[name[len(prefix) :]] = value
        if chosen:
            values[header] = chosen
    return columns, values


def _posted_options(form: MappingForm) -> dict:
    status_id = form.default_status_id.data or ""
    return {
        "update_existing": bool(form.update_existing.data),
        "create_options": bool(form.create_options.data),
        "skip_errors": bool(form.skip_errors.data),
        "near_duplicates": form.near_duplicates.data,
        "orphan_company": " ".join((form.orphan_company.data or "").split()),
        "default_status_id": int(status_id) if status_id.isdigit() else None,
    }


@bp.route("/<int:job_id>/mapping", methods=["GET", "POST"])
@role_required("admin")
def mapping(job_id):
    """Map each file column to a Kanel field, a group or nothing; map the values of choice
    columns; choose the options; then check the file (the dry run)."""
    job = _job_or_404(job_id)
    state = _state(job)
    if state not in ("uploaded", "planned", "failed"):
        return hx_redirect(url_for("imports.show", job_id=job.id))
    if request.method == "GET":
        return _mapping_page(job, _mapping_form(job))
    # A file with many distinct values posts many selects.
    request.max_form_parts = 20_000
    form = _mapping_form(job, formdata=request.form)
    if not form.validate_on_submit():
        return _mapping_page(job, form, status=422)
    columns, values = _posted_mapping(job)
    options = _posted_options(form)
    changed = (
        columns != job.mapping.get("columns")
        or values != {h: v for h, v in job.mapping.get("values", {}).items() if h in values}
        or any(job.options.get(k) != v for k, v in options.items())
    )
    if changed or state != "planned":
        service.set_mapping(job, columns, values, options)
    if form.action.data == "refresh":
        db.session.commit()
        if wants_fragment():
            return _mapping_fragment(job, form)
        return _mapping_page(job, form)
    if form.save_as.data and form.save_as.data.strip():
        service.save_mapping(job, form.save_as.data, current_user)
    problems = service.mapping_problems(job)
    if problems:
        db.session.commit()
        return _mapping_page(job, form, status=422, problems=problems)
    try:
        service.start_plan(job)
    except service.ImportStateError as error:
        db.session.rollback()
        flash(service.message_text(error.reason), "error")
        return hx_redirect(url_for("imports.show", job_id=job.id))
    db.session.commit()
    return hx_redirect(_next_url(job))


def _mapping_fragment(job: ImportJob, form: MappingForm):
    """The value mapping and the checks, after a column's target changed (htmx)."""
    table = service.table_of(job)
    context = {
        **_common(job),
        "form": form,
        "columns": _columns(job, table),
        "sections": _value_sections(job, table),
        "problems": service.mapping_problems(job),
        "has_groups": job.kind in ("companies", "deals"),
        "targets": service.target_choices(job.kind),
    }
    body = render_block("imports/mapping.html", "value_mapping", **context)
    body += render_block("imports/mapping.html", "column_marks", **context)
    response = Response(body, 200)
    response.vary.add("HX-Request")
    return response


# Progress and result -------------------------------------------------------------------------


@bp.get("/<int:job_id>")
@role_required("admin")
def show(job_id):
    """A running check or import with its progress (polled), or a finished one's result."""
    job = _job_or_404(job_id)
    state = _state(job)
    if state in ("uploaded", "planned"):
        return hx_redirect(_next_url(job))
    context = _common(job)
    if state in RUNNING:
        total = job.progress_total or job.row_count or 0
        done = min(job.progress_done or 0, total) if total else 0
        return render(
            "imports/show.html",
            block="progress",
            total=total,
            done=done,
            percent=int(done * 100 / total) if total else 0,
            **context,
        )
    if wants_fragment():
        # The poll saw the run end: load the page that follows.
        return hx_redirect(_next_url(job))
    blockers = service.revert_blockers(job, limit=5) if state == "done" else []
    return render(
        "imports/show.html",
        counts=_main_counts(job),
        summary=q.records_summary(job) if state in ("done", "reverted") else {},
        blockers=blockers,
        main_entity=q.ENTITY_OF_KIND[job.kind],
        confirm_form=ConfirmForm(formdata=None),
        **context,
    )


# Preview -------------------------------------------------------------------------------------


def _preview_context(job: ImportJob) -> dict:
    show_filter = request.args.get("show", "")
    if show_filter not in PREVIEW_FILTERS:
        show_filter = ""
    page_number = _int_arg("page", 1)
    search = " ".join(request.args.get("q", "").split())[:100]
    if search:
        rows = q.search_rows(job, search, show_filter, page_number, PER_PAGE)
        page = service.PreviewPage(rows.items, rows.total, rows.page, rows.pages)
    elif show_filter == "alike":
        rows = q.near_duplicates(job, page_number, PER_PAGE)
        page = service.PreviewPage(rows.items, rows.total, rows.page, rows.pages)
    else:
        page = service.preview_rows(
            job,
            action=show_filter if show_filter in ("create", "update", "skip", "error") else None,
            page=page_number,
            per_page=PER_PAGE,
            warnings_only=show_filter == "warning",
        )
    companies = q.companies_by_id(
        [r.candidate_id for r in page.rows] + [r.match_id for r in page.rows]
        if job.kind == "companies"
        else [r.candidate_id for r in page.rows]
    )
    counts = _main_counts(job)
    alike = q.near_duplicates(job, 1, 1).total
    return {
        **_common(job),
        "page": page,
        "first": (page.page - 1) * PER_PAGE + 1 if page.total else 0,
        "last": min(page.page * PER_PAGE, page.total),
        "show": show_filter,
        "search": search,
        "filters": PREVIEW_FILTERS,
        "counts": counts,
        "alike": alike,
        "undecided": q.undecided_count(job) if alike else 0,
        "companies": companies,
        "blockers": service.can_apply(job),
        "confirm_form": ConfirmForm(formdata=None),
        "options": {**service.DEFAULT_OPTIONS, **(job.options or {})},
    }


@bp.get("/<int:job_id>/preview")
@role_required("admin")
def preview(job_id):
    """The dry run's verdict: totals, every row with its reasons (filtered, paged), the
    look-alikes to decide, and the button that imports."""
    job = _job_or_404(job_id)
    if _state(job) != "planned":
        return hx_redirect(_next_url(job))
    return render("imports/preview.html", block="preview_rows", **_preview_context(job))


@bp.post("/<int:job_id>/rows/<int:row_id>/decision")
@role_required("admin")
def decide(job_id, row_id):
    """Decide a look-alike: the same company (update it) or a new one."""
    job = _job_or_404(job_id)
    row = db.get_or_404(ImportRow, row_id)
    if row.job_id != job.id or row.candidate_id is None:
        abort(404)
    form = ConfirmForm()
    decision = request.form.get("decision", "")
    if not form.validate_on_submit() or decision not in ("same", "new", ""):
        abort(400)
    try:
        service.set_decision(row, decision or None)
    except service.ImportStateError as error:
        db.session.rollback()
        flash(service.message_text(error.reason), "error")
        return hx_redirect(_next_url(job))
    db.session.commit()
    if not wants_fragment():
        return redirect(
            url_for(
                "imports.preview",
                job_id=job.id,
                show=request.form.get("show") or None,
                page=request.form.get("page") or None,
                _anchor=f"row-{row.id}",
            ),
            303,
        )
    context = _preview_context(job)
    context["row"] = row
    # Out-of-band pieces only (the form swaps nothing itself): totals, notices, the import
    # button and dialog, and the decided row.
    body = render_block("imports/preview.html", "totals_oob", **context)
    body += render_block("imports/preview.html", "decided_row", **context)
    response = Response(body, 200)
    response.vary.add("HX-Request")
    return response


@bp.post("/<int:job_id>/decisions")
@role_required("admin")
def decide_all(job_id):
    """Decide every look-alike not yet decided at once: all the same companies, or all new."""
    job = _job_or_404(job_id)
    decision = request.form.get("decision", "")
    if not ConfirmForm().validate_on_submit() or decision not in ("same", "new"):
        abort(400)
    try:
        service.set_decisions(job, decision)
    except service.ImportStateError as error:
        db.session.rollback()
        flash(service.message_text(error.reason), "error")
        return hx_redirect(_next_url(job))
    db.session.commit()
    return hx_redirect(url_for("imports.preview", job_id=job.id, show="alike"))


# Import --------------------------------------------------------------------------------------


@bp.route("/<int:job_id>/import", methods=["GET", "POST"])
@role_required("admin")
def start(job_id):
    """Confirm and start the import: all or nothing, in the background."""
    job = _job_or_404(job_id)
    if _state(job) != "planned":
        return hx_redirect(_next_url(job))
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            service.start_apply(
                job, current_user, skip_errors=True if form.skip_errors.data else None
            )
        except service.ImportStateError as error:
            db.session.rollback()
            return _confirm_import_page(job, form, [error.reason], status=409, refused=True)
        db.session.commit()
        return hx_redirect(url_for("imports.show", job_id=job.id))
    return _confirm_import_page(job, form, service.can_apply(job))


def _confirm_import_page(job, form, blockers, status=200, refused=False):
    return render(
        "imports/confirm_import.html",
        block="import_dialog",
        form=form,
        counts=_main_counts(job),
        blockers=blockers,
        refused=refused,
        options={**service.DEFAULT_OPTIONS, **(job.options or {})},
        fragment=wants_fragment(),
        status=status,
        **_common(job),
    )


# Revert and discard --------------------------------------------------------------------------


@bp.route("/<int:job_id>/revert", methods=["GET", "POST"])
@role_required("admin")
def revert(job_id):
    """Undo an import in one go, after saying what it removes and puts back — or why not."""
    job = _job_or_404(job_id)
    form = ConfirmForm()
    status = 200
    blockers = service.revert_blockers(job, limit=10)
    if request.method == "POST" and form.validate_on_submit() and not blockers:
        try:
            count = service.revert_import(job, current_user)
        except service.ImportStateError as error:
            db.session.rollback()
            blockers = service.revert_blockers(job, limit=10) or [error.reason]
        else:
            db.session.commit()
            flash(
                ngettext(
                    "Reverted the import of %(file)s: %(num)s record removed or put back.",
                    "Reverted the import of %(file)s: %(num)s records removed or put back.",
                    count,
                    file=job.filename,
                ),
                "success",
            )
            return hx_redirect(url_for("imports.index"))
    if blockers and request.method == "POST":
        status = 409
    return render(
        "imports/confirm_revert.html",
        block="revert_dialog",
        form=form,
        blockers=blockers,
        summary=q.records_summary(job),
        fragment=wants_fragment(),
        status=status,
        **_common(job),
    )


@bp.post("/<int:job_id>/discard")
@role_required("admin")
def discard(job_id):
    """Throw away an upload that was never imported, with its stored file."""
    job = _job_or_404(job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = job.filename
    try:
        service.discard_job(job)
    except service.ImportStateError as error:
        db.session.rollback()
        flash(service.message_text(error.reason), "error")
        return hx_redirect(url_for("imports.index"))
    db.session.commit()
    flash(_("Discarded %(file)s.", file=name), "success")
    return hx_redirect(url_for("imports.index"))


# What it wrote -------------------------------------------------------------------------------


@bp.get("/<int:job_id>/records")
@role_required("admin")
def records(job_id):
    """The records an import created or updated, with links to them."""
    job = _job_or_404(job_id)
    entity = q.ENTITY_OF_KIND[job.kind]
    return render(
        "imports/records.html",
        block="record_rows",
        page=q.records_page(job, entity, _int_arg("page", 1), PER_PAGE),
        entity=entity,
        summary=q.records_summary(job),
        **_common(job),
    )


@bp.get("/<int:job_id>/file")
@role_required("admin")
def download(job_id):
    """The uploaded file as it came."""
    job = _job_or_404(job_id)
    mimetype = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if job.encoding == "xlsx"
        else "text/csv"
    )
    response = Response(job.data, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=job.filename)
    return response


@bp.get("/<int:job_id>/errors.csv")
@role_required("admin")
def errors_csv(job_id):
    """The rows with errors and why, as CSV (semicolon, UTF-8 with BOM: Danish Excel opens it)."""
    job = _job_or_404(job_id)

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([_("Line"), _("Record"), _("What Kanel found")])
        yield "\ufeff" + buffer.getvalue()
        for row in q.rows_with_errors(job):
            buffer.seek(0)
            buffer.truncate()
            reasons = [
                (f"{r['column']}: " if r.get("column") else "") + service.message_text(r)
                for r in row.reasons or []
                if (r.get("level") or "error") == "error"
            ]
            writer.writerow([row.line, row.label, " ".join(reasons)])
            yield buffer.getvalue()

    stem = job.filename.rsplit(".", 1)[0]
    response = Response(stream_with_context(lines()), mimetype="text/csv")
    response.headers.set(
        "Content-Disposition", "attachment", filename=_("%(file)s-errors.csv", file=stem)
    )
    return response
