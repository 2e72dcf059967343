"""Text helpers shared by several features (app.text)."""

from __future__ import annotations

import pytest

from app.text import csv_cell, idea_slug, slugify


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_a_csv_cell_starting_like_a_formula_is_quoted_with_an_apostrophe(first):
    assert csv_cell(f'{first}HYPERLINK("http://x")') == f'\'{first}HYPERLINK("http://x")'


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("Ławka przy stawie", "Ławka przy stawie"),
        ("1+1", "1+1"),
        (" =1", " =1"),
        ("", ""),
        (None, ""),
        (42, "42"),
        (-3, "'-3"),
    ],
)
def test_other_csv_cells_are_written_as_they_are(value, cell):
    assert csv_cell(value) == cell


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Łęczyca – Opera na odkrywce!", "leczyca-opera-na-odkrywce"),
        ("Zażółć gęślą jaźń", "zazolc-gesla-jazn"),
        ("ŚCIEŻKA rowerowa nad Bzurą (2025)", "sciezka-rowerowa-nad-bzura-2025"),
        ("  --Źródło-- ", "zrodlo"),
    ],
)
def test_slugs_fold_polish_letters(title, slug):
    assert slugify(title) == slug


def test_a_long_slug_is_cut_at_a_word_boundary():
    assert slugify("Ławka " * 30, 20) == "lawka-lawka-lawka"


def test_an_idea_slug_is_at_most_80_characters_and_never_empty():
    long = idea_slug("Ścieżka " * 20)
    assert len(long) <= 80 and long.startswith("sciezka-sciezka")
    assert idea_slug("!!!") == "pomysl"
