"""The residents' form, confirmation, the private tracking page."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Attachment,
    Idea,
    IdeaEvent,
    IdeaStatus,
    OutboxMessage,
    utcnow,
)
from app.security.tokens import hash_token
from tests.submission_support import (
    SVG,
    form_data,
    image_bytes,
    jpeg_with_gps,
    link_in,
    minimal_pdf,
    png_bomb,
    truncated_jpeg,
)


@pytest.fixture
def category(make):
    make.process(slug="transformacja", title="Transformacja regionu")
    return make.category(slug="srodowisko", name="Środowisko")


def only_idea(app) -> Idea:
    with app.app_context():
        [idea] = db.session.scalars(select(Idea)).all()
        db.session.expunge(idea)
        return idea


def outbox(app, template: str | None = None) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if template:
            query = query.where(OutboxMessage.template == template)
        rows = db.session.scalars(query).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def events(app, idea_id: int) -> list[IdeaEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(IdeaEvent).where(IdeaEvent.idea_id == idea_id).order_by(IdeaEvent.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def submit(client, category, **overrides):
    return client.post("/ideas/new", data=form_data(category.slug, **overrides))


def submit_and_confirm(client, app, category, **overrides) -> tuple[Idea, str]:
    """Submit, follow the confirmation link; returns the idea and its tracking path."""
    assert submit(client, category, **overrides).status_code == 303
    confirm = link_in(outbox(app, "idea_confirm")[-1].body_text, "confirm")
    assert client.get(confirm).status_code == 200
    track = link_in(outbox(app, "idea_tracking")[-1].body_text, "track")
    idea = only_idea(app)
    return idea, track


# -- the form -------------------------------------------------------------------------


def test_form_lists_active_categories_only(client, make, category):
    make.category(slug="stara", name="Stara kategoria", active=False)
    page = client.get("/ideas/new").get_data(as_text=True)
    assert "Środowisko" in page
    assert "Stara kategoria" not in page
    assert 'aria-live="polite"' in page
    assert "js/ideas.js" in page


def test_valid_submission_stores_an_unconfirmed_idea_and_queues_the_confirmation(
    client, app, category
):
    response = submit(client, category)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/ideas/sent")
    idea = only_idea(app)
    assert idea.status == IdeaStatus.UNCONFIRMED
    assert idea.title == "Ścieżka rowerowa wokół jeziora"
    assert idea.search_text.startswith("sciezka rowerowa wokol jeziora")
    assert idea.consent_version == app.config["CONSENT_VERSION"]
    assert idea.consented_at is not None
    assert idea.locale == "pl"
    assert idea.show_author_name is True
    assert idea.municipality == "Bełchatów"
    assert idea.submitter_hash and "anna" not in idea.submitter_hash
    [event] = events(app, idea.id)
    assert (event.kind, event.to_status, event.actor_label) == (
        "submitted",
        "unconfirmed",
        "author",
    )
    assert event.data["title"] == idea.title
    assert event.data["description"] == idea.description
    [mail] = outbox(app, "idea_confirm")
    assert mail.recipient == "anna@example.org"
    token = link_in(mail.body_text, "confirm").rsplit("/", 1)[1]
    # Only hashes of the tokens are stored, never the token.
    assert idea.confirm_token_hash == hash_token(token)
    assert token not in (idea.confirm_token_hash, idea.track_token_hash)
    assert len(token) >= 22  # at least 128 random bits
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "anna@example.org" in page  # in full, for the person who typed it


def test_process_may_be_omitted_only_when_one_consultation_is_open(client, app, make, category):
    second = make.process(slug="druga", title="Druga konsultacja")
    response = submit(client, category)
    assert response.status_code == 400
    assert "Wybierz konsultację" in response.get_data(as_text=True)
    assert submit(client, category, process=second.slug).status_code == 303
    assert only_idea(app).process_id == second.id


def test_submission_in_english_keeps_the_language(client, app, category):
    response = client.post("/ideas/new?lang=en", data=form_data(category.slug))
    assert response.status_code == 303
    assert only_idea(app).locale == "en"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Abc", "Tytuł musi mieć od 5 do 150 znaków"),
        ("title", "x" * 151, "Tytuł musi mieć od 5 do 150 znaków"),
        ("description", "Za krótko.", "Opis musi mieć od 30 do 5000 znaków"),
        ("description", "y" * 5001, "Opis musi mieć od 30 do 5000 znaków"),
        ("category", "", "Wybierz kategorię"),
        ("category", "nie-ma-takiej", "Wybierz jedną z kategorii"),
        ("author_name", "A", "od 2 do 100 znaków"),
        ("email", "", "Podaj adres e-mail"),
        ("email", "to-nie-adres", "poprawny adres e-mail"),
        ("email", "anna@example.org\r\nBcc: all@example.org", "niedozwolone znaki"),
        ("email", "anna@example.org, ktos@example.org", "niedozwolone znaki"),
        ("municipality", "m" * 101, "Najwyżej 100 znaków"),
        ("consent", None, "Bez tej zgody"),
    ],
)
def test_invalid_field_rerenders_the_form_with_a_linked_error_and_values_kept(
    client, app, category, field, value, message
):
    data = form_data(category.slug, **{field: value})
    if value is None:
        data.pop(field, None)
    response = client.post("/ideas/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="error-summary"' in page
    assert f'href="#{field}"' in page
    assert message in page
    assert 'aria-invalid="true"' in page
    if field != "title":
        assert "Ścieżka rowerowa wokół jeziora" in page
    if field != "description":
        assert "z punktami widokowymi" in page
    assert outbox(app) == []
    with app.app_context():
        assert db.session.scalar(select(Idea.id)) is None


def test_line_breaks_in_the_title_never_reach_anything(client, app, category):
    response = submit(client, category, title="Ścieżka\r\nrowerowa\x00 nad jeziorem")
    assert response.status_code == 303
    idea = only_idea(app)
    assert idea.title == "Ścieżka rowerowa nad jeziorem"
    [mail] = outbox(app)
    assert "\n" not in mail.subject and "\r" not in mail.subject


def test_null_characters_in_the_description_are_dropped(client, app, category):
    response = submit(client, category, description="Opis\x00 z zerowym znakiem, " + "a" * 30)
    assert response.status_code == 303
    assert "\x00" not in only_idea(app).description


# -- window ------------------------------------------------------------------------------


def test_form_before_the_window_says_when_it_opens_and_refuses_posts(client, app, make):
    opens = utcnow() + timedelta(days=3)
    make.process(title="Przyszłe konsultacje", opens_at=opens, closes_at=opens + timedelta(days=30))
    category = make.category()
    page = client.get("/ideas/new").get_data(as_text=True)
    assert "rozpocznie się" in page
    assert "Przyszłe konsultacje" in page
    response = submit(client, category)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "rozpocznie się" in page
    assert "z punktami widokowymi" in page  # the text is kept
    assert outbox(app) == []
    with app.app_context():
        assert db.session.scalar(select(Idea.id)) is None


def test_form_after_the_window_says_it_closed_and_refuses_posts(client, app, make):
    now = utcnow()
    make.process(
        title="Zamknięte konsultacje",
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=1),
    )
    category = make.category()
    page = client.get("/ideas/new").get_data(as_text=True)
    assert "zakończyło się" in page
    response = submit(client, category)
    assert response.status_code == 409
    assert "Ścieżka rowerowa wokół jeziora" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Idea.id)) is None


def test_naming_a_closed_consultation_is_refused_while_another_is_open(client, app, make, category):
    now = utcnow()
    closed = make.process(
        slug="zamknieta", opens_at=now - timedelta(days=40), closes_at=now - timedelta(days=1)
    )
    response = submit(client, category, process=closed.slug)
    assert response.status_code == 409
    assert "nie przyjmuje już pomysłów" in response.get_data(as_text=True)


# -- spam -----------------------------------------------------------------------------------


def test_filled_honeypot_pretends_success_and_keeps_nothing(client, app, category):
    response = submit(client, category, website="http://spam.example")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/ideas/sent")
    assert outbox(app) == []
    with app.app_context():
        assert db.session.scalar(select(Idea.id)) is None


@pytest.mark.app_config(SUBMISSIONS_PER_ADDRESS_PER_HOUR=2)
def test_per_address_limit_answers_429_with_values_kept(client, app, category):
    assert submit(client, category).status_code == 303
    assert submit(client, category, email="ANNA@example.org ").status_code == 303
    response = submit(client, category, title="Trzeci pomysł z tego adresu")
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Spróbuj ponownie później" in page
    assert "Trzeci pomysł z tego adresu" in page
    assert submit(client, category, email="inna@example.org").status_code == 303
    assert len(outbox(app, "idea_confirm")) == 3


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_IDEA_SUBMIT="2 per hour")
def test_per_client_limit_answers_429_with_values_kept(client, app, category):
    assert submit(client, category, email="a1@example.org").status_code == 303
    assert submit(client, category, email="a2@example.org").status_code == 303
    response = submit(client, category, email="a3@example.org", title="Pomysł po limicie")
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "zbyt wiele zgłoszeń" in page
    assert "Pomysł po limicie" in page
    assert client.get("/ideas/new").status_code == 200  # reading is not limited


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_post_without_csrf_token_is_refused_and_values_kept(client, app, category):
    response = submit(client, category)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Formularz wygasł" in page
    assert "Ścieżka rowerowa wokół jeziora" in page
    with app.app_context():
        assert db.session.scalar(select(Idea.id)) is None


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_post_with_csrf_token_from_the_form_is_accepted(client, app, category):
    import re

    page = client.get("/ideas/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert submit(client, category, csrf_token=token).status_code == 303


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_tracking_actions_need_the_csrf_token(client, app, make):
    idea = make.idea(status=IdeaStatus.AWAITING_REVIEW)
    response = client.post(f"/ideas/track/{idea.track_token}/withdraw")
    assert response.status_code == 400
    assert make.get(Idea, idea.id).status == IdeaStatus.AWAITING_REVIEW


# -- attachments through the form --------------------------------------------------------------


def with_file(data: bytes, name: str, content_type: str = "image/jpeg"):
    return (io.BytesIO(data), name, content_type)


def test_photo_is_stored_reencoded_without_gps_under_a_random_name(client, app, category):
    from tests.submission_support import gps_of

    data = form_data(category.slug)
    data["attachment"] = with_file(jpeg_with_gps(), "spacer nad jeziorem.jpg")
    response = client.post("/ideas/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
        assert attachment.content_type == "image/jpeg"
        assert attachment.original_name == "spacer nad jeziorem.jpg"
        assert "spacer" not in attachment.stored_name
        stored = Path(app.config["UPLOAD_DIR"]) / attachment.stored_name
    assert gps_of(stored.read_bytes()) == {}


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"#!/bin/sh\nrm -rf /\n", "zdjecie.jpg", "Nieobsługiwany rodzaj pliku"),
        (SVG, "rysunek.svg", "Nieobsługiwany rodzaj pliku"),
        (
            b"<html><script>alert(1)</script>\n" + minimal_pdf(),
            "dok.pdf",
            "Nieobsługiwany rodzaj pliku",
        ),
        (truncated_jpeg(), "zdjecie.jpg", "uszkodzony"),
        (png_bomb(20000, 20000), "bomba.png", "zbyt wielkie wymiary"),
    ],
    ids=["script-as-jpg", "svg", "polyglot-pdf", "corrupt", "bomb"],
)
def test_bad_attachment_rerenders_the_form_with_its_own_message(
    client, app, category, content, name, message
):
    data = form_data(category.slug)
    data["attachment"] = with_file(content, name)
    response = client.post("/ideas/new", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'href="#attachment"' in page
    assert "Ścieżka rowerowa wokół jeziora" in page
    assert outbox(app) == []
    with app.app_context():
        assert db.session.scalar(select(Idea.id)) is None
    assert (
        not any(Path(app.config["UPLOAD_DIR"]).glob("*.*"))
        if Path(app.config["UPLOAD_DIR"]).exists()
        else True
    )


@pytest.mark.app_config(MAX_ATTACHMENT_BYTES=2048)
def test_attachment_over_the_configured_limit_is_refused(client, app, category):
    data = form_data(category.slug)
    data["attachment"] = with_file(image_bytes("PNG", (400, 400)) + b"\x00" * 4096, "duze.png")
    response = client.post("/ideas/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Plik jest za duży" in response.get_data(as_text=True)
    assert "2 kB" in response.get_data(as_text=True)


@pytest.mark.app_config(MAX_CONTENT_LENGTH=4096, MAX_ATTACHMENT_FORM_LENGTH=4096)
def test_request_over_the_form_limit_gets_a_clear_413(client, app, category):
    data = form_data(category.slug)
    data["attachment"] = with_file(b"\xff\xd8\xff" + b"\x00" * 20000, "ogromne.jpg")
    response = client.post("/ideas/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Załącznik może mieć najwyżej" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Idea.id)) is None


TWELVE_MB = 12 * 1024 * 1024


def test_a_12_mb_attachment_is_refused_at_its_field_with_the_typed_text_kept(client, app, category):
    data = form_data(category.slug, title="Ławki nad zalewem z widokiem")
    data["attachment"] = with_file(b"\xff\xd8\xff" + b"\x00" * TWELVE_MB, "ogromne.jpg")
    response = client.post("/ideas/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert 'value="Ławki nad zalewem z widokiem"' in page
    assert form_data(category.slug)["description"] in page
    assert 'value="anna@example.org"' in page
    assert 'id="attachment-error"' in page
    assert "Plik jest za duży" in page
    assert 'aria-describedby="attachment-hint attachment-error"' in page
    with app.app_context():
        assert db.session.scalar(select(Idea.id)) is None


def test_a_12_mb_attachment_on_the_edit_form_keeps_the_typed_text(client, app, category):
    idea, track = submit_and_confirm(client, app, category)
    edit = client.get(f"{track}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', edit).group(1)
    data = form_data(category.slug, title="Nowy tytuł pomysłu", version=version)
    data["attachment"] = with_file(b"\xff\xd8\xff" + b"\x00" * TWELVE_MB, "ogromne.jpg")
    response = client.post(f"{track}/edit", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert 'value="Nowy tytuł pomysłu"' in page
    assert 'id="attachment-error"' in page
    assert only_idea(app).title == "Ścieżka rowerowa wokół jeziora"


def test_other_routes_keep_the_general_body_limit(client, app, make):
    idea = make.idea()
    response = client.post(
        f"/ideas/{idea.id}/report",
        data={"reason": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)},
    )
    assert response.status_code == 413


def test_pdf_attachment_is_kept_as_sent(client, app, category):
    data = form_data(category.slug)
    data["attachment"] = with_file(minimal_pdf(), "plan.pdf", "application/pdf")
    assert (
        client.post("/ideas/new", data=data, content_type="multipart/form-data").status_code == 303
    )
    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
        stored = Path(app.config["UPLOAD_DIR"]) / attachment.stored_name
    assert stored.read_bytes() == minimal_pdf()


# -- confirmation -----------------------------------------------------------------------------------


def test_confirmation_moves_the_idea_to_moderators_and_mails_a_fresh_tracking_link(
    client, app, category
):
    assert submit(client, category).status_code == 303
    before = only_idea(app)
    confirm = link_in(outbox(app, "idea_confirm")[0].body_text, "confirm")
    response = client.get(confirm)
    assert response.status_code == 200
    assert "Dziękujemy za potwierdzenie" in response.get_data(as_text=True)
    idea = only_idea(app)
    assert idea.status == IdeaStatus.AWAITING_REVIEW
    assert idea.confirmed_at is not None
    assert idea.track_token_hash != before.track_token_hash
    [mail] = outbox(app, "idea_tracking")
    track = link_in(mail.body_text, "track")
    assert idea.track_token_hash == hash_token(track.rsplit("/", 1)[1])
    assert track in mail.body_html
    kinds = [(e.kind, e.from_status, e.to_status) for e in events(app, idea.id)]
    assert kinds[-1] == ("confirmed", "unconfirmed", "awaiting_review")


def test_second_click_on_the_confirmation_link_is_friendly_and_changes_nothing(
    client, app, category
):
    idea, _track = submit_and_confirm(client, app, category)
    confirm = link_in(outbox(app, "idea_confirm")[0].body_text, "confirm")
    response = client.get(confirm)
    assert response.status_code == 200
    assert "już wcześniej potwierdzony" in response.get_data(as_text=True)
    assert len(outbox(app, "idea_tracking")) == 1
    assert [e.kind for e in events(app, idea.id)].count("confirmed") == 1


@pytest.mark.parametrize("path", ["/ideas/confirm/nieznany-token", "/ideas/track/nieznany-token"])
def test_unknown_token_is_a_clear_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Ten link nie działa" in response.get_data(as_text=True)


def test_forged_tokens_do_not_work(client, make):
    idea = make.idea(status=IdeaStatus.AWAITING_REVIEW)
    forged = idea.track_token[:-2] + ("AA" if not idea.track_token.endswith("AA") else "BB")
    assert client.get(f"/ideas/track/{forged}").status_code == 404
    # A token's hash is not a token either.
    with make.app.app_context():
        stored = db.session.get(Idea, idea.id).track_token_hash
    assert client.get(f"/ideas/track/{stored}").status_code == 404
    assert client.get(f"/ideas/track/{'x' * 5000}").status_code == 404


def test_a_confirmation_token_is_not_a_tracking_token_and_vice_versa(client, make):
    idea = make.idea(status=IdeaStatus.UNCONFIRMED)
    assert client.get(f"/ideas/track/{idea.confirm_token}").status_code == 404
    assert client.get(f"/ideas/confirm/{idea.track_token}").status_code == 404


def test_another_ideas_token_only_ever_shows_that_idea(client, make):
    process = make.process()
    category = make.category()
    mine = make.idea(
        status=IdeaStatus.AWAITING_REVIEW,
        process_id=process.id,
        category_id=category.id,
        title="Mój własny pomysł",
    )
    other = make.idea(
        status=IdeaStatus.AWAITING_REVIEW,
        process_id=process.id,
        category_id=category.id,
        title="Cudzy pomysł sąsiada",
    )
    page = client.get(f"/ideas/track/{mine.track_token}").get_data(as_text=True)
    assert "Mój własny pomysł" in page and "Cudzy pomysł sąsiada" not in page
    client.post(f"/ideas/track/{mine.track_token}/withdraw")
    assert make.get(Idea, other.id).status == IdeaStatus.AWAITING_REVIEW
    assert make.get(Idea, mine.id).status == IdeaStatus.WITHDRAWN


# -- the tracking page --------------------------------------------------------------------------------


def test_tracking_page_shows_status_and_messages_from_moderators(client, app, make):
    idea = make.idea(status=IdeaStatus.CHANGES_REQUESTED)
    with app.app_context():
        db.session.add(
            IdeaEvent(
                idea_id=idea.id,
                kind="changes_requested",
                from_status="awaiting_review",
                to_status="changes_requested",
                actor_label="moderator",
                message="Proszę doprecyzować, w której gminie ma powstać ścieżka.",
            )
        )
        db.session.commit()
    response = client.get(f"/ideas/track/{idea.track_token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Moderatorzy proszą o zmiany" in page
    assert "Proszę doprecyzować, w której gminie ma powstać ścieżka." in page
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert 'name="robots" content="noindex"' in page


def test_tracking_page_links_to_the_public_page_once_published(client, app, make):
    idea = make.idea(status=IdeaStatus.PUBLISHED, title="Opera na odkrywce")
    page = client.get(f"/ideas/track/{idea.track_token}").get_data(as_text=True)
    with app.test_request_context():
        from flask import url_for

        public = url_for("catalogue.detail", idea_id=idea.id, slug=idea.slug)
    assert f'href="{public}"' in page
    assert "Edytuj pomysł" not in page


def test_edit_while_awaiting_review_keeps_it_in_the_queue(client, app, category):
    idea, track = submit_and_confirm(client, app, category)
    page = client.get(f"{track}/edit").get_data(as_text=True)
    assert "Ścieżka rowerowa wokół jeziora" in page
    response = client.post(
        f"{track}/edit",
        data={
            "title": "Ścieżka rowerowa i biegowa wokół jeziora",
            "description": form_data(category.slug)["description"] + " Także dla biegaczy.",
            "category": category.slug,
            "author_name": "Anna K.",
            "municipality": "",
            "version": str(idea.version),
        },
    )
    assert response.status_code == 303
    edited = only_idea(app)
    assert edited.status == IdeaStatus.AWAITING_REVIEW
    assert edited.title == "Ścieżka rowerowa i biegowa wokół jeziora"
    assert "biegowa" in edited.search_text
    assert edited.show_author_name is False
    assert edited.municipality is None
    assert edited.version == idea.version + 1
    last = events(app, idea.id)[-1]
    assert (last.kind, last.from_status, last.to_status, last.actor_label) == (
        "edited",
        "awaiting_review",
        "awaiting_review",
        "author",
    )
    assert last.data["changes"]["title"]["before"] == "Ścieżka rowerowa wokół jeziora"
    # The text as first sent is still in the history.
    assert events(app, idea.id)[0].data["title"] == "Ścieżka rowerowa wokół jeziora"
    assert "Zapisano zmiany" in client.get(track).get_data(as_text=True)


def test_edit_after_changes_requested_goes_back_to_moderators_as_author_revised(client, app, make):
    idea = make.idea(status=IdeaStatus.CHANGES_REQUESTED)
    category = make.get(type(idea).category.property.mapper.class_, idea.category_id)
    response = client.post(
        f"/ideas/track/{idea.track_token}/edit",
        data={
            "title": "Poprawiony tytuł pomysłu",
            "description": "Poprawiony opis, z dokładnym miejscem i kosztem realizacji.",
            "category": category.slug,
            "author_name": "Autor",
            "version": str(idea.version),
        },
    )
    assert response.status_code == 303
    assert make.get(Idea, idea.id).status == IdeaStatus.AWAITING_REVIEW
    last = events(app, idea.id)[-1]
    assert (last.kind, last.from_status, last.to_status) == (
        "author_revised",
        "changes_requested",
        "awaiting_review",
    )


def test_edit_with_a_stale_version_is_refused_with_409(client, app, make):
    idea = make.idea(status=IdeaStatus.AWAITING_REVIEW)
    category = make.get(type(idea).category.property.mapper.class_, idea.category_id)
    data = {
        "title": "Poprawiony tytuł pomysłu",
        "description": "Poprawiony opis, z dokładnym miejscem i kosztem realizacji.",
        "category": category.slug,
        "author_name": "Autor",
        "version": str(idea.version - 1),
    }
    response = client.post(f"/ideas/track/{idea.track_token}/edit", data=data)
    assert response.status_code == 409
    assert "zmienił się w międzyczasie" in response.get_data(as_text=True)
    assert make.get(Idea, idea.id).title == idea.title


@pytest.mark.parametrize(
    "status", [IdeaStatus.PUBLISHED, IdeaStatus.REJECTED, IdeaStatus.WITHDRAWN]
)
def test_edit_is_refused_once_moderators_decided(client, make, status):
    idea = make.idea(status=status)
    assert client.get(f"/ideas/track/{idea.track_token}/edit").status_code == 302
    category = make.get(type(idea).category.property.mapper.class_, idea.category_id)
    response = client.post(
        f"/ideas/track/{idea.track_token}/edit",
        data={
            "title": "Zmieniony tytuł",
            "description": "Zmieniony opis, odpowiednio długi, by przejść walidację.",
            "category": category.slug,
            "author_name": "Autor",
            "version": str(idea.version),
        },
    )
    assert response.status_code == 409
    assert make.get(Idea, idea.id).title == idea.title


def test_edit_can_replace_and_remove_the_attachment(client, app, category):
    data = form_data(category.slug)
    data["attachment"] = with_file(image_bytes("PNG"), "stare.png", "image/png")
    assert (
        client.post("/ideas/new", data=data, content_type="multipart/form-data").status_code == 303
    )
    confirm = link_in(outbox(app, "idea_confirm")[0].body_text, "confirm")
    client.get(confirm)
    track = link_in(outbox(app, "idea_tracking")[0].body_text, "track")
    idea = only_idea(app)
    with app.app_context():
        old_name = db.session.scalar(select(Attachment.stored_name))
    uploads = Path(app.config["UPLOAD_DIR"])
    edit = {
        "title": idea.title,
        "description": idea.description,
        "category": category.slug,
        "author_name": "Anna",
        "version": str(idea.version),
        "attachment": with_file(minimal_pdf(), "nowe.pdf", "application/pdf"),
    }
    assert (
        client.post(f"{track}/edit", data=edit, content_type="multipart/form-data").status_code
        == 303
    )
    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
        assert attachment.original_name == "nowe.pdf"
    assert not (uploads / old_name).exists()
    assert (uploads / attachment.stored_name).exists()
    response = client.get(f"{track}/attachment")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    edit.update(version=str(idea.version + 1), remove_attachment="y")
    edit.pop("attachment")
    assert client.post(f"{track}/edit", data=edit).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Attachment.id)) is None
    assert not (uploads / attachment.stored_name).exists()


def test_withdraw_moves_to_withdrawn_records_it_and_queues_a_mail(client, app, category):
    idea, track = submit_and_confirm(client, app, category)
    assert "Wycofaj pomysł" in client.get(f"{track}/withdraw").get_data(as_text=True)
    response = client.post(f"{track}/withdraw", data={"reason": "Zgłoszę go razem z sąsiadami."})
    assert response.status_code == 303
    assert only_idea(app).status == IdeaStatus.WITHDRAWN
    last = events(app, idea.id)[-1]
    assert (last.kind, last.from_status, last.to_status, last.actor_label) == (
        "withdrawn",
        "awaiting_review",
        "withdrawn",
        "author",
    )
    [mail] = outbox(app, "idea_withdrawn")
    assert mail.recipient == "anna@example.org"
    assert client.post(f"{track}/withdraw").status_code == 409


def test_withdrawing_a_published_idea_takes_it_out_of_the_catalogue(client, make):
    idea = make.idea(status=IdeaStatus.PUBLISHED)
    assert client.post(f"/ideas/track/{idea.track_token}/withdraw").status_code == 303
    assert make.get(Idea, idea.id).status == IdeaStatus.WITHDRAWN


def test_withdraw_is_refused_for_a_rejected_idea(client, make):
    idea = make.idea(status=IdeaStatus.REJECTED)
    assert client.post(f"/ideas/track/{idea.track_token}/withdraw").status_code == 409
    assert make.get(Idea, idea.id).status == IdeaStatus.REJECTED


# -- personal data --------------------------------------------------------------------------------------


def test_data_download_holds_everything_about_the_submitter(client, app, category):
    idea, track = submit_and_confirm(client, app, category)
    response = client.get(f"{track}/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.get_data(as_text=True))
    assert data["author"] == {
        "name": "Anna Kowalska",
        "email": "anna@example.org",
        "municipality": "Bełchatów",
        "show_author_name": True,
        "wants_consultation_updates": False,
        "language": "pl",
    }
    assert data["idea"]["title"] == "Ścieżka rowerowa wokół jeziora"
    assert data["consent"]["version"] == app.config["CONSENT_VERSION"]
    assert [entry["kind"] for entry in data["history"]] == ["submitted", "confirmed"]
    assert len(data["emails"]) == 2
    assert "token" not in response.get_data(as_text=True).lower()


def test_erasing_an_unpublished_idea_deletes_it_with_its_file(client, app, category):
    data = form_data(category.slug)
    data["attachment"] = with_file(image_bytes("PNG"), "a.png", "image/png")
    client.post("/ideas/new", data=data, content_type="multipart/form-data")
    client.get(link_in(outbox(app, "idea_confirm")[0].body_text, "confirm"))
    track = link_in(outbox(app, "idea_tracking")[0].body_text, "track")
    with app.app_context():
        stored = Path(app.config["UPLOAD_DIR"]) / db.session.scalar(select(Attachment.stored_name))
    assert client.post(f"{track}/erase").status_code == 400  # the confirmation box is required
    response = client.post(f"{track}/erase", data={"confirm": "y"})
    assert response.status_code == 303
    assert "Usunęliśmy Twój pomysł" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(Idea.id)) is None
        assert db.session.scalar(select(IdeaEvent.id)) is None
        assert (
            db.session.scalar(
                select(OutboxMessage.id).where(OutboxMessage.recipient == "anna@example.org")
            )
            is None
        )
    assert not stored.exists()
    assert client.get(track).status_code == 404


def test_erasing_a_published_idea_anonymises_it(client, app, make):
    idea = make.idea(status=IdeaStatus.PUBLISHED, show_author_name=True, municipality="Zelów")
    page = client.get(f"/ideas/track/{idea.track_token}/erase").get_data(as_text=True)
    assert "treść zostanie" in page
    response = client.post(f"/ideas/track/{idea.track_token}/erase", data={"confirm": "y"})
    assert response.status_code == 303
    kept = make.get(Idea, idea.id)
    assert kept.status == IdeaStatus.PUBLISHED
    assert kept.title == idea.title
    assert (kept.author_name, kept.email, kept.municipality, kept.show_author_name) == (
        None,
        None,
        None,
        False,
    )
    assert kept.submitter_hash is None
    assert client.get(f"/ideas/track/{idea.track_token}").status_code == 404
    assert events(app, idea.id)[-1].kind == "author_erased"


# -- retention ------------------------------------------------------------------------------------------


def test_purge_deletes_unconfirmed_submissions_past_retention_only(client, app, make, runner):
    process = make.process()
    category = make.category()
    old = make.idea(
        status=IdeaStatus.UNCONFIRMED,
        process_id=process.id,
        category_id=category.id,
        submitted_at=utcnow() - timedelta(days=8),
    )
    fresh = make.idea(
        status=IdeaStatus.UNCONFIRMED,
        process_id=process.id,
        category_id=category.id,
        submitted_at=utcnow() - timedelta(days=6),
    )
    confirmed = make.idea(
        status=IdeaStatus.AWAITING_REVIEW,
        process_id=process.id,
        category_id=category.id,
        submitted_at=utcnow() - timedelta(days=30),
    )
    uploads = Path(app.config["UPLOAD_DIR"])
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / ("a" * 32 + ".png")).write_bytes(image_bytes("PNG"))
    with app.app_context():
        db.session.add(
            Attachment(
                idea_id=old.id,
                stored_name="a" * 32 + ".png",
                original_name="a.png",
                content_type="image/png",
                size=10,
            )
        )
        db.session.commit()
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    assert "unconfirmed ideas: 1" in result.output
    assert make.get(Idea, old.id) is None
    assert make.get(Idea, fresh.id) is not None
    assert make.get(Idea, confirmed.id) is not None
    assert not (uploads / ("a" * 32 + ".png")).exists()


@pytest.mark.app_config(RETENTION_UNCONFIRMED_DAYS=1)
def test_purge_follows_the_configured_retention(app, make, runner):
    idea = make.idea(status=IdeaStatus.UNCONFIRMED, submitted_at=utcnow() - timedelta(days=2))
    runner.invoke(args=["maintenance", "purge"])
    assert make.get(Idea, idea.id) is None


# -- similar ideas ------------------------------------------------------------------------------------


def test_similar_ideas_lists_published_ideas_only(client, make):
    process = make.process()
    category = make.category()
    for n in range(7):
        make.idea(
            title=f"Ścieżka rowerowa numer {n}", process_id=process.id, category_id=category.id
        )
    hidden = make.idea(
        status=IdeaStatus.AWAITING_REVIEW,
        title="Ścieżka rowerowa w kolejce",
        process_id=process.id,
        category_id=category.id,
    )
    response = client.get("/ideas/similar?title=ścieżka rowerowa")
    assert response.status_code == 200
    items = response.json["items"]
    assert 1 <= len(items) <= 5
    assert all(set(item) == {"id", "title", "url"} for item in items)
    assert hidden.id not in {item["id"] for item in items}
    assert all(item["url"].startswith(f"/ideas/{item['id']}") for item in items)


def test_similar_ideas_with_a_short_or_missing_title_is_empty(client):
    assert client.get("/ideas/similar").json == {"items": []}
    assert client.get("/ideas/similar?title=ab").json == {"items": []}


@pytest.mark.app_config(
    MAX_CONTENT_LENGTH=4096, MAX_ATTACHMENT_FORM_LENGTH=4096, WTF_CSRF_ENABLED=True
)
def test_413_message_is_the_same_when_csrf_reads_the_body_first(client, app, category):
    data = form_data(category.slug)
    data["attachment"] = with_file(b"\xff\xd8\xff" + b"\x00" * 20000, "ogromne.jpg")
    response = client.post("/ideas/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Załącznik może mieć najwyżej" in response.get_data(as_text=True)


def test_an_apostrophe_in_the_address_is_accepted(client, app, category):
    assert submit(client, category, email="o'brien@example.org").status_code == 303
    assert outbox(app)[0].recipient == "o'brien@example.org"


def test_a_truncated_image_is_refused_after_a_report_pdf_was_made(client, app, category):
    """WeasyPrint switches Pillow to accepting truncated images when it is
    imported; an upload is checked the same after a report PDF was made."""
    import weasyprint  # noqa: F401 - the import is what flips the setting
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as it is right after that import
    data = form_data(category.slug)
    data["attachment"] = with_file(truncated_jpeg(), "zdjecie.jpg")
    response = client.post("/ideas/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "uszkodzony" in response.get_data(as_text=True)
