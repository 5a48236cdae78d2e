"""Campaign pages: list with figures, the form, companies from segments and cards, deals, roles."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from tests.factories import (
    make_activity,
    make_company,
    make_deal,
    make_user,
    option,
    status,
)
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.marketing import Campaign, CampaignCompany, Segment
from webapp.models.user import utcnow
from webapp.services import campaigns as service


def make_campaign(name="Trade fair 2026", cost="0", **fields):
    return service.create_campaign(
        service.CampaignData(
            name=name,
            cost=Decimal(cost),
            starts_on=fields.pop("starts_on", date.today() - timedelta(days=30)),
            **fields,
        ),
        None,
    )


def make_segment(definition, name="Lost leads", owner=None, shared=True):
    segment = Segment(
        name=name, definition=json.dumps(definition), shared=shared, owner_id=owner and owner.id
    )
    db.session.add(segment)
    db.session.flush()
    return segment


def attached(campaign):
    return set(
        db.session.scalars(
            select(CampaignCompany.company_id).where(CampaignCompany.campaign_id == campaign.id)
        )
    )


def campaign_form(**fields):
    data = {
        "name": "AdWords spring",
        "channel_option_id": str(option("lead_source", "AdWords").id),
        "cost": "12,500.50",
        "starts_on": "2026-03-01",
        "ends_on": "2026-05-31",
        "description": "Search ads for the payroll module.",
        "segment_id": "",
    }
    data.update(fields)
    return data


# The form ---------------------------------------------------------------------------------


def test_can_an_employee_create_a_campaign(employee_client):
    response = employee_client.post("/campaigns/new", data=campaign_form())
    assert response.status_code == 303
    campaign = db.session.scalar(select(Campaign).where(Campaign.name == "AdWords spring"))
    assert campaign.channel.label == "AdWords"
    assert campaign.cost == Decimal("12500.50")
    assert (campaign.starts_on, campaign.ends_on) == (date(2026, 3, 1), date(2026, 5, 31))
    assert campaign.created_by_id == employee_client.user.id
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}")


def test_is_the_cost_read_as_a_dane_types_it(login_as):
    danish = login_as("employee", language="da")
    response = danish.post("/campaigns/new", data=campaign_form(cost="12.500,50"))
    assert response.status_code == 303
    campaign = db.session.scalar(select(Campaign).where(Campaign.name == "AdWords spring"))
    assert campaign.cost == Decimal("12500.50")
    page = danish.get(f"/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert 'value="12.500,5"' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Give the campaign a name."),
        ({"cost": "twelve"}, "Write the amount like 12,500.50 (in kroner)."),
        ({"cost": "-5"}, "Enter the cost as 0 or more."),
        ({"ends_on": "2026-02-01"}, "The campaign cannot end before it starts."),
        ({"starts_on": "1st of March"}, "Enter a date like 2026-11-27."),
        ({"channel_option_id": "999999"}, "Choose one of the lead sources."),
    ],
)
def test_are_bad_values_refused_beside_their_field(employee_client, fields, message):
    response = employee_client.post("/campaigns/new", data=campaign_form(**fields))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_does_a_new_campaign_take_a_segments_companies(employee_client):
    lost = [make_company(status_key="lost_to_competitor") for _ in range(2)]
    make_company(status_key="lead")
    segment = make_segment({"status": [status("lost_to_competitor").id]})
    response = employee_client.post("/campaigns/new", data=campaign_form(segment_id=segment.id))
    assert response.status_code == 303
    campaign = db.session.scalar(select(Campaign))
    assert campaign.segment_id == segment.id
    assert attached(campaign) == {c.id for c in lost}
    page = employee_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Created AdWords spring with 2 companies from Lost leads." in page


def test_can_a_campaign_be_changed_and_is_a_stale_save_refused(employee_client):
    campaign = make_campaign()
    page = employee_client.get(f"/campaigns/{campaign.id}/edit").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    colleague = make_user(name="Carl Colleague")
    service.update_campaign(
        campaign,
        service.CampaignData(name="Renamed by Carl", starts_on=campaign.starts_on),
        colleague,
    )
    response = employee_client.post(
        f"/campaigns/{campaign.id}/edit", data=campaign_form(name="Mine", version=version)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Carl Colleague set Name to “Renamed by Carl”" in page
    assert campaign.name == "Renamed by Carl"
    fresh = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    response = employee_client.post(
        f"/campaigns/{campaign.id}/edit", data=campaign_form(name="Mine", version=fresh)
    )
    assert response.status_code == 303
    assert campaign.name == "Mine"
    assert campaign.cost == Decimal("12500.50")


# The whitepaper's example -------------------------------------------------------------------


def test_is_a_campaign_to_leads_lost_to_competitors_one_click(employee_client):
    lost = [make_company(status_key="lost_to_competitor") for _ in range(3)]
    make_company(status_key="lost_to_competitor", archived=True)
    make_company(status_key="no_budget")
    index = employee_client.get("/campaigns/").get_data(as_text=True)
    lost_id = status("lost_to_competitor").id
    assert f'<option value="{lost_id}" selected>' in index  # the ready choice
    response = employee_client.post("/campaigns/from-status", data={"status_id": lost_id})
    assert response.status_code == 303
    campaign = db.session.scalar(select(Campaign))
    segment = db.session.get(Segment, campaign.segment_id)
    assert json.loads(segment.definition) == {"status": [lost_id]}
    assert segment.shared is True
    assert attached(campaign) == {c.id for c in lost}
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}/edit")
    page = employee_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Created the campaign with 3 companies from the segment" in page


# The campaign page ---------------------------------------------------------------------------


def test_does_the_page_show_the_figures_and_the_mix(employee_client):
    owner = make_user(name="Sara Sælger")
    campaign = make_campaign(cost="10000")
    a = make_company("Alfa ApS", category="A", owner=owner)
    b = make_company("Beta ApS", category="B")
    c = make_company("Gamma ApS")
    for company in (a, b, c):
        service.add_company(campaign, company, None)
    make_activity(a, kind="meeting", body="Minutes.", occurred_at=utcnow() - timedelta(days=2))
    make_activity(b, kind="proposal", occurred_at=utcnow() - timedelta(days=1))
    make_deal(a, "proposal", value=30000, outcome="won", campaign_id=campaign.id)
    make_deal(b, "proposal", value=50000, outcome="lost", campaign_id=campaign.id)
    page = employee_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    figures = page.split('class="campaign-figures"')[1].split("</dl>")[0]
    assert "<dt>Leads</dt><dd>3</dd>" in figures
    assert "<dt>Meetings held</dt><dd>1</dd>" in figures
    assert "<dt>Proposals</dt><dd>1</dd>" in figures
    assert "<dt>Deals won</dt><dd>1</dd>" in figures
    assert "DKK\xa030,000.00" in figures
    assert "DKK\xa010,000.00" in figures
    assert "<dd>200 %</dd>" in figures
    assert "between" in page
    assert "(the campaign's start) and now" in page
    assert '<svg class="mix-bar"' in page
    assert "33.3 %" in page
    assert "Sara Sælger" in page
    assert "Alfa ApS" in page


def test_is_a_free_campaigns_roi_a_dash(employee_client):
    campaign = make_campaign(cost="0")
    page = employee_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "<dt>ROI</dt><dd>—</dd>" in page
    assert "No leads yet." in page


def test_are_the_leads_paged_as_a_fragment(employee_client, hx):
    campaign = make_campaign()
    for n in range(55):
        service.add_company(campaign, make_company(f"Lead {n:02d} ApS"), None)
    first = employee_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Lead 00 ApS" in first
    assert "Lead 54 ApS" not in first
    response = employee_client.get(f"/campaigns/{campaign.id}?page=2", headers=hx)
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="campaign-leads">')
    assert "Lead 54 ApS" in page
    assert "Lead 00 ApS" not in page


def test_does_adding_a_segment_twice_say_how_many_were_added(employee_client):
    campaign = make_campaign()
    for _ in range(2):
        make_company(status_key="lost_to_competitor")
    segment = make_segment({"status": [status("lost_to_competitor").id]})
    url = f"/campaigns/{campaign.id}/segment"
    response = employee_client.post(url, data={"segment_id": segment.id})
    assert response.status_code == 303
    page = employee_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Added 2 companies from Lost leads." in page
    employee_client.post(url, data={"segment_id": segment.id})
    page = employee_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Added 0 companies from Lost leads. 2 were in the campaign already." in page
    assert len(attached(campaign)) == 2


def test_can_a_lead_be_removed_from_the_campaign_page(employee_client):
    campaign = make_campaign()
    company = make_company()
    service.add_company(campaign, company, None)
    response = employee_client.post(f"/campaigns/{campaign.id}/companies/{company.id}/remove")
    assert response.status_code == 303
    assert attached(campaign) == set()


def test_can_an_open_deal_be_attached_and_detached(employee_client):
    campaign = make_campaign()
    company = make_company()
    service.add_company(campaign, company, None)
    deal = make_deal(company, "lead", title="Payroll for 40")
    elsewhere = make_deal(make_company(), "lead", title="Not a lead of ours")
    page = employee_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Payroll for 40" in page
    assert "Not a lead of ours" not in page
    response = employee_client.post(f"/campaigns/{campaign.id}/deals", data={"deal_id": deal.id})
    assert response.status_code == 303
    assert deal.campaign_id == campaign.id
    history = db.session.scalar(
        select(Change).where(Change.entity == "deal", Change.entity_id == deal.id)
    )
    assert (history.field, history.new) == ("campaign_id", campaign.name)
    employee_client.post(f"/campaigns/{campaign.id}/deals", data={"deal_id": elsewhere.id})
    assert elsewhere.campaign_id is None  # only deals of the campaign's companies
    employee_client.post(f"/campaigns/{campaign.id}/deals/{deal.id}/detach")
    assert deal.campaign_id is None


# The list ------------------------------------------------------------------------------------


def count_queries(app, client, url):
    statements = []

    def listen(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            response = client.get(url)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    assert response.status_code == 200
    return len(statements)


def test_does_the_list_show_key_figures_in_a_fixed_number_of_queries(app, employee_client):
    first = make_campaign(name="Direct mail", cost="2000")
    company = make_company()
    service.add_company(first, company, None)
    make_deal(company, "proposal", value=5000, outcome="won", campaign_id=first.id)
    few = count_queries(app, employee_client, "/campaigns/")
    for n in range(5):
        extra = make_campaign(name=f"Extra {n}", channel_option_id=option("lead_source", "SEO").id)
        service.add_company(extra, make_company(), None)
    many = count_queries(app, employee_client, "/campaigns/")
    assert many == few
    page = employee_client.get("/campaigns/").get_data(as_text=True)
    assert "Direct mail" in page
    assert "Extra 4" in page
    assert "150 %" in page  # (5000 - 2000) / 2000


def test_does_an_empty_list_say_what_campaigns_are_for(employee_client):
    page = employee_client.get("/campaigns/").get_data(as_text=True)
    assert "No campaigns yet." in page
    assert "Win back lost leads" in page


# The card section ------------------------------------------------------------------------------


def test_does_the_card_show_the_companys_campaigns(employee_client):
    company = make_company("Nordisk Byg ApS")
    inside = make_campaign(name="Trade fair")
    make_campaign(name="Newsletter")
    service.add_company(inside, company, None)
    page = employee_client.get(f"/customers/{company.id}").get_data(as_text=True)
    section = page.split('id="campaigns"')[1].split("</section>")[0]
    assert "Trade fair" in section.split("Add to campaign")[0]
    assert '<option value="' in section
    assert "Newsletter" in section.split("Add to campaign")[1]


def test_can_a_company_be_added_on_its_card_with_htmx(employee_client, hx):
    company = make_company()
    campaign = make_campaign(name="Trade fair")
    url = f"/campaigns/company/{company.id}/add"
    response = employee_client.post(url, data={"campaign_id": campaign.id}, headers=hx)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.lstrip().startswith('<section class="card campaigns-section" id="campaigns"')
    assert "Added to Trade fair." in page
    assert attached(campaign) == {company.id}
    again = employee_client.post(url, data={"campaign_id": campaign.id}, headers=hx)
    assert "was in Trade fair already" in again.get_data(as_text=True)
    assert len(attached(campaign)) == 1


def test_does_a_plain_post_on_the_card_go_back_to_it(employee_client):
    company = make_company()
    campaign = make_campaign()
    response = employee_client.post(
        f"/campaigns/company/{company.id}/add", data={"campaign_id": campaign.id}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/customers/{company.id}#campaigns")
    response = employee_client.post(f"/campaigns/company/{company.id}/{campaign.id}/remove")
    assert response.status_code == 303
    assert attached(campaign) == set()


def test_is_adding_without_a_campaign_explained(employee_client, hx):
    company = make_company()
    response = employee_client.post(f"/campaigns/company/{company.id}/add", headers=hx)
    assert response.status_code == 422
    assert "Choose the campaign to add it to." in response.get_data(as_text=True)


def test_is_the_section_a_page_of_its_own(employee_client):
    company = make_company("Nordisk Byg ApS")
    response = employee_client.get(f"/campaigns/company/{company.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in page
    assert "Not in any campaign." in page


# Roles and CSRF --------------------------------------------------------------------------------


def test_must_a_visitor_sign_in(client):
    campaign = make_campaign()
    for url in ("/campaigns/", f"/campaigns/{campaign.id}", "/campaigns/new"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    response = client.post("/campaigns/from-status", data={"status_id": status("lead").id})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/campaigns/new",
        "/campaigns/from-status",
        "/campaigns/{c}/edit",
        "/campaigns/{c}/segment",
        "/campaigns/{c}/deals",
        "/campaigns/company/{company}/add",
        "/campaigns/company/{company}/{c}/remove",
        "/campaigns/{c}/companies/{company}/remove",
        "/campaigns/{c}/delete",
    ],
)
def test_is_every_change_refused_without_csrf_token(employee_client, csrf, path):
    campaign = make_campaign()
    company = make_company(status_key="lost_to_competitor")
    service.add_company(campaign, company, None)
    before = db.session.scalar(select(func.count()).select_from(CampaignCompany))
    url = path.format(c=campaign.id, company=company.id)
    response = employee_client.post(
        url,
        data={
            **campaign_form(),
            "status_id": status("lost_to_competitor").id,
            "campaign_id": campaign.id,
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1
    assert db.session.scalar(select(func.count()).select_from(CampaignCompany)) == before
    assert campaign.name == "Trade fair 2026"


def test_is_an_unknown_campaign_a_404(employee_client):
    assert employee_client.get("/campaigns/999999").status_code == 404
    assert employee_client.get("/campaigns/999999/edit").status_code == 404
    assert employee_client.get("/campaigns/company/999999").status_code == 404


def test_can_its_maker_delete_a_campaign_and_do_companies_and_deals_stay(employee_client):
    campaign = service.create_campaign(
        service.CampaignData(name="Oops", starts_on=date.today()), employee_client.user
    )
    company = make_company()
    service.add_company(campaign, company, None)
    deal = make_deal(company, "lead", campaign_id=campaign.id)
    page = employee_client.get(f"/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert "Delete campaign" in page
    response = employee_client.post(f"/campaigns/{campaign.id}/delete")
    assert response.status_code == 303
    assert db.session.get(Campaign, campaign.id) is None
    assert deal.campaign_id is None
    assert db.session.get(type(company), company.id) is not None
    assert db.session.scalar(select(func.count()).select_from(CampaignCompany)) == 0


def test_may_a_colleague_not_delete_someone_elses_campaign(employee_client, manager_client):
    campaign = make_campaign(name="Not yours")
    page = employee_client.get(f"/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert "Delete campaign" not in page
    assert employee_client.post(f"/campaigns/{campaign.id}/delete").status_code == 403
    assert db.session.get(Campaign, campaign.id) is not None
    assert manager_client.post(f"/campaigns/{campaign.id}/delete").status_code == 303
    assert db.session.get(Campaign, campaign.id) is None
