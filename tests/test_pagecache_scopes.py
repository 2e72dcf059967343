"""Kept pages are dropped precisely: a change to one idea drops the pages
that show it, not another idea's page or an article; a table the scheme
does not know drops everything (app/pagecache.py, PAGES_SHOWING)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Column, Integer, String, insert, text, update
from sqlalchemy.orm import DeclarativeBase

from app import pagecache
from app.extensions import db
from app.models import Article, ArticleStatus, AuditEntry, Category, Idea, IdeaStatus, utcnow
from app.models.idea import IdeaEvent


def state(client, url: str) -> str | None:  # noqa: ANN001
    response = client.get(url)
    assert response.status_code == 200, url
    return response.headers.get("X-Page-Cache")


@pytest.fixture
def site(app, make):
    """Two published ideas, an article linking the first, an article linking
    none; every page below rendered once (kept)."""
    x = make.idea(title="Ścieżka rowerowa wokół odkrywki")
    y = make.idea(title="Park wodny na zwałowisku", process_id=x.process_id)
    with app.app_context():
        linking = Article(
            title="Rowery nad odkrywką", slug="rowery-nad-odkrywka", lead="Lead.",
            body="Treść.", status=ArticleStatus.PUBLISHED,
            published_at=utcnow() - timedelta(hours=1),
        )  # fmt: skip
        linking.ideas.append(db.session.get(Idea, x.id))
        plain = Article(
            title="Jak czytać wyniki", slug="jak-czytac-wyniki", lead="Lead.",
            body="Treść.", status=ArticleStatus.PUBLISHED,
            published_at=utcnow() - timedelta(hours=1),
        )  # fmt: skip
        db.session.add_all([linking, plain])
        db.session.commit()
    pages = {
        "x": f"/ideas/{x.id}",
        "y": f"/ideas/{y.id}",
        "api x": f"/api/v1/ideas/{x.id}",
        "api y": f"/api/v1/ideas/{y.id}",
        "catalogue": "/ideas",
        "api list": "/api/v1/ideas",
        "results": "/results",
        "stats": "/api/v1/stats",
        "article linking x": "/articles/rowery-nad-odkrywka",
        "article": "/articles/jak-czytac-wyniki",
        "home": "/",
    }
    client = app.test_client()
    for url in pages.values():
        client.get(url)
    assert {name: state(client, url) for name, url in pages.items()} == dict.fromkeys(
        pages, "hit"
    )
    return client, pages, x, y


def after_change(client, pages) -> dict[str, str | None]:  # noqa: ANN001
    """Which pages were dropped (miss) and which kept (hit)."""
    return {name: state(client, url) for name, url in pages.items()}


def test_a_change_to_one_idea_drops_only_the_pages_that_show_it(app, site):
    client, pages, x, _y = site
    with app.app_context():
        db.session.get(Idea, x.id).title = "Ścieżka rowerowa i biegowa wokół odkrywki"
        db.session.commit()
    seen = after_change(client, pages)
    assert seen == {
        "x": "miss", "api x": "miss", "catalogue": "miss", "api list": "miss",
        "results": "miss", "stats": "miss", "home": "miss", "article linking x": "miss",
        "y": "hit", "api y": "hit", "article": "hit",
    }  # fmt: skip
    assert "biegowa" in client.get(pages["x"]).get_data(as_text=True)
    assert "biegowa" in client.get(pages["article linking x"]).get_data(as_text=True)


def test_a_support_counted_by_statement_drops_only_the_pages_showing_that_idea(app, site):
    # confirm_support raises the count with UPDATE … WHERE id = :id.
    client, pages, x, y = site
    with app.app_context():
        only_y = "/ideas?category=" + db.session.get(Category, y.category_id).slug
    pages = {**pages, "catalogue of y's category": only_y, "by supports": "/ideas?sort=supports"}
    for url in (only_y, pages["by supports"]):
        client.get(url)
    with app.app_context():
        db.session.execute(
            update(Idea).where(Idea.id == x.id).values(supports_count=Idea.supports_count + 1)
        )
        db.session.commit()
    seen = after_change(client, pages)
    assert seen == {
        "x": "miss", "api x": "miss", "catalogue": "miss", "api list": "miss",
        "results": "miss", "stats": "miss", "home": "miss", "article linking x": "miss",
        "by supports": "miss",
        "y": "hit", "api y": "hit", "article": "hit", "catalogue of y's category": "hit",
    }  # fmt: skip
    # The same through the ORM (a count changed on a loaded row).
    with app.app_context():
        db.session.get(Idea, y.id).supports_count += 1
        db.session.commit()
    seen = after_change(client, pages)
    assert (seen["y"], seen["catalogue of y's category"], seen["by supports"]) == ("miss",) * 3
    assert (seen["x"], seen["article linking x"]) == ("hit", "hit")


def test_a_statement_over_many_ideas_drops_everything(app, site):
    client, pages, _x, _y = site
    with app.app_context():
        db.session.execute(update(Idea).values(progress=10))
        db.session.commit()
    assert set(after_change(client, pages).values()) == {"miss"}


def test_a_waiting_submission_changes_no_public_page(app, site, make):
    client, pages, x, _y = site
    with app.app_context():
        idea = Idea(
            title="Jeszcze niepotwierdzony pomysł", description="Opis, który czeka na adres." * 2,
            category_id=x.category_id, process_id=x.process_id, email="autor@example.org",
            author_name="Autorka", status=IdeaStatus.UNCONFIRMED,
        )  # fmt: skip
        db.session.add(idea)
        db.session.flush()
        db.session.add(IdeaEvent(idea_id=idea.id, kind="submitted", to_status="unconfirmed"))
        db.session.add(AuditEntry(action="idea.submitted", object_type="idea", object_id=idea.id))
        db.session.commit()
        idea_id = idea.id
    assert set(after_change(client, pages).values()) == {"hit"}

    # Confirmed, it waits for moderation: only the statistics count it.
    with app.app_context():
        db.session.get(Idea, idea_id).status = IdeaStatus.AWAITING_REVIEW
        db.session.commit()
    seen = after_change(client, pages)
    assert (seen["results"], seen["stats"]) == ("miss", "miss")
    assert {v for k, v in seen.items() if k not in ("results", "stats", "home")} == {"hit"}


def test_a_table_the_scheme_does_not_know_drops_every_page(app, site):
    assert "categories" not in pagecache.PAGES_SHOWING
    client, pages, x, _y = site
    with app.app_context():
        db.session.get(Category, x.category_id).name = "Nowa nazwa kategorii"
        db.session.commit()
    assert set(after_change(client, pages).values()) == {"miss"}
    # The catalogue's filter list, kept by each worker, shows the new name.
    assert "Nowa nazwa kategorii</option>" in client.get("/ideas?page=2").get_data(as_text=True)


class _Base(DeclarativeBase):
    pass


class _NewThing(_Base):
    """A table another part of the project might add tomorrow."""

    __tablename__ = "pagecache_test_new_things"
    id = Column(Integer, primary_key=True)
    name = Column(String(50))


def test_a_table_added_later_drops_every_page_until_it_is_declared(app, site, monkeypatch):
    client, pages, _x, _y = site
    with app.app_context():
        _Base.metadata.create_all(db.engine)
    try:
        with app.app_context():
            db.session.add(_NewThing(name="komentarz"))
            db.session.commit()
        assert set(after_change(client, pages).values()) == {"miss"}
        with app.app_context():  # plain statements too
            db.session.execute(insert(_NewThing).values(name="drugi"))
            db.session.commit()
        assert set(after_change(client, pages).values()) == {"miss"}

        # Declared as showing nothing public: it drops nothing.
        monkeypatch.setitem(pagecache.PAGES_SHOWING, _NewThing.__tablename__, frozenset())
        with app.app_context():
            db.session.add(_NewThing(name="trzeci"))
            db.session.commit()
        assert set(after_change(client, pages).values()) == {"hit"}
    finally:
        with app.app_context():
            db.session.remove()
            _Base.metadata.drop_all(db.engine)


def test_plain_sql_on_an_unknown_table_drops_every_page(app, site):
    client, pages, x, _y = site
    with app.app_context():
        db.session.execute(
            text("UPDATE categories SET name = 'Inna' WHERE id = :id"), {"id": x.category_id}
        )
        db.session.commit()
    assert set(after_change(client, pages).values()) == {"miss"}


def test_another_worker_drops_exactly_what_changed(make_app, make):
    """Two app instances (two workers or two hosts) on one database."""
    reader_app, writer_app = make_app(), make_app()
    x = make.idea(title="Opera na odkrywce")
    y = make.idea(title="Kino letnie na zwałowisku")
    reader = reader_app.test_client()
    for idea in (x, y):
        reader.get(f"/ideas/{idea.id}")
    assert state(reader, f"/ideas/{y.id}") == "hit"
    with writer_app.app_context():
        db.session.get(Idea, x.id).title = "Opera w dawnej odkrywce"
        db.session.commit()
    response = reader.get(f"/ideas/{x.id}")
    assert response.headers["X-Page-Cache"] == "miss"
    assert "Opera w dawnej odkrywce" in response.get_data(as_text=True)
    assert state(reader, f"/ideas/{y.id}") == "hit"


def test_ideas_sharing_a_bucket_are_dropped_together_never_missed():
    # Many ideas share one number: a change may drop a neighbour's page
    # (harmless), never keep a changed one.
    assert pagecache.idea_scope(5) == pagecache.idea_scope(5 + pagecache.IDEA_BUCKETS)
    assert pagecache.OfIdea.of_ids([5]) >= {pagecache.IDEA_LISTS, pagecache.idea_scope(5)}


def test_the_bump_is_one_statement_in_a_fixed_order():
    sql = pagecache._bump_statement({pagecache.idea_scope(9), 3, 2})
    assert sql.count("INSERT") == 1
    assert "(2, 1), (3, 1), (100009, 1)" in sql
