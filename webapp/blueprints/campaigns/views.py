"""Campaigns: list, page, form, companies from segments, deals, and the card section."""

from datetime import date

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from webapp.blueprints.campaigns import bp
from webapp.blueprints.campaigns import queries as q
from webapp.blueprints.campaigns.forms import CampaignForm, ConfirmForm
from webapp.blueprints.campaigns.section import campaigns_section
from webapp.extensions import db
from webapp.htmx import hx_redirect, render, wants_fragment
from webapp.models.customer import Company, Status
from webapp.models.marketing import Campaign
from webapp.models.pipeline import OUTCOMES, Deal
from webapp.permissions import role_required
from webapp.services import campaigns as service
from webapp.services.segments import count_segment, visible_segment

FIELD_LABELS = {
    "created": _l("Created"),
    "name": _l("Name"),
    "channel": _l("Channel"),
    "cost": _l("Cost"),
    "starts_on": _l("Starts"),
    "ends_on": _l("Ends"),
    "description": _l("Description"),
    "companies_added": _l("Companies added"),
    "company_added": _l("Company added"),
    "company_removed": _l("Company removed"),
}
CATEGORY_COLOURS = {"A": "#15803d", "B": "#2563eb", "C": "#d97706", None: "#9ca3af"}


def field_label(row) -> str:
    return str(FIELD_LABELS.get(row.field, row.field.replace("_", " ")))


def _form_int(name):
    value = request.form.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _confirmed():
    if not ConfirmForm().validate_on_submit():
        abort(400)


@bp.get("/")
@role_required("employee")
def index():
    """List the campaigns with their key figures, and start one to a status in one click."""
    lost = q.status_by_key("lost_to_competitor")
    return render(
        "campaigns/index.html",
        rows=service.campaigns_with_figures(),
        statuses=[s for s in q.statuses() if s.kind != "customer"],
        default_status_id=lost.id if lost else None,
        confirm_form=ConfirmForm(),
    )


@bp.post("/from-status")
@role_required("employee")
def from_status():
    """Create a segment of every company with a status and a campaign to it, in one go."""
    _confirmed()
    status = db.session.get(Status, _form_int("status_id") or 0)
    if status is None:
        flash(_("Choose the status whose companies the campaign is for."), "error")
        return hx_redirect(url_for("campaigns.index"))
    campaign, segment, added = service.start_status_campaign(status, current_user)
    db.session.commit()
    flash(
        ngettext(
            "Created the campaign with %(num)s company from the segment %(segment)s. "
            "Give it a channel and a cost.",
            "Created the campaign with %(num)s companies from the segment %(segment)s. "
            "Give it a channel and a cost.",
            added,
            segment=segment.name,
        ),
        "success",
    )
    return hx_redirect(url_for("campaigns.edit", campaign_id=campaign.id))


def _campaign_form(campaign=None, **kwargs) -> CampaignForm:
    return CampaignForm(
        channels=service.lead_source_options(campaign.channel_option_id if campaign else None),
        segments=None if campaign else q.segments_for(current_user),
        **kwargs,
    )


def _form_page(form, campaign, status=200, stale=None):
    return render(
        "campaigns/form.html",
        form=form,
        campaign=campaign,
        may_delete=campaign is not None and service.may_delete(campaign, current_user),
        stale=stale,
        field_label=field_label,
        status=status,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required("employee")
def new():
    """Create a campaign, optionally with a segment's companies."""
    form = _campaign_form()
    if request.method == "GET":
        form.starts_on.data = date.today()
        chosen = request.args.get("segment", "")
        if chosen.isdigit():
            form.segment_id.data = chosen
    if form.validate_on_submit():
        data = form.campaign_data()
        segment = visible_segment(data.segment_id, current_user) if data.segment_id else None
        if data.segment_id and segment is None:
            form.segment_id.errors.append(_("Choose one of the segments."))
        else:
            try:
                campaign = service.create_campaign(data, current_user)
            except service.CampaignError as error:
                form.channel_option_id.errors.append(str(error))
            else:
                added = (
                    service.add_segment_companies(campaign, segment, current_user) if segment else 0
                )
                db.session.commit()
                if segment is not None:
                    flash(
                        ngettext(
                            "Created %(name)s with %(num)s company from %(segment)s.",
                            "Created %(name)s with %(num)s companies from %(segment)s.",
                            added,
                            name=campaign.name,
                            segment=segment.name,
                        ),
                        "success",
                    )
                else:
                    flash(_("Created %(name)s.", name=campaign.name), "success")
                return hx_redirect(url_for("campaigns.show", campaign_id=campaign.id))
    return _form_page(form, None, 422 if request.method == "POST" else 200)


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@role_required("employee")
def edit(campaign_id):
    """Change a campaign's facts; refuse a save over a colleague's newer one."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = _campaign_form(campaign, obj=campaign)
    if request.method == "GET":
        form.channel_option_id.data = str(campaign.channel_option_id or "")
        form.cost.data = service.format_cost(campaign.cost)
        form.version.data = service.version_of(campaign)
        return _form_page(form, campaign)
    stale = None
    if form.validate_on_submit():
        try:
            changed = service.update_campaign(
                campaign, form.campaign_data(), current_user, form.version.data
            )
        except service.StaleCampaign as error:
            stale = error.changes
            form.version.data = error.current_version
        except service.CampaignError as error:
            form.channel_option_id.errors.append(str(error))
        else:
            db.session.commit()
            if changed:
                flash(_("Saved %(name)s.", name=campaign.name), "success")
            else:
                flash(_("Nothing changed."), "info")
            return hx_redirect(url_for("campaigns.show", campaign_id=campaign.id))
    return _form_page(form, campaign, 409 if stale is not None else 422, stale=stale)


@bp.post("/<int:campaign_id>/delete")
@role_required("employee")
def delete(campaign_id):
    """Delete a campaign (its maker, managers and admins); companies and deals stay."""
    campaign = db.get_or_404(Campaign, campaign_id)
    _confirmed()
    if not service.may_delete(campaign, current_user):
        abort(403)
    service.delete_campaign(campaign, current_user)
    db.session.commit()
    flash(_("Deleted the campaign %(name)s.", name=campaign.name), "success")
    return hx_redirect(url_for("campaigns.index"))


def _page_number() -> int:
    value = request.args.get("page", "1")
    return max(int(value), 1) if value.isdigit() else 1


@bp.get("/<int:campaign_id>")
@role_required("employee")
def show(campaign_id):
    """Show a campaign: its figures, the A/B/C mix of its leads, the leads and the deals."""
    campaign = db.get_or_404(Campaign, campaign_id)
    page = _page_number()
    leads, total = q.leads_page(campaign.id, page)
    leads_context = {
        "campaign": campaign,
        "leads": leads,
        "total": total,
        "page": page,
        "pages": max((total + q.LEADS_PAGE - 1) // q.LEADS_PAGE, 1),
    }
    if wants_fragment():  # paging through the leads: the rest of the page stays
        return render("campaigns/show.html", block="campaign_leads", **leads_context)
    deals, deal_count = q.campaign_deals(campaign.id)
    return render(
        "campaigns/show.html",
        **leads_context,
        figures=service.campaign_figures(campaign),
        mix=service.category_mix(campaign),
        colours=CATEGORY_COLOURS,
        deals=deals,
        deal_count=deal_count,
        attachable=q.attachable_deals(campaign.id),
        segments=q.segments_for(current_user),
        outcomes=OUTCOMES,
        confirm_form=ConfirmForm(),
        window_start=campaign.starts_on or campaign.created_at.date(),
    )


@bp.post("/<int:campaign_id>/segment")
@role_required("employee")
def add_segment(campaign_id):
    """Add every company of a segment (those already in the campaign are skipped)."""
    campaign = db.get_or_404(Campaign, campaign_id)
    _confirmed()
    segment = visible_segment(_form_int("segment_id"), current_user)
    if segment is None:
        flash(_("Choose the segment whose companies to add."), "error")
        return hx_redirect(url_for("campaigns.show", campaign_id=campaign.id))
    try:
        added = service.add_segment_companies(campaign, segment, current_user)
        db.session.commit()
    except IntegrityError:  # a colleague added some of them at the same moment
        db.session.rollback()
        flash(_("A colleague was adding companies at the same moment. Try again."), "error")
        return hx_redirect(url_for("campaigns.show", campaign_id=campaign.id))
    in_segment = count_segment(segment).companies
    flash(
        ngettext(
            "Added %(num)s company from %(segment)s.",
            "Added %(num)s companies from %(segment)s.",
            added,
            segment=segment.name,
        )
        + (
            " "
            + ngettext(
                "%(num)s was in the campaign already.",
                "%(num)s were in the campaign already.",
                max(in_segment - added, 0),
            )
            if in_segment > added
            else ""
        ),
        "success",
    )
    return hx_redirect(url_for("campaigns.show", campaign_id=campaign.id))


@bp.post("/<int:campaign_id>/companies/<int:company_id>/remove")
@role_required("employee")
def remove_company(campaign_id, company_id):
    """Take a company out of the campaign."""
    campaign = db.get_or_404(Campaign, campaign_id)
    company = db.get_or_404(Company, company_id)
    _confirmed()
    if service.remove_company(campaign, company, current_user):
        db.session.commit()
        flash(_("Removed %(name)s from the campaign.", name=company.name), "success")
    return hx_redirect(url_for("campaigns.show", campaign_id=campaign.id, _anchor="leads"))


@bp.post("/<int:campaign_id>/deals")
@role_required("employee")
def attach_deal(campaign_id):
    """Tie one of the campaign companies' open deals to the campaign."""
    campaign = db.get_or_404(Campaign, campaign_id)
    _confirmed()
    deal = db.session.get(Deal, _form_int("deal_id") or 0)
    if deal is None or deal.id not in {d.id for d, _name in q.attachable_deals(campaign.id)}:
        flash(_("Choose an open deal of one of the campaign's companies."), "error")
    elif service.attach_deal(campaign, deal, current_user):
        db.session.commit()
        flash(_("%(deal)s now counts for this campaign.", deal=deal.title), "success")
    return hx_redirect(url_for("campaigns.show", campaign_id=campaign.id, _anchor="deals"))


@bp.post("/<int:campaign_id>/deals/<int:deal_id>/detach")
@role_required("employee")
def detach_deal(campaign_id, deal_id):
    """Untie a deal from the campaign."""
    campaign = db.get_or_404(Campaign, campaign_id)
    _confirmed()
    deal = db.session.get(Deal, deal_id)
    if deal is None:
        abort(404)
    if service.detach_deal(campaign, deal, current_user):
        db.session.commit()
        flash(_("%(deal)s no longer counts for this campaign.", deal=deal.title), "success")
    return hx_redirect(url_for("campaigns.show", campaign_id=campaign.id, _anchor="deals"))


# The card section ------------------------------------------------------------------------


def _card_url(company) -> str:
    return url_for("customers.card", company_id=company.id, _anchor="campaigns")


def _section_page(company, status=200, error=None, saved=None):
    return render(
        "campaigns/card_section.html",
        block="campaigns_section",
        company=company,
        campaigns_error=error,
        campaigns_saved=saved,
        status=status,
        **campaigns_section(company),
    )


def _section_done(company, message):
    if wants_fragment():
        return _section_page(company, saved=message)
    flash(message, "success")
    return hx_redirect(_card_url(company))


@bp.get("/company/<int:company_id>")
@role_required("employee")
def company_section(company_id):
    """The campaigns a company is in (the card's section, a page of its own without htmx)."""
    return _section_page(db.get_or_404(Company, company_id))


@bp.post("/company/<int:company_id>/add")
@role_required("employee")
def add_to_campaign(company_id):
    """Add the company to a campaign from its card."""
    company = db.get_or_404(Company, company_id)
    campaign = db.session.get(Campaign, _form_int("campaign_id") or 0)
    if campaign is None:
        return _section_page(company, 422, error=_("Choose the campaign to add it to."))
    added = service.add_company(campaign, company, current_user)
    db.session.commit()
    if not added:
        return _section_done(
            company,
            _("%(name)s was in %(campaign)s already.", name=company.name, campaign=campaign.name),
        )
    return _section_done(company, _("Added to %(campaign)s.", campaign=campaign.name))


@bp.post("/company/<int:company_id>/<int:campaign_id>/remove")
@role_required("employee")
def remove_from_campaign(company_id, campaign_id):
    """Take the company out of a campaign from its card."""
    company = db.get_or_404(Company, company_id)
    campaign = db.get_or_404(Campaign, campaign_id)
    _confirmed()
    service.remove_company(campaign, company, current_user)
    db.session.commit()
    return _section_done(company, _("Removed from %(campaign)s.", campaign=campaign.name))
