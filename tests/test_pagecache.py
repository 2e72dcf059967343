"""Kept public pages (app/pagecache.py): served again only while exact."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from app import pagecache
from app.extensions import db
from app.models import Article, ArticleStatus, Idea, IdeaStatus, OutboxMessage, utcnow
from app.pagecache import Entry, PageStore, current_version

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def cache_state(response) -> str | None:  # noqa: ANN001
    return response.headers.get("X-Page-Cache")


def version(app) -> int:  # noqa: ANN001
    with app.app_context():
        return current_version()


def supports_shown(html: str) -> int:
    match = re.search(r'<p class="stat-number mb-1">([\d\s\xa0]+)</p>', html)
    assert match, "the support count is on the idea page"
    return int(re.sub(r"\D", "", match.group(1)))


def test_anonymous_page_is_kept_and_served_again(app, make):
    make.idea(title="Opera na odkrywce")
    client = app.test_client()
    first = client.get("/ideas")
    second = client.get("/ideas")
    assert (first.status_code, second.status_code) == (200, 200)
    assert cache_state(first) == "miss"
    assert cache_state(second) == "hit"
    assert "Opera na odkrywce" in second.get_data(as_text=True)
    # The kept copy carries no one's request id: each response has its own.
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert "Content-Security-Policy" in second.headers


def test_a_change_shows_at_once(app, make):
    idea = make.idea(title="Zintegrowany city camping")
    client = app.test_client()
    url = f"/ideas/{idea.id}"
    client.get(url)
    assert supports_shown(client.get(url).get_data(as_text=True)) == 0
    before = version(app)
    with app.app_context():
        row = db.session.get(Idea, idea.id)
        row.supports_count += 1
        db.session.commit()
    assert version(app) > before
    response = client.get(url)
    assert cache_state(response) == "miss"
    assert supports_shown(response.get_data(as_text=True)) == 1


def test_an_update_statement_moves_the_version(app, make):
    idea = make.idea()
    before = version(app)
    with app.app_context():
        db.session.execute(
            update(Idea).where(Idea.id == idea.id).values(supports_count=Idea.supports_count + 5)
        )
        db.session.commit()
    assert version(app) > before


def test_a_support_confirmed_by_mail_link_shows_on_the_next_view(mail_app, smtp_server, make):
    idea = make.idea(title="Ścieżka wokół odkrywki")
    reader = mail_app.test_client()
    url = f"/ideas/{idea.id}"
    reader.get(url)
    assert cache_state(reader.get(url)) == "hit"

    supporter = mail_app.test_client()
    answer = supporter.post(f"{url}/support", data={"email": "ola@example.org"})
    assert answer.status_code == 302
    message = smtp_server.wait_for(1)[0]
    link = re.search(r"http://\S+/supports/confirm/\S+", smtp_server.text_of(message)).group(0)
    assert supporter.get(link.split("odkrywka.test", 1)[-1]).status_code == 200

    response = reader.get(url)
    assert cache_state(response) == "miss"
    assert supports_shown(response.get_data(as_text=True)) == 1


def test_changes_no_page_shows_leave_kept_pages_alone(app, make):
    make.idea(status=IdeaStatus.UNCONFIRMED)
    before = version(app)
    with app.app_context():
        # A submission waiting for its author's confirmation is not public.
        idea = Idea(
            title="Jeszcze niepotwierdzony",
            description="Opis pomysłu, który czeka na potwierdzenie adresu.",
            category_id=db.session.scalar(text("SELECT id FROM categories LIMIT 1")),
            process_id=db.session.scalar(text("SELECT id FROM processes LIMIT 1")),
            email="autor@example.org",
            author_name="Autor",
            status=IdeaStatus.UNCONFIRMED,
        )
        db.session.add(idea)
        db.session.add(
            OutboxMessage(recipient="autor@example.org", subject="Potwierdź", body_text="…")
        )
        db.session.commit()
    assert version(app) == before


def test_a_confirmed_submission_moves_the_version(app, make):
    # /results counts confirmed submissions, published or not.
    idea = make.idea(status=IdeaStatus.UNCONFIRMED)
    before = version(app)
    with app.app_context():
        db.session.get(Idea, idea.id).status = IdeaStatus.AWAITING_REVIEW
        db.session.commit()
    assert version(app) > before


def test_publishing_an_idea_moves_the_version(app, make):
    idea = make.idea(status=IdeaStatus.AWAITING_REVIEW, title="Czeka na moderację")
    client = app.test_client()
    client.get("/ideas")
    before = version(app)
    with app.app_context():
        db.session.get(Idea, idea.id).status = IdeaStatus.PUBLISHED
        db.session.get(Idea, idea.id).published_at = utcnow()
        db.session.commit()
    assert version(app) > before
    assert "Czeka na moderację" in client.get("/ideas").get_data(as_text=True)


def test_a_rolled_back_change_moves_nothing(app, make):
    idea = make.idea()
    before = version(app)
    with app.app_context():
        db.session.get(Idea, idea.id).title = "Nie zapisany tytuł"
        db.session.flush()
        db.session.rollback()
        db.session.commit()
    assert version(app) == before


def test_a_savepoint_rolled_back_keeps_the_rest_of_the_transaction_counted(app, make):
    idea = make.idea()
    before = version(app)
    with app.app_context():
        db.session.get(Idea, idea.id).title = "Nowy tytuł po edycji"
        with db.session.begin_nested() as savepoint:
            db.session.execute(text("SELECT 1"))
            savepoint.rollback()
        db.session.commit()
    assert version(app) > before


def test_another_worker_sees_the_change_made_elsewhere(make_app, make):
    """Two app instances (two workers, or two hosts) on one database."""
    reader_app = make_app()
    writer_app = make_app()
    idea = make.idea(title="Opera na odkrywce")
    reader = reader_app.test_client()
    reader.get(f"/ideas/{idea.id}")
    assert cache_state(reader.get(f"/ideas/{idea.id}")) == "hit"
    with writer_app.app_context():
        db.session.get(Idea, idea.id).title = "Opera w dawnej odkrywce"
        db.session.commit()
    page = reader.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Opera w dawnej odkrywce" in page


def test_staff_never_get_or_leave_a_kept_page(app, client, make, login):
    make.idea(title="Pomysł widoczny dla wszystkich")
    login("admin")
    for _ in range(2):
        response = client.get("/ideas")
        assert response.status_code == 200
        assert cache_state(response) is None
    assert cache_state(app.test_client().get("/ideas")) == "miss"


def test_a_flash_message_is_never_served_from_or_into_the_store(app, make):
    idea = make.idea()
    anonymous = app.test_client()
    anonymous.get(f"/ideas/{idea.id}")
    resident = app.test_client()
    resident.post(f"/ideas/{idea.id}/support", data={"email": "jan@example.org"})
    page = resident.get(f"/ideas/{idea.id}")
    assert cache_state(page) is None
    assert "Sprawdź skrzynkę" in page.get_data(as_text=True)
    # The next anonymous reader does not see someone else's message.
    other = anonymous.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Sprawdź skrzynkę" not in other


def test_languages_are_kept_apart(app, make):
    make.idea()
    client = app.test_client()
    polish = client.get("/ideas").get_data(as_text=True)
    english = client.get("/ideas?lang=en")
    assert cache_state(english) == "miss"
    assert '<html lang="en"' in english.get_data(as_text=True)
    assert '<html lang="pl"' in polish
    chooser = app.test_client()
    chooser.post("/language", data={"lang": "en", "next": "/ideas"})
    assert '<html lang="en"' in chooser.get("/ideas").get_data(as_text=True)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_every_reader_gets_their_own_working_csrf_token(app, make):
    make.idea()
    first, second = app.test_client(), app.test_client()
    page_one = first.get("/ideas").get_data(as_text=True)
    page_two = second.get("/ideas")
    assert cache_state(page_two) == "hit"
    token_one = CSRF.search(page_one).group(1)
    token_two = CSRF.search(page_two.get_data(as_text=True)).group(1)
    assert token_one != token_two
    assert "csrf-placeholder" not in page_two.get_data(as_text=True)
    # The token in a kept page works for its reader, and only for them.
    switched = second.post("/language", data={"csrf_token": token_two, "lang": "en"})
    assert switched.status_code == 303
    refused = second.post("/language", data={"csrf_token": token_one, "lang": "en"})
    assert refused.status_code == 400


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_API="3 per minute")
def test_rate_limits_count_kept_answers_too(app, make):
    make.idea()
    client = app.test_client()
    states = [client.get("/api/v1/ideas") for _ in range(4)]
    assert [r.status_code for r in states] == [200, 200, 200, 429]
    assert cache_state(states[2]) == "hit"


def test_an_article_reading_is_counted_even_when_the_page_is_kept(app, make):
    with app.app_context():
        article = Article(
            title="Jak zgłosić pomysł",
            slug="jak-zglosic-pomysl",
            lead="Krótko o zgłaszaniu.",
            body="Treść artykułu.",
            status=ArticleStatus.PUBLISHED,
            published_at=utcnow() - timedelta(hours=1),
        )
        db.session.add(article)
        db.session.commit()
        article_id = article.id
    agent = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}

    def read(n: int):  # noqa: ANN202
        return app.test_client().get(
            "/articles/jak-zglosic-pomysl",
            headers=agent,
            environ_overrides={"REMOTE_ADDR": f"10.0.0.{n}"},
        )

    states = [read(n) for n in (1, 2, 3)]
    assert all(r.status_code == 200 for r in states)
    assert cache_state(states[-1]) == "hit"
    read(1)  # came back: not counted again
    with app.app_context():
        assert db.session.get(Article, article_id).views == 3


def test_no_store_and_error_pages_are_not_kept(app):
    client = app.test_client()
    assert client.get("/ideas/999999").status_code == 404
    assert cache_state(client.get("/ideas/999999")) is None


def test_switched_off_with_zero_seconds(make_app, make):
    quiet = make_app(PAGE_CACHE_SECONDS=0)
    make.idea()
    client = quiet.test_client()
    client.get("/ideas")
    assert cache_state(client.get("/ideas")) is None


# --- The store itself ----------------------------------------------------


def entry(body: bytes, version: int = 1, ttl: float = 60) -> Entry:
    import time

    return Entry(((1, version),), time.monotonic() + ttl, 200, (), body)


def at(version: int):  # noqa: ANN201
    """The numbers of every scope, all at *version*."""
    return lambda scopes: dict.fromkeys(scopes, version)


def test_store_drops_a_page_of_an_older_version():
    store = PageStore(max_entries=10, max_bytes=10_000)
    store.put("a", entry(b"x", version=1))
    assert store.get("a", at(1)) is not None
    assert store.get("a", at(2)) is None
    assert len(store) == 0


def test_store_drops_an_expired_page():
    store = PageStore(max_entries=10, max_bytes=10_000)
    store.put("a", entry(b"x", ttl=-1))
    assert store.get("a", at(1)) is None


def test_store_keeps_within_its_bounds_dropping_the_least_recently_used():
    store = PageStore(max_entries=2, max_bytes=10_000)
    store.put("a", entry(b"a"))
    store.put("b", entry(b"b"))
    assert store.get("a", at(1)) is not None  # a is now the most recent
    store.put("c", entry(b"c"))
    assert store.get("b", at(1)) is None
    assert store.get("a", at(1)) is not None and store.get("c", at(1)) is not None

    small = PageStore(max_entries=100, max_bytes=800)
    for name in "abcdefghij":
        small.put(name, entry(b"z" * 100))
    assert small.size <= 800
    assert small.get("j", at(1)) is not None and small.get("a", at(1)) is None
    small.put("huge", entry(b"z" * 700))  # more than an eighth of the store
    assert small.get("huge", at(1)) is None


def test_every_listed_endpoint_exists(app):
    assert set(pagecache.CACHED_ENDPOINTS) <= set(app.view_functions)


def test_an_idea_page_is_rendered_in_two_statements_and_served_again_in_one(app, make):
    """Rendered afresh, once the worker keeps what every idea page asks
    (the phases' switches; which ideas have directions, recording moments
    or comments): the kept-page numbers, read on the worker's own
    connection, and the idea with its category and consultation, read by
    the session. An idea without answers asks nothing for them, and its
    own number needs no second read. Kept: the numbers alone, and no
    connection is taken from the pool."""
    from sqlalchemy import event

    warm = make.idea()
    idea = make.idea(title="Ławki nad zalewem", process_id=warm.process_id)
    statements: list[str] = []
    checkouts: list[object] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(statement)

    def checked_out(dbapi_connection, record, proxy):  # noqa: ANN001
        checkouts.append(dbapi_connection)

    reader = app.extensions["page_cache_reader"]
    original = reader.rows

    def numbers(sql: str):  # noqa: ANN202
        statements.append(sql)
        return original(sql)

    client = app.test_client()
    assert client.get(f"/ideas/{warm.id}").status_code == 200
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", note)
        event.listen(db.engine.pool, "checkout", checked_out)
    reader.rows = numbers
    try:
        first = client.get(f"/ideas/{idea.id}")
        assert cache_state(first) == "miss"
        assert "Ławki nad zalewem" in first.get_data(as_text=True)
        rendered = list(statements)
        statements.clear()
        checkouts.clear()
        second = client.get(f"/ideas/{idea.id}")
        assert cache_state(second) == "hit"
        assert second.get_data() == first.get_data()
    finally:
        del reader.rows
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", note)
            event.remove(db.engine.pool, "checkout", checked_out)
    assert len(rendered) == 2, "\n".join(rendered)
    assert "content_version" in rendered[0] and "FROM ideas" in rendered[1]
    assert len(statements) == 1 and "content_version" in statements[0]
    assert checkouts == []


def test_the_numbers_are_read_on_connections_of_their_own_that_see_each_commit(make_app, make):
    """A worker thread keeps a connection of its own for the numbers, in
    autocommit: a change committed elsewhere is seen by the next read; past
    the bound, and when the connection breaks, the read goes through the
    session with the same answer; disposing of the engine closes them."""
    import threading

    reader_app = make_app()
    reader = reader_app.extensions["page_cache_reader"]

    def everything() -> int:
        return pagecache.versions([pagecache.EVERYTHING])[pagecache.EVERYTHING]

    with reader_app.test_request_context():
        before = everything()
        assert reader.open_connections == 1
    make.category()  # committed through another connection: moves EVERYTHING
    with reader_app.test_request_context():
        moved = everything()
        assert moved > before

    answers: list[int] = []

    def another_thread() -> None:
        with reader_app.test_request_context():
            answers.append(everything())

    threads = [threading.Thread(target=another_thread) for _ in range(reader.SIZE + 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [moved] * len(threads)
    assert reader.open_connections == reader.SIZE  # the rest read through the session

    with reader_app.test_request_context():
        reader._local.connection.driver_connection.close()  # as if the server had dropped it
        assert everything() == moved  # through the session
        assert everything() == moved  # on a new connection of its own
    with reader_app.app_context():
        db.engine.dispose()
    assert reader.open_connections == 0


def test_what_a_worker_keeps_for_idea_pages_follows_changes_made_elsewhere(make_app, make):
    """A comment, a direction's link and a recording's chapter added on
    another worker show on this worker's next rendering of the idea page."""
    from tests.comments_support import post_confirmed
    from tests.test_directions import _direction
    from tests.videos_support import make_video

    reader, writer = make_app(), make_app()
    idea, other = make.idea(), make.idea()
    page = reader.test_client()
    html = page.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Nikt jeszcze nie skomentował" in html
    assert "Wykorzystany w kierunku" not in html and "omawiany od" not in html
    assert page.get(f"/ideas/{other.id}").status_code == 200  # kept values in use

    post_confirmed(writer.test_client(), writer, idea.id, "Dobry pomysł na lato.")
    html = page.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Dobry pomysł na lato." in html

    _direction(writer, make, title="Turystyka", ideas=[idea], process_id=idea.process_id)
    assert "Wykorzystany w kierunku" in page.get(f"/ideas/{idea.id}").get_data(as_text=True)

    make_video(writer, chapters=((42, "Kolej", idea.id),))
    assert "omawiany od 00:42" in page.get(f"/ideas/{idea.id}").get_data(as_text=True)


def test_kept_rows_refuse_a_table_whose_changes_do_not_move_everything(app):
    """A value kept under EVERYTHING alone may only read tables any change
    to which moves EVERYTHING; ideas move narrower scopes."""
    from sqlalchemy import select

    with app.test_request_context():
        with pytest.raises(ValueError, match="ideas"):
            pagecache.kept_rows("published ideas", select(Idea.id))


def test_pages_of_ideas_read_the_ideas_alone_and_follow_renames_made_elsewhere(make_app, make):
    """The catalogue and the API list read the ideas' own columns; what they
    show of each idea's category, consultation and meeting comes from what
    the worker keeps, which a rename on another worker replaces."""
    from sqlalchemy import event

    from app.models import Category, Process, Workshop

    reader, writer = make_app(), make_app()
    workshop = make.workshop(title="Warsztat w Bełchatowie")
    idea = make.idea(
        title="Ścieżka wokół zalewu", source="workshop", workshop_id=workshop.id,
        process_id=workshop.process_id,
    )  # fmt: skip
    page = reader.test_client()
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(statement)

    assert page.get("/ideas").status_code == 200  # the worker's kept values in use
    from app.catalogue.paging import _list_page

    with reader.app_context():
        event.listen(db.engine, "before_cursor_execute", note)
    try:
        listed = page.get("/ideas?sort=oldest").get_data(as_text=True)
        item = page.get("/api/v1/ideas?sort=oldest").get_json()["items"][0]
        built = _list_page.cache_info().misses
        page.get("/api/v1/ideas?sort=oldest&per_page=20&x=2")  # the same statement, reused
        assert _list_page.cache_info().misses == built
    finally:
        with reader.app_context():
            event.remove(db.engine, "before_cursor_execute", note)
    rows = [s for s in statements if "FROM ideas" in s]
    # Only what a card or an item shows: never the author's address or place.
    assert not [s for s in rows if re.search(r"ideas\.(email|municipality|search_text)\b", s)]
    assert rows and not [s for s in statements if re.search(r"\b(categories|processes|workshops)\b", s)]
    category = make.get(Category, idea.category_id)
    assert category.name in listed
    assert item["category"]["name"] == category.name
    assert item["workshop"] == {"slug": workshop.slug, "title": "Warsztat w Bełchatowie"}

    with writer.app_context():
        db.session.execute(update(Category).values(name="Zieleń i woda").where(Category.id == idea.category_id))
        db.session.execute(update(Process).values(title="Region po węglu").where(Process.id == idea.process_id))
        db.session.execute(update(Workshop).values(title="Warsztat nad zalewem").where(Workshop.id == workshop.id))
        db.session.commit()
    assert "Zieleń i woda" in page.get("/ideas?sort=oldest").get_data(as_text=True)
    item = page.get("/api/v1/ideas?sort=oldest").get_json()["items"][0]
    assert item["category"]["name"] == "Zieleń i woda"
    assert item["process"]["title"] == "Region po węglu"
    assert item["workshop"]["title"] == "Warsztat nad zalewem"
