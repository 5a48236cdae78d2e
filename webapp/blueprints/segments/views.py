"""Segments: the list, the builder with its live count, a segment's page and its exports."""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp.blueprints.segments import bp
from webapp.blueprints.segments import queries as q
from webapp.blueprints.segments.forms import ConfirmForm, SegmentForm
from webapp.extensions import db
from webapp.htmx import hx_redirect, render
from webapp.models.user import utcnow
from webapp.permissions import role_required
from webapp.services import exports
from webapp.services import segments as service


def get_segment_or_404(segment_id: int):
    """The segment if the signed-in user may see it; a private one of someone else is 404."""
    segment = service.visible_segment(segment_id, current_user)
    if segment is None:
        abort(404)
    return segment


def get_own_segment_or_404(segment_id: int):
    """The segment if the signed-in user may change it (its owner or an admin)."""
    segment = get_segment_or_404(segment_id)
    if not service.may_change(segment, current_user):
        abort(403)
    return segment


def read_definition(data):
    """The filters of a form or query string, and the errors beside its fields."""
    try:
        return service.parse_definition(data), {}
    except service.InvalidDefinition as error:
        return error.definition, error.errors


@bp.get("/")
@role_required("employee")
def index():
    """List the segments this user may see; each counts itself once the page is shown."""
    segments = q.visible_segments(current_user)
    return render(
        "segments/index.html",
        segments=segments,
        confirm_form=ConfirmForm(),
        may_change=lambda s: service.may_change(s, current_user),
    )


def _builder(form, definition, errors, segment=None, stale=None, status=200):
    count = service.count_segment(definition) if not errors else None
    return render(
        "segments/builder.html",
        block="live_count",
        form=form,
        d=definition,
        errors=errors,
        count=count,
        segment=segment,
        stale=stale,
        status=status,
        **q.builder_choices(),
    )


@bp.get("/count")
@role_required("employee")
def count():
    """The live count of the builder's filters (the builder page itself without htmx)."""
    definition, errors = read_definition(request.args)
    form = SegmentForm(formdata=None)
    return _builder(form, definition, errors)


@bp.route("/new", methods=["GET", "POST"])
@role_required("employee")
def new():
    """Build a segment with a live count, and save it."""
    form = SegmentForm()
    if request.method == "GET":
        definition, errors = read_definition(request.args)
        return _builder(form, definition, errors)
    definition, errors = read_definition(request.form)
    if form.validate_on_submit() and not errors:
        segment = service.create_segment(
            form.name.data, form.description.data, form.shared.data, definition, current_user
        )
        db.session.commit()
        flash(_("Saved the segment %(name)s.", name=segment.name), "success")
        return hx_redirect(url_for("segments.show", segment_id=segment.id))
    return _builder(form, definition, errors, status=422)


@bp.route("/<int:segment_id>/edit", methods=["GET", "POST"])
@role_required("employee")
def edit(segment_id):
    """Change a segment's filters, name or sharing; refuse a save over a newer one."""
    segment = get_own_segment_or_404(segment_id)
    form = SegmentForm(obj=segment)
    if request.method == "GET":
        form.version.data = service.version_of(segment)
        definition = service.as_definition(segment)
        return _builder(form, definition, {}, segment=segment)
    definition, errors = read_definition(request.form)
    if form.validate_on_submit() and not errors:
        try:
            changed = service.update_segment(
                segment,
                form.name.data,
                form.description.data,
                form.shared.data,
                definition,
                current_user,
                version=form.version.data or None,
            )
        except service.StaleSegment as error:
            form.version.data = error.current_version
            return _builder(
                form, definition, errors, segment=segment, stale=error.changes, status=409
            )
        db.session.commit()
        flash(
            _("Saved the segment %(name)s.", name=segment.name)
            if changed
            else _("Nothing changed."),
            "success" if changed else "info",
        )
        return hx_redirect(url_for("segments.show", segment_id=segment.id))
    return _builder(form, definition, errors, segment=segment, status=422)


def _show(segment, export_errors=None, export_args=None, status=200):
    definition = service.as_definition(segment)
    args = export_args or {}
    what = args.get("rows", "companies")
    what = what if what in exports.EXPORT_KINDS else "companies"
    if hasattr(args, "getlist"):
        picked = args.getlist("col")
    else:
        picked = exports.DEFAULT_KEYS["companies"] + exports.DEFAULT_KEYS["contacts"]
    return render(
        "segments/show.html",
        block="segment_count",
        segment=segment,
        summary=q.summary(definition),
        count=service.count_segment(definition),
        may_change=service.may_change(segment, current_user),
        confirm_form=ConfirmForm(),
        company_columns=exports.available_columns("companies"),
        contact_columns=exports.CONTACT_COLUMNS,
        export_kinds=exports.EXPORT_KINDS,
        what=what,
        picked=set(picked),
        file_format=args.get("format", "xlsx"),
        export_errors=export_errors or {},
        status=status,
    )


@bp.get("/<int:segment_id>")
@role_required("employee")
def show(segment_id):
    """A segment: its filters in words, its count, the way to its companies, and exports."""
    return _show(get_segment_or_404(segment_id))


@bp.get("/<int:segment_id>/count")
@role_required("employee")
def count_of(segment_id):
    """A saved segment's count (for its row in the list); the segment's page without htmx."""
    return _show(get_segment_or_404(segment_id))


@bp.post("/<int:segment_id>/duplicate")
@role_required("employee")
def duplicate(segment_id):
    """Copy a segment into a private one of the signed-in user, and open it for editing."""
    segment = get_segment_or_404(segment_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    copy = service.duplicate_segment(segment, current_user)
    db.session.commit()
    flash(
        _("Copied %(name)s. The copy is private until you share it.", name=segment.name), "success"
    )
    return hx_redirect(url_for("segments.edit", segment_id=copy.id))


@bp.post("/<int:segment_id>/delete")
@role_required("employee")
def delete(segment_id):
    """Delete a segment (its owner or an admin)."""
    segment = get_own_segment_or_404(segment_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = segment.name
    service.delete_segment(segment, current_user)
    db.session.commit()
    flash(_("Deleted the segment %(name)s.", name=name), "success")
    return hx_redirect(url_for("segments.index"))


@bp.get("/<int:segment_id>/export")
@role_required("employee")
def export(segment_id):
    """Download the segment's companies, contacts or e-mail list as CSV or Excel."""
    segment = get_segment_or_404(segment_id)
    what = request.args.get("rows", "")
    file_format = request.args.get("format", "")
    keys = request.args.getlist("col")
    errors = {}
    if what not in exports.EXPORT_KINDS:
        errors["rows"] = _("Choose what to export.")
    if file_format not in exports.FORMATS:
        errors["format"] = _("Choose CSV or Excel.")
    columns = exports.chosen_columns(what, keys) if not errors else []
    if not errors and not columns:
        errors["col"] = _("Pick at least one column.")
    if errors:
        return _show(segment, export_errors=errors, export_args=request.args, status=422)
    definition = service.as_definition(segment)
    name = exports.file_name(segment.name, what, file_format, utcnow().date())
    # Ids only: the rows themselves are personal data and stay out of the log.
    current_app.logger.info(
        "segment %s exported as %s (%s) by user %s", segment.id, file_format, what, current_user.id
    )
    rows = exports.export_rows(definition, what, columns)
    if file_format == "csv":
        response = Response(
            stream_with_context(exports.csv_chunks(columns, rows)),
            mimetype="text/csv",
            headers={"Content-Disposition": exports.content_disposition(name)},
        )
    else:
        handle = exports.xlsx_file(columns, rows, segment.name)
        response = send_file(
            handle, mimetype=exports.XLSX_MIMETYPE, as_attachment=True, download_name=name
        )
    response.headers["Cache-Control"] = "no-store"
    return response
