"""Atom feeds and the sitemap, parsed back as a feed reader and a crawler would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Idea, utcnow
from tests.articles_support import image_bytes, make_article

BASE = "http://odkrywka.test"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _feed(client, path: str):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed, response


# Articles ------------------------------------------------------------------


def test_the_article_feed_is_valid_atom_with_published_articles_only(app, client):
    make_article(app, slug="stary", title="Starszy", published_at=utcnow() - timedelta(days=2))
    make_article(
        app,
        slug="nowy",
        title="Nowszy & lepszy",
        lead="Wstęp <b>bez</b> HTML",
        body="# Nagłówek\n\nTreść z [linkiem](https://example.org).",
        tags=("Energia",),
        published_at=utcnow() - timedelta(hours=1),
    )
    make_article(app, state="draft", slug="szkic", title="Szkic")
    make_article(app, state="scheduled", slug="plan", title="Plan")
    feed, _ = _feed(client, "/feeds/articles.atom")
    assert [entry.title for entry in feed.entries] == ["Nowszy & lepszy", "Starszy"]
    newest = feed.entries[0]
    assert newest.link == f"{BASE}/articles/nowy"
    assert newest.summary == "Wstęp <b>bez</b> HTML"
    assert newest.summary_detail.type == "text/plain"
    assert "<h2>Nagłówek</h2>" in newest.content[0].value
    assert 'href="https://example.org"' in newest.content[0].value
    assert [tag.term for tag in newest.tags] == ["energia"]
    assert newest.id.startswith("tag:odkrywka.test,")
    assert newest.published_parsed and newest.updated_parsed
    assert feed.feed.title == "Odkrywka – aktualności"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": f"{BASE}/feeds/articles.atom", "alternate": f"{BASE}/articles"}
    assert feed.feed.author == "Odkrywka"


def test_an_entry_id_survives_a_slug_change(app, client):
    article = make_article(app, slug="przed")
    first, _ = _feed(client, "/feeds/articles.atom")
    from app.models import Article

    with app.app_context():
        db.session.execute(update(Article).where(Article.id == article.id).values(slug="po"))
        db.session.commit()
    second, _ = _feed(client, "/feeds/articles.atom")
    assert first.entries[0].id == second.entries[0].id
    assert second.entries[0].link.endswith("/articles/po")


def test_a_cover_is_linked_with_an_absolute_address(app, client):
    from app.articles.covers import store_cover_bytes

    with app.test_request_context():
        cover = store_cover_bytes(image_bytes())
    make_article(app, cover_key=cover.key, cover_widths=cover.widths, cover_alt='Opis "okładki"')
    feed, _ = _feed(client, "/feeds/articles.atom")
    entry = feed.entries[0]
    enclosure = [link for link in entry.links if link.rel == "enclosure"][0]
    assert enclosure.href == f"{BASE}/media/covers/{cover.key}-1440.jpg"
    assert f'src="{BASE}/media/covers/{cover.key}-960.jpg"' in entry.content[0].value


def test_xss_in_an_article_stays_escaped_in_the_feed(app, client):
    make_article(app, title="<script>alert(1)</script>", body="<img src=x onerror=alert(1)>")
    feed, response = _feed(client, "/feeds/articles.atom")
    assert b"<script>" not in response.data
    content = feed.entries[0].content[0].value
    assert "<img" not in content  # shown as text, never as a tag
    assert "&lt;img" in content


def test_an_empty_feed_is_still_valid(client):
    feed, _ = _feed(client, "/feeds/articles.atom")
    assert feed.entries == []
    assert feed.feed.updated_parsed


def test_the_feed_answers_304_when_unchanged(app, client):
    make_article(app)
    first = client.get("/feeds/articles.atom")
    again = client.get("/feeds/articles.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# Ideas ---------------------------------------------------------------------


def test_the_idea_feed_has_published_ideas_and_no_personal_data(app, client, make):
    published = make.idea(
        title="Park na hałdzie",
        author_name="Jan Kowalski",
        email="jan.kowalski@example.org",
        municipality="Kleszczów",
        show_author_name=True,
    )
    hidden = make.idea(status="awaiting_review", title="Jeszcze w moderacji")
    rejected = make.idea(status="rejected", title="Odrzucony pomysł")
    feed, response = _feed(client, "/feeds/ideas.atom")
    titles = [entry.title for entry in feed.entries]
    assert titles == ["Park na hałdzie"]
    entry = feed.entries[0]
    assert entry.link == f"{BASE}/ideas/{published.id}-park-na-haldzie"
    assert published.description in entry.content[0].value
    body = response.get_data(as_text=True)
    for private in ("jan.kowalski@example.org", "Jan Kowalski", "Kleszczów", "@example.org"):
        assert private not in body
    assert hidden.title not in body and rejected.title not in body
    assert feed.feed.author == "Odkrywka"
    assert "author" not in entry


def test_the_idea_feed_is_newest_first_and_can_follow_one_consultation(app, client, make):
    process = make.process()
    other = make.process()
    old = make.idea(process_id=process.id, title="Starszy pomysł")
    new = make.idea(process_id=process.id, title="Nowszy pomysł")
    make.idea(process_id=other.id, title="Z innej konsultacji")
    with app.app_context():
        db.session.execute(
            update(Idea).where(Idea.id == old.id).values(published_at=utcnow() - timedelta(days=2))
        )
        db.session.execute(
            update(Idea).where(Idea.id == new.id).values(published_at=utcnow() - timedelta(days=1))
        )
        db.session.commit()
    feed, _ = _feed(client, f"/feeds/ideas.atom?process={process.slug}")
    assert [entry.title for entry in feed.entries] == ["Nowszy pomysł", "Starszy pomysł"]
    assert client.get("/feeds/ideas.atom?process=nie-ma").status_code == 404


# Sitemap -------------------------------------------------------------------


def _sitemap(client, path: str = "/sitemap.xml") -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    return ET.fromstring(response.data)


def _locs(root: ET.Element) -> list[str]:
    return [loc.text for loc in root.findall(".//s:loc", SITEMAP_NS)]


def test_the_sitemap_lists_public_pages_and_nothing_private(app, client, make):
    process = make.process(slug="konsultacje-mapy")
    hidden_process = make.process(slug="ukryta", published=False)
    workshop = make.workshop(process_id=process.id, slug="warsztat-mapy")
    make.workshop(process_id=process.id, slug="warsztat-ukryty", published=False)
    idea = make.idea(process_id=process.id, title="Ścieżka rowerowa")
    make.idea(status="awaiting_review", title="Niegotowy")
    make_article(app, slug="artykul-mapy", tags=("Mapa",))
    make_article(app, state="draft", slug="szkic-mapy")
    make_article(app, state="scheduled", slug="plan-mapy")
    root = _sitemap(client)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    locs = _locs(root)
    assert len(locs) == len(set(locs))
    assert all(loc.startswith(f"{BASE}/") for loc in locs)
    for expected in (
        f"{BASE}/",
        f"{BASE}/ideas",
        f"{BASE}/workshops",
        f"{BASE}/articles",
        f"{BASE}/processes",
        f"{BASE}/processes/konsultacje-mapy",
        f"{BASE}/workshops/warsztat-mapy",
        f"{BASE}/ideas/{idea.id}-sciezka-rowerowa",
        f"{BASE}/articles/artykul-mapy",
        f"{BASE}/tags/mapa",
    ):
        assert expected in locs, expected
    text = " ".join(locs)
    for private in ("ukryta", "warsztat-ukryty", "niegotowy", "szkic-mapy", "plan-mapy", "/staff"):
        assert private not in text, private
    assert hidden_process.slug not in text
    assert workshop.slug in text
    lastmods = [node.text for node in root.findall(".//s:lastmod", SITEMAP_NS)]
    assert lastmods and all(value.endswith("+00:00") for value in lastmods)


@pytest.mark.parametrize("limit", [3])
def test_a_large_sitemap_becomes_an_index_of_parts(app, client, make, monkeypatch, limit):
    from app.feeds import routes

    monkeypatch.setattr(routes, "SITEMAP_LIMIT", limit)
    process = make.process()
    ideas = [make.idea(process_id=process.id) for _ in range(7)]
    index = _sitemap(client)
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    parts = _locs(index)
    assert parts == [f"{BASE}/sitemap-{n}.xml" for n in range(1, 5)]  # site + 3 parts of ideas
    idea_locs = []
    for part in parts[1:]:
        urls = _locs(_sitemap(client, part.removeprefix(BASE)))
        assert len(urls) <= limit
        idea_locs.extend(urls)
    assert sorted(idea_locs) == sorted(f"{BASE}/ideas/{idea.id}-{idea.slug}" for idea in ideas)
    assert f"{BASE}/articles" in _locs(_sitemap(client, "/sitemap-1.xml"))
    assert client.get("/sitemap-9.xml").status_code == 404


def _statements_for(app, client, path: str) -> int:
    from sqlalchemy import event

    count = 0

    def counter(*args) -> None:  # noqa: ANN002
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def test_the_article_feed_costs_the_same_queries_for_few_or_many_tagged_articles(app, client):
    make_article(app, tags=("energia",))
    few = _statements_for(app, client, "/feeds/articles.atom")
    for n in range(5):
        make_article(app, tags=(f"temat {n}", "energia"))
    many = _statements_for(app, client, "/feeds/articles.atom")
    assert many == few
