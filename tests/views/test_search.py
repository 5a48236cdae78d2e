"""Search finds a word inside a company's name (header, list, the deal form's picker), and the
header search shows deals too."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from tests.factories import make_company, make_contact, make_deal
from webapp.blueprints.customers import queries
from webapp.extensions import db
from webapp.models.user import utcnow


def header(client, hx, q) -> str:
    response = client.get("/customers/search", query_string={"q": q}, headers=hx)
    assert response.status_code == 200
    return response.text


def names_in(text, names) -> list[str]:
    """The given names in the order the text shows them."""
    found = [(text.find(f"<strong>{n}</strong>"), n) for n in names]
    return [n for at, n in sorted(found) if at >= 0]


def list_names(text) -> list[str]:
    return re.findall(r'<a href="/customers/\d+"><strong>([^<]+)</strong>', text)


def queries_run(app, fn) -> int:
    statements = []

    def count(*args, **kwargs):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


@pytest.fixture
def common_words(monkeypatch):
    """Every word counts as common: the search walks the name index and probes the words,
    as it does at full scale for ApS or Søn."""
    monkeypatch.setattr(queries, "COMMON_WORD", 1)


# Companies: a word inside the name ------------------------------------------------------


@pytest.mark.parametrize("walk", [False, True], ids=["few", "common"])
@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("byg", "Nordisk Byg ApS"),
        ("BYG APS", "Nordisk Byg ApS"),
        ("hansen", "Jens Hansen VVS"),
        ("huset", "VVS-Huset Horsens A/S"),
        ("nordisk", "Nordisk Byg ApS"),
    ],
)
def test_does_the_header_search_find_a_word_inside_a_name(
    request, employee_client, hx, walk, q, found
):
    if walk:
        request.getfixturevalue("common_words")
    for name in ("Nordisk Byg ApS", "Jens Hansen VVS", "VVS-Huset Horsens A/S", "Fyns Tømrer A/S"):
        make_company(name)
    text = header(employee_client, hx, q)
    assert f"<strong>{found}</strong>" in text
    assert "Fyns Tømrer A/S" not in text


def test_does_a_search_not_find_the_middle_of_a_word(employee_client, hx):
    make_company("Nordisk Byg ApS")
    assert "Nordisk Byg ApS" not in header(employee_client, hx, "rdisk")
    assert "Nordisk Byg ApS" not in employee_client.get("/customers/?q=rdisk").text
    assert "Nordisk Byg ApS" not in header(employee_client, hx, "byg a/s")


@pytest.mark.parametrize("walk", [False, True], ids=["few", "common"])
def test_do_whole_name_hits_come_first_then_word_hits_each_by_name(
    request, employee_client, hx, walk
):
    if walk:
        request.getfixturevalue("common_words")
    names = ["Zealand Byggeri A/S", "Byggeriet ApS", "Nordisk Byg ApS", "Byg Syd ApS"]
    names += ["Aalborg Byg ApS"]
    for name in names:
        make_company(name)
    text = header(employee_client, hx, "byg")
    assert names_in(text, names) == [
        "Byg Syd ApS",
        "Byggeriet ApS",
        "Aalborg Byg ApS",
        "Nordisk Byg ApS",
        "Zealand Byggeri A/S",
    ]
    assert re.search(r"data-top-hit>\s*<strong>Byg Syd ApS</strong>", text)


def test_does_the_header_search_show_at_most_six_companies_once_each(employee_client, hx):
    make_company("Byg og Byggeri ApS")  # "byg" twice: the start and a later word
    for n in range(8):
        make_company(f"Firma {n} Byg ApS")
    text = header(employee_client, hx, "byg")
    assert text.count("<strong>Byg og Byggeri ApS</strong>") == 1
    assert len(re.findall(r'href="/customers/\d+"', text)) == 6


def test_are_archived_companies_left_out_of_word_hits(employee_client, hx):
    make_company("Nordisk Byg ApS", archived=True)
    make_company("Vestjysk Byg ApS")
    text = header(employee_client, hx, "byg")
    assert "Vestjysk Byg ApS" in text
    assert "Nordisk Byg ApS" not in text


def test_does_a_renamed_company_show_under_its_new_words(employee_client, hx):
    company = make_company("Nordisk Byg ApS", version=1)
    form = {"name": "Nordisk Tømrer ApS", "country": "DK", "status_id": str(company.status_id)}
    form.update(dict.fromkeys(("cvr", "street", "postcode", "city", "website", "phone"), ""))
    form.update(dict.fromkeys(("email", "employees", "category", "owner_id", "notes"), ""))
    form["version"] = "1"
    response = employee_client.post(f"/customers/{company.id}/edit", data=form)
    assert response.status_code == 303, response.text
    assert "Nordisk Tømrer ApS" in header(employee_client, hx, "tømrer")
    assert "Nordisk" not in header(employee_client, hx, "byg")


@pytest.mark.parametrize("walk", [False, True], ids=["few", "common"])
def test_does_the_list_search_find_a_word_inside_a_name_in_name_order(
    request, employee_client, walk
):
    if walk:
        request.getfixturevalue("common_words")
    for name in ("Zealand Byggeri A/S", "Nordisk Byg ApS", "Byg Syd ApS", "Fyns Tømrer A/S"):
        make_company(name)
    text = employee_client.get("/customers/?q=byg").text
    assert list_names(text) == ["Byg Syd ApS", "Nordisk Byg ApS", "Zealand Byggeri A/S"]
    assert "3 companies" in text
    text = employee_client.get("/customers/?q=byg&sort=updated&dir=desc").text
    assert sorted(list_names(text)) == ["Byg Syd ApS", "Nordisk Byg ApS", "Zealand Byggeri A/S"]
    text = employee_client.get("/customers/?q=by").text  # two letters: names and their words
    assert list_names(text) == ["Byg Syd ApS", "Nordisk Byg ApS", "Zealand Byggeri A/S"]


def test_does_the_list_search_page_many_word_hits_in_name_order(employee_client, common_words):
    for n in range(60):
        make_company(f"Firma {n:02d} Byg ApS")
    make_company("Byg Først ApS")
    first = employee_client.get("/customers/?q=byg").text
    assert "61 companies" in first
    assert list_names(first) == ["Byg Først ApS"] + [f"Firma {n:02d} Byg ApS" for n in range(49)]
    second = employee_client.get("/customers/?q=byg&page=2").text
    assert list_names(second) == [f"Firma {n:02d} Byg ApS" for n in range(49, 60)]


def test_does_the_deal_forms_company_picker_find_a_word_inside_a_name(employee_client, hx):
    make_company("Jens Hansen VVS")
    make_company("Fyns Tømrer A/S")
    text = employee_client.get("/deals/new?q=hansen", headers=hx).text
    assert "Jens Hansen VVS" in text
    assert "Fyns Tømrer A/S" not in text
    assert "Contacts" not in text


# Deals in the header search -------------------------------------------------------------


def test_does_the_header_search_show_matching_deals_with_company_stage_and_value(
    employee_client, hx
):
    company = make_company("Nordisk Byg ApS")
    deal = make_deal(company, "qualified", value=125000, title="Nyt lønsystem")
    make_deal(company, "suspect", title="Kursusdag")
    text = header(employee_client, hx, "lønsys")
    assert "Deals" in text
    link = re.search(rf'<a href="/deals/{deal.id}"[^>]*>(.*?)</a>', text, re.S)
    assert link, text
    shown = " ".join(link.group(1).split())
    assert "<strong>Nyt lønsystem</strong>" in shown
    assert "Nordisk Byg ApS" in shown
    assert "125,000.00" in shown
    assert "Qualified" in shown
    assert "Kursusdag" not in text


@pytest.mark.parametrize(
    ("q", "title"),
    [
        ("upgr", "Upgrade to the new version"),
        ("new vers", "Upgrade to the new version"),
        ("CONOMIC", "Integration with e-conomic"),
        ("e-conomic", "Integration with e-conomic"),
        ("års", "Årsaftale 2027"),
        ("ÅRSAFTALE", "Årsaftale 2027"),
        ("100%", "Rabat 100% første år"),
    ],
)
def test_does_a_deal_match_on_the_start_of_any_word_of_its_title(employee_client, hx, q, title):
    company = make_company("Kunde ApS")
    for name in ("Upgrade to the new version", "Integration with e-conomic", "Årsaftale 2027"):
        make_deal(company, title=name)
    make_deal(company, title="Rabat 100% første år")
    make_deal(company, title="Rabat 1000 kr")
    text = header(employee_client, hx, q)
    assert [m for m in re.findall(r"<strong>([^<]+)</strong>", text) if m != "Kunde ApS"] == [title]


def test_does_the_header_search_show_recently_closed_deals_after_open_ones(employee_client, hx):
    company = make_company("Kunde ApS")
    today = utcnow().date()
    make_deal(company, title="Lønsystem gammel", outcome="won", closed_at=today - timedelta(400))
    make_deal(company, title="Lønsystem vundet", outcome="won", closed_at=today - timedelta(3))
    make_deal(company, title="Lønsystem tabt", outcome="lost", closed_at=today - timedelta(1))
    make_deal(company, "proposal", title="Lønsystem åben")
    make_deal(make_company("Arkiv ApS", archived=True), title="Lønsystem arkiveret")
    text = header(employee_client, hx, "lønsystem")
    titles = re.findall(r"<strong>(Lønsystem[^<]*)</strong>", text)
    assert titles == ["Lønsystem åben", "Lønsystem tabt", "Lønsystem vundet"]
    assert "Won " in text
    assert "Lost " in text


def test_is_the_first_deal_the_top_hit_when_only_deals_match(employee_client, hx):
    deal = make_deal(make_company("Kunde ApS"), title="Zebra-projekt")
    text = header(employee_client, hx, "zebra")
    assert f'href="/deals/{deal.id}" data-top-hit' in text
    assert "Nothing found" not in text


def test_is_the_search_page_without_htmx_showing_deals_too(employee_client):
    make_deal(make_company("Kunde ApS"), title="Zebra-projekt")
    text = employee_client.get("/customers/search?q=zebra").text
    assert "<html" in text
    assert "Zebra-projekt" in text


def test_does_the_header_search_run_a_bounded_number_of_queries_however_many_match(
    app, employee_client, hx
):
    def fill(prefix, n):
        for i in range(n):
            company = make_company(f"{prefix}{i} Holding ApS")
            make_contact(company, first_name=f"{prefix}{i}")
            make_deal(company, title=f"{prefix}{i} aftale")

    fill("Alfa", 2)
    fill("Beta", 20)
    # A term matching nothing tries every index once: the most a search runs.
    most = queries_run(app, lambda: header(employee_client, hx, "zzz"))
    assert most <= 16, most
    assert queries_run(app, lambda: header(employee_client, hx, "alfa")) <= most
    assert queries_run(app, lambda: header(employee_client, hx, "beta")) <= most
    assert queries_run(app, lambda: header(employee_client, hx, "holding")) <= most
