"""Saving a company's group choices from the card, one group at a time."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from webapp.blueprints.groups import bp
from webapp.blueprints.groups.section import groups_section
from webapp.extensions import db
from webapp.htmx import render, wants_fragment
from webapp.models.customer import Company
from webapp.models.group import Group
from webapp.permissions import role_required
from webapp.services.groups import (
    GroupValueError,
    StaleGroupValue,
    group_rows,
    missing_required_groups,
    set_group_options,
)


def get_group_row_or_404(company: Company, group_id: int):
    rows = group_rows(company, group_id)
    if not rows:
        abort(404)
    return rows[0]


def card_url(company: Company) -> str:
    """The card's groups section."""
    return url_for("customers.card", company_id=company.id, _anchor="groups")


def _ids(values) -> list[int]:
    """Option ids from form values; an empty value means "none"; anything else is refused."""
    ids = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        if not value.isdigit():
            raise GroupValueError(_("Choose one of the options."))
        ids.append(int(value))
    return ids


def _row_page(company, row, status=200, saved=False, error=None):
    """One group's row: the fragment the card swaps, or a page of its own."""
    return render(
        "groups/row.html",
        block="group_row",
        company=company,
        row=row,
        saved=saved,
        error=error,
        groups_missing=missing_required_groups([company.id]).get(company.id, []),
        update_missing=wants_fragment(),
        card_url=card_url(company),
        status=status,
    )


@bp.get("/<int:company_id>/groups")
@role_required("employee")
def index(company_id):
    """Show the company's groups as a page of their own."""
    company = db.get_or_404(Company, company_id)
    return render(
        "groups/index.html", company=company, card_url=card_url(company), **groups_section(company)
    )


@bp.get("/<int:company_id>/groups/<int:group_id>")
@role_required("employee")
def row(company_id, group_id):
    """Show one group of the card (the piece the card swaps after a save)."""
    company = db.get_or_404(Company, company_id)
    return _row_page(company, get_group_row_or_404(company, group_id))


@bp.post("/<int:company_id>/groups/<int:group_id>")
@role_required("employee")
def save(company_id, group_id):
    """Save the options chosen in one group at once; refuse if a colleague changed it meanwhile."""
    company = db.get_or_404(Company, company_id)
    group = db.session.get(Group, group_id)
    if group is None:
        abort(404)
    shown = request.form.get("shown")
    try:
        shown_ids = _ids(shown.split(",")) if shown is not None else None
        changed = set_group_options(
            company, group, _ids(request.form.getlist("option")), current_user, shown_ids
        )
        db.session.commit()
    except StaleGroupValue as error:
        return _row_page(company, get_group_row_or_404(company, group_id), 409, error=str(error))
    except GroupValueError as error:
        return _row_page(company, get_group_row_or_404(company, group_id), 422, error=str(error))
    except IntegrityError:  # a colleague saved the same option at the same moment
        db.session.rollback()
        message = _(
            "Someone saved %(group)s at the same moment. Nothing was saved: check the current "
            "choice and choose again.",
            group=group.name,
        )
        return _row_page(company, get_group_row_or_404(company, group_id), 409, error=message)
    if wants_fragment():
        response = _row_page(company, get_group_row_or_404(company, group_id), saved=True)
        if changed:
            # Other parts of the card (e.g. the header's missing-groups badges) may listen for it.
            response.headers["HX-Trigger"] = "groupsChanged"
        return response
    if changed:
        flash(_("Saved %(group)s.", group=group.name), "success")
    return redirect(card_url(company), 303)
