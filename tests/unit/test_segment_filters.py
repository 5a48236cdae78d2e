"""Each segment filter alone and combined, against eight companies whose answers are written out."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import (
    make_activity,
    make_company,
    make_contact,
    make_deal,
    make_user,
    option,
    set_option,
    status,
)
from webapp.extensions import db
from webapp.models.marketing import Industry, Segment
from webapp.models.user import utcnow
from webapp.services.segments import (
    InvalidDefinition,
    SegmentDefinition,
    as_definition,
    count_segment,
    parse_definition,
    segment_companies_query,
    segment_company_ids,
    segment_contacts_query,
)

EVERYONE = {"Alfa", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"}


def industry(code, section, level, parent=None):
    found = db.session.scalar(select(Industry).where(Industry.code == code))
    if found is None:
        found = Industry(
            code=code, section=section, level=level, parent=parent, title_en=f"Test {code}"
        )
        db.session.add(found)
        db.session.flush()
    return found


@pytest.fixture
def world():
    """Eight companies (Hotel archived) with known status, category, industry, size, owner,
    place, groups, satisfaction, activity, deals and contacts."""
    anna = make_user(name="Anna Ejer")
    bo = make_user(name="Bo Ejer")
    section_j = industry("J", "J", 0)
    section_f = industry("F", "F", 0)
    section_g = industry("G", "G", 0)
    d62 = industry("62", "J", 1, section_j)
    c6201 = industry("62.01", "J", 3, d62)
    d47 = industry("47", "G", 1, section_g)
    c4711 = industry("47.11", "G", 3, d47)

    def company(name, status_key, **fields):
        return make_company(name, status_key=status_key, name_key=name.lower(), **fields)

    alfa = company(
        "Alfa",
        "lead",
        category="A",
        industry_id=c6201.id,
        employees=50,
        owner=anna,
        country="DK",
        city="Aarhus",
    )
    bravo = company(
        "Bravo",
        "customer",
        category="B",
        industry_id=d62.id,
        employees=200,
        owner=bo,
        country="DK",
        city="Odense",
    )
    charlie = company(
        "Charlie",
        "lost_to_competitor",
        category="C",
        industry_id=c4711.id,
        employees=5,
        owner=None,
        country="SE",
        city="Malmö",
    )
    delta = company(
        "Delta",
        "prospect",
        category=None,
        industry_id=None,
        employees=None,
        owner=anna,
        country="DK",
        city="aarhus",
    )
    echo = company(
        "Echo",
        "lead",
        category="A",
        industry_id=section_f.id,
        employees=20,
        owner=bo,
        country="DK",
        city="København",
    )
    foxtrot = company(
        "Foxtrot",
        "former_customer",
        category="B",
        industry_id=section_j.id,
        employees=500,
        owner=anna,
        country="NO",
        city="Oslo",
    )
    golf = company(
        "Golf",
        "customer",
        category="C",
        industry_id=c6201.id,
        employees=10,
        owner=bo,
        country="DK",
        city="Aarhus",
    )
    hotel = company(
        "Hotel",
        "lead",
        category="A",
        industry_id=c6201.id,
        employees=50,
        owner=anna,
        country="DK",
        city="Aarhus",
        archived=True,
    )

    for c, labels in [
        (alfa, [("lead_source", "Referral"), ("accounting_system", "e-conomic")]),
        (bravo, [("accounting_system", "e-conomic"), ("accounting_system", "Dinero")]),
        (charlie, [("lead_source", "SEO"), ("accounting_system", "Dinero")]),
        (
            echo,
            [
                ("lead_source", "Referral"),
                ("accounting_system", "e-conomic"),
                ("accounting_system", "Dinero"),
            ],
        ),
        (foxtrot, [("accounting_system", "Billy")]),
        (golf, [("accounting_system", "e-conomic")]),
        (hotel, [("lead_source", "Referral"), ("accounting_system", "e-conomic")]),
    ]:
        for group_key, label in labels:
            set_option(c, group_key, label)
    for c, label in [
        (alfa, "5 Very happy"),
        (bravo, "2 Unhappy"),
        (echo, "5 Very happy"),
        (foxtrot, "3 Neutral"),
        (golf, "4 Happy"),
        (hotel, "5 Very happy"),
    ]:
        set_option(c, "satisfaction", label)

    make_activity(alfa, "call", days_ago=10)
    make_activity(bravo, "meeting", days_ago=100)
    make_activity(charlie, "note", days_ago=400)
    make_activity(charlie, "note", days_ago=1, deleted=True)  # deleted: never counts
    make_activity(echo, "email", days_ago=1)
    make_activity(echo, "note", days_ago=300)
    make_activity(foxtrot, "call", days_ago=30)
    make_activity(hotel, "call", days_ago=1)

    make_deal(alfa, "lead", value=1000)
    make_deal(bravo, "proposal", value=2000, outcome="won")
    make_deal(delta, "suspect", value=3000)
    make_deal(echo, "lead", value=4000, outcome="lost")
    make_deal(foxtrot, "qualified", value=5000)
    make_deal(hotel, "lead", value=6000)

    make_contact(alfa, "Anne", marketing_consent=True)
    make_contact(bravo, "Birk", marketing_consent=False)
    make_contact(charlie, "Cai", marketing_consent=True, archived=True)
    make_contact(delta, "Dorte", "Dahl", marketing_consent=True)
    make_contact(delta, "Dan", "Berg", marketing_consent=False)
    make_contact(echo, "Eva", marketing_consent=True)
    make_contact(golf, "Gurli", marketing_consent=False)
    make_contact(hotel, "Hanne", marketing_consent=True)
    return {"anna": anna, "bo": bo}


def names(**definition) -> set[str]:
    """The companies of a segment, by name, through the query other parts of Kanel use."""
    return {c.name for c in db.session.scalars(segment_companies_query(definition))}


def opt(group_key, label) -> int:
    return option(group_key, label).id


def days_ago(n) -> str:
    return (utcnow() - timedelta(days=n)).date().isoformat()


def test_does_an_empty_segment_hold_every_current_company_but_no_archived_one(world):
    assert names() == EVERYONE


def test_does_the_status_filter_keep_only_those_statuses(world):
    assert names(status=[status("lead").id]) == {"Alfa", "Echo"}
    assert names(status=[status("prospect").id, status("customer").id]) == {
        "Bravo",
        "Delta",
        "Golf",
    }


def test_does_the_status_kind_filter_keep_only_those_kinds(world):
    assert names(kind=["customer"]) == {"Bravo", "Golf"}
    assert names(kind=["inactive", "former_customer"]) == {"Charlie", "Foxtrot"}
    assert names(kind=["prospect"]) == {"Alfa", "Delta", "Echo"}


def test_does_the_category_filter_know_companies_without_one(world):
    assert names(category=["A"]) == {"Alfa", "Echo"}
    assert names(category=["B", "none"]) == {"Bravo", "Delta", "Foxtrot"}


def test_does_an_industry_include_everything_below_it(world):
    assert names(industry=["J"]) == {"Alfa", "Bravo", "Foxtrot", "Golf"}
    assert names(industry=["62"]) == {"Alfa", "Bravo", "Golf"}
    assert names(industry=["62.01"]) == {"Alfa", "Golf"}
    assert names(industry=["G"]) == {"Charlie"}
    assert names(industry=["F", "47.11"]) == {"Charlie", "Echo"}


def test_does_the_headcount_range_include_both_ends(world):
    assert names(employees_min=20) == {"Alfa", "Bravo", "Echo", "Foxtrot"}
    assert names(employees_max=50) == {"Alfa", "Charlie", "Echo", "Golf"}
    assert names(employees_min=20, employees_max=200) == {"Alfa", "Bravo", "Echo"}


def test_does_the_owner_filter_also_find_companies_without_an_owner(world):
    anna, bo = world["anna"].id, world["bo"].id
    assert names(owner=[anna]) == {"Alfa", "Delta", "Foxtrot"}
    assert names(owner=[0]) == {"Charlie"}
    assert names(owner=[bo, 0]) == {"Bravo", "Charlie", "Echo", "Golf"}


def test_do_country_and_city_match_as_typed_in_any_case(world):
    assert names(country=["SE", "NO"]) == {"Charlie", "Foxtrot"}
    assert names(city=["aarhus"]) == {"Alfa", "Delta", "Golf"}
    assert names(city=["AARHUS", "Odense"]) == {"Alfa", "Bravo", "Delta", "Golf"}
    assert names(country=["DK"], city=["Aarhus"]) == {"Alfa", "Delta", "Golf"}


def test_does_any_of_the_group_options_differ_from_all_of_them(world):
    referral, dinero = opt("lead_source", "Referral"), opt("accounting_system", "Dinero")
    economic = opt("accounting_system", "e-conomic")
    assert names(options=[referral, dinero]) == {"Alfa", "Bravo", "Charlie", "Echo"}
    assert names(options=[referral, dinero], options_mode="any") == {
        "Alfa",
        "Bravo",
        "Charlie",
        "Echo",
    }
    assert names(options=[economic, dinero], options_mode="all") == {"Bravo", "Echo"}
    assert names(options=[referral, economic], options_mode="all") == {"Alfa", "Echo"}
    assert names(options=[referral, dinero], options_mode="all") == {"Echo"}


def test_does_the_satisfaction_filter_keep_those_answers(world):
    assert names(satisfaction=[opt("satisfaction", "5 Very happy")]) == {"Alfa", "Echo"}
    assert names(
        satisfaction=[opt("satisfaction", "3 Neutral"), opt("satisfaction", "4 Happy")]
    ) == {"Foxtrot", "Golf"}


def test_does_last_activity_after_look_at_the_newest_live_activity(world):
    # Charlie's activity of yesterday is deleted; its last one is 400 days old.
    assert names(activity_after=days_ago(50)) == {"Alfa", "Echo", "Foxtrot"}
    assert names(activity_after=days_ago(5)) == {"Echo"}


def test_does_last_activity_before_leave_out_companies_active_since(world):
    # Echo had a note 300 days ago but an e-mail yesterday: its last activity is recent.
    assert names(activity_before=days_ago(50)) == {"Bravo", "Charlie"}
    assert names(activity_before=days_ago(200)) == {"Charlie"}
    assert names(activity_after=days_ago(200), activity_before=days_ago(20)) == {"Bravo", "Foxtrot"}


def test_does_has_an_open_deal_ignore_won_and_lost_ones(world):
    assert names(open_deal="yes") == {"Alfa", "Delta", "Foxtrot"}
    assert names(open_deal="no") == {"Bravo", "Charlie", "Echo", "Golf"}


def test_does_marketing_consent_need_a_live_contact_who_gave_it(world):
    # Charlie's only consenting contact is archived.
    assert names(consent="yes") == {"Alfa", "Delta", "Echo"}
    assert names(consent="no") == {"Bravo", "Charlie", "Foxtrot", "Golf"}


def test_do_filters_combine_so_every_one_must_hold(world):
    assert names(kind=["prospect"], category=["A"], consent="yes") == {"Alfa", "Echo"}
    assert names(kind=["prospect"], category=["A"], consent="yes", activity_after=days_ago(5)) == {
        "Echo"
    }
    assert names(owner=[world["anna"].id], open_deal="yes", country=["DK"]) == {"Alfa", "Delta"}
    assert names(
        industry=["J"],
        employees_min=10,
        options=[opt("accounting_system", "e-conomic")],
        satisfaction=[opt("satisfaction", "4 Happy"), opt("satisfaction", "5 Very happy")],
    ) == {"Alfa", "Golf"}
    assert names(status=[status("lead").id], open_deal="no", consent="no") == set()


def test_does_the_count_hold_companies_and_their_live_contacts(world):
    # Live contacts: Alfa 1, Bravo 1, Delta 2, Echo 1, Golf 1 (Charlie's is archived).
    everything = count_segment({})
    assert (everything.companies, everything.contacts) == (7, 6)
    # With consent asked for, the contacts are those who gave it: Anne, Dorte, Eva.
    consenting = count_segment({"consent": "yes"})
    assert (consenting.companies, consenting.contacts) == (3, 3)
    leads = count_segment({"status": [status("lead").id]})
    assert (leads.companies, leads.contacts) == (2, 2)


def test_does_the_contacts_query_list_live_contacts_by_company(world):
    contacts = db.session.scalars(segment_contacts_query({"city": ["Aarhus"]})).all()
    assert [c.first_name for c in contacts] == ["Anne", "Dan", "Dorte", "Gurli"]
    consenting = db.session.scalars(
        segment_contacts_query({"city": ["Aarhus"]}, consent_only=True)
    ).all()
    assert [c.first_name for c in consenting] == ["Anne", "Dorte"]


def test_do_all_forms_of_a_definition_give_the_same_companies(world):
    definition = {"category": ["A", "C"], "employees_min": 10}
    expected = {"Alfa", "Echo", "Golf"}
    segment = Segment(name="Test", definition=parse_definition(definition).to_json())
    db.session.add(segment)
    db.session.flush()
    for form in (definition, segment, segment.definition, as_definition(definition)):
        assert names(**as_definition(form).to_dict()) == expected
        ids = set(db.session.scalars(segment_company_ids(form)))
        assert {c.name for c in db.session.scalars(segment_companies_query(form))} == expected
        assert len(ids) == 3


def test_does_the_stored_json_keep_only_what_was_chosen():
    definition = parse_definition(
        {
            "status": ["3", "x", "3"],
            "category": ["A", "Z"],
            "employees_min": "1.000",
            "options_mode": "all",
            "activity_after": "2026-01-31",
            "city": "Aarhus, odense ",
        }
    )
    assert definition.to_dict() == {
        "status": [3],
        "category": ["A"],
        "employees_min": 1000,
        "activity_after": "2026-01-31",
        "city": ["Aarhus", "odense"],
    }
    assert SegmentDefinition().empty


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"employees_min": "many"}, "employees_min"),
        ({"employees_min": "50", "employees_max": "10"}, "employees_max"),
        ({"activity_after": "2026-13-01"}, "activity_after"),
        ({"activity_after": "2026-05-01", "activity_before": "2026-04-01"}, "activity_before"),
        ({"industry": "J, 99.99"}, "industry"),
        ({"country": "Denmark"}, "country"),
    ],
)
def test_does_a_filter_that_makes_no_sense_say_which_field_is_wrong(data, field):
    industry("J", "J", 0)
    with pytest.raises(InvalidDefinition) as caught:
        parse_definition(data)
    assert list(caught.value.errors) == [field]


def test_does_a_stored_segment_with_a_vanished_industry_code_still_run(world):
    stored = '{"industry": ["62", "99.99"], "employees_min": 100}'
    assert as_definition(stored).industry == ["62"]
    assert names(**as_definition(stored).to_dict()) == {"Bravo"}
