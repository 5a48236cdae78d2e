"""Deals: opened from the card, edited through the pipeline's gate, their page and history."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from tests.factories import (
    make_activity,
    make_company,
    make_contact,
    make_deal,
    make_user,
    stage,
)
from webapp.extensions import db
from webapp.models.audit import Change
from webapp.models.group import Group, GroupOption
from webapp.models.pipeline import Deal, DealGroupValue, StageChange
from webapp.services.pipeline import move_deal


def deals_of(company):
    return db.session.scalars(select(Deal).where(Deal.company_id == company.id)).all()


def new_deal_form(**fields):
    form = {
        "title": "Kanel for 25 users",
        "value": "12500",
        "owner_id": "",
        "expected_close": "",
        "stage_id": str(stage("suspect").id),
        "probability_override": "",
    }
    form.update(fields)
    return form


def edit_form(deal, **fields):
    form = {
        "title": deal.title,
        "value": f"{deal.value:.2f}",
        "owner_id": str(deal.owner_id or ""),
        "expected_close": deal.expected_close.isoformat() if deal.expected_close else "",
        "stage_id": str(deal.stage_id),
        "probability_override": ""
        if deal.probability_override is None
        else str(deal.probability_override),
        "version": str(deal.version),
    }
    form.update(fields)
    return form


def count_queries(client, url, headers=None):
    statements = []

    def listener(*args, **kwargs):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(url, headers=headers or {})
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(statements)


# --- Creating ---------------------------------------------------------------------------------


def test_does_the_card_offer_a_new_deal(employee_client):
    company = make_company("Nordisk Byg ApS")
    text = employee_client.get(f"/customers/{company.id}").text
    assert 'id="deals"' in text
    assert f'href="/deals/new?company={company.id}"' in text
    assert "No open deals." in text


def test_does_the_new_deal_form_default_to_me_and_the_first_stage(employee_client):
    company = make_company("Nordisk Byg ApS")
    response = employee_client.get(f"/deals/new?company={company.id}")
    assert response.status_code == 200
    text = response.text
    assert "New deal for Nordisk Byg ApS" in text
    assert f'<option selected value="{employee_client.user.id}">' in text
    assert f'<option selected value="{stage("suspect").id}">Suspect</option>' in text
    # Only stages without entry rules are offered, and the form says why.
    assert ">Lead</option>" not in text
    assert "Lead needs a call or an e-mail with a contact" in text


def test_can_a_deal_be_opened_from_the_card(employee_client):
    company = make_company("Nordisk Byg ApS")
    close = date.today() + timedelta(days=40)
    response = employee_client.post(
        f"/deals/new?company={company.id}",
        data=new_deal_form(
            owner_id=str(employee_client.user.id),
            expected_close=close.isoformat(),
            stage_id=str(stage("prospect").id),
        ),
    )
    assert response.status_code == 303
    [deal] = deals_of(company)
    assert response.headers["Location"] == f"/deals/{deal.id}"
    assert (deal.title, deal.value, deal.owner_id, deal.expected_close, deal.stage.key) == (
        "Kanel for 25 users",
        Decimal("12500.00"),
        employee_client.user.id,
        close,
        "prospect",
    )
    [opening] = db.session.scalars(select(StageChange).where(StageChange.deal_id == deal.id))
    assert (opening.from_stage_id, opening.to_stage.key, opening.via) == (None, "prospect", "form")
    created = db.session.scalar(
        select(Change).where(Change.entity == "deal", Change.entity_id == deal.id)
    )
    assert (created.field, created.new, created.company_id) == (
        "created",
        "Kanel for 25 users",
        company.id,
    )


def test_does_an_htmx_create_answer_with_a_redirect_to_the_deal(employee_client, hx):
    company = make_company()
    response = employee_client.post(
        f"/deals/new?company={company.id}", data=new_deal_form(), headers=hx
    )
    assert response.status_code == 200
    [deal] = deals_of(company)
    assert response.headers["HX-Redirect"] == f"/deals/{deal.id}"


def test_does_an_htmx_create_with_errors_answer_with_the_form_only(employee_client, hx):
    company = make_company()
    response = employee_client.post(
        f"/deals/new?company={company.id}", data=new_deal_form(title=""), headers=hx
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith("<form")
    assert "Give the deal a title." in response.text
    assert deals_of(company) == []


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("da", "12.500,50", "12500.50"),
        ("da", "12500", "12500.00"),
        ("da", "1.250.000", "1250000.00"),
        ("da", "12.500,50 kr.", "12500.50"),
        ("en", "12,500.50", "12500.50"),
        ("en", "12500.5", "12500.50"),
        ("en", "DKK 1,250,000", "1250000.00"),
    ],
)
def test_is_the_value_read_in_the_users_locale(login_as, language, typed, expected):
    client = login_as("employee", language=language)
    company = make_company()
    response = client.post(f"/deals/new?company={company.id}", data=new_deal_form(value=typed))
    assert response.status_code == 303
    [deal] = deals_of(company)
    assert deal.value == Decimal(expected)


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [
        ("da", "12,500.50", "Write the amount like 12.500,50 (in kroner)."),
        ("en", "12.500,50", "Write the amount like 12,500.50 (in kroner)."),
        ("en", "lots", "Write the amount like 12,500.50 (in kroner)."),
        ("en", "-5", "Enter the amount as a positive number."),
        ("en", "", "Enter the deal's value."),
    ],
)
def test_is_an_unreadable_value_refused(login_as, language, typed, message):
    client = login_as("employee", language="en")
    client.user.language = language
    company = make_company()
    response = client.post(f"/deals/new?company={company.id}", data=new_deal_form(value=typed))
    assert response.status_code == 422
    if language == "en":
        assert message in response.text, response.text[response.text.find('class="error"') - 300 :][
            :800
        ]
    assert deals_of(company) == []


def test_is_a_danish_value_error_in_danish(login_as):
    client = login_as("employee", language="da")
    company = make_company()
    response = client.post(
        f"/deals/new?company={company.id}", data=new_deal_form(value="12,500.50")
    )
    assert response.status_code == 422
    assert "12.500,50" in response.text
    assert deals_of(company) == []


def test_is_a_new_deal_in_a_stage_with_rules_refused_with_what_is_missing(employee_client):
    company = make_company()
    response = employee_client.post(
        f"/deals/new?company={company.id}",
        data=new_deal_form(stage_id=str(stage("qualified").id)),
    )
    assert response.status_code == 422
    text = response.text
    assert "The deal cannot be in Qualified yet. Nothing was saved." in text
    assert "Lead needs a call or an e-mail with a contact." in text
    assert "Qualified needs a meeting, held and with minutes written." in text
    assert deals_of(company) == []
    assert db.session.scalar(select(func.count()).select_from(StageChange)) == 0


def test_is_the_probability_override_shown_as_set_by_hand(employee_client):
    company = make_company()
    response = employee_client.post(
        f"/deals/new?company={company.id}", data=new_deal_form(probability_override="55")
    )
    [deal] = deals_of(company)
    assert deal.probability_override == 55
    text = employee_client.get(response.headers["Location"]).text
    assert "55 %" in text
    assert "(set by hand)" in text


def test_is_the_stages_probability_shown_as_the_stages(employee_client):
    deal = make_deal(make_company(), "qualified", owner=employee_client.user)
    text = employee_client.get(f"/deals/{deal.id}").text
    assert f"{stage('qualified').probability} %" in text
    assert "(stage)" in text
    assert "(set by hand)" not in text


def test_is_an_out_of_range_probability_refused(employee_client):
    company = make_company()
    response = employee_client.post(
        f"/deals/new?company={company.id}", data=new_deal_form(probability_override="120")
    )
    assert response.status_code == 422
    assert "Enter a percentage from 0 to 100." in response.text
    assert deals_of(company) == []


def test_does_the_board_link_without_company_offer_a_company_picker(employee_client, hx):
    make_company("Nordisk Byg ApS")
    make_company("Vestjysk VVS A/S")
    page = employee_client.get("/deals/new")
    assert page.status_code == 200
    assert "Which company is the deal with?" in page.text
    fragment = employee_client.get("/deals/new?q=nord", headers=hx)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="company-choices"')
    assert "Nordisk Byg ApS" in fragment.text
    assert "Vestjysk" not in fragment.text


def test_is_the_campaign_field_hidden_without_campaigns(employee_client):
    company = make_company()
    text = employee_client.get(f"/deals/new?company={company.id}").text
    assert 'name="campaign_id"' not in text


def test_can_a_deal_be_tied_to_a_campaign(employee_client):
    from webapp.models.marketing import Campaign

    campaign = Campaign(name="Messe Herning 2026")
    db.session.add(campaign)
    db.session.flush()
    company = make_company()
    text = employee_client.get(f"/deals/new?company={company.id}").text
    assert "Messe Herning 2026" in text
    employee_client.post(
        f"/deals/new?company={company.id}", data=new_deal_form(campaign_id=str(campaign.id))
    )
    [deal] = deals_of(company)
    assert deal.campaign_id == campaign.id


@pytest.fixture
def deal_groups():
    size = Group(name="Deal size", applies_to="deal", multiple=False, position=90)
    modules = Group(name="Modules", applies_to="deal", multiple=True, position=91)
    db.session.add_all([size, modules])
    db.session.flush()
    options = {}
    for group, labels in ((size, ("Small", "Large")), (modules, ("CRM", "Payroll", "Reports"))):
        for n, label in enumerate(labels):
            option = GroupOption(group_id=group.id, label=label, position=n)
            db.session.add(option)
            options[label] = option
    db.session.flush()
    return size, modules, options


def test_are_deal_groups_saved_with_the_new_deal(employee_client, deal_groups):
    size, modules, options = deal_groups
    company = make_company()
    data = new_deal_form()
    data[f"group-{size.id}"] = str(options["Large"].id)
    employee_client.post(
        f"/deals/new?company={company.id}",
        data={**data, f"group-{modules.id}": [str(options["CRM"].id), str(options["Reports"].id)]},
    )
    [deal] = deals_of(company)
    chosen = db.session.scalars(
        select(DealGroupValue.option_id).where(DealGroupValue.deal_id == deal.id)
    ).all()
    assert set(chosen) == {options["Large"].id, options["CRM"].id, options["Reports"].id}
    text = employee_client.get(f"/deals/{deal.id}").text
    assert "Deal size" in text
    assert "Modules" in text


def test_is_a_second_option_in_a_single_choice_deal_group_refused(employee_client, deal_groups):
    size, _modules, options = deal_groups
    company = make_company()
    data = {
        **new_deal_form(),
        f"group-{size.id}": [str(options["Small"].id), str(options["Large"].id)],
    }
    response = employee_client.post(f"/deals/new?company={company.id}", data=data)
    assert response.status_code == 422
    assert "Choose only one option for Deal size." in response.text
    assert deals_of(company) == []


def test_can_the_deal_groups_be_saved_on_the_deal_page(employee_client, deal_groups, hx):
    size, _modules, options = deal_groups
    deal = make_deal(make_company(), "suspect")
    response = employee_client.post(
        f"/deals/{deal.id}/groups",
        data={f"group-{size.id}": str(options["Small"].id), f"shown-{size.id}": ""},
        headers=hx,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card deal-groups"')
    assert "Saved" in response.text
    row = db.session.scalar(
        select(Change).where(Change.entity == "deal", Change.field == f"group:{size.id}")
    )
    assert (row.old, row.new, row.company_id) == (None, "Small", deal.company_id)


def test_is_a_deal_group_save_over_a_colleagues_refused(employee_client, deal_groups, hx):
    size, _modules, options = deal_groups
    deal = make_deal(make_company(), "suspect")
    db.session.add(DealGroupValue(deal_id=deal.id, group_id=size.id, option_id=options["Large"].id))
    db.session.flush()
    response = employee_client.post(
        f"/deals/{deal.id}/groups",
        data={f"group-{size.id}": str(options["Small"].id), f"shown-{size.id}": ""},
        headers=hx,
    )
    assert response.status_code == 409
    assert "Nothing was saved" in response.text
    chosen = db.session.scalars(
        select(DealGroupValue.option_id).where(DealGroupValue.deal_id == deal.id)
    ).all()
    assert chosen == [options["Large"].id]


# --- Editing ----------------------------------------------------------------------------------


def test_does_an_edit_record_each_changed_field(employee_client):
    seller = make_user(name="Line Dahl")
    deal = make_deal(make_company(), "suspect", owner=employee_client.user, value=10000)
    response = employee_client.post(
        f"/deals/{deal.id}/edit",
        data=edit_form(deal, title="Kanel, 30 users", value="15000", owner_id=str(seller.id)),
    )
    assert response.status_code == 303
    assert deal.version == 2
    rows = {
        row.field: (row.old, row.new, row.company_id)
        for row in db.session.scalars(
            select(Change).where(Change.entity == "deal", Change.entity_id == deal.id)
        )
    }
    assert rows == {
        "title": (deal.title and rows["title"][0], "Kanel, 30 users", deal.company_id),
        "value": ("10000.00", "15000.00", deal.company_id),
        "owner": ("Erik Employee", "Line Dahl", deal.company_id),
    }


def test_does_a_stage_change_in_the_form_go_through_the_gate(employee_client):
    company = make_company()
    contact = make_contact(company)
    deal = make_deal(company, "prospect", owner=employee_client.user)
    make_activity(
        company, "call", author=employee_client.user, deal_id=deal.id, contact_id=contact.id
    )
    response = employee_client.post(
        f"/deals/{deal.id}/edit", data=edit_form(deal, stage_id=str(stage("lead").id))
    )
    assert response.status_code == 303
    assert deal.stage.key == "lead"
    move = db.session.scalar(
        select(StageChange).where(
            StageChange.deal_id == deal.id, StageChange.from_stage_id.is_not(None)
        )
    )
    assert (move.from_stage.key, move.to_stage.key, move.via, move.user_id) == (
        "prospect",
        "lead",
        "form",
        employee_client.user.id,
    )
    assert deal.version == 2


def test_is_a_refused_stage_change_in_the_form_shown_beside_the_stage_and_nothing_saved(
    employee_client,
):
    deal = make_deal(make_company(), "prospect", owner=employee_client.user, value=10000)
    response = employee_client.post(
        f"/deals/{deal.id}/edit",
        data=edit_form(
            deal, title="Changed title", value="99000", stage_id=str(stage("qualified").id)
        ),
    )
    assert response.status_code == 422
    text = response.text
    assert "The deal cannot be in Qualified yet. Nothing was saved." in text
    assert "Lead needs a call or an e-mail with a contact." in text
    assert "Qualified needs a meeting, held and with minutes written." in text
    assert f"/deals/{deal.id}?log_kind=call#deal-log-form" in text
    db.session.expire_all()
    deal = db.session.get(Deal, deal.id)
    assert (deal.stage.key, deal.title, deal.value, deal.version) == (
        "prospect",
        deal.title,
        Decimal("10000.00"),
        1,
    )
    assert deal.title != "Changed title"
    assert db.session.scalar(select(func.count()).where(Change.entity == "deal")) == 0


def test_is_a_stale_save_refused_with_who_changed_what(employee_client):
    colleague = make_user(name="Line Dahl")
    deal = make_deal(make_company(), "suspect", owner=employee_client.user, value=10000)
    opened = edit_form(deal)
    # A colleague saves first.
    colleague_client_data = edit_form(deal, value="20000")
    from webapp.services import deals as service

    data = service.DealData(
        title=deal.title,
        value=Decimal("20000"),
        owner=deal.owner,
        stage=deal.stage,
    )
    service.update_deal(deal, data, colleague, colleague_client_data["version"])
    response = employee_client.post(f"/deals/{deal.id}/edit", data={**opened, "value": "30000"})
    assert response.status_code == 409
    assert "Not saved: a colleague changed this deal after you opened the form." in response.text
    assert "Line Dahl set Value to “20000.00”" in response.text
    assert deal.value == Decimal("20000")
    # The form now carries the new version, so saving again replaces their value.
    assert f'value="{deal.version}"' in response.text


def test_is_a_board_move_in_between_named_in_the_stale_message(employee_client):
    colleague = make_user(name="Line Dahl")
    deal = make_deal(make_company(), "suspect", owner=employee_client.user)
    opened = edit_form(deal)
    move_deal(deal, stage("prospect"), colleague, via="board")
    response = employee_client.post(f"/deals/{deal.id}/edit", data={**opened, "title": "New"})
    assert response.status_code == 409
    assert "Line Dahl set Stage to “Prospect”" in response.text
    assert deal.title != "New"


def test_is_an_unchanged_edit_nothing(employee_client):
    deal = make_deal(make_company(), "suspect")
    response = employee_client.post(f"/deals/{deal.id}/edit", data=edit_form(deal))
    assert response.status_code == 303
    assert deal.version == 1
    assert db.session.scalar(select(func.count()).where(Change.entity == "deal")) == 0


# --- The deal page ----------------------------------------------------------------------------


def test_does_the_deal_page_show_the_header_path_and_what_is_missing(employee_client):
    company = make_company("Nordisk Byg ApS")
    deal = make_deal(
        company,
        "prospect",
        owner=employee_client.user,
        value=125000,
        title="Kanel til salg og service",
        expected_close=date(2026, 12, 15),
    )
    response = employee_client.get(f"/deals/{deal.id}")
    assert response.status_code == 200
    text = response.text
    assert "<title>Kanel til salg og service — Nordisk Byg ApS — Kanel</title>" in text
    assert f'href="/customers/{company.id}">Nordisk Byg ApS</a>' in text
    assert "DKK\xa0125,000.00" in text
    assert "Erik Employee" in text
    assert "Dec 15, 2026" in text
    assert 'aria-current="step"' in text
    assert "Before it can move to Lead:" in text
    assert "Lead needs a call or an e-mail with a contact." in text
    assert f'href="/deals/{deal.id}?log_kind=call#deal-log-form"' in text


def test_does_the_log_it_link_preselect_the_kind(employee_client):
    deal = make_deal(make_company(), "lead")
    text = employee_client.get(f"/deals/{deal.id}?log_kind=meeting").text
    assert 'checked id="log-kind-3" name="log-kind" type="radio" value="meeting"' in text


def test_is_the_deal_page_also_a_fragment(employee_client, hx):
    deal = make_deal(make_company(), "suspect", title="Fragment deal")
    response = employee_client.get(f"/deals/{deal.id}", headers=hx)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="deal-body"')
    assert "<html" not in response.text
    assert "Fragment deal" in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_does_the_deal_page_list_its_own_activities_newest_first(employee_client):
    company = make_company()
    deal = make_deal(company, "lead")
    other = make_deal(company, "lead")
    make_activity(company, "call", subject="Older call", deal_id=deal.id, days_ago=3)
    make_activity(company, "email", subject="Newer mail", deal_id=deal.id, days_ago=1)
    make_activity(company, "note", subject="Other deal's note", deal_id=other.id)
    make_activity(company, "note", subject="Company note")
    text = employee_client.get(f"/deals/{deal.id}").text
    assert text.index("Newer mail") < text.index("Older call")
    assert "Other deal&#39;s note" not in text
    assert "Company note" not in text


def test_does_logging_on_the_deal_tie_the_activity_and_update_the_path(employee_client, hx):
    company = make_company()
    contact = make_contact(company, first_name="Kirsten", last_name="Lund")
    deal = make_deal(company, "prospect", owner=employee_client.user)
    response = employee_client.post(
        f"/deals/{deal.id}/activities",
        data={
            "log-kind": "call",
            "log-subject": "Intro call",
            "log-body": "Wants a demo",
            "log-contact_id": str(contact.id),
            "log-deal_id": str(deal.id),
        },
        headers=hx,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="deal-progress"')
    assert "Intro call" in response.text
    assert "The rules for Lead are met" in response.text
    logged = db.session.scalar(select(func.max(Deal.id)))  # noqa: F841 - ensure flush
    from webapp.models.activity import Activity

    activity = db.session.scalar(select(Activity).where(Activity.subject == "Intro call"))
    assert (activity.deal_id, activity.company_id, activity.contact_id) == (
        deal.id,
        company.id,
        contact.id,
    )


def test_is_an_empty_log_entry_on_the_deal_refused(employee_client, hx):
    deal = make_deal(make_company(), "prospect")
    response = employee_client.post(
        f"/deals/{deal.id}/activities",
        data={"log-kind": "note", "log-deal_id": str(deal.id)},
        headers=hx,
    )
    assert response.status_code == 422
    assert "Write a subject or some text." in response.text


def test_does_the_deal_page_show_the_stage_history(employee_client):
    mover = make_user(name="Søren Krogh")
    deal = make_deal(make_company(), "suspect")
    move_deal(deal, stage("prospect"), mover, via="board")
    text = employee_client.get(f"/deals/{deal.id}").text
    assert "Suspect → Prospect" in text
    assert "Søren Krogh" in text
    assert "board" in text


def test_is_an_unknown_deal_404(employee_client):
    assert employee_client.get("/deals/999999").status_code == 404


def test_must_one_sign_in_to_see_a_deal(client):
    deal = make_deal(make_company(), "suspect")
    response = client.get(f"/deals/{deal.id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- The card's log form, from the board's "log what is missing" -----------------------------


def test_does_the_card_log_form_take_the_kind_and_the_deal_from_the_link(employee_client):
    company = make_company()
    deal = make_deal(company, "prospect", title="Tied deal")
    text = employee_client.get(f"/customers/{company.id}?log_kind=email&deal={deal.id}").text
    assert 'checked id="log-kind-2" name="log-kind" type="radio" value="email"' in text
    assert f'name="log-deal_id" type="hidden" value="{deal.id}"' in text
    assert "For the deal" in text
    assert "Tied deal" in text


def test_is_another_companys_deal_ignored_on_the_card(employee_client):
    company = make_company()
    foreign = make_deal(make_company(), "prospect")
    text = employee_client.get(f"/customers/{company.id}?deal={foreign.id}").text
    assert 'name="log-deal_id" type="hidden" value=""' in text
    assert "For the deal" not in text


def test_does_logging_on_the_card_with_a_deal_tie_it(employee_client):
    from webapp.models.activity import Activity

    company = make_company()
    deal = make_deal(company, "prospect")
    response = employee_client.post(
        f"/customers/{company.id}/activities",
        data={"log-kind": "note", "log-body": "Budget approved", "log-deal_id": str(deal.id)},
    )
    assert response.status_code == 303
    activity = db.session.scalar(select(Activity).where(Activity.body == "Budget approved"))
    assert activity.deal_id == deal.id


def test_is_a_foreign_deal_refused_when_logging_on_the_card(employee_client):
    from webapp.models.activity import Activity

    company = make_company()
    foreign = make_deal(make_company(), "prospect")
    response = employee_client.post(
        f"/customers/{company.id}/activities",
        data={"log-kind": "note", "log-body": "Sneaky", "log-deal_id": str(foreign.id)},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Activity).where(Activity.body == "Sneaky")) is None


# --- The card section -------------------------------------------------------------------------


def test_does_the_card_section_list_open_deals_then_closed_ones(employee_client):
    company = make_company()
    make_deal(company, "proposal", title="Open one", value=50000, expected_close=date(2026, 12, 1))
    make_deal(company, "suspect", title="Won one", outcome="won", closed_at=date(2026, 3, 2))
    make_deal(company, "suspect", title="Lost one", outcome="lost", closed_at=date(2026, 4, 2))
    text = employee_client.get(f"/customers/{company.id}").text
    section = text[text.index('id="deals"') :]
    assert section.index("Open one") < section.index("Closed") < section.index("Lost one")
    assert section.index("Lost one") < section.index("Won one")  # newest closed first
    assert "Proposal" in section
    assert "DKK\xa050,000.00" in section
    assert "close Dec 1, 2026" in section
    assert "Won Mar 2, 2026" in section
    assert "Lost Apr 2, 2026" in section


def test_is_the_card_section_a_page_and_a_fragment(employee_client, hx):
    company = make_company("Nordisk Byg ApS")
    make_deal(company, "suspect", title="Section deal")
    page = employee_client.get(f"/deals/company/{company.id}")
    assert page.status_code == 200
    assert "<title>Deals — Nordisk Byg ApS — Kanel</title>" in page.text
    fragment = employee_client.get(f"/deals/company/{company.id}", headers=hx)
    assert fragment.text.lstrip().startswith('<section class="card deals-section"')
    assert "Section deal" in fragment.text


def test_does_the_card_section_run_the_same_queries_for_2_or_20_deals(employee_client, hx):
    few = make_company()
    many = make_company()
    for _n in range(2):
        make_deal(few, "suspect", owner=make_user())
    for n in range(20):
        make_deal(
            many,
            ("suspect", "lead", "proposal")[n % 3],
            owner=make_user(),
            outcome=("open", "won", "lost")[n % 3],
        )
    assert count_queries(employee_client, f"/deals/company/{few.id}", hx) == count_queries(
        employee_client, f"/deals/company/{many.id}", hx
    )


# --- CSRF -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("csrf")
def test_is_a_create_without_a_csrf_token_refused(employee_client):
    company = make_company()
    response = employee_client.post(f"/deals/new?company={company.id}", data=new_deal_form())
    assert response.status_code in (400, 422)
    assert deals_of(company) == []


@pytest.mark.usefixtures("csrf")
def test_is_an_edit_without_a_csrf_token_refused(employee_client):
    deal = make_deal(make_company(), "suspect")
    response = employee_client.post(f"/deals/{deal.id}/edit", data=edit_form(deal, title="X"))
    assert response.status_code in (400, 422)
    assert deal.title != "X"


def test_does_the_value_help_show_each_users_own_number_format(login_as):
    company = make_company()
    english = login_as("employee", language="en")
    danish = login_as("employee", language="da")
    assert "12,500.50" in english.get(f"/deals/new?company={company.id}").text
    assert "12.500,50" in danish.get(f"/deals/new?company={company.id}").text
    assert "12,500.50" in english.get(f"/deals/new?company={company.id}").text


def test_does_an_edit_form_opened_before_a_group_save_get_refused(employee_client, deal_groups):
    size, _modules, options = deal_groups
    deal = make_deal(make_company(), "suspect")
    opened = edit_form(deal)
    employee_client.post(
        f"/deals/{deal.id}/groups",
        data={f"group-{size.id}": str(options["Small"].id), f"shown-{size.id}": ""},
    )
    response = employee_client.post(
        f"/deals/{deal.id}/edit", data={**opened, f"group-{size.id}": str(options["Large"].id)}
    )
    assert response.status_code == 409
    assert "set Deal size to “Small”" in response.text
    chosen = db.session.scalars(
        select(DealGroupValue.option_id).where(DealGroupValue.deal_id == deal.id)
    ).all()
    assert chosen == [options["Small"].id]


def test_does_a_long_deal_log_say_where_the_rest_is(employee_client):
    from webapp.blueprints.deals.queries import DEAL_LOG_SIZE

    company = make_company()
    deal = make_deal(company, "lead")
    for n in range(DEAL_LOG_SIZE + 1):
        make_activity(company, "note", subject=f"Note {n}", deal_id=deal.id, days_ago=n)
    text = employee_client.get(f"/deals/{deal.id}").text
    assert f"Showing the newest {DEAL_LOG_SIZE} entries." in text
    assert "Note 0" in text
    assert f"Note {DEAL_LOG_SIZE}<" not in text
