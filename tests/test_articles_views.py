"""View counts: once per reader, article and day; bots and staff not
counted; atomic under concurrency; old rows purged."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from app.articles.services import is_bot, purge_article_views, record_view
from app.extensions import db
from app.models import Article, ArticleView, utcnow
from tests.articles_support import make_article

READER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"}


def _views(app, article_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Article.views).where(Article.id == article_id))


def _rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ArticleView))


def test_a_reader_counts_once_a_day(app, client):
    article = make_article(app, slug="raz", views=10)
    client.get("/articles/raz", headers=READER)
    client.get("/articles/raz", headers=READER)
    assert _views(app, article.id) == 11


def test_a_returning_reader_causes_no_write(app, client):
    from sqlalchemy import event

    make_article(app, slug="powrot")
    client.get("/articles/powrot", headers=READER)
    writes: list[str] = []

    def watch(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", watch)
    try:
        assert client.get("/articles/powrot", headers=READER).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert writes == []


def test_the_page_shows_the_count_including_this_reading(app, client):
    make_article(app, slug="licznik", views=27689)
    page = client.get("/articles/licznik", headers=READER).get_data(as_text=True)
    assert "27\xa0690 wyświetleń" in page


def test_two_readers_count_twice(app, client):
    article = make_article(app, slug="dwaj")
    client.get("/articles/dwaj", headers=READER)
    client.get("/articles/dwaj", headers={"User-Agent": "Mozilla/5.0 Safari/605.1"})
    assert _views(app, article.id) == 2


def test_the_same_reader_counts_for_each_article(app, client):
    first = make_article(app, slug="pierwszy")
    second = make_article(app, slug="drugi")
    client.get("/articles/pierwszy", headers=READER)
    client.get("/articles/drugi", headers=READER)
    assert (_views(app, first.id), _views(app, second.id)) == (1, 1)


def test_the_same_reader_counts_again_the_next_day(app):
    article = make_article(app)
    today = utcnow()
    with app.test_request_context():
        assert record_view(article.id, "192.0.2.1", READER["User-Agent"], today)
        assert not record_view(article.id, "192.0.2.1", READER["User-Agent"], today)
        assert record_view(article.id, "192.0.2.1", READER["User-Agent"], today + timedelta(days=1))
        db.session.commit()
    assert _views(app, article.id) == 2


def test_no_address_is_stored_in_clear(app, client):
    make_article(app, slug="prywatnie")
    client.get("/articles/prywatnie", headers=READER)
    with app.app_context():
        row = db.session.scalar(select(ArticleView))
    assert len(row.reader_hash) == 64
    assert "127.0.0.1" not in row.reader_hash
    assert set(row.reader_hash) <= set("0123456789abcdef")


@pytest.mark.parametrize(
    "agent",
    [
        "",
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "facebookexternalhit/1.1",
        "Slackbot-LinkExpanding 1.0",
        "Mozilla/5.0 (compatible; SomeCrawler/1.0)",
        "Baiduspider",
        "WhatsApp link preview",
        "Mozilla/5.0 HeadlessChrome/120.0",
    ],
)
def test_obvious_bots_are_not_counted(app, client, agent):
    article = make_article(app, slug="boty")
    assert is_bot(agent)
    response = client.get("/articles/boty", headers={"User-Agent": agent})
    assert response.status_code == 200
    assert _views(app, article.id) == 0


def test_staff_previews_and_head_requests_are_not_counted(app, client, login):
    article = make_article(app, slug="redakcja")
    client.head("/articles/redakcja", headers=READER)
    login("editor")
    client.get("/articles/redakcja", headers=READER)
    assert _views(app, article.id) == 0


def test_counting_does_not_change_the_edit_time(app, client):
    article = make_article(app, slug="bez-zmian")
    with app.app_context():
        before = db.session.get(Article, article.id).updated_at
    client.get("/articles/bez-zmian", headers=READER)
    with app.app_context():
        assert db.session.get(Article, article.id).updated_at == before


def test_view_rows_older_than_two_days_are_purged(app, runner):
    article = make_article(app)
    now = utcnow()
    with app.test_request_context():
        record_view(article.id, "192.0.2.1", "A", now - timedelta(days=3))
        record_view(article.id, "192.0.2.2", "B", now - timedelta(hours=30))
        record_view(article.id, "192.0.2.3", "C", now)
        db.session.commit()
        assert purge_article_views() == 1
        db.session.commit()
    assert _rows(app) == 2
    assert _views(app, article.id) == 3  # the count itself stays


def test_the_purge_runs_from_the_maintenance_command(app, runner):
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    assert "article view rows: 0" in result.output


@pytest.mark.slow
def test_a_thousand_readers_at_once_count_exactly_a_thousand(app, live_server):
    article = make_article(app, slug="tlum", views=500)
    url = f"{live_server.url}/articles/tlum"

    def read(n: int) -> int:
        with requests.Session() as session:
            return session.get(
                url, headers={"User-Agent": f"Czytelnik/{n}"}, timeout=60
            ).status_code

    with ThreadPoolExecutor(max_workers=48) as pool:
        statuses = list(pool.map(read, range(1000)))
    assert statuses.count(200) == 1000, {s: statuses.count(s) for s in set(statuses)}
    assert _views(app, article.id) == 1500
    assert _rows(app) == 1000


@pytest.mark.slow
def test_the_same_reader_many_times_at_once_counts_once(app, live_server):
    article = make_article(app, slug="jeden")
    url = f"{live_server.url}/articles/jeden"

    def read(_: int) -> int:
        return requests.get(url, headers=READER, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=24) as pool:
        statuses = list(pool.map(read, range(100)))
    assert statuses == [200] * 100
    assert _views(app, article.id) == 1
