"""The company list with more than a thousand matches: a capped count, pages in order; and
prefix search whatever the database's collation."""

import re

import pytest
from sqlalchemy import insert

from tests.factories import make_company, make_contact, option, status
from webapp.extensions import db
from webapp.models.customer import Company
from webapp.models.group import GroupValue


def bulk_companies(names, city=None) -> list[int]:
    prospect = status("prospect").id
    rows = [
        {
            "name": name,
            "name_key": name.lower(),
            "city": city,
            "country": "DK",
            "status_id": prospect,
        }
        for name in names
    ]
    return list(
        db.session.scalars(
            insert(Company).returning(Company.id, sort_by_parameter_order=True), rows
        )
    )


def names_on(text: str) -> list[str]:
    return re.findall(r"<strong>([^<]+)</strong>", text)


@pytest.fixture
def many():
    """1,001 companies in Vejle (named "Vea …" and "Vek …") around 30 named "Vej …";
    the ones in Vejle came in by referral."""
    in_vejle = bulk_companies(
        [f"Vea {n:04d} ApS" for n in range(520)] + [f"Vek {n:04d} ApS" for n in range(481)],
        city="Vejle",
    )
    bulk_companies([f"Vej {n:02d} ApS" for n in range(30)])
    referral = option("lead_source", "Referral")
    db.session.execute(
        insert(GroupValue),
        [
            {"company_id": i, "group_id": referral.group_id, "option_id": referral.id}
            for i in in_vejle
        ],
    )
    return referral


def test_does_a_search_with_over_1000_matches_say_more_than_1000(employee_client, many):
    text = employee_client.get("/customers/?q=vej").text
    assert "More than 1,000 companies" in text
    assert names_on(text) == [f"Vea {n:04d} ApS" for n in range(50)]
    assert 'rel="next"' in text


def test_does_a_search_page_merge_name_and_other_matches_in_name_order(employee_client, many):
    # 520 "Vea" fill ten pages and 20 rows of the eleventh; the 30 "Vej" follow, then "Vek".
    text = employee_client.get("/customers/?q=vej&page=11").text
    expected = [f"Vea {n:04d} ApS" for n in range(500, 520)] + [
        f"Vej {n:02d} ApS" for n in range(30)
    ]
    assert names_on(text) == expected
    text = employee_client.get("/customers/?q=vej&page=12").text
    assert names_on(text) == [f"Vek {n:04d} ApS" for n in range(50)]
    text = employee_client.get("/customers/?q=vej&page=2&dir=desc").text
    assert names_on(text) == [f"Vek {n:04d} ApS" for n in range(430, 380, -1)]


def test_does_the_last_page_of_a_long_search_know_it_is_the_last(employee_client, many):
    text = employee_client.get("/customers/?q=vej&page=21").text
    assert "1,031 companies" in text
    assert "Page 21 of 21" in text
    assert 'rel="next"' not in text
    assert names_on(text) == [f"Vek {n:04d} ApS" for n in range(450, 481)]


def test_does_an_option_filter_with_over_1000_companies_say_more_than_1000(employee_client, many):
    text = employee_client.get(f"/customers/?option={many.id}").text
    assert "More than 1,000 companies" in text
    assert names_on(text) == [f"Vea {n:04d} ApS" for n in range(50)]
    text = employee_client.get(f"/customers/?option={many.id}&sort=city&dir=desc&page=21").text
    assert "1,001 companies" in text
    assert len(names_on(text)) == 1


def test_does_a_search_with_an_option_filter_count_both(employee_client, many):
    text = employee_client.get(f"/customers/?q=vej&option={many.id}").text
    assert "More than 1,000 companies" in text
    assert "Vej 00 ApS" not in text
    text = employee_client.get(f"/customers/?q=vej&option={many.id}&page=11").text
    assert names_on(text) == [f"Vea {n:04d} ApS" for n in range(500, 520)] + [
        f"Vek {n:04d} ApS" for n in range(30)
    ]


def test_does_an_unfiltered_list_still_count_past_1000(employee_client, many):
    text = employee_client.get("/customers/").text
    assert "1,031 companies" in text


@pytest.mark.parametrize("term", ["a", "aa", "aar", "aarhus"])
def test_does_a_search_find_aa_names_under_a_whatever_the_collation(employee_client, term):
    """A Danish collation sorts "aa" as "å", after "z": a prefix range must not miss it."""
    make_company("Aarhus Byg ApS")
    make_company("Zealand Tømrer ApS")
    make_company("Århus Maler ApS")
    text = employee_client.get("/customers/", query_string={"q": term}).text
    assert "Aarhus Byg ApS" in text
    assert "Zealand Tømrer ApS" not in text
    assert "Århus Maler ApS" not in text  # "å" is not "aa" to the search, whatever the sort


def test_does_a_search_find_aa_cities_and_contacts_whatever_the_collation(employee_client, hx):
    make_company("Nordisk Byg ApS", city="Aabenraa")
    make_contact(make_company("Fyns Tømrer A/S"), first_name="Aase", last_name="Aagaard")
    text = employee_client.get("/customers/?q=aab").text
    assert "Nordisk Byg ApS" in text
    for term in ("aase", "aagaard"):
        assert "Fyns Tømrer A/S" in employee_client.get(f"/customers/?q={term}").text
        assert "Aagaard" in employee_client.get(f"/customers/search?q={term}", headers=hx).text
    assert "Nordisk Byg ApS" in employee_client.get("/customers/search?q=aab", headers=hx).text
