"""Administration of industry codes: import a code list, browse the tree, mark A/B/C."""

from flask import abort, flash, request, url_for
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from wtforms import HiddenField, SelectField

from webapp.blueprints.admin import bp
from webapp.blueprints.admin.category_rules import apply_and_recompute, confirm_page
from webapp.extensions import db
from webapp.forms import choices
from webapp.htmx import hx_redirect, render
from webapp.models.customer import CATEGORIES
from webapp.models.marketing import Industry
from webapp.permissions import role_required
from webapp.services import categories as category_service
from webapp.services import industries as industry_service

LEVEL_NAMES = {
    0: _l("section"),
    1: _l("division"),
    2: _l("group"),
    3: _l("class"),
    4: _l("subclass"),
}
SKIPPED_SHOWN = 8


class ImportForm(FlaskForm):
    file = FileField(
        _l("Code list (CSV or Excel)"), validators=[FileRequired(_l("Choose a file."))]
    )


class MarkForm(FlaskForm):
    category = SelectField(_l("Mark"))
    confirm = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = choices([("", _l("— inherit —")), *((c, c) for c in CATEGORIES)])


def _tree_context(nodes) -> dict:
    return {
        "nodes": nodes,
        "child_counts": industry_service.child_counts([n.id for n in nodes]),
        "company_counts": industry_service.company_counts(),
        "label_of": industry_service.label_of,
        "title_of": industry_service.title_of,
        "level_names": LEVEL_NAMES,
        "mark_form": MarkForm(formdata=None),
    }


@bp.get("/industries")
@role_required("admin")
def industries():
    """Search the industry codes or browse them by section; import a code list."""
    text = " ".join(request.args.get("q", "").split())[:100]
    nodes = (
        industry_service.search_industries(text, limit=100, active_only=False)
        if text
        else industry_service.children_of(None)
    )
    return render(
        "admin/industries.html",
        block="industry_results",
        q=text,
        import_form=ImportForm(formdata=None),
        total=db.session.scalar(select(func.count(Industry.id))),
        **_tree_context(nodes),
    )


@bp.get("/industries/<int:industry_id>")
@role_required("admin")
def industries_node(industry_id):
    """An industry with the path above it and its children (the children alone for htmx)."""
    industry = db.get_or_404(Industry, industry_id)
    return render(
        "admin/industries_node.html",
        block="industry_children",
        industry=industry,
        ancestors=industry_service.ancestors_of(industry),
        **_tree_context(industry_service.children_of(industry.id)),
    )


@bp.post("/industries/import")
@role_required("admin")
def industries_import():
    """Read a DB07 or NACE code list and upsert its codes; say what was read."""
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = industry_service.import_industries(upload.filename or "", upload.read())
        except industry_service.IndustryFileError as error:
            db.session.rollback()
            form.file.errors.append(str(error))
        else:
            moves = category_service.recompute_categories(current_user)
            db.session.commit()
            flash(_import_message(report), "success")
            if report.skipped:
                flash(_skipped_message(report), "info")
            if moves.total:
                flash(category_service.moves_summary(moves), "info")
            return hx_redirect(url_for("admin.industries"), full_reload=True)
    return render(
        "admin/industries.html",
        q="",
        import_form=form,
        total=db.session.scalar(select(func.count(Industry.id))),
        status=422,
        **_tree_context(industry_service.children_of(None)),
    )


def _import_message(report) -> str:
    message = _(
        "Read %(rows)s rows of a %(layout)s file: %(created)s new, %(updated)s updated, "
        "%(unchanged)s unchanged, %(skipped)s skipped.",
        rows=format_number(report.rows),
        layout=report.layout,
        created=format_number(report.created),
        updated=format_number(report.updated),
        unchanged=format_number(report.unchanged),
        skipped=format_number(len(report.skipped)),
    )
    if report.retired:
        message += " " + _(
            "%(n)s codes no longer apply and are not offered for new choices.",
            n=format_number(report.retired),
        )
    return message


def _skipped_message(report) -> str:
    shown = "; ".join(
        _("line %(line)s %(code)s: %(reason)s", line=line, code=code, reason=reason)
        for line, code, reason in report.skipped[:SKIPPED_SHOWN]
    )
    rest = len(report.skipped) - SKIPPED_SHOWN
    if rest > 0:
        shown += "; " + _("and %(n)s more", n=format_number(rest))
    return _("Skipped: %(rows)s.", rows=shown)


@bp.post("/industries/<int:industry_id>/mark")
@role_required("admin")
def industries_mark(industry_id):
    """Mark an industry A, B or C (or let it inherit), after showing how many companies move."""
    industry = db.get_or_404(Industry, industry_id)
    form = MarkForm()
    if not form.validate_on_submit():
        abort(400)
    category = form.category.data or None
    back = (
        url_for("admin.industries_node", industry_id=industry.parent_id)
        if industry.parent_id
        else url_for("admin.industries")
    )
    label = industry_service.label_of(industry)
    if category == industry.category:
        flash(_("Nothing changed."), "info")
        return hx_redirect(back, full_reload=True)
    if form.confirm.data != "1":
        moves = category_service.preview_moves(
            lambda: category_service.set_industry_mark(industry, category, current_user)
        )
        if moves.total:
            heading = (
                _("Mark %(industry)s as %(c)s?", industry=label, c=category)
                if category
                else _("Take the mark off %(industry)s?", industry=label)
            )
            return confirm_page(
                heading,
                _("The mark applies to everything below it that has no mark of its own."),
                moves,
                url_for("admin.industries_mark", industry_id=industry.id),
                [("category", category or "")],
                back,
                _("Mark and recompute"),
            )
    message = (
        _("Marked %(industry)s as %(c)s.", industry=label, c=category)
        if category
        else _("%(industry)s has no mark of its own now.", industry=label)
    )
    apply_and_recompute(
        lambda: category_service.set_industry_mark(industry, category, current_user), message
    )
    # A full load: the pages answer htmx requests with their tree fragment.
    return hx_redirect(back + f"#industry-{industry.id}", full_reload=True)
