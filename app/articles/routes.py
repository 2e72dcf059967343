"""Public article pages: the list, one article, a tag, and cover files."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from sqlalchemy import select

from app import pagecache
from app.articles import bp
from app.articles.content import render_body
from app.articles.covers import NAME_PATTERN, cover_dir, cover_srcset, cover_url
from app.articles.queries import (
    find_by_slug,
    find_redirect,
    most_read,
    tagged,
    used_tags,
    visible_articles,
)
from app.articles.services import already_counted, record_view
from app.articles.video import video_for
from app.clients import client_address
from app.extensions import db
from app.models import Article, IdeaStatus, Tag
from app.security.permissions import can
from app.transaction import counted_apart
from app.web import mark_private

PER_PAGE = 12
COVER_CACHE = "public, max-age=31536000, immutable"


@bp.app_template_global("cover_url")
def _cover_url(article, width=None, ext="jpg", external=False):  # noqa: ANN001, ANN202
    return cover_url(article, width, ext, external)


@bp.app_template_filter("article_body")
def _article_body(text):  # noqa: ANN001, ANN202
    return render_body(text)


@bp.app_template_global("cover_srcset")
def _cover_srcset(article, ext):  # noqa: ANN001, ANN202
    return cover_srcset(article, ext)


def _page() -> int:
    # Bounded: a huge number would overflow the database's OFFSET (a 500).
    return min(max(request.args.get("page", 1, type=int) or 1, 1), 1_000_000)


@bp.route("/articles")
def index():
    page = db.paginate(visible_articles(), page=_page(), per_page=PER_PAGE, error_out=False)
    if page.page > 1 and not page.items:
        abort(404)
    return render_template(
        "articles/index.html",
        page=page,
        most_read=most_read(5),
        tags=used_tags(),
    )


@bp.route("/tags/<slug>")
def tag(slug: str):
    found = db.session.scalar(select(Tag).where(Tag.slug == slug))
    if found is None:
        abort(404)
    page = db.paginate(tagged(found), page=_page(), per_page=PER_PAGE, error_out=False)
    if not page.items and page.page > 1:
        abort(404)
    return render_template("articles/tag.html", tag=found, page=page)


def _staff_may_preview() -> bool:
    return can("preview_articles")


@bp.route("/articles/<slug>")
def detail(slug: str):
    article = find_by_slug(slug)
    if article is None:
        moved = find_redirect(slug)
        # An old address of an unpublished article tells readers nothing.
        if moved is not None and (moved.is_visible() or _staff_may_preview()):
            return redirect(url_for("articles.detail", slug=moved.slug), code=301)
        abort(404)
    visible = article.is_visible()
    if not visible and not _staff_may_preview():
        abort(404)
    if visible and not _staff_may_preview() and request.method == "GET":
        article_id = article.id
        address, agent = client_address(), request.headers.get("User-Agent")
        if not already_counted(article_id, address, agent):
            counted_apart(lambda: record_view(article_id, address, agent))
            article = db.session.get(Article, article_id)
    if not visible:
        # Staff preview of a draft or a scheduled article: never cached or indexed.
        mark_private()
    if visible:
        return pagecache.serve(lambda: _render_detail(article, visible))
    response = current_app.make_response(_render_detail(article, visible))
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _render_detail(article: Article, visible: bool) -> str:
    related_ideas = [idea for idea in article.ideas if idea.status == IdeaStatus.PUBLISHED]
    related_workshops = [workshop for workshop in article.workshops if workshop.published]
    process = article.process if article.process and article.process.published else None
    return render_template(
        "articles/detail.html",
        article=article,
        visible=visible,
        video=video_for(article.video_url),
        related_ideas=related_ideas,
        related_workshops=related_workshops,
        process=process,
    )


@bp.route("/media/covers/<name>")
def cover(name: str):
    if not NAME_PATTERN.match(name):
        abort(404)
    response = send_from_directory(cover_dir(), name, max_age=31536000, conditional=True)
    response.headers["Cache-Control"] = COVER_CACHE
    return response
