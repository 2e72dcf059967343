"""The article editor: roles, writing, slugs, revisions, publishing, audit."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Article,
    ArticleRevision,
    ArticleSlugRedirect,
    AuditEntry,
    utcnow,
)
from tests.articles_support import article_form, image_bytes, make_article


def _article(app, **filters) -> Article:
    with app.app_context():
        article = db.session.scalar(select(Article).filter_by(**filters))
        assert article is not None
        article.tags, article.workshops, article.ideas  # noqa: B018
        db.session.expunge(article)
        return article


def _revisions(app, article_id: int) -> list[ArticleRevision]:
    with app.app_context():
        revisions = db.session.scalars(
            select(ArticleRevision)
            .where(ArticleRevision.article_id == article_id)
            .order_by(ArticleRevision.number)
        ).all()
        for revision in revisions:
            db.session.expunge(revision)
        return list(revisions)


def _create(client, **overrides):
    return client.post("/staff/articles/new", data=article_form(**overrides))


def _edit_form(app, article_id: int, **overrides):
    article = _article(app, id=article_id)
    data = article_form(
        title=article.title,
        slug=article.slug,
        lead=article.lead,
        body=article.body,
        tags=", ".join(t.name for t in article.tags),
        cover_alt=article.cover_alt or "",
        video_url=article.video_url or "",
        version=str(article.version),
    )
    data.update(overrides)
    return data


# Roles ---------------------------------------------------------------------


def _staff_article_urls(app) -> list[tuple[str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("staff_articles."):
            continue
        path = rule.rule.replace("<int:article_id>", "1").replace("<int:revision_id>", "1")
        method = "POST" if "POST" in rule.methods and "GET" not in rule.methods else "GET"
        urls.append((method, path))
    return urls


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_editors_and_admins_open_the_article_list(client, login, role):
    login(role)
    response = client.get("/staff/articles/")
    assert response.status_code == 200
    assert "Artykuły" in response.get_data(as_text=True)


def test_every_editor_route_refuses_a_moderator(app, client, login):
    make_article(app)
    login("moderator")
    urls = _staff_article_urls(app)
    assert len(urls) >= 9
    for method, path in urls:
        response = client.open(path, method=method)
        assert response.status_code == 403, (method, path)


def test_every_editor_route_sends_anonymous_readers_to_sign_in(app, client):
    make_article(app)
    for method, path in _staff_article_urls(app):
        response = client.open(path, method=method)
        assert response.status_code == 302, (method, path)
        assert "/staff/login" in response.headers["Location"]


def test_every_editor_route_requires_manage_articles(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff_articles."):
            view = app.view_functions[rule.endpoint]
            assert getattr(view, "permission", None) == "manage_articles", rule.endpoint


# Writing -------------------------------------------------------------------


def test_an_editor_creates_a_draft_with_a_transliterated_slug(app, client, login, make):
    editor = login("editor")
    response = _create(client, title="Łęczyca: spotkanie otwierające")
    assert response.status_code == 303
    article = _article(app, slug="leczyca-spotkanie-otwierajace")
    assert article.state() == "draft"
    assert article.author_id == editor.id
    assert sorted(t.slug for t in article.tags) == ["energia", "spotkania"]
    assert response.headers["Location"].endswith(f"/staff/articles/{article.id}/edit")
    assert [r.reason for r in _revisions(app, article.id)] == ["create"]
    assert make.audit_actions(object_type="articles", object_id=article.id) == ["article.create"]
    # A draft is invisible to readers.
    client.post("/staff/logout")
    assert client.get("/articles/leczyca-spotkanie-otwierajace").status_code == 404


def test_a_given_slug_is_transliterated_too(app, client, login):
    login("editor")
    _create(client, slug="Łęczyca Zółta Gęś")
    assert _article(app, slug="leczyca-zolta-ges")


def test_a_missing_title_and_body_are_clear_form_errors(client, login):
    login("editor")
    response = _create(client, title="", body="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Podaj tytuł." in page
    assert "Napisz treść artykułu." in page
    assert 'aria-invalid="true"' in page


def test_a_duplicate_slug_is_a_clear_form_error_and_nothing_is_lost(app, client, login):
    make_article(app, slug="spotkanie", title="Pierwsze spotkanie")
    login("editor")
    response = _create(
        client, title="Spotkanie", body="Bardzo **ważna** treść, której nie chcę stracić."
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Adres „spotkanie” jest już zajęty przez artykuł „Pierwsze spotkanie”" in page
    assert "Bardzo **ważna** treść, której nie chcę stracić." in page
    with app.app_context():
        assert db.session.scalar(select(Article).where(Article.title == "Spotkanie")) is None


def test_an_address_an_article_had_before_cannot_be_taken_by_another(app, client, login):
    login("editor")
    first = make_article(app, slug="nowy-adres")
    with app.app_context():
        db.session.add(ArticleSlugRedirect(old_slug="stary-adres", article_id=first.id))
        db.session.commit()
    response = _create(client, slug="stary-adres")
    assert response.status_code == 409
    assert "jest już zajęty" in response.get_data(as_text=True)


def test_changing_the_slug_keeps_the_old_address_with_a_301(app, client, login, make):
    article = make_article(app, slug="stary-tytul")
    login("editor")
    response = client.post(
        f"/staff/articles/{article.id}/edit",
        data=_edit_form(app, article.id, slug="nowy-tytul", title="Nowy tytuł artykułu"),
    )
    assert response.status_code == 303
    client.post("/staff/logout")
    moved = client.get("/articles/stary-tytul")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/articles/nowy-tytul")
    assert client.get("/articles/nowy-tytul").status_code == 200
    assert make.audit_actions(object_type="articles", object_id=article.id) == ["article.edit"]


def test_going_back_to_an_earlier_slug_is_allowed_and_redirects_follow(app, client, login):
    article = make_article(app, slug="pierwszy")
    login("editor")
    client.post(
        f"/staff/articles/{article.id}/edit", data=_edit_form(app, article.id, slug="drugi")
    )
    response = client.post(
        f"/staff/articles/{article.id}/edit", data=_edit_form(app, article.id, slug="pierwszy")
    )
    assert response.status_code == 303
    client.post("/staff/logout")
    assert client.get("/articles/pierwszy").status_code == 200
    assert client.get("/articles/drugi").headers["Location"].endswith("/articles/pierwszy")


def test_a_stale_edit_is_refused_with_409_and_the_text_kept(app, client, login):
    article = make_article(app)
    login("editor")
    stale = _edit_form(app, article.id, body="Moja wersja")
    client.post(
        f"/staff/articles/{article.id}/edit", data=_edit_form(app, article.id, body="Cudza")
    )
    response = client.post(f"/staff/articles/{article.id}/edit", data=stale)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Ktoś inny zapisał ten artykuł" in page
    assert "Moja wersja" in page
    assert _article(app, id=article.id).body.strip() == "Cudza"


def test_every_save_keeps_a_revision_and_one_can_be_restored(app, client, login, make):
    login("editor")
    _create(client, title="Wersja pierwsza", body="Treść pierwsza")
    article = _article(app, slug="wersja-pierwsza")
    client.post(
        f"/staff/articles/{article.id}/edit",
        data=_edit_form(
            app,
            article.id,
            title="Wersja druga",
            slug="wersja-druga",
            body="Treść druga",
            tags="inne",
        ),
    )
    revisions = _revisions(app, article.id)
    assert [r.number for r in revisions] == [1, 2]
    listing = client.get(f"/staff/articles/{article.id}/revisions")
    assert listing.status_code == 200
    assert "Wersja pierwsza" in listing.get_data(as_text=True)
    shown = client.get(f"/staff/articles/{article.id}/revisions/{revisions[0].id}")
    assert "Treść pierwsza" in shown.get_data(as_text=True)

    response = client.post(f"/staff/articles/{article.id}/revisions/{revisions[0].id}/restore")
    assert response.status_code == 303
    restored = _article(app, id=article.id)
    assert restored.title == "Wersja pierwsza"
    assert restored.body.strip() == "Treść pierwsza"
    assert restored.slug == "wersja-pierwsza"
    assert sorted(t.slug for t in restored.tags) == ["energia", "spotkania"]
    assert [r.reason for r in _revisions(app, article.id)] == ["create", "edit", "restore"]
    assert make.audit_actions(object_type="articles", object_id=article.id) == [
        "article.create",
        "article.edit",
        "article.restore",
    ]
    # The address of version 2 now leads back here.
    moved = client.get("/articles/wersja-druga")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/articles/wersja-pierwsza")


def test_a_revision_of_another_article_is_404(app, client, login):
    login("editor")
    _create(client, title="Pierwszy artykuł")
    _create(client, title="Drugi artykuł")
    first = _article(app, slug="pierwszy-artykul")
    second = _article(app, slug="drugi-artykul")
    other = _revisions(app, second.id)[0]
    assert client.get(f"/staff/articles/{first.id}/revisions/{other.id}").status_code == 404
    assert (
        client.post(f"/staff/articles/{first.id}/revisions/{other.id}/restore").status_code == 404
    )


# Preview -------------------------------------------------------------------


def test_the_live_preview_returns_sanitised_html(client, login):
    login("editor")
    response = client.post(
        "/staff/articles/preview",
        data={"body": "**gruby** <script>alert(1)</script> [x](javascript:alert(1))"},
    )
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<strong>gruby</strong>" in html
    assert "<script" not in html
    assert 'href="javascript' not in html


def test_the_preview_button_works_without_javascript_and_saves_nothing(app, client, login):
    login("editor")
    response = client.post(
        "/staff/articles/new",
        data=article_form(body="## Nagłówek podglądu", save=None, preview="Podgląd"),
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # Sections start at h2, under the page's own h1.
    assert "<h2>Nagłówek podglądu</h2>" in page
    with app.app_context():
        assert db.session.scalar(select(Article)) is None


def _csrf_token(page: str) -> str:
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_preview_endpoint_needs_the_csrf_token(client, make):
    user = make.user(role="editor")
    token = _csrf_token(client.get("/staff/login").get_data(as_text=True))
    signed_in = client.post(
        "/staff/login", data={"email": user.email, "password": make.PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302
    assert client.post("/staff/articles/preview", data={"body": "x"}).status_code == 400
    page = client.get("/staff/articles/new").get_data(as_text=True)
    token = _csrf_token(page)
    response = client.post("/staff/articles/preview", data={"body": "**x**", "csrf_token": token})
    assert response.status_code == 200
    assert response.get_json()["html"] == "<p><strong>x</strong></p>\n"


def test_the_editor_page_wires_the_live_preview_script(client, login):
    login("editor")
    page = client.get("/staff/articles/new").get_data(as_text=True)
    assert 'data-preview-url="/staff/articles/preview"' in page
    assert "/static/js/editor.js" in page and "/static/js/related-ideas.js" in page
    assert 'name="preview"' in page


# Cover, video, links -------------------------------------------------------


def test_a_cover_needs_its_alternative_text_and_is_not_lost_meanwhile(app, client, login):
    login("editor")
    data = article_form()
    data["cover"] = (io.BytesIO(image_bytes()), "okladka.jpg")
    response = client.post("/staff/articles/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "tekst alternatywny jest wymagany" in page
    assert "Przesłana nowa okładka" in page
    # Sending the form again with the alt text (and no file) keeps the upload.
    import re

    pending = re.search(r'name="pending_cover" type="hidden" value="([^"]+)"', page)
    assert pending, page
    response = client.post(
        "/staff/articles/new",
        data=article_form(cover_alt="Zielone pole i słońce", pending_cover=pending.group(1)),
    )
    assert response.status_code == 303
    article = _article(app, slug="spotkanie-w-leczycy")
    assert article.cover_alt == "Zielone pole i słońce"
    assert article.cover_widths == [480, 960, 1440]


def test_a_file_that_is_not_an_image_is_refused_as_a_cover(client, login):
    login("editor")
    data = article_form(cover_alt="Opis")
    data["cover"] = (io.BytesIO(b"<html><script>alert(1)</script></html>"), "zdjecie.jpg")
    response = client.post("/staff/articles/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Nieobsługiwany rodzaj pliku" in response.get_data(as_text=True)


def test_removing_the_cover_drops_its_alternative_text(app, client, login):
    login("editor")
    data = article_form(cover_alt="Opis obrazu")
    data["cover"] = (io.BytesIO(image_bytes()), "okladka.png")
    client.post("/staff/articles/new", data=data, content_type="multipart/form-data")
    article = _article(app, slug="spotkanie-w-leczycy")
    assert article.has_cover
    client.post(
        f"/staff/articles/{article.id}/edit",
        data=_edit_form(app, article.id, remove_cover="y", cover_alt=""),
    )
    article = _article(app, id=article.id)
    assert not article.has_cover
    assert article.cover_alt is None


def test_a_video_from_elsewhere_is_refused_with_a_form_error(client, login):
    login("editor")
    response = _create(client, video_url="https://evil.example/watch?v=dQw4w9WgXcQ")
    assert response.status_code == 400
    assert "tylko filmy z serwisów YouTube i Vimeo" in response.get_data(as_text=True)


def test_a_youtube_link_is_stored_in_its_canonical_form(app, client, login):
    login("editor")
    _create(client, video_url="https://youtu.be/dQw4w9WgXcQ?si=tracking")
    assert _article(app, slug="spotkanie-w-leczycy").video_url == (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    )


def test_related_consultation_workshops_and_ideas_are_linked(app, client, login, make):
    process = make.process()
    workshop = make.workshop(process_id=process.id)
    idea = make.idea(process_id=process.id)
    login("editor")
    response = _create(
        client, consultation=str(process.id), workshops=str(workshop.id), ideas=f"#{idea.id}"
    )
    assert response.status_code == 303
    article = _article(app, slug="spotkanie-w-leczycy")
    assert article.process_id == process.id
    assert [w.id for w in article.workshops] == [workshop.id]
    assert [i.id for i in article.ideas] == [idea.id]


def test_unknown_or_unpublished_ideas_are_a_form_error(client, login, make):
    hidden = make.idea(status="awaiting_review")
    login("editor")
    response = _create(client, ideas=f"{hidden.id}, 999999")
    assert response.status_code == 400
    assert f"Nie ma opublikowanych pomysłów o numerach: {hidden.id}, 999999" in response.get_data(
        as_text=True
    )
    response = _create(client, ideas="dwanaście")
    assert response.status_code == 400


# Publishing ----------------------------------------------------------------


def test_publishing_makes_the_article_visible_and_is_audited(app, client, login):
    article = make_article(app, state="draft", slug="do-publikacji")
    login("editor")
    response = client.post(f"/staff/articles/{article.id}/publish")
    assert response.status_code == 303
    assert _article(app, id=article.id).state() == "published"
    client.post("/staff/logout")
    assert client.get("/articles/do-publikacji").status_code == 200
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "article.publish"))
        assert (entry.from_state, entry.to_state) == ("draft", "published")


def test_scheduling_takes_warsaw_time_and_hides_the_article_until_then(app, client, login):
    article = make_article(app, state="draft", slug="zaplanowany")
    login("editor")
    when = (utcnow() + timedelta(days=3)).astimezone().replace(tzinfo=None)
    local = datetime(when.year, when.month, when.day, 9, 30)  # 9:30 in Warsaw
    response = client.post(
        f"/staff/articles/{article.id}/publish",
        data={"publish_at": local.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 303
    stored = _article(app, id=article.id)
    assert stored.state() == "scheduled"
    from zoneinfo import ZoneInfo

    expected = local.replace(tzinfo=ZoneInfo("Europe/Warsaw")).astimezone(UTC)
    assert stored.published_at == expected
    # The editor sees the planned time again in Warsaw time.
    edit_page = client.get(f"/staff/articles/{article.id}/edit").get_data(as_text=True)
    assert f'value="{local.strftime("%Y-%m-%dT%H:%M")}"' in edit_page
    # Staff may look at it; readers may not.
    assert client.get("/articles/zaplanowany").status_code == 200
    client.post("/staff/logout")
    assert client.get("/articles/zaplanowany").status_code == 404


def test_a_schedule_in_the_past_is_refused(app, client, login):
    article = make_article(app, state="draft")
    login("editor")
    response = client.post(
        f"/staff/articles/{article.id}/publish",
        data={"publish_at": "2020-01-01T10:00"},
        follow_redirects=True,
    )
    assert "Ten termin już minął" in response.get_data(as_text=True)
    assert _article(app, id=article.id).state() == "draft"


def test_unpublishing_hides_the_article_and_is_audited(app, client, login, make):
    article = make_article(app, slug="wycofany")
    login("editor")
    assert client.post(f"/staff/articles/{article.id}/unpublish").status_code == 303
    assert _article(app, id=article.id).state() == "draft"
    assert make.audit_actions(object_type="articles", object_id=article.id) == ["article.unpublish"]
    client.post("/staff/logout")
    assert client.get("/articles/wycofany").status_code == 404


def test_republishing_keeps_the_first_publication_date(app, client, login):
    article = make_article(app)
    first_date = _article(app, id=article.id).published_at
    login("editor")
    client.post(f"/staff/articles/{article.id}/unpublish")
    client.post(f"/staff/articles/{article.id}/publish")
    assert _article(app, id=article.id).published_at == first_date


def test_the_list_filters_by_state(app, client, login):
    make_article(app, title="Opublikowany tekst")
    make_article(app, state="draft", title="Szkic tekstu")
    make_article(app, state="scheduled", title="Plan tekstu")
    login("editor")
    drafts = client.get("/staff/articles/?state=draft").get_data(as_text=True)
    assert "Szkic tekstu" in drafts and "Plan tekstu" not in drafts
    scheduled = client.get("/staff/articles/?state=scheduled").get_data(as_text=True)
    assert "Plan tekstu" in scheduled and "Opublikowany tekst" not in scheduled


def test_the_dashboard_counts_drafts_and_scheduled_articles(app, client, login):
    make_article(app, state="draft")
    make_article(app, state="draft")
    make_article(app, state="scheduled")
    login("editor")
    page = client.get("/staff/").get_data(as_text=True)
    assert "Szkice artykułów" in page
    assert "Zaplanowane artykuły" in page
