"""Text helpers: slugs, search normalisation, safe single-line strings, CSV cells."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters NFKD does not decompose into a base letter and a mark.
_FOLD = str.maketrans(
    {
        "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
        "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i",
    }
)  # fmt: skip
_NON_WORD = re.compile(r"[^0-9a-z]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# First characters that make a spreadsheet read a cell as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _WithoutMarks(dict):
    """A ``str.translate`` table that drops combining marks: each code point
    is looked up in Unicode once, then answered from the table (a catalogue
    page folds hundreds of titles; a loop over characters in Python cost
    more than the rest of a card)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        if len(self) < 65_536:
            self[code] = kept
        return kept


_MARKS = _WithoutMarks()


def fold(text: str) -> str:
    """Lower case ASCII letters and digits; Polish letters folded (ł→l, ą→a)."""
    text = text.translate(_FOLD)
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_MARKS).lower()


def slugify(text: str, max_length: int = 100) -> str:
    """``"Łęczyca – Opera na odkrywce!"`` → ``"leczyca-opera-na-odkrywce"``."""
    slug = _NON_WORD.sub("-", fold(text)).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


@lru_cache(maxsize=8192)
def idea_slug(title: str) -> str:
    """The readable part of an idea's address, ``/ideas/<id>-<slug>``."""
    return slugify(title)[:80] or "pomysl"


def search_words(text: str) -> list[str]:
    """The words of *text* as the search index stores them."""
    return [word for word in _NON_WORD.split(fold(text)) if word]


def normalise_for_search(*parts: str | None) -> str:
    """One space-separated string of folded words, for the full-text index."""
    return " ".join(word for part in parts if part for word in search_words(part))


def single_line(text: str, max_length: int | None = None) -> str:
    """Drop control characters and line breaks (mail headers, log lines)."""
    cleaned = _CONTROL.sub(" ", text or "")
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if max_length is not None:
        cleaned = cleaned[:max_length]
    return cleaned


def normalise_email(email: str | None) -> str:
    """How addresses are compared everywhere: trimmed, lower case."""
    return (email or "").strip().lower()


def mask_email(email: str | None) -> str:
    """``"anna.kowalska@example.pl"`` → ``"a***@example.pl"`` for logs."""
    if not email or "@" not in email:
        return "***"
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @, a
    tab or a carriage return gets a leading apostrophe (CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text
