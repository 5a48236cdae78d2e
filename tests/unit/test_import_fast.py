"""The quick cleaners give exactly what the general ones give."""

import random

import pytest
from stdnum.dk import cvr as dk_cvr
from stdnum.exceptions import ValidationError

from webapp.services.companies import InvalidValue, clean_phone, clean_website
from webapp.services.imports.fast import PhoneCleaner, quick_cvr, quick_website


def outcome(fn, *args):
    try:
        return fn(*args)
    except InvalidValue:
        return "invalid"


def test_does_the_quick_phone_cleaner_agree_with_phonenumbers():
    rng = random.Random(7)  # noqa: S311
    numbers = [str(rng.randint(10_000_000, 99_999_999)) for _ in range(3000)]
    shapes = [
        lambda d: d,
        lambda d: f"{d[:2]} {d[2:4]} {d[4:6]} {d[6:]}",
        lambda d: f"+45 {d}",
        lambda d: f"0045{d}",
        lambda d: f"(+45) {d[:4]}-{d[4:]}",
        lambda d: f"{d[:4]}.{d[4:]}",
    ]
    cleaner = PhoneCleaner()
    for n, digits in enumerate(numbers):
        raw = shapes[n % len(shapes)](digits)
        for region in ("DK", "SE"):
            assert outcome(cleaner, raw, region) == outcome(clean_phone, raw, region), raw
    for raw in ("+46 8 123 456 78", "12345", "not a number", "45 33 12 34 56", "+45 1234 5678"):
        assert outcome(cleaner, raw, "DK") == outcome(clean_phone, raw, "DK"), raw


def test_does_the_quick_cvr_check_agree_with_stdnum():
    rng = random.Random(11)  # noqa: S311
    for _ in range(20000):
        digits = f"{rng.randint(0, 99_999_999):08d}"
        try:
            expected = dk_cvr.validate(digits)
        except ValidationError:
            expected = None
        assert quick_cvr(digits) == expected, digits


@pytest.mark.parametrize(
    "raw",
    ["www.Nordlys.dk", "https://nordlys.dk/", "http://www.nordlys.dk", "nordlys.co.uk",
     "nordlys.dk/om-os", "HTTPS://nordlys.dk", "nordlys", "ftp://nordlys.dk", "a b.dk",
     "nordlys.dk:8080"],
)  # fmt: skip
def test_does_the_quick_website_cleaner_agree_with_clean_website(raw):
    assert outcome(quick_website, raw) == outcome(clean_website, raw)
