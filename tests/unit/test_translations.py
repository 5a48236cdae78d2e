"""Every user-facing string has a Danish translation."""

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "webapp" / "translations" / "da" / "LC_MESSAGES" / "messages.po"
METHODS = [
    ("webapp/**.py", "python"),
    ("webapp/templates/**.html", "jinja2"),
]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
OPTIONS = {"webapp/templates/**.html": {"extensions": "jinja2.ext.do"}}


def source_messages():
    found = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map=METHODS, options_map=OPTIONS, keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else message[0]
        found.setdefault(key, filename)
    return found


def test_is_every_string_translated_to_danish():
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh, locale="da")
    missing = []
    for msgid, filename in sorted(source_messages().items()):
        entry = catalogue.get(msgid)
        translated = entry is not None and entry.string and not entry.fuzzy
        if isinstance(getattr(entry, "string", None), tuple):
            translated = all(entry.string) and not entry.fuzzy
        if not translated:
            missing.append(f"{filename}: {msgid!r}")
    assert not missing, "Missing Danish translations:\n" + "\n".join(missing)


def test_does_the_extraction_find_strings():
    # Guards the test above against passing because it extracted nothing.
    messages = source_messages()
    assert "Sign in" in messages
    assert "Wrong e-mail or password." in messages
    assert "Keep me signed in on this device" in messages  # a lazy_gettext string
