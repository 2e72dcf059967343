"""Atom feeds (articles, newly published ideas) and the sitemap.

Every link is absolute under BASE_URL. The idea feed carries public data
only: title, description, category and consultation, never an author's
name, e-mail or anything else a submitter gave us.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import NamedTuple
from urllib.parse import urlsplit
from xml.sax.saxutils import escape  # nosec B406 - escapes our own output; nothing is parsed

from flask import Response, abort, current_app, render_template, request, stream_with_context
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.articles.content import render_body
from app.articles.covers import cover_url
from app.articles.queries import visible, visible_articles
from app.catalogue.filters import FilterError, parse_search
from app.directions import feed as directions_feed
from app.directions.lifecycle import status_label as direction_status_label
from app.extensions import db
from app.feeds import bp
from app.models import Article, Idea, IdeaStatus, Process, Tag, Video, Workshop, utcnow
from app.models.article import article_tags
from app.search import idea_statements
from app.text import idea_slug
from app.videos.display import sitemap_videos
from app.videos.services import visible as visible_video
from app.web import external_url

FEED_SIZE = 30
SITEMAP_LIMIT = 50_000  # URLs per sitemap file (the protocol's limit)
ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"

# Pages that exist for everyone, in the order a crawler should meet them.
STATIC_PAGES = (
    ("core.home", "daily", "1.0"),
    ("processes.index", "weekly", "0.8"),
    ("catalogue.index", "daily", "0.9"),
    ("workshops.index", "daily", "0.8"),
    ("results.index", "weekly", "0.7"),
    ("directions.index", "weekly", "0.7"),
    ("articles.index", "daily", "0.8"),
    ("videos.index", "daily", "0.7"),
    ("api.docs", "monthly", "0.3"),
    ("privacy.privacy", "yearly", "0.2"),
    ("privacy.accessibility", "yearly", "0.2"),
)


def _authority() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def _tag_uri(kind: str, ident: int, created: datetime | None) -> str:
    """A permanent entry id that survives slug changes and domain moves of links."""
    year = (created or utcnow()).strftime("%Y")
    return f"tag:{_authority()},{year}:{kind}/{ident}"


def _feed_response(body: str) -> Response:
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Content-Type"] = ATOM
    response.headers["Cache-Control"] = "public, max-age=900"
    response.add_etag()
    return response.make_conditional(request)


def _atom_feed(
    number: int, title: str, subtitle: str, self_endpoint: str, alternate_endpoint: str,
    entries: list[dict],
) -> Response:  # fmt: skip
    """Render one Atom feed; it was updated when its newest entry was."""
    body = render_template(
        "feeds/atom.xml",
        feed_id=_tag_uri("feed", number, datetime(2026, 1, 1)),
        title=title,
        subtitle=subtitle,
        self_url=external_url(self_endpoint),
        alternate_url=external_url(alternate_endpoint),
        updated=max((entry["updated"] for entry in entries), default=utcnow()),
        entries=entries,
    )
    return _feed_response(body)


@bp.route("/feeds/articles.atom")
def articles_atom():
    articles = db.session.scalars(visible_articles().limit(FEED_SIZE)).all()
    entries = []
    for article in articles:
        html = str(render_body(article.body))
        image = cover_url(article, 960, external=True)
        if image:
            alt = escape(article.cover_alt or "", {'"': "&quot;"})
            html = f'<p><img src="{image}" alt="{alt}"></p>\n{html}'
        entries.append(
            {
                "id": _tag_uri("article", article.id, article.created_at),
                "title": article.title,
                "url": external_url("articles.detail", slug=article.slug),
                "published": article.published_at,
                "updated": max(article.updated_at, article.published_at),
                "summary": article.lead,
                "content": html,
                "categories": [(tag.slug, tag.name) for tag in article.tags],
                "image": cover_url(article, 1440, external=True),
            }
        )
    return _atom_feed(
        1,
        "Odkrywka – aktualności",
        "Aktualności z konsultacji: spotkania, warsztaty, wyniki.",
        "feeds.articles_atom",
        "articles.index",
        entries,
    )


@bp.route("/feeds/ideas.atom")
def ideas_atom():
    process_slug = request.args.get("process")
    if (
        process_slug
        and db.session.scalar(
            select(Process.id).where(Process.slug == process_slug, Process.published.is_(True))
        )
        is None
    ):
        abort(404)
    # The catalogue's filters and search (?q=, ?category=...), newest first.
    try:
        search = parse_search(request.args)
    except FilterError as error:
        return Response(error.message + "\n", status=400, mimetype="text/plain")
    stmt, _count = idea_statements(search.with_(sort="newest"))
    query = (
        stmt.where(Idea.published_at.is_not(None))
        .options(selectinload(Idea.category), selectinload(Idea.process))
        .limit(FEED_SIZE)
    )
    ideas = db.session.scalars(query).all()
    entries = [
        {
            "id": _tag_uri("idea", idea.id, idea.submitted_at),
            "title": idea.title,
            "url": external_url("catalogue.detail", idea_id=idea.id, slug=idea.slug),
            "published": idea.published_at,
            "updated": idea.published_at,
            "summary": None,
            # Plain text as typed; the template escapes it.
            "text": idea.description,
            "categories": [(idea.category.slug, idea.category.name)],
            "consultation": idea.process.title if idea.process else None,
        }
        for idea in ideas
    ]
    return _atom_feed(
        2,
        "Odkrywka – nowe pomysły",
        "Pomysły mieszkańców opublikowane po moderacji.",
        "feeds.ideas_atom",
        "catalogue.index",
        entries,
    )


@bp.route("/feeds/directions.atom")
def directions_atom():
    """Changes of development directions: status, ideas taken up, applications."""
    entries = [
        {
            "id": _tag_uri("direction-event", event.id, event.created_at),
            "title": f"{event.direction.title}: {text}",
            "url": external_url("directions.detail", slug=event.direction.slug),
            "published": event.created_at,
            "updated": event.created_at,
            "summary": None,
            "text": text,
            "categories": [
                (event.direction.status, direction_status_label(event.direction.status))
            ],
            "consultation": None,
        }
        for event, text in directions_feed.recent_changes(FEED_SIZE)
    ]
    return _atom_feed(
        3,
        "Odkrywka – kierunki rozwojowe",
        "Zmiany w kierunkach rozwojowych: statusy, pomysły, wnioski o dofinansowanie.",
        "feeds.directions_atom",
        "directions.index",
        entries,
    )


# Sitemap -------------------------------------------------------------------


class SitemapUrl(NamedTuple):
    """One ``<url>`` of templates/feeds/sitemap.xml."""

    loc: str
    lastmod: str | None = None
    changefreq: str | None = None
    priority: str | None = None
    video: dict | None = None  # the <video:video> entry (Google's video sitemaps)


def _w3c(moment: datetime) -> str:
    """A stored UTC time as the sitemap protocol writes it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _url(
    loc: str,
    lastmod: datetime | None = None,
    changefreq: str | None = None,
    priority: str | None = None,
) -> SitemapUrl:
    return SitemapUrl(loc, _w3c(lastmod) if lastmod is not None else None, changefreq, priority)


def _idea_url_pattern() -> tuple[str, str]:
    """Build one idea URL and split it, so thousands need no url_for each."""
    sample = external_url("catalogue.detail", idea_id=987654321, slug="slugmark")
    before, after = sample.split("987654321", 1)
    return before, after


def _site_urls() -> Iterator[SitemapUrl]:
    """Everything but ideas: static pages, consultations, meetings, articles, tags."""
    for endpoint, changefreq, priority in STATIC_PAGES:
        if endpoint in current_app.view_functions:
            yield _url(external_url(endpoint), None, changefreq, priority)
    for slug, updated in db.session.execute(
        select(Process.slug, Process.updated_at)
        .where(Process.published.is_(True))
        .order_by(Process.id)
    ):
        yield _url(external_url("processes.detail", slug=slug), updated, "weekly", "0.8")
    for slug, updated in db.session.execute(
        select(Workshop.slug, Workshop.updated_at)
        .where(Workshop.published.is_(True))
        .order_by(Workshop.starts_at)
    ):
        yield _url(external_url("workshops.detail", slug=slug), updated, "weekly", "0.6")
    for slug, updated in db.session.execute(
        select(Article.slug, Article.updated_at).where(visible()).order_by(Article.published_at)
    ):
        yield _url(external_url("articles.detail", slug=slug), updated, "monthly", "0.6")
    for slug, updated in directions_feed.public_slugs():
        yield _url(external_url("directions.detail", slug=slug), updated, "weekly", "0.6")
    tag_ids = (
        select(article_tags.c.tag_id)
        .join(Article, Article.id == article_tags.c.article_id)
        .where(visible())
    )
    for (slug,) in db.session.execute(
        select(Tag.slug).where(Tag.id.in_(tag_ids)).order_by(Tag.slug)
    ):
        yield _url(external_url("articles.tag", slug=slug), None, "weekly", "0.3")
    for loc, updated, video in sitemap_videos():
        yield _url(loc, updated, "monthly", "0.6")._replace(video=video)


def _idea_urls(offset: int = 0, limit: int | None = None) -> Iterator[SitemapUrl]:
    before, after = _idea_url_pattern()
    slug_mark = "slugmark"
    query = (
        select(Idea.id, Idea.title, Idea.updated_at)
        .where(Idea.status == IdeaStatus.PUBLISHED)
        .order_by(Idea.id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    for ident, title, updated in db.session.execute(query.execution_options(yield_per=2000)):
        slug = idea_slug(title)
        loc = f"{before}{ident}{after}".replace(slug_mark, slug, 1)
        yield _url(loc, updated, "weekly", "0.5")


def _site_url_count() -> int:
    return (
        len(STATIC_PAGES)
        + db.session.scalar(
            select(func.count()).select_from(Process).where(Process.published.is_(True))
        )
        + db.session.scalar(
            select(func.count()).select_from(Workshop).where(Workshop.published.is_(True))
        )
        + db.session.scalar(select(func.count()).select_from(Article).where(visible()))
        + db.session.scalar(select(func.count()).select_from(Tag))
        + len(directions_feed.public_slugs())
        + db.session.scalar(select(func.count()).select_from(Video).where(visible_video()))
    )


def _idea_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Idea).where(Idea.status == IdeaStatus.PUBLISHED)
    )


def _xml_response(body: Iterable[str] | str) -> Response:
    response = Response(body, mimetype="application/xml")
    response.headers["Content-Type"] = XML
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _urlset(urls: Iterable[SitemapUrl]) -> Response:
    """Stream templates/feeds/sitemap.xml: up to 50,000 URLs are never held at once."""
    stream = current_app.jinja_env.get_template("feeds/sitemap.xml").stream(urls=urls)
    stream.enable_buffering(200)  # a few hundred URLs per chunk written
    return _xml_response(stream_with_context(stream))


@bp.route("/sitemap.xml")
def sitemap():
    """One urlset while it fits the protocol's limit, else an index of parts."""
    ideas = _idea_count()
    if _site_url_count() + ideas <= SITEMAP_LIMIT:

        def everything() -> Iterator[SitemapUrl]:
            yield from _site_urls()
            yield from _idea_urls()

        return _urlset(everything())
    parts = 1 + -(-ideas // SITEMAP_LIMIT)
    return _xml_response(
        render_template(
            "feeds/sitemap_index.xml",
            parts=[external_url("feeds.sitemap_part", number=n) for n in range(1, parts + 1)],
            lastmod=_w3c(utcnow()),
        )
    )


@bp.route("/sitemap-<int:number>.xml")
def sitemap_part(number: int):
    """Part 1: the site; parts 2…: published ideas, 50,000 a file."""
    if number == 1:
        return _urlset(_site_urls())
    offset = (number - 2) * SITEMAP_LIMIT
    if number < 1 or offset >= _idea_count():
        abort(404)
    return _urlset(_idea_urls(offset, SITEMAP_LIMIT))
