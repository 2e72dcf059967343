"""/processes shows each consultation's current phase, its dates, its numbers
and a picture (the cover of its latest article that has one)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.models import utcnow


def test_processes_list_shows_phase_dates_counts(client, make):
    process = make.process(title="Nowa energia")
    today = utcnow().date()
    make.phase(process.id, title="Zbieranie pomysłów", starts_on=today - timedelta(days=3),
               ends_on=today + timedelta(days=3))  # fmt: skip
    make.phase(process.id, title="Podsumowanie", starts_on=today + timedelta(days=10))
    for supports in (2, 3):
        make.idea(process_id=process.id, supports_count=supports)
    make.idea(process_id=process.id, status="awaiting_review")  # not counted
    make.workshop(process_id=process.id)
    page = client.get("/processes").get_data(as_text=True)
    overview = page.split('class="process-overview', 1)[1].split("</dl>", 1)[0]
    assert "Teraz</dt>" in overview and "Zbieranie pomysłów" in overview
    assert "Zgłaszanie pomysłów</dt>" in overview
    assert "2 pomysły · 5 poparć · 1 spotkanie" in overview


def test_a_consultation_without_a_current_phase_names_the_next(client, make):
    process = make.process()
    make.phase(process.id, title="Warsztaty", starts_on=utcnow().date() + timedelta(days=5))
    page = client.get("/processes").get_data(as_text=True)
    assert "Następny etap</dt>" in page and "Warsztaty" in page
    assert "0 pomysłów · 0 poparć · 0 spotkań" in page


def test_the_picture_is_the_latest_article_cover_of_the_consultation(client, make):
    from app.models import Article

    process = make.process()
    for days, key in ((5, "a" * 32), (1, "b" * 32)):
        make._save(Article(slug=f"a-{key[0]}", title="Artykuł", lead="Wstęp", body="Treść\n",
                           status="published", published_at=utcnow() - timedelta(days=days),
                           process_id=process.id, cover_key=key, cover_widths=[480, 960],
                           cover_alt="Opis"))  # fmt: skip
    page = client.get("/processes").get_data(as_text=True)
    card = page.split('class="card mb-3 process-card"', 1)[1].split("</li>", 1)[0]
    assert f"/media/covers/{'b' * 32}-960.jpg" in card and "a" * 32 not in card
    assert 'alt=""' in card  # beside its title, the picture is decoration


@pytest.mark.parametrize(
    ("n", "meetings", "ideas", "reject"),
    [(1, "1 spotkanie", "1 pomysł", "Odrzucić 1 zaznaczony pomysł?"),
     (3, "3 spotkania", "3 pomysły", "Odrzucić 3 zaznaczone pomysły?"),
     (5, "5 spotkań", "5 pomysłów", "Odrzucić 5 zaznaczonych pomysłów?"),
     (12, "12 spotkań", "12 pomysłów", "Odrzucić 12 zaznaczonych pomysłów?"),
     (22, "22 spotkania", "22 pomysły", "Odrzucić 22 zaznaczone pomysły?"),
     (25, "25 spotkań", "25 pomysłów", "Odrzucić 25 zaznaczonych pomysłów?")],
)  # fmt: skip
def test_polish_plural_forms_of_the_new_counts(app, n, meetings, ideas, reject):
    from flask_babel import force_locale, ngettext

    with app.test_request_context(), force_locale("pl"):
        assert ngettext("%(num)s spotkanie", "%(num)s spotkań", n) == meetings
        assert ngettext("%(num)s pomysł", "%(num)s pomysłów", n) == ideas
        assert ngettext(
            "Odrzucić %(num)s zaznaczony pomysł?", "Odrzucić %(num)s zaznaczonych pomysłów?", n
        ) == reject
