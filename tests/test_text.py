"""Text helpers shared by several features (app.text)."""

from __future__ import annotations

import pytest

from app.text import csv_cell


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_a_csv_cell_starting_like_a_formula_is_quoted_with_an_apostrophe(first):
    assert csv_cell(f"{first}HYPERLINK(\"http://x\")") == f"'{first}HYPERLINK(\"http://x\")"


@pytest.mark.parametrize(
    ("value", "cell"),
    [("Ławka przy stawie", "Ławka przy stawie"), ("1+1", "1+1"), (" =1", " =1"), ("", ""),
     (None, ""), (42, "42"), (-3, "'-3")],
)
def test_other_csv_cells_are_written_as_they_are(value, cell):
    assert csv_cell(value) == cell
