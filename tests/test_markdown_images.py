"""Images in Markdown come only from the site itself or the hosts in
``MARKDOWN_IMAGE_HOSTS``: an image from anywhere else (a tracking pixel)
is shown as its alt text on pages, in the Atom feed and in mail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.markdown import render_markdown
from app.models import OutboxMessage
from tests.articles_support import make_article
from tests.factories import Factory

BODY = (
    "Mapa: ![plan trasy](/media/covers/plan.png)\n\n"
    "Zdjęcie: ![widok z tamy](https://zdjecia.example.org/tama.jpg)\n\n"
    "Licznik: ![piksel](https://tracker.example.com/p.gif?u=1) "
    "i ![bez protokołu](//tracker.example.com/p.gif) "
    "i ![http](http://tracker.example.com/p.gif)"
)


def _assert_only_allowed_images(html: str, allowed_host: bool) -> None:
    assert "tracker.example.com" not in html
    assert "piksel" in html and "bez protokołu" in html  # the alt text stays
    assert 'src="/media/covers/plan.png"' in html or "/media/covers/plan.png" in html
    assert ("zdjecia.example.org/tama.jpg" in html) is allowed_host


@pytest.mark.parametrize("hosts", [(), ("zdjecia.example.org",)])
def test_rendered_markdown_keeps_only_local_and_allowed_images(make_app, hosts):
    app = make_app(MARKDOWN_IMAGE_HOSTS=hosts)
    with app.app_context():
        _assert_only_allowed_images(str(render_markdown(BODY)), bool(hosts))


def test_an_article_page_and_the_feed_drop_outside_images(app, client):
    make_article(app, slug="z-obrazkami", body=BODY)
    page = client.get("/articles/z-obrazkami").get_data(as_text=True)
    _assert_only_allowed_images(page, allowed_host=False)
    feed = client.get("/feeds/articles.atom").get_data(as_text=True)
    _assert_only_allowed_images(feed, allowed_host=False)


def test_an_answer_mail_drops_outside_images(mail_app, make):
    idea = make.idea(email="autorka@example.org")
    client = mail_app.test_client()
    editor = make.user(role="editor")
    client.post("/staff/login", data={"email": editor.email, "password": Factory.PASSWORD})
    response = client.post(
        f"/staff/ideas/{idea.id}/answer",
        data={"result_status": "accepted", "answer": BODY, "progress": "10"},
    )
    assert response.status_code == 302
    with mail_app.app_context():
        html = db.session.scalar(
            select(OutboxMessage.body_html).where(OutboxMessage.template == "answer_author")
        )
    assert html
    _assert_only_allowed_images(html, allowed_host=False)
