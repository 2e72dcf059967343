"""Public article pages: lists, one article, tags, scheduling, slugs, cards."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import render_template_string
from sqlalchemy import update

from app.articles.queries import latest_published
from app.extensions import db
from app.models import Article, ArticleSlugRedirect, utcnow
from tests.articles_support import make_article

BOT = {"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"}


def test_the_list_shows_published_articles_newest_first_and_nothing_else(app, client):
    older = make_article(app, title="Starszy artykuł", published_at=utcnow() - timedelta(days=3))
    newer = make_article(app, title="Nowszy artykuł", published_at=utcnow() - timedelta(days=1))
    make_article(app, state="draft", title="Szkic redakcji")
    make_article(app, state="scheduled", title="Zapowiedź na jutro")
    page = client.get("/articles").get_data(as_text=True)
    assert page.index(newer.title) < page.index(older.title)
    assert "Szkic redakcji" not in page
    assert "Zapowiedź na jutro" not in page


def test_the_list_is_paged(app, client):
    for days in range(13):
        make_article(
            app, title=f"Wiadomość {days:02d}", published_at=utcnow() - timedelta(days=days)
        )
    first = client.get("/articles").get_data(as_text=True)
    second = client.get("/articles?page=2").get_data(as_text=True)
    assert "Wiadomość 00" in first and "Wiadomość 12" not in first
    assert "Wiadomość 12" in second and "Wiadomość 00" not in second
    assert 'rel="next"' in first
    assert client.get("/articles?page=9").status_code == 404


def test_most_read_list_and_no_ranking_of_videos_by_page_views(app, client):
    make_article(app, title="Czytany tekst", views=5000)
    make_article(app, title="Oglądany film", views=300, video_url="https://youtu.be/dQw4w9WgXcQ")
    make_article(app, title="Mało czytany", views=2)
    page = client.get("/articles").get_data(as_text=True)
    read = page.split('id="most-read"')[1].split("</section>")[0]
    assert read.index("Czytany tekst") < read.index("Oglądany film") < read.index("Mało czytany")
    # Videos are ranked by plays in the "Najważniejsze wideo" rail, never by
    # how often the article around them was opened.
    assert 'id="most-watched"' not in page
    assert "Najchętniej oglądane" not in page


def test_an_article_page_shows_its_content_cover_tags_and_views(app, client):
    make_article(
        app,
        slug="relacja",
        title="Relacja ze spotkania",
        body="# Przebieg\n\nByło **ciekawie**.",
        tags=("spotkania",),
        views=27689,
    )
    response = client.get("/articles/relacja", headers=BOT)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Relacja ze spotkania</h1>" in page
    assert "<h2>Przebieg</h2>" in page
    assert "<strong>ciekawie</strong>" in page
    assert 'href="/tags/spotkania"' in page
    assert "27\xa0689 wyświetleń" in page


def test_unknown_slug_is_404(client):
    assert client.get("/articles/nie-ma-takiego").status_code == 404


def test_a_draft_is_404_for_readers_but_staff_see_it_with_a_banner(app, client, login):
    make_article(app, state="draft", slug="szkic")
    assert client.get("/articles/szkic").status_code == 404
    login("editor")
    response = client.get("/articles/szkic")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ten artykuł nie jest opublikowany" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_scheduled_article_appears_once_its_time_has_passed(app, client, login):
    article = make_article(app, state="scheduled", slug="w-przyszlosci")
    assert client.get("/articles/w-przyszlosci").status_code == 404
    assert "w-przyszlosci" not in client.get("/articles").get_data(as_text=True)
    login("editor")
    page = client.get("/articles/w-przyszlosci").get_data(as_text=True)
    assert "Zaplanowano publikację na" in page
    client.post("/staff/logout")
    with app.app_context():
        db.session.execute(
            update(Article)
            .where(Article.id == article.id)
            .values(published_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    assert client.get("/articles/w-przyszlosci").status_code == 200
    assert "/articles/w-przyszlosci" in client.get("/articles").get_data(as_text=True)


def test_an_old_slug_redirects_permanently(app, client):
    article = make_article(app, slug="nowy")
    with app.app_context():
        db.session.add(ArticleSlugRedirect(old_slug="stary", article_id=article.id))
        db.session.commit()
    response = client.get("/articles/stary")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/articles/nowy")


def test_an_old_slug_of_an_unpublished_article_is_404_for_readers(app, client):
    article = make_article(app, state="draft", slug="nowy-szkic")
    with app.app_context():
        db.session.add(ArticleSlugRedirect(old_slug="stary-szkic", article_id=article.id))
        db.session.commit()
    assert client.get("/articles/stary-szkic").status_code == 404


def test_a_tag_page_lists_its_published_articles(app, client):
    make_article(app, title="O energii", tags=("Energia",))
    make_article(app, title="O kulturze", tags=("Kultura",))
    make_article(app, state="draft", title="Szkic o energii", tags=("Energia",))
    page = client.get("/tags/energia").get_data(as_text=True)
    assert "O energii" in page
    assert "O kulturze" not in page
    assert "Szkic o energii" not in page
    assert client.get("/tags/nie-ma").status_code == 404


def test_an_article_page_has_canonical_and_opengraph_tags(app, client):
    from app.articles.covers import store_cover_bytes
    from tests.articles_support import image_bytes

    with app.test_request_context():
        cover = store_cover_bytes(image_bytes())
    make_article(
        app,
        slug="karta",
        title="Tytuł & karta",
        lead="Wstęp do karty",
        cover_key=cover.key,
        cover_widths=cover.widths,
        cover_alt="Zielone tło",
        tags=("spotkania",),
    )
    page = client.get("/articles/karta", headers=BOT).get_data(as_text=True)
    base = "http://odkrywka.test"
    assert f'<link rel="canonical" href="{base}/articles/karta">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:title" content="Tytuł &amp; karta">' in page
    assert '<meta property="og:description" content="Wstęp do karty">' in page
    assert f'<meta property="og:url" content="{base}/articles/karta">' in page
    image = re.search(r'<meta property="og:image" content="([^"]+)">', page).group(1)
    assert image == f"{base}/media/covers/{cover.key}-1440.jpg"
    assert '<meta property="og:image:alt" content="Zielone tło">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert '<meta property="article:tag" content="spotkania">' in page


def test_the_list_has_a_canonical_address(client):
    page = client.get("/articles").get_data(as_text=True)
    assert '<link rel="canonical" href="http://odkrywka.test/articles">' in page


def test_latest_published_serves_the_home_page_and_a_consultation(app, client, make):
    process = make.process()
    now = utcnow()
    mine = make_article(
        app, title="Z tej konsultacji", process_id=process.id, published_at=now - timedelta(hours=1)
    )
    make_article(app, title="Inny temat", published_at=now - timedelta(hours=2))
    make_article(app, state="draft", title="Niegotowy", process_id=process.id)
    with app.app_context():
        assert [a.title for a in latest_published(5)] == ["Z tej konsultacji", "Inny temat"]
        from app.models import Process

        found = db.session.get(Process, process.id)
        assert [a.id for a in latest_published(5, process=found)] == [mine.id]
        assert len(latest_published(1)) == 1
    assert "Z tej konsultacji" in client.get("/").get_data(as_text=True)


def test_a_cover_is_served_as_a_picture_with_srcset(app, client):
    from app.articles.covers import store_cover_bytes
    from tests.articles_support import image_bytes

    with app.test_request_context():
        cover = store_cover_bytes(image_bytes())
    make_article(
        app, slug="z-obrazem", cover_key=cover.key, cover_widths=cover.widths, cover_alt="Opis"
    )
    page = client.get("/articles/z-obrazem", headers=BOT).get_data(as_text=True)
    assert '<source type="image/webp"' in page
    for width in (480, 960, 1440):
        assert f"/media/covers/{cover.key}-{width}.webp {width}w" in page
        assert f"/media/covers/{cover.key}-{width}.jpg {width}w" in page
    assert 'alt="Opis"' in page
    listing = client.get("/articles").get_data(as_text=True)
    assert f"/media/covers/{cover.key}-480.webp 480w" in listing


# View counts in Polish --------------------------------------------------------


def _views_label(app, count: int) -> str:
    with app.test_request_context("/?lang=pl"):
        return render_template_string(
            '{% from "articles/_macros.html" import views_label %}{{ views_label(n) }}', n=count
        ).strip()


def test_view_counts_are_grouped_the_polish_way(app):
    assert _views_label(app, 27690) == "27\xa0690 wyświetleń"
    assert _views_label(app, 1) == "1 wyświetlenie"


def test_view_count_plural_forms_in_polish(app):
    assert _views_label(app, 1) == "1 wyświetlenie"
    assert _views_label(app, 2) == "2 wyświetlenia"
    assert _views_label(app, 5) == "5 wyświetleń"
    assert _views_label(app, 22) == "22 wyświetlenia"
    assert _views_label(app, 27690) == "27\xa0690 wyświetleń"
