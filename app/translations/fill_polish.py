"""Fill the Polish catalogue: Polish is the source language.

Every singular msgstr becomes its msgid. Plural entries need all three Polish
forms (1; 2–4, 22–24…; 5–21, 25…), which cannot be derived from the two
msgids, so they are written by hand in pl/LC_MESSAGES/messages.po; this script
only lists the ones still missing a form. It also puts the project's name in
the header of every catalogue. Run by ``make translations`` after
``pybabel update``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "pl" / "LC_MESSAGES" / "messages.po"
LANGUAGES = ("pl", "en")


def tidy_header(catalog) -> None:  # noqa: ANN001
    """Replace Babel's placeholder header fields with the project's own."""
    catalog.project = "Odkrywka"
    catalog.version = "1.0"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = "Odkrywka"
    catalog.language_team = "Odkrywka"
    catalog.copyright_holder = "Odkrywka"


def fill(path: Path = CATALOGUE) -> list[str]:
    """Copy msgids into empty singular msgstrs; return plural msgids lacking a form."""
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="pl")
    incomplete = []
    for message in catalog:
        if not message.id:
            continue
        message.flags.discard("fuzzy")
        if message.pluralizable:
            forms = list(message.string) if isinstance(message.string, tuple | list) else []
            forms += [""] * (catalog.num_plurals - len(forms))
            message.string = tuple(forms[: catalog.num_plurals])
            if not all(forms[: catalog.num_plurals]):
                incomplete.append(message.id[0])
        else:
            message.string = message.id
    tidy_header(catalog)
    with path.open("wb") as handle:
        write_po(handle, catalog, ignore_obsolete=True)
    return incomplete


def tidy(lang: str) -> None:
    path = HERE / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    tidy_header(catalog)
    with path.open("wb") as handle:
        write_po(handle, catalog, ignore_obsolete=True)


def main() -> int:
    for lang in LANGUAGES:
        if lang != "pl":
            tidy(lang)
    incomplete = fill()
    for msgid in incomplete:
        print(f"pl: write the 3 plural forms of {msgid!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
