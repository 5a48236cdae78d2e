"""Letter templates (admins), their preview on one contact and a segment's letters as one PDF."""

import re

from flask import abort, flash, request, send_file, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.blueprints.letters import bp
from webapp.blueprints.letters import queries as q
from webapp.blueprints.letters.forms import ConfirmForm, LetterTemplateForm
from webapp.extensions import db
from webapp.htmx import hx_redirect, render
from webapp.models.marketing import LetterTemplate
from webapp.models.user import User
from webapp.permissions import role_required
from webapp.services import mailmerge
from webapp.services.segments import visible_segment

EXAMPLE_BODY = _l(
    """{{ company.city }}, {{ today }}

Dear {{ contact.first_name }} {{ contact.last_name }}

We would like to tell {{ company.name }} about …

Kind regards
{{ sender.name }}"""
)


def _int_arg(name):
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


@bp.get("/")
@role_required("employee")
def index():
    """List the letter templates."""
    return render("letters/index.html", templates=q.templates(), confirm_form=ConfirmForm())


def _form_page(form, template, status=200, stale=None):
    stale_user = (
        db.session.get(User, stale.updated_by_id) if stale and stale.updated_by_id else None
    )
    return render(
        "letters/form.html",
        form=form,
        letter_template=template,
        placeholders=mailmerge.placeholders(),
        stale=stale,
        stale_user_name=stale_user.name if stale_user else None,
        status=status,
    )


def _save(form, template):
    """Validate and save; return a response for an invalid or stale form, else None."""
    if not form.validate_on_submit():
        return _form_page(form, template, 422 if request.method == "POST" else 200)
    name = form.name.data.strip()
    if mailmerge.name_taken(name, template.id if template else None):
        form.name.errors.append(_("Another letter already has this name."))
        return _form_page(form, template, 422)
    try:
        saved = mailmerge.save_template(
            template,
            name,
            form.body.data,
            form.letterhead.data,
            current_user,
            form.version.data if template else None,
        )
    except mailmerge.LetterError as error:
        target = form.letterhead if error.part == "letterhead" else form.body
        target.errors = [*target.errors, str(error)]
        return _form_page(form, template, 422)
    except mailmerge.StaleTemplate as error:
        form.version.data = mailmerge.version_of(error.template)
        return _form_page(form, template, 409, stale=error.template)
    db.session.commit()
    flash(_("Saved the letter %(name)s.", name=saved.name), "success")
    return hx_redirect(url_for("letters.show", template_id=saved.id))


@bp.route("/new", methods=["GET", "POST"])
@role_required("admin")
def new():
    """Write a new letter template."""
    form = LetterTemplateForm()
    if request.method == "GET":
        form.body.data = str(EXAMPLE_BODY)
        return _form_page(form, None)
    return _save(form, None)


@bp.route("/<int:template_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def edit(template_id):
    """Change a letter template; refuse to overwrite a colleague's newer save."""
    template = db.get_or_404(LetterTemplate, template_id)
    form = LetterTemplateForm(obj=template)
    if request.method == "GET":
        form.version.data = mailmerge.version_of(template)
        return _form_page(form, template)
    return _save(form, template)


@bp.post("/<int:template_id>/delete")
@role_required("admin")
def delete(template_id):
    """Delete a letter template."""
    template = db.get_or_404(LetterTemplate, template_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    mailmerge.delete_template(template, current_user)
    db.session.commit()
    flash(_("Deleted the letter %(name)s.", name=template.name), "success")
    return hx_redirect(url_for("letters.index"))


def _preview_context(template) -> tuple[dict, int]:
    """Who to preview on (a chosen contact, a search, a segment's first) and the letter."""
    segment = visible_segment(_int_arg("segment"), current_user)
    text = " ".join(request.args.get("q", "").split())[:100]
    consent_only = request.args.get("consent") == "1"
    picks = []
    if text:
        picks = q.find_contacts(text)
    elif segment is not None:
        picks = q.first_segment_contacts(segment, consent_only)
    contact = q.live_contact(_int_arg("contact")) or (picks[0] if picks else None)
    letter, error, status = None, None, 200
    if contact is not None:
        try:
            letter = mailmerge.render_letter(template, contact, current_user)
        except mailmerge.LetterError as problem:
            error, status = str(problem), 422
    return {
        "segment": segment,
        "q": text,
        "consent_only": consent_only,
        "picks": picks,
        "contact": contact,
        "letter": letter,
        "error": error,
    }, status


def _show_page(template, status=200, pdf_error=None, **extra):
    context, preview_status = _preview_context(template)
    return render(
        "letters/show.html",
        block="letter_preview",
        letter_template=template,
        segments=q.segments_for(current_user),
        pdf_error=pdf_error,
        max_letters=mailmerge.MAX_LETTERS,
        status=max(status, preview_status),
        **context,
        **extra,
    )


@bp.get("/<int:template_id>")
@role_required("employee")
def show(template_id):
    """Show a letter: preview it on one contact, and print it for a whole segment."""
    return _show_page(db.get_or_404(LetterTemplate, template_id))


@bp.get("/<int:template_id>/pdf")
@role_required("employee")
def pdf(template_id):
    """Render one letter per contact of a segment into one PDF (A4, window-envelope address)."""
    template = db.get_or_404(LetterTemplate, template_id)
    segment = visible_segment(_int_arg("pdf_segment"), current_user)
    consent_only = request.args.get("pdf_consent") == "1"
    extra = {"pdf_segment_id": _int_arg("pdf_segment"), "pdf_consent": consent_only}
    if segment is None:
        return _show_page(template, 422, _("Choose the segment to write to."), **extra)
    count = mailmerge.count_recipients(segment, consent_only)
    if count == 0:
        message = (
            _("No contact in %(segment)s has given marketing consent.", segment=segment.name)
            if consent_only
            else _("%(segment)s has no contacts to write to.", segment=segment.name)
        )
        return _show_page(template, 422, message, **extra)
    if count > mailmerge.MAX_LETTERS:
        message = _(
            "%(segment)s would give %(count)s letters; one PDF holds at most %(max)s. "
            "Narrow the segment, or split it in two.",
            segment=segment.name,
            count=format_decimal(count),
            max=format_decimal(mailmerge.MAX_LETTERS),
        )
        return _show_page(template, 422, message, **extra)
    contacts = db.session.scalars(mailmerge.recipients_query(segment, consent_only)).unique()
    try:
        output, _count = mailmerge.letters_pdf(
            template, contacts, current_user, base_url=request.url_root
        )
    except mailmerge.LetterError as error:
        return _show_page(template, 422, str(error), **extra)
    name = re.sub(r"[^\w.-]+", "-", f"{template.name}-{segment.name}").strip("-") or "letters"
    response = send_file(
        output, mimetype="application/pdf", as_attachment=True, download_name=f"{name}.pdf"
    )
    response.call_on_close(output.close)
    response.headers["Cache-Control"] = "private, no-store"
    return response
