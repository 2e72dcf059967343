"""Translation catalogues: every source string is in the Polish and English
catalogues, placeholders survive translation, the committed .mo files match
their .po files, and the app really speaks both languages (with Polish plural
forms right)."""

from __future__ import annotations

import fnmatch
import os
import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask import render_template_string

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "app" / "translations"
LANGUAGES = ("pl", "en")
PL_PLURAL_FORMS = 3


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def mo_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo"


def load_po(lang: str) -> Catalog:
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def makefile_keywords() -> dict:
    """The -k keywords of the Makefile's `pybabel extract`, on top of Babel's defaults."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(row for row in makefile.splitlines() if "pybabel extract" in row)
    extra = re.findall(r"-k\s+(\S+)", line)
    assert extra, "the Makefile's `pybabel extract` line lists no -k keywords"
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords(extra))
    return keywords


def directory_filter(method_map: list[tuple[str, str]]):
    """Skip hidden folders like pybabel extract's default --ignore-dirs ('.*', '._'),
    and (only for speed) top-level folders that no babel.cfg pattern can match."""
    tops = {pattern.split("/", 1)[0] for pattern, _method in method_map}
    restrict = "/" in "".join(pattern for pattern, _method in method_map) and not any(
        any(char in top for char in "*?[") for top in tops
    )

    def keep(path: str) -> bool:
        name = os.path.basename(path)
        if any(fnmatch.fnmatch(name, pattern) for pattern in (".*", "._")):
            return False
        parts = Path(path).resolve().relative_to(ROOT).parts
        return not restrict or not parts or parts[0] in tops

    return keep


def message_key(message: str | tuple) -> tuple[str, str | None]:
    if isinstance(message, tuple):
        return message[0], message[1]
    return message, None


@pytest.fixture(scope="module")
def source_messages() -> dict[tuple[str, str | None], list[str]]:
    """msgid (with msgid_plural, if any) -> where it is used, extracted like `make translations`."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    found: dict[tuple[str, str | None], list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=makefile_keywords(),
        directory_filter=directory_filter(method_map),
    ):
        key = message_key(message)
        if key[0]:
            found.setdefault(key, []).append(f"{filename}:{lineno}")
    assert len(found) > 100, "extraction found suspiciously few strings: check babel.cfg"
    return found


@pytest.fixture(scope="module")
def catalogues() -> dict[str, Catalog]:
    return {lang: load_po(lang) for lang in LANGUAGES}


GETTEXT_ALIAS = re.compile(
    r"\b(?:gettext|ngettext|lazy_gettext|lazy_ngettext|pgettext|npgettext)\s+as\s+(\w+)"
)


def test_every_gettext_alias_in_the_code_is_an_extraction_keyword():
    keywords = makefile_keywords()
    unknown = {}
    for path in sorted((ROOT / "app").rglob("*.py")):
        for alias in GETTEXT_ALIAS.findall(path.read_text(encoding="utf-8")):
            if alias not in keywords:
                unknown.setdefault(alias, str(path.relative_to(ROOT)))
    assert not unknown, (
        "strings marked with these names are never extracted; add them to the Makefile's "
        f"`pybabel extract` keywords (e.g. -k NAME or -k NAME:1,2): {unknown}"
    )


def _describe(key: tuple[str, str | None], where: list[str]) -> str:
    msgid = key[0] if key[1] is None else f"{key[0]} | {key[1]}"
    return f"  {msgid!r}  ({where[0]})"


def _catalogue_entry(catalog: Catalog, key: tuple[str, str | None]) -> Message | None:
    message = catalog.get(key[0])
    if message is None:
        return None
    plural = message.id[1] if message.pluralizable else None
    return message if plural == key[1] else None


def test_every_source_string_has_an_english_translation(source_messages, catalogues):
    catalog = catalogues["en"]
    problems = []
    for key, where in sorted(source_messages.items()):
        message = _catalogue_entry(catalog, key)
        if message is None:
            problems.append("missing " + _describe(key, where))
        elif message.fuzzy:
            problems.append("fuzzy   " + _describe(key, where))
        elif message.pluralizable:
            forms = message.string if isinstance(message.string, tuple | list) else ()
            if len(forms) != catalog.num_plurals or not all(forms):
                problems.append("empty plural form " + _describe(key, where))
        elif not message.string:
            problems.append("empty   " + _describe(key, where))
    assert not problems, (
        f"{len(problems)} strings are not translated in app/translations/en "
        "(run `make translations`, then translate them):\n" + "\n".join(problems)
    )


def test_every_source_string_is_in_the_polish_catalogue_with_all_plural_forms(
    source_messages, catalogues
):
    catalog = catalogues["pl"]
    assert catalog.num_plurals == PL_PLURAL_FORMS, catalog.plural_forms
    problems = []
    for key, where in sorted(source_messages.items()):
        message = _catalogue_entry(catalog, key)
        if message is None:
            problems.append("missing " + _describe(key, where))
        elif message.fuzzy:
            problems.append("fuzzy   " + _describe(key, where))
        elif message.pluralizable:
            forms = message.string if isinstance(message.string, tuple | list) else ()
            if len(forms) != PL_PLURAL_FORMS or not all(forms):
                problems.append("needs 3 plural forms " + _describe(key, where))
        elif message.string != message.id:
            # Polish is the source language: the msgstr is the msgid itself.
            problems.append("msgstr differs from msgid " + _describe(key, where))
    assert not problems, (
        f"{len(problems)} problems in app/translations/pl (run `make translations`; "
        "write plural forms by hand: 1 / 2–4, 22–24 / 5–21, 25…):\n" + "\n".join(problems)
    )


PLACEHOLDER = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]"  # printf style
    r"|\{[^{}\s]*\}"  # str.format style
)
MARKUP = re.compile(r"</?[a-zA-Z][^<>]*>|\*\*|`|\]\(")


def _tokens(pattern: re.Pattern, text: str) -> list[str]:
    return sorted(pattern.findall(text))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_placeholders_and_markup(lang, catalogues):
    catalog = catalogues[lang]
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if message.pluralizable else (message.id,)
        strings = message.string if message.pluralizable else (message.string,)
        for pattern, what in ((PLACEHOLDER, "placeholders"), (MARKUP, "markup")):
            wanted = {tuple(_tokens(pattern, msgid)) for msgid in ids}
            for string in strings:
                if string and tuple(_tokens(pattern, string)) not in wanted:
                    problems.append(
                        f"  {what}: {ids[0]!r} -> {string!r} "
                        f"({_tokens(pattern, string)} instead of {sorted(wanted)[0]})"
                    )
    # Babel's own checker for python-format entries, too.
    for message, errors in catalog.check():
        problems.extend(f"  {message.id!r}: {error}" for error in errors)
    assert not problems, f"{lang}: translations that lose or add tokens:\n" + "\n".join(problems)


def _messages(catalog: Catalog) -> dict:
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {plain(message.id): plain(message.string) for message in catalog if message.id}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_committed_mo_file_is_up_to_date(lang):
    assert mo_path(lang).exists(), f"{mo_path(lang)} is missing: run `make compile-translations`"
    compiled = BytesIO()
    write_mo(compiled, load_po(lang))
    compiled.seek(0)
    expected = read_mo(compiled)
    with mo_path(lang).open("rb") as handle:
        committed = read_mo(handle)
    assert _messages(committed) == _messages(expected), (
        f"{mo_path(lang)} does not match its .po: run `make compile-translations` and commit it"
    )
    assert committed.plural_forms == expected.plural_forms


def test_english_pages_show_the_english_navigation(client, catalogues):
    catalog = catalogues["en"]
    body = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in body
    for msgid in ("Zgłoś pomysł", "Deklaracja dostępności"):
        english = catalog.get(msgid).string
        assert english and english != msgid
        assert english in body
        assert msgid not in body


def test_polish_pages_show_the_polish_navigation(client):
    body = client.get("/?lang=pl").get_data(as_text=True)
    assert '<html lang="pl">' in body
    assert "Zgłoś pomysł" in body
    assert "Deklaracja dostępności" in body


# Polish letters that English text never needs; names that keep them are allowed.
POLISH_LETTERS = re.compile(r"\w*[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]\w*")
ALLOWED_POLISH_WORDS = {"Łódź"}
PUBLIC_PAGES = (
    "/",
    "/processes",
    "/ideas",
    "/ideas/new",
    "/results",
    "/workshops",
    "/articles",
    "/privacy",
    "/accessibility",
    "/api/v1/",
    "/staff/login",
    "/no-such-page",
)


# Addresses and names from configuration are data, not interface text.
@pytest.mark.app_config(
    PRIVACY_CONTROLLER_ADDRESS="ul. Testowa 1, 00-001 Warszawa",
    ACCESSIBILITY_CONTACT_NAME="Anna Nowak",
)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_english_public_pages_contain_no_untranslated_polish(client, path):
    response = client.get(path, query_string={"lang": "en"})
    body = response.get_data(as_text=True)
    assert '<html lang="en">' in body
    # The language switcher names Polish in Polish, marked lang="pl".
    body = re.sub(r'<[^>]*\blang="pl"[^>]*>[^<]*<', "<", body)
    words = sorted(set(POLISH_LETTERS.findall(body)) - ALLOWED_POLISH_WORDS)
    assert not words, f"{path} in English still shows Polish words: {words}"


@pytest.mark.app_config(
    PRIVACY_CONTROLLER_ADDRESS="ul. Testowa 1, 00-001 Warszawa",
    ACCESSIBILITY_CONTACT_NAME="Anna Nowak",
)
def test_english_pages_with_content_contain_no_untranslated_polish(client, make):
    # Content written without Polish letters, so only interface text could show them.
    process = make.process(
        slug="transition", title="Transition", lead="Intro", description="About **it**."
    )
    category = make.category(slug="energy", name="Energy")
    idea = make.idea(
        process_id=process.id,
        category_id=category.id,
        title="Solar farm on the old heap",
        description="Panels on the spoil heap, with a path for walkers around them.",
        author_name="Jan Kowalski",
        show_author_name=True,
    )
    pending = make.idea(
        status="awaiting_review",
        process_id=process.id,
        category_id=category.id,
        title="Library in the pit house",
        description="Turn the old pit house into a library with a reading room.",
        author_name="Ewa Nowak",
    )
    workshop = make.workshop(
        process_id=process.id, slug="energy-workshop", title="Energy", venue="Hall A"
    )
    paths = (
        "/",
        "/processes",
        f"/processes/{process.slug}",
        "/ideas",
        f"/ideas/{idea.id}",
        "/ideas/new",
        f"/ideas/track/{pending.track_token}",
        "/workshops",
        f"/workshops/{workshop.slug}",
        "/results",
    )
    problems = {}
    for path in paths:
        response = client.get(path, query_string={"lang": "en"})
        assert response.status_code == 200, path
        body = re.sub(r'<[^>]*\blang="pl"[^>]*>[^<]*<', "<", response.get_data(as_text=True))
        words = sorted(set(POLISH_LETTERS.findall(body)) - ALLOWED_POLISH_WORDS)
        if words:
            problems[path] = words
    assert not problems, f"pages in English still show Polish words: {problems}"


def _card_support_msgids() -> tuple[str, str]:
    card = (ROOT / "templates" / "ideas" / "_card.html").read_text(encoding="utf-8")
    match = re.search(r'ngettext\(\s*"([^"]*poparcie[^"]*)"\s*,\s*"([^"]*)"', card)
    assert match, "templates/ideas/_card.html no longer counts supports with ngettext"
    return match.group(1), match.group(2)


def _render_count(app, lang: str, singular: str, plural: str, n: int) -> str:
    with app.test_request_context(f"/?lang={lang}"):
        return render_template_string(
            "{{ ngettext(singular, plural, n) }}", singular=singular, plural=plural, n=n
        ).strip()


def test_support_counts_use_all_three_polish_plural_forms(app):
    singular, plural = _card_support_msgids()
    expected = {
        1: "1 poparcie",
        2: "2 poparcia",
        4: "4 poparcia",
        5: "5 poparć",
        12: "12 poparć",
        21: "21 poparć",
        22: "22 poparcia",
        25: "25 poparć",
        104: "104 poparcia",
        112: "112 poparć",
    }
    rendered = {n: _render_count(app, "pl", singular, plural, n) for n in expected}
    assert rendered == expected


def test_support_counts_in_english(app, catalogues):
    singular, plural = _card_support_msgids()
    one, many = catalogues["en"].get(singular).string
    assert _render_count(app, "en", singular, plural, 1) == one.replace("%(num)s", "1")
    assert _render_count(app, "en", singular, plural, 2) == many.replace("%(num)s", "2")
    assert _render_count(app, "en", singular, plural, 22) == many.replace("%(num)s", "22")


def test_english_catalogue_translates_the_civic_vocabulary_consistently(catalogues):
    catalog = catalogues["en"]
    assert catalog.get("Deklaracja dostępności").string == "Accessibility statement"
    assert catalog.get("Oficjalna odpowiedź").string == "Official answer"
    assert catalog.get("%(num)s poparcie").string == ("%(num)s support", "%(num)s supports")
