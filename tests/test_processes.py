"""Public consultation pages and the home page."""

from __future__ import annotations

from datetime import timedelta

from app.models import utcnow


def test_consultation_list_shows_published_ones_only(client, make):
    make.process(title="Jawna konsultacja")
    make.process(title="Szkic konsultacji", published=False)
    body = client.get("/processes").get_data(as_text=True)
    assert "Jawna konsultacja" in body
    assert "Szkic konsultacji" not in body


def test_unpublished_or_unknown_consultation_is_404(client, make):
    draft = make.process(published=False)
    assert client.get(f"/processes/{draft.slug}").status_code == 404
    assert client.get("/processes/nie-ma-takiej").status_code == 404


def test_consultation_page_shows_description_and_marks_the_current_phase(client, make):
    process = make.process(description="## Cel\n\nNowe **miejsca pracy**.")
    today = utcnow().date()
    make.phase(process.id, title="Etap miniony", starts_on=today - timedelta(days=20),
               ends_on=today - timedelta(days=10), position=0)  # fmt: skip
    make.phase(process.id, title="Etap bieżący", starts_on=today - timedelta(days=1),
               ends_on=today + timedelta(days=5), position=1)  # fmt: skip
    make.phase(process.id, title="Etap przyszły", starts_on=today + timedelta(days=10),
               ends_on=today + timedelta(days=12), position=2)  # fmt: skip
    body = client.get(f"/processes/{process.slug}").get_data(as_text=True)
    assert "<strong>miejsca pracy</strong>" in body
    assert body.index("Etap miniony") < body.index("Etap bieżący") < body.index("Etap przyszły")
    current = body[body.index('aria-current="step"') :]
    assert "Etap bieżący" in current[:300]
    assert body.count('aria-current="step"') == 1


def test_consultation_page_says_when_submissions_open_or_closed(client, make):
    soon = make.process(
        opens_at=utcnow() + timedelta(days=3), closes_at=utcnow() + timedelta(days=30)
    )
    over = make.process(
        opens_at=utcnow() - timedelta(days=30), closes_at=utcnow() - timedelta(days=1)
    )
    assert "rozpocznie się" in client.get(f"/processes/{soon.slug}").get_data(as_text=True)
    assert "zakończyło się" in client.get(f"/processes/{over.slug}").get_data(as_text=True)


def test_consultation_description_markdown_is_sanitised(client, make):
    process = make.process(description="<script>alert(1)</script> [x](javascript:alert(1))")
    body = client.get(f"/processes/{process.slug}").get_data(as_text=True)
    assert "<script>alert(1)" not in body
    assert 'href="javascript:' not in body


def test_home_page_features_the_open_consultation_and_recent_ideas(client, make):
    process = make.process(title="Region po węglu")
    make.idea(process_id=process.id, title="Opera na odkrywce")
    make.idea(process_id=process.id, title="Pomysł w poczekalni", status="awaiting_review")
    body = client.get("/").get_data(as_text=True)
    assert "Region po węglu" in body
    assert "Opera na odkrywce" in body
    assert "Pomysł w poczekalni" not in body


def test_home_page_works_with_an_empty_database(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Na razie nie trwają żadne konsultacje." in response.get_data(as_text=True)


def test_base_layout_is_accessible_and_self_hosted(client):
    body = client.get("/").get_data(as_text=True)
    assert '<html lang="pl">' in body
    assert 'href="#main"' in body and 'id="main"' in body
    assert "<header" in body and "<footer" in body and "<nav" in body
    for marker in ("cdn.", "googleapis", "jsdelivr", "unpkg", "cloudflare"):
        assert marker not in body
