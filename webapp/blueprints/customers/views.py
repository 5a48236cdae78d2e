"""Company list, global search, the customer card, company and contact forms."""

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from webapp.blueprints.customers import bp
from webapp.blueprints.customers import queries as q
from webapp.blueprints.customers.forms import CompanyForm, ConfirmForm, ContactForm
from webapp.card import card_context
from webapp.extensions import db
from webapp.htmx import hx_redirect, render, wants_fragment
from webapp.models.customer import STATUS_KINDS, CardView, Company, Contact
from webapp.models.user import utcnow
from webapp.permissions import role_required
from webapp.services import companies as company_service
from webapp.services import contacts as contact_service
from webapp.services.groups import missing_required_groups
from webapp.services.segments import visible_segment

FIELD_LABELS = {
    "created": _l("Created"),
    "name": _l("Name"),
    "cvr": _l("CVR number"),
    "street": _l("Street"),
    "postcode": _l("Postcode"),
    "city": _l("City"),
    "country": _l("Country"),
    "website": _l("Website"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "industry": _l("Industry"),
    "employees": _l("Employees"),
    "category": _l("Category"),
    "category_manual": _l("Category set by hand"),
    "status": _l("Status"),
    "owner": _l("Owner"),
    "notes": _l("Notes"),
    "archived": _l("Archived"),
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "title": _l("Title"),
    "marketing_consent": _l("Marketing consent"),
    "consent_source": _l("Consent given how"),
    "consent_at": _l("Consent given"),
    "subject": _l("Subject"),
    "body": _l("Text"),
    "due_date": _l("Due"),
    "done_at": _l("Done"),
    "deleted": _l("Deleted"),
    "import": _l("Imported from file"),
}
YES_NO = {"yes": _l("yes"), "no": _l("no")}


def field_label(row, groups=None) -> str:
    """A history row's field in words; a group value shows as the group's name."""
    if row.field.startswith("group:"):
        ident = row.field.split(":", 1)[1]
        return (groups or {}).get(int(ident), _("Group")) if ident.isdigit() else row.field
    return str(FIELD_LABELS.get(row.field, row.field.replace("_", " ")))


def shown_value(value) -> str:
    return str(YES_NO.get(value, value)) if value is not None else "—"


def get_contact_or_404(company: Company, contact_id: int) -> Contact:
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.company_id != company.id:
        abort(404)
    return contact


@bp.get("/")
@role_required("employee")
def index():
    """List companies: search, filters, sorting and paging, all kept in the URL."""
    filters = q.CompanyFilters.from_args(request.args)
    segment = visible_segment(filters.segment, current_user)
    filters.segment = segment.id if segment else None
    filters.segment_definition = segment.definition if segment else None
    rows, total, more = q.company_page(filters)
    missing = missing_required_groups([c.id for c in rows])
    statuses, owners, groups = q.filter_choices()
    response = render(
        "customers/index.html",
        block="customer_rows",
        filters=filters,
        companies=rows,
        total=total,
        more=more,
        page_size=q.PAGE_SIZE,
        missing=missing,
        statuses=statuses,
        status_names={s.id: s.name for s in statuses},
        owners=owners,
        owner_names={u.id: u.name for u in owners},
        option_groups=groups,
        option_names=q.option_labels(filters.options),
        segment_name=segment.name if segment else None,
        kinds=STATUS_KINDS,
    )
    if wants_fragment():
        # The address bar gets the tidy URL of this state, without the form's empty fields.
        response.headers["HX-Push-Url"] = url_for("customers.index", **filters.to_args())
    return response


@bp.get("/search")
@role_required("employee")
def search():
    """Top companies, contacts and deals for the header search box (a page without htmx)."""
    text = " ".join(request.args.get("q", "").split())[:100]
    companies, contacts, deals = q.top_hits(text)
    return render(
        "customers/search.html",
        block="search_results",
        q=text,
        companies=companies,
        contacts=contacts,
        deals=deals,
        fragment=wants_fragment(),
    )


def _company_form(company=None, **kwargs) -> CompanyForm:
    return CompanyForm(
        statuses=q.active_statuses(company.status_id if company else None),
        owners=q.active_owners(company.owner_id if company else None),
        **kwargs,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required("employee")
def new():
    """Create a company; warn first about a likely duplicate."""
    form = _company_form()
    if request.method == "GET":
        form.owner_id.data = str(current_user.id)
        prospect = next((s for s in q.active_statuses() if s.key == "prospect"), None)
        if prospect is not None:
            form.status_id.data = str(prospect.id)
    duplicates = []
    if form.validate_on_submit():
        data = form.company_data()
        if request.form.get("create_anyway") != "1":
            domain = company_service.clean_website(data["website"])[1]
            duplicates = company_service.find_duplicates(data["name"], data["cvr"], domain)
        if not duplicates:
            company = company_service.create_company(data, current_user)
            db.session.commit()
            flash(_("Created %(name)s.", name=company.name), "success")
            return hx_redirect(url_for("customers.card", company_id=company.id))
    status = 422 if (form.errors or duplicates) else 200
    return render(
        "customers/form.html",
        form=form,
        company=None,
        duplicates=duplicates,
        stale=None,
        status=status,
    )


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
@role_required("employee")
def edit(company_id):
    """Change a company's facts; refuse a save over a colleague's newer one."""
    company = db.get_or_404(Company, company_id)
    form = _company_form(company, obj=company)
    if request.method == "GET":
        form.status_id.data = str(company.status_id)
        form.owner_id.data = str(company.owner_id or "")
        form.version.data = str(company.version)
    stale = None
    if form.validate_on_submit():
        try:
            changed = company_service.update_company(
                company, form.company_data(), current_user, form.version.data
            )
        except company_service.StaleEdit as error:
            stale = error.changes
            form.version.data = str(error.current_version)
        else:
            db.session.commit()
            if changed:
                flash(_("Saved %(name)s.", name=company.name), "success")
            else:
                flash(_("Nothing changed."), "info")
            return hx_redirect(url_for("customers.card", company_id=company.id))
    status = 409 if stale is not None else (422 if form.errors else 200)
    return render(
        "customers/form.html",
        form=form,
        company=company,
        duplicates=[],
        stale=stale,
        field_label=field_label,
        shown_value=shown_value,
        status=status,
    )


@bp.post("/<int:company_id>/archive")
@role_required("employee")
def archive(company_id):
    """Archive a company: it leaves lists and search, and can be restored."""
    company = db.get_or_404(Company, company_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    company_service.set_archived(company, True, current_user)
    db.session.commit()
    flash(_("%(name)s is archived. Restore it from its card.", name=company.name), "success")
    return hx_redirect(url_for("customers.card", company_id=company.id))


@bp.post("/<int:company_id>/restore")
@role_required("employee")
def restore(company_id):
    """Bring an archived company back into lists and search."""
    company = db.get_or_404(Company, company_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    company_service.set_archived(company, False, current_user)
    db.session.commit()
    flash(_("%(name)s is restored.", name=company.name), "success")
    return hx_redirect(url_for("customers.card", company_id=company.id))


def _card_header(company: Company) -> dict:
    return {
        "company": company,
        "missing": missing_required_groups([company.id]).get(company.id, []),
        "confirm_form": ConfirmForm(),
    }


def _mark_seen(company: Company) -> None:
    """Remember when the user last looked at this card."""
    now = utcnow()
    seen = db.session.get(CardView, (current_user.id, company.id))
    if seen is None:
        db.session.add(CardView(user_id=current_user.id, company_id=company.id, seen_at=now))
    else:
        seen.seen_at = now
    try:
        db.session.commit()
    except IntegrityError:  # the same user opened the card twice at once
        db.session.rollback()


@bp.get("/<int:company_id>")
@role_required("employee")
def card(company_id):
    """Show the customer card: facts, contacts, groups, tasks and the timeline."""
    company = db.get_or_404(Company, company_id)
    context = {**card_context(company), **_contacts_context(company), **_card_header(company)}
    response = render("customers/card.html", block="card_body", **context)
    _mark_seen(company)
    return response


@bp.get("/<int:company_id>/header")
@role_required("employee")
def card_header(company_id):
    """Re-render the card's header (after an inline group save changed what is missing)."""
    company = db.get_or_404(Company, company_id)
    if not wants_fragment():
        return hx_redirect(url_for("customers.card", company_id=company.id))
    return render("customers/card.html", block="card_header", **_card_header(company))


@bp.get("/<int:company_id>/history")
@role_required("employee")
def history(company_id):
    """Show who changed what on the card, newest first."""
    company = db.get_or_404(Company, company_id)
    rows, groups, contact_names = q.company_history(company.id)
    return render(
        "customers/history.html",
        block="card_body",
        **_card_header(company),
        changes=rows,
        groups=groups,
        contact_names=contact_names,
        field_label=field_label,
        shown_value=shown_value,
    )


# Contacts, inline on the card ---------------------------------------------------------


def _contacts_context(company, form=None, editing=None, stale=None) -> dict:
    return {
        "company": company,
        "contacts": q.company_contacts(company.id),
        "contact_form": form,
        "editing": editing,
        "contact_stale": stale,
        "contact_confirm": ConfirmForm(),
        "field_label": field_label,
        "shown_value": shown_value,
        # A fragment carries the flash messages out of band into the page's message area.
        "fragment": wants_fragment(),
    }


def _contacts_page(company, status=200, **kwargs):
    return render(
        "customers/contacts.html",
        block="contacts",
        status=status,
        **_contacts_context(company, **kwargs),
    )


def _contacts_done(company):
    """After a contact change: the fresh section for htmx, the card for a plain post."""
    if wants_fragment():
        return _contacts_page(company)
    return hx_redirect(url_for("customers.card", company_id=company.id) + "#contacts")


@bp.get("/<int:company_id>/contacts")
@role_required("employee")
def contacts(company_id):
    """Show the contacts section (a page of its own without htmx)."""
    return _contacts_page(db.get_or_404(Company, company_id))


@bp.route("/<int:company_id>/contacts/new", methods=["GET", "POST"])
@role_required("employee")
def new_contact(company_id):
    """Add a person to the company."""
    company = db.get_or_404(Company, company_id)
    form = ContactForm()
    if form.validate_on_submit():
        contact = contact_service.create_contact(company, form.contact_data(), current_user)
        db.session.commit()
        flash(_("Added %(name)s.", name=contact.name), "success")
        return _contacts_done(company)
    return _contacts_page(company, status=422 if form.errors else 200, form=form, editing="new")


@bp.route("/<int:company_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@role_required("employee")
def edit_contact(company_id, contact_id):
    """Change a contact; refuse a save over a colleague's newer one."""
    company = db.get_or_404(Company, company_id)
    contact = get_contact_or_404(company, contact_id)
    form = ContactForm(obj=contact)
    if request.method == "GET":
        form.version.data = str(contact.version)
    stale = None
    if form.validate_on_submit():
        try:
            contact_service.update_contact(
                contact, form.contact_data(), current_user, form.version.data
            )
        except company_service.StaleEdit as error:
            stale = error.changes
            form.version.data = str(error.current_version)
        else:
            db.session.commit()
            flash(_("Saved %(name)s.", name=contact.name), "success")
            return _contacts_done(company)
    status = 409 if stale is not None else (422 if form.errors else 200)
    return _contacts_page(company, status=status, form=form, editing=contact.id, stale=stale)


@bp.post("/<int:company_id>/contacts/<int:contact_id>/archive")
@role_required("employee")
def archive_contact(company_id, contact_id):
    """Archive a contact: hidden from search and pickers, kept in the history."""
    company = db.get_or_404(Company, company_id)
    contact = get_contact_or_404(company, contact_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    contact_service.set_archived(contact, True, current_user)
    db.session.commit()
    flash(_("%(name)s is archived.", name=contact.name), "success")
    return _contacts_done(company)


@bp.post("/<int:company_id>/contacts/<int:contact_id>/restore")
@role_required("employee")
def restore_contact(company_id, contact_id):
    """Bring an archived contact back."""
    company = db.get_or_404(Company, company_id)
    contact = get_contact_or_404(company, contact_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    contact_service.set_archived(contact, False, current_user)
    db.session.commit()
    flash(_("%(name)s is restored.", name=contact.name), "success")
    return _contacts_done(company)
