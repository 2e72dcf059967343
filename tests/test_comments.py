"""Comments under ideas: confirmation by mail, the trusted browser, the
private link and its edit window, refusals with the typed text kept,
XSS and link abuse, spam limits, CSRF, the feed, the count and paging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from app.extensions import db
from app.models import Comment, CommenterBrowser, CommentStatus, Idea, utcnow
from tests.comments_support import MANAGE, comments, mailed, post, post_confirmed

S = CommentStatus


def idea_page(client, idea) -> str:  # noqa: ANN001
    return client.get(f"/ideas/{idea.id}").get_data(as_text=True)


# --- the first comment is confirmed by mail, the next ones are not ---------


def test_first_comment_waits_for_the_mailed_link_then_shows(client, app, make):
    idea = make.idea()
    response = post(client, idea.id, "Na starej bocznicy wciąż leżą tory aż do parku.")
    assert response.status_code == 303
    [pending] = comments(app)
    assert pending.status == S.PENDING
    assert "bocznicy" not in idea_page(client, idea)
    [link] = mailed(app, "ola@example.org")
    confirmed = client.get(link)
    assert confirmed.status_code == 200
    assert "odkrywka_commenter=" in confirmed.headers["Set-Cookie"]
    assert "HttpOnly" in confirmed.headers["Set-Cookie"]
    page = idea_page(client, idea)
    assert "Na starej bocznicy wciąż leżą tory aż do parku." in page
    assert "(1 komentarz)" in page
    assert make.get(Idea, idea.id).comments_count == 1
    # The link works once: opening it again changes nothing.
    again = client.get(link)
    assert again.status_code == 404
    assert make.get(Idea, idea.id).comments_count == 1


def test_a_trusted_browser_posts_again_without_a_new_confirmation(client, app, make):
    idea = make.idea()
    post_confirmed(client, app, idea.id, "Pierwszy komentarz z tej przeglądarki.")
    response = post(client, idea.id, "Drugi komentarz, bez potwierdzania.")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#komentarz-{comments(app)[-1].id}")
    assert comments(app)[-1].status == S.PUBLISHED
    assert len(mailed(app, "ola@example.org")) == 1  # no second confirmation link
    # …but the comment's private link is mailed all the same.
    assert len(mailed(app, "ola@example.org", MANAGE)) == 2


def test_the_browser_token_holds_only_for_its_own_address(client, app, make):
    idea = make.idea()
    post_confirmed(client, app, idea.id, "Komentarz Oli, potwierdzony.")
    post(client, idea.id, "Ktoś inny w tej samej przeglądarce.", email="ewa@example.org")
    assert comments(app)[-1].status == S.PENDING
    assert len(mailed(app, "ewa@example.org")) == 1


def test_a_copied_token_from_another_browser_works_but_a_forged_one_does_not(app, make):
    idea = make.idea()
    first = app.test_client()
    post_confirmed(first, app, idea.id, "Pierwszy, potwierdzony komentarz.")
    cookie = first.get_cookie("odkrywka_commenter").value
    forged = app.test_client()
    forged.set_cookie("odkrywka_commenter", cookie[:-3] + "AAA")
    post(forged, idea.id, "Ze sfałszowanym tokenem.")
    assert comments(app)[-1].status == S.PENDING


def test_an_expired_or_revoked_token_asks_for_confirmation_again(client, app, make):
    idea = make.idea()
    post_confirmed(client, app, idea.id, "Pierwszy, potwierdzony komentarz.")
    with app.app_context():
        db.session.execute(update(CommenterBrowser).values(expires_at=utcnow() - timedelta(1)))
        db.session.commit()
    post(client, idea.id, "Po wygaśnięciu tokenu.")
    assert comments(app)[-1].status == S.PENDING
    # A fresh confirmation trusts the browser again; then the author revokes it.
    client.get(mailed(app, "ola@example.org")[-1])
    post(client, idea.id, "Znów bez potwierdzania.")
    assert comments(app)[-1].status == S.PUBLISHED
    manage = mailed(app, "ola@example.org", MANAGE)[-1]
    response = client.post(manage + "/browsers")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(
            select(CommenterBrowser).where(CommenterBrowser.revoked_at.is_(None))
        ) is None
    other = app.test_client()  # a copy of the old cookie made before revoking
    other.set_cookie("odkrywka_commenter", client.get_cookie("odkrywka_commenter").value
                     if client.get_cookie("odkrywka_commenter") else "x")  # fmt: skip
    post(other, idea.id, "Po cofnięciu zaufania.")
    assert comments(app)[-1].status == S.PENDING


def test_the_revoked_token_itself_is_refused(app, make):
    idea = make.idea()
    client = app.test_client()
    post_confirmed(client, app, idea.id, "Pierwszy, potwierdzony komentarz.")
    kept = client.get_cookie("odkrywka_commenter").value
    with app.app_context():
        db.session.execute(update(CommenterBrowser).values(revoked_at=utcnow()))
        db.session.commit()
    again = app.test_client()
    again.set_cookie("odkrywka_commenter", kept)
    post(again, idea.id, "Z cofniętym tokenem.")
    assert comments(app)[-1].status == S.PENDING


def test_an_unknown_confirmation_link_is_404(client):
    assert client.get("/comments/confirm/" + "x" * 43).status_code == 404


def test_an_expired_confirmation_link_is_refused_and_purged(client, app, make, runner):
    idea = make.idea()
    post(client, idea.id, "Stary, niepotwierdzony komentarz.")
    with app.app_context():
        db.session.execute(update(Comment).values(created_at=utcnow() - timedelta(days=8)))
        db.session.commit()
    assert client.get(mailed(app, "ola@example.org")[0]).status_code == 410
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    assert comments(app) == []


# --- the private link: edit for 15 minutes, delete ------------------------


def test_the_author_edits_within_the_window_and_not_after(client, app, make):
    idea = make.idea()
    post_confirmed(client, app, idea.id, "Tekst z literówką.")
    manage = mailed(app, "ola@example.org", MANAGE)[-1]
    page = client.get(manage)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    edited = client.post(manage, data={"body": "Tekst bez literówki."})
    assert edited.status_code == 303
    [comment] = comments(app)
    assert comment.body == "Tekst bez literówki."
    assert comment.edited_at is not None
    with app.app_context():
        db.session.execute(update(Comment).values(confirmed_at=utcnow() - timedelta(minutes=16)))
        db.session.commit()
    late = client.post(manage, data={"body": "Zmiana po czasie."})
    assert late.status_code == 409
    text = late.get_data(as_text=True)
    assert "15 min" in text
    assert "Zmiana po czasie." in text  # what was typed stays
    assert comments(app)[0].body == "Tekst bez literówki."


def test_deleting_a_comment_with_replies_leaves_a_marker(client, app, make):
    idea = make.idea()
    first = post_confirmed(client, app, idea.id, "Komentarz, na który ktoś odpowie.")
    post(client, idea.id, "Odpowiedź na komentarz.", parent_id=str(first.id))
    manage = mailed(app, "ola@example.org", MANAGE)[0]
    assert client.post(manage + "/delete").status_code == 303
    page = idea_page(client, idea)
    assert "komentarz usunięty przez autora" in page
    assert "Komentarz, na który ktoś odpowie." not in page
    assert "Odpowiedź na komentarz." in page
    kept = [c for c in comments(app) if c.id == first.id][0]
    assert (kept.body, kept.email, kept.author_name) == ("", None, None)
    assert make.get(Idea, idea.id).comments_count == 1
    assert client.get(manage).status_code == 404


# --- refusals keep the typed text and never fail -------------------------


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"body": ""}, 400, "Napisz komentarz."),
        ({"body": "x"}, 400, "od 2 do 3000 znaków"),
        ({"body": "ą" * 3001}, 400, "od 2 do 3000 znaków"),
        ({"email": "nie-adres"}, 400, "poprawny adres e-mail"),
        ({"consent": None}, 400, "Bez tej zgody"),
        ({"parent_id": "999999"}, 422, "nie istnieje"),
        ({"parent_id": "99999999999999"}, 422, "nie istnieje"),
        ({"author_name": "x" * 101}, 400, "od 2 do 100 znaków"),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_the_text(client, app, make, fields, status,
                                                          message):  # fmt: skip
    idea = make.idea()
    typed = {"body": "Mój dłuższy komentarz do zachowania.", **fields}
    response = post(client, idea.id, **typed)
    assert response.status_code == status
    text = response.get_data(as_text=True)
    assert message in text
    if typed["body"] and len(typed["body"]) < 100:
        assert typed["body"] in text
    assert comments(app) == []


def test_a_reply_to_a_hidden_comment_is_refused_with_the_text_kept(client, app, make):
    idea = make.idea()
    first = post_confirmed(client, app, idea.id, "Komentarz, który zostanie ukryty.")
    with app.app_context():
        db.session.execute(update(Comment).values(status=S.HIDDEN))
        db.session.commit()
    response = post(client, idea.id, "Moja odpowiedź na ukryty.", parent_id=str(first.id))
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "ukryty przez moderację" in text
    assert "Moja odpowiedź na ukryty." in text


def test_a_reply_to_a_comment_under_another_idea_is_refused(client, app, make):
    idea, other = make.idea(), make.idea()
    first = post_confirmed(client, app, other.id, "Komentarz pod innym pomysłem.")
    response = post(client, idea.id, "Odpowiedź nie tutaj.", parent_id=str(first.id))
    assert response.status_code == 422


def test_a_reply_to_a_reply_joins_its_thread(client, app, make):
    idea = make.idea()
    first = post_confirmed(client, app, idea.id, "Komentarz główny wątku.")
    post(client, idea.id, "Pierwsza odpowiedź.", parent_id=str(first.id))
    reply = comments(app)[-1]
    post(client, idea.id, "Odpowiedź na odpowiedź.", parent_id=str(reply.id))
    assert comments(app)[-1].parent_id == first.id


def test_comments_close_with_the_consultation(client, app, make):
    process = make.process(closes_at=utcnow() - timedelta(days=1),
                           opens_at=utcnow() - timedelta(days=30))  # fmt: skip
    idea = make.idea(process_id=process.id)
    response = post(client, idea.id, "Komentarz po czasie.")
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Komentowanie jest zamknięte" in text
    assert "Komentarz po czasie." in text
    assert "Dodaj komentarz" not in idea_page(client, idea)
    assert comments(app) == []


@pytest.mark.parametrize("status", ["awaiting_review", "hidden", "rejected"])
def test_unpublished_ideas_take_no_comments(client, make, status):
    idea = make.idea(status=status)
    assert post(client, idea.id).status_code == 404
    assert client.get(f"/ideas/{idea.id}/comments.atom").status_code == 404


# --- XSS and link abuse in every field -----------------------------------

XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'><a href="javascript:alert(3)">'


def test_markup_in_every_field_is_shown_as_text(client, app, make):
    idea = make.idea()
    post_confirmed(client, app, idea.id, "Treść " + XSS, author_name='Ola" onmouseover="alert(1)')
    page = idea_page(client, idea)
    for raw in ("<script>alert(1)", "<img src=x", 'href="javascript:', '" onmouseover="'):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Ola&#34; onmouseover=&#34;alert(1)" in page
    feed = client.get(f"/ideas/{idea.id}/comments.atom").get_data(as_text=True)
    assert "<script>" not in feed and "<img" not in feed


@pytest.mark.parametrize("field", ["author_name", "email", "parent_id"])
def test_markup_in_other_fields_is_refused_and_echoed_as_text(client, app, make, field):
    idea = make.idea()
    response = post(client, idea.id, "Zwykły komentarz.", **{field: XSS})
    assert response.status_code in (400, 422)
    text = response.get_data(as_text=True)
    assert "<script>alert(1)" not in text and "<img src=x" not in text
    assert comments(app) == []


def test_web_addresses_become_nofollow_ugc_links_and_nothing_else_does(client, app, make):
    idea = make.idea()
    post_confirmed(
        client,
        app,
        idea.id,
        'Zobacz https://example.org/plan?a=1&b="2" oraz www.gmina.pl. Nie javascript:alert(1)',
    )
    page = idea_page(client, idea)
    assert (
        '<a href="https://example.org/plan?a=1&amp;b=" rel="nofollow ugc noopener"' in page
        or 'href="https://example.org/plan?a=1&amp;b=&#34;2&#34;"' in page
    )
    assert '<a href="https://www.gmina.pl" rel="nofollow ugc noopener"' in page
    assert 'href="javascript' not in page
    import re

    for anchor in re.findall(r"<a [^>]*class=\"text-break\"[^>]*>", page):
        assert 'rel="nofollow ugc noopener"' in anchor


def test_too_many_links_are_refused(client, app, make):
    idea = make.idea()
    body = "Reklama: https://a.example https://b.example www.c.example"
    response = post(client, idea.id, body)
    assert response.status_code == 422
    assert "najwyżej 2 linki" in response.get_data(as_text=True)
    assert comments(app) == []


@pytest.mark.parametrize("name", ["https://spam.example", "www.spam.example", "ola@example.org"])
def test_a_signature_with_an_address_is_refused(client, app, make, name):
    idea = make.idea()
    response = post(client, idea.id, "Zwykły komentarz.", author_name=name)
    assert response.status_code == 422
    assert "Podpis nie może zawierać" in response.get_data(as_text=True)


def test_text_that_reverses_on_screen_is_dropped(client, app, make):
    idea = make.idea()
    post_confirmed(client, app, idea.id, "Abc\u202edef komentarz", author_name="Ola\u202eXYZ")
    [comment] = comments(app)
    assert "\u202e" not in comment.body and "\u202e" not in comment.author_name


def test_no_name_shows_a_resident_of_the_region(client, app, make):
    idea = make.idea()
    post_confirmed(client, app, idea.id, "Komentarz bez podpisu.", author_name="")
    assert "mieszkaniec regionu" in idea_page(client, idea)


# --- spam ---------------------------------------------------------------------


def test_the_honeypot_keeps_nothing(client, app, make):
    idea = make.idea()
    response = post(client, idea.id, website="http://spam.example")
    assert response.status_code == 303
    assert comments(app) == []
    assert mailed(app, "ola@example.org") == []


def test_the_same_text_twice_is_refused(client, app, make):
    idea = make.idea()
    post_confirmed(client, app, idea.id, "Dokładnie ten sam tekst.")
    response = post(client, idea.id, "  dokładnie TEN sam   tekst. ", email="ewa@example.org")
    assert response.status_code == 409
    assert "Ten sam komentarz został już wysłany" in response.get_data(as_text=True)
    # The same words from one address under another idea within a day, too.
    other = make.idea()
    assert post(client, other.id, "Dokładnie ten sam tekst.").status_code == 409


@pytest.mark.app_config(COMMENTS_PER_ADDRESS_PER_HOUR=3)
def test_comments_from_one_address_are_limited_per_hour(client, app, make):
    idea = make.idea()
    for n in range(3):
        assert post(client, idea.id, f"Komentarz numer {n}.").status_code == 303
    response = post(client, idea.id, "Komentarz numer 4.")
    assert response.status_code == 429
    assert "zbyt wiele komentarzy" in response.get_data(as_text=True)
    assert "Komentarz numer 4." in response.get_data(as_text=True)


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_COMMENT="2 per minute")
def test_comments_from_one_client_address_are_rate_limited(client, make):
    idea = make.idea()
    codes = [post(client, idea.id, f"Komentarz {n}", email=f"o{n}@example.org").status_code
             for n in range(3)]  # fmt: skip
    assert codes == [303, 303, 429]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_comment_form_needs_its_csrf_token(client, app, make):
    idea = make.idea()
    response = post(client, idea.id)
    assert response.status_code == 400
    assert comments(app) == []


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_private_page_actions_need_the_csrf_token(client, app, make):
    idea = make.idea()
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    post_confirmed(client, app, idea.id, csrf_token=token)
    manage = mailed(app, "ola@example.org", MANAGE)[-1]
    assert client.post(manage + "/delete").status_code == 400
    assert client.post(manage, data={"body": "Zmiana bez tokenu."}).status_code == 400
    assert client.post(manage + "/erase").status_code == 400
    assert len(comments(app)) == 1
    assert comments(app)[0].body == "Świetny pomysł, popieram."


# --- the page, its order and paging, the count, the feed, the API ------------


def _many(app, idea, count: int, replies_each: int = 0) -> None:  # noqa: ANN001
    now = utcnow()
    with app.app_context():
        for n in range(count):
            top = Comment(target_type="idea", target_id=idea.id, body=f"Wątek {n:03d}.",
                          status=S.PUBLISHED, email=f"k{n}@example.org",
                          created_at=now, published_at=now)  # fmt: skip
            db.session.add(top)
            db.session.flush()
            for r in range(replies_each):
                db.session.add(Comment(target_type="idea", target_id=idea.id, parent_id=top.id,
                                       body=f"Odpowiedź {n:03d}-{r}.", status=S.PUBLISHED,
                                       created_at=now, published_at=now))  # fmt: skip
        db.session.execute(
            update(Idea).where(Idea.id == idea.id)
            .values(comments_count=count * (1 + replies_each))
        )  # fmt: skip
        db.session.commit()


def test_oldest_first_newest_on_request_and_paged_past_fifty(client, app, make):
    idea = make.idea()
    _many(app, idea, 55, replies_each=1)
    first = idea_page(client, idea)
    assert first.index("Wątek 000.") < first.index("Wątek 049.")
    assert "Wątek 050." not in first
    assert first.index("Wątek 000.") < first.index("Odpowiedź 000-0.") < first.index("Wątek 001.")
    second = client.get(f"/ideas/{idea.id}?strona-komentarzy=2").get_data(as_text=True)
    assert "Wątek 054." in second and "Wątek 049." not in second
    newest = client.get(f"/ideas/{idea.id}?komentarze=najnowsze").get_data(as_text=True)
    assert newest.index("Wątek 054.") < newest.index("Wątek 010.")
    assert "Wątek 004." not in newest
    assert "(110 komentarzy)" in first


def test_the_idea_page_reads_its_comments_in_one_query(client, app, make):
    idea = make.idea()
    _many(app, idea, 60, replies_each=2)
    # Which ideas have comments at all is kept by the worker: asked once.
    assert client.get(f"/ideas/{make.idea().id}").status_code == 200
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        if "FROM comments" in statement:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(f"/ideas/{idea.id}?x=1")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    # One count of threads and one query for all comments of the page.
    assert len(statements) == 2, statements


def test_the_count_shows_on_cards_and_in_the_api(client, app, make):
    idea = make.idea(title="Ścieżka rowerowa przy torach")
    post_confirmed(client, app, idea.id, "Komentarz do policzenia.")
    assert "1 komentarz" in client.get("/ideas").get_data(as_text=True)
    assert client.get(f"/api/v1/ideas/{idea.id}").get_json()["comments"] == 1
    assert client.get("/api/v1/ideas").get_json()["items"][0]["comments"] == 1
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "comments" in spec["components"]["schemas"]["Idea"]["properties"]


def test_the_atom_feed_lists_published_comments(client, app, make):
    idea = make.idea()
    post_confirmed(client, app, idea.id, "Komentarz do kanału.", author_name="Ola")
    post(client, idea.id, "Czeka na potwierdzenie.", email="ewa@example.org")
    response = client.get(f"/ideas/{idea.id}/comments.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    text = response.get_data(as_text=True)
    assert "Komentarz do kanału." in text
    assert "Czeka na potwierdzenie." not in text
    assert "ola@example.org" not in text
    assert f"#komentarz-{comments(app)[0].id}" in text


def test_reporting_a_comment(client, app, make):
    idea = make.idea()
    comment = post_confirmed(client, app, idea.id, "Komentarz do zgłoszenia.")
    url = f"/ideas/{idea.id}/comments/{comment.id}/report"
    assert client.post(url, data={"reason": "krótko"}).status_code == 400
    assert client.post(url, data={"reason": "Obraźliwe słowa wobec sąsiadów."}).status_code == 303
    again = client.post(url, data={"reason": "Obraźliwe słowa wobec sąsiadów."})
    assert again.status_code == 409
    assert client.post(f"/ideas/{idea.id}/comments/999999/report",
                       data={"reason": "Obraźliwe słowa."}).status_code == 404  # fmt: skip


def test_comments_appear_on_the_authors_private_page(client, app, make):
    idea = make.idea()
    post_confirmed(client, app, idea.id, "Komentarz widoczny dla autora.")
    page = client.get(f"/ideas/track/{idea.track_token}").get_data(as_text=True)
    assert "Komentarze pod pomysłem" in page
    assert "Komentarz widoczny dla autora." in page


def test_a_write_page_for_replies_works_without_javascript(client, app, make):
    idea = make.idea()
    first = post_confirmed(client, app, idea.id, "Komentarz do odpowiedzi.")
    page = client.get(f"/ideas/{idea.id}/comments?parent={first.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Odpowiedz na komentarz" in text and "Komentarz do odpowiedzi." in text
    assert f'value="{first.id}"' in text
