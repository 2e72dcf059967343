"""/export/ideas.csv: open data a spreadsheet opens right, without personal data."""

from __future__ import annotations

import csv
import io

from app.models import IdeaStatus


def rows_of(response) -> list[dict]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_starts_with_a_bom_and_keeps_polish_letters(client, make):
    make.idea(title="Żółta łódź na zalewie", description="Rejsy dla dzieci – gęśle, źdźbła, ćma.")
    response = client.get("/export/ideas.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    [row] = rows_of(response)
    assert row["title"] == "Żółta łódź na zalewie"
    assert row["description"] == "Rejsy dla dzieci – gęśle, źdźbła, ćma."


def test_csv_has_public_columns_only(client, make):
    make.idea()
    header = rows_of(client.get("/export/ideas.csv"))[0].keys()
    assert list(header) == ["id", "title", "description", "category", "category_name", "process",
                            "source", "workshop", "author_name", "status", "progress", "supports",
                            "published_at", "url"]  # fmt: skip


def test_csv_never_contains_e_mail_and_names_only_with_consent(client, make):
    make.idea(author_name="Jawna Autorka", show_author_name=True, email="jawna@example.org",
              municipality="Gmina Jawna")  # fmt: skip
    make.idea(author_name="Ukryty Autor", show_author_name=False, email="ukryty@example.org",
              municipality="Gmina Ukryta")  # fmt: skip
    response = client.get("/export/ideas.csv")
    text = response.data.decode("utf-8")
    assert "@" not in text.replace("http://", "")
    assert "Ukryty Autor" not in text and "Gmina" not in text
    names = sorted(row["author_name"] for row in rows_of(response))
    assert names == ["", "Jawna Autorka"]


def test_csv_lists_published_ideas_only(client, make):
    make.idea(title="Widoczny pomysł")
    for status in (
        IdeaStatus.AWAITING_REVIEW,
        IdeaStatus.HIDDEN,
        IdeaStatus.REJECTED,
        IdeaStatus.UNCONFIRMED,
    ):
        make.idea(status=status, title=f"Ukryty {status}")
    assert [row["title"] for row in rows_of(client.get("/export/ideas.csv"))] == ["Widoczny pomysł"]


def test_csv_takes_the_catalogue_filters(client, make):
    category = make.category(slug="woda")
    make.idea(title="Retencja deszczówki", category_id=category.id)
    make.idea(title="Kino letnie")
    assert [r["title"] for r in rows_of(client.get("/export/ideas.csv?category=woda"))] == [
        "Retencja deszczówki"
    ]
    assert [r["title"] for r in rows_of(client.get("/export/ideas.csv?q=kino"))] == ["Kino letnie"]
    assert client.get("/export/ideas.csv?category=nie-ma").status_code == 400


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, make):
    make.idea(
        title='=HYPERLINK("http://zlo.example")', description="+48 to nie formuła, @ też nie."
    )
    [row] = rows_of(client.get("/export/ideas.csv"))
    assert row["title"].startswith("'=")
    assert row["description"].startswith("'+")


def test_csv_rows_carry_status_supports_and_link(client, make):
    idea = make.idea(result_status="in_progress", progress=55, supports_count=12)
    [row] = rows_of(client.get("/export/ideas.csv"))
    assert (row["status"], row["progress"], row["supports"]) == ("in_progress", "55", "12")
    assert row["url"] == f"http://odkrywka.test/ideas/{idea.id}-{idea.slug}"
    assert row["published_at"][-6] in "+-"
