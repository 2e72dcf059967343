"""The article publisher's rules. Functions change state, flush and record
history and audit rows; they never commit (the view does, once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, text

from app import audit
from app.articles.covers import StoredCover
from app.clients import keyed_hash
from app.database import insert_for
from app.errors import ServiceError, StaleVersion
from app.extensions import db
from app.follows import services as follows
from app.models import (
    Article,
    ArticleRevision,
    ArticleSlugRedirect,
    ArticleStatus,
    ArticleView,
    Idea,
    IdeaStatus,
    Tag,
    Workshop,
    utcnow,
)
from app.text import fold, single_line, slugify

MAX_TAGS = 10
BOT_MARKERS = ("bot", "crawler", "spider", "preview", "slurp", "headless", "facebookexternalhit")


# Errors the views turn into form messages -------------------------------------


class ArticleError(ServiceError):
    """A rule was broken; the view shows a message next to a field."""


class SlugTaken(ArticleError):
    """The address belongs (now or before) to another article."""

    status = 409
    field = "slug"

    def __init__(self, slug: str, other_title: str) -> None:
        super().__init__(
            _l(
                "Adres „%(slug)s” jest już zajęty przez artykuł „%(title)s”. Wybierz inny.",
                slug=slug,
                title=other_title,
            )
        )
        self.slug = slug
        self.other_title = other_title


class UnknownIdeas(ArticleError):
    status = 400
    field = "ideas"

    def __init__(self, ids: list[int]) -> None:
        super().__init__(
            _l(
                "Nie ma opublikowanych pomysłów o numerach: %(ids)s.",
                ids=", ".join(map(str, ids)),
            )
        )
        self.ids = ids


class PublishTimeInPast(ArticleError):
    def __init__(self) -> None:
        super().__init__(
            _l("Ten termin już minął. Wybierz przyszły termin albo opublikuj od razu.")
        )


# Editing -------------------------------------------------------------------


@dataclass
class ArticleData:
    """What the editor submits (already parsed from the form)."""

    title: str
    lead: str
    body: str
    slug: str = ""
    cover: StoredCover | None = None
    remove_cover: bool = False
    cover_alt: str = ""
    video_url: str = ""
    tags: list[str] = field(default_factory=list)
    process_id: int | None = None
    workshop_ids: list[int] = field(default_factory=list)
    idea_ids: list[int] = field(default_factory=list)
    title_en: str = ""
    lead_en: str = ""
    body_en: str = ""


def parse_tags(raw: str) -> list[str]:
    """``"energia, Młodzież ,energia"`` → ``["energia", "Młodzież"]`` (by slug, max 10)."""
    names: list[str] = []
    seen: set[str] = set()
    for part in (raw or "").split(","):
        name = single_line(part, 60)
        slug = slugify(name, 60)
        if name and slug and slug not in seen:
            seen.add(slug)
            names.append(name)
    return names[:MAX_TAGS]


def parse_ids(raw: str) -> list[int]:
    """``"12, #45 7"`` → ``[12, 45, 7]``; raises ValueError on anything else."""
    ids: list[int] = []
    for part in (raw or "").replace(",", " ").replace(";", " ").split():
        ids.append(int(part.lstrip("#")))
    return list(dict.fromkeys(ids))


def check_slug(slug: str, article: Article | None) -> None:
    """Raise SlugTaken when *slug* belongs (now or before) to another article."""
    other = db.session.scalar(select(Article).where(Article.slug == slug))
    if other is not None and other is not article:
        raise SlugTaken(slug, other.title)
    redirect = db.session.scalar(
        select(ArticleSlugRedirect).where(ArticleSlugRedirect.old_slug == slug)
    )
    if redirect is not None and (article is None or redirect.article_id != article.id):
        raise SlugTaken(slug, redirect.article.title)


def _tags_for(names: list[str]) -> list[Tag]:
    tags = []
    for name in names:
        slug = slugify(name, 60)
        tag = db.session.scalar(select(Tag).where(Tag.slug == slug))
        if tag is None:
            tag = Tag(slug=slug, name=name)
            db.session.add(tag)
        tags.append(tag)
    return tags


def _ideas_for(ids: list[int]) -> list[Idea]:
    if not ids:
        return []
    found = db.session.scalars(
        select(Idea).where(Idea.id.in_(ids), Idea.status == IdeaStatus.PUBLISHED)
    ).all()
    by_id = {idea.id: idea for idea in found}
    missing = [ident for ident in ids if ident not in by_id]
    if missing:
        raise UnknownIdeas(missing)
    return [by_id[ident] for ident in ids]


def _workshops_for(ids: list[int]) -> list[Workshop]:
    if not ids:
        return []
    return list(db.session.scalars(select(Workshop).where(Workshop.id.in_(ids))))


def snapshot(article: Article) -> dict[str, Any]:
    """Everything an editor controls, as JSON, for a revision."""
    return {
        "title": article.title,
        "slug": article.slug,
        "lead": article.lead,
        "body": article.body,
        "cover_key": article.cover_key,
        "cover_widths": list(article.cover_widths or []) or None,
        "cover_alt": article.cover_alt,
        "video_url": article.video_url,
        "tags": [tag.name for tag in article.tags],
        "process_id": article.process_id,
        "workshop_ids": [workshop.id for workshop in article.workshops],
        "idea_ids": [idea.id for idea in article.ideas],
    }


def _add_revision(article: Article, actor: Any, reason: str) -> ArticleRevision:
    db.session.flush()
    number = (
        db.session.scalar(
            select(func.max(ArticleRevision.number)).where(ArticleRevision.article_id == article.id)
        )
        or 0
    ) + 1
    revision = ArticleRevision(
        article_id=article.id,
        number=number,
        title=article.title,
        data=snapshot(article),
        reason=reason,
        author_id=getattr(actor, "id", None),
    )
    db.session.add(revision)
    return revision


def _change_slug(article: Article, new_slug: str) -> None:
    """Move the article to *new_slug*, keeping the old address as a redirect."""
    old_slug = article.slug
    if old_slug == new_slug:
        return
    # Going back to an address it had before: that redirect is no longer needed.
    db.session.execute(
        delete(ArticleSlugRedirect).where(
            ArticleSlugRedirect.old_slug == new_slug,
            ArticleSlugRedirect.article_id == article.id,
        )
    )
    if old_slug:
        db.session.add(ArticleSlugRedirect(old_slug=old_slug, article_id=article.id))
    article.slug = new_slug


def _apply(article: Article, data: ArticleData) -> None:
    article.title = single_line(data.title, 200)
    article.lead = single_line(data.lead, 500)
    article.body = data.body.replace("\r\n", "\n").strip() + "\n"
    article.title_en = single_line(data.title_en, 200)
    article.lead_en = single_line(data.lead_en, 500)
    english_body = data.body_en.replace("\r\n", "\n").strip()
    article.body_en = english_body + "\n" if english_body else ""
    if data.remove_cover:
        article.cover_key = None
        article.cover_widths = None
        article.cover_alt = None
    if data.cover is not None:
        article.cover_key = data.cover.key
        article.cover_widths = list(data.cover.widths)
    article.cover_alt = single_line(data.cover_alt, 300) or None if article.cover_key else None
    article.video_url = data.video_url.strip() or None
    article.tags = _tags_for(data.tags)
    article.process_id = data.process_id
    article.workshops = _workshops_for(data.workshop_ids)
    article.ideas = _ideas_for(data.idea_ids)


def create_article(data: ArticleData, actor: Any) -> Article:
    """A new draft, with its first revision."""
    slug = slugify(data.slug or data.title, 100)
    check_slug(slug, None)
    article = Article(slug=slug, status=ArticleStatus.DRAFT, author_id=getattr(actor, "id", None))
    _apply(article, data)
    db.session.add(article)
    db.session.flush()
    _add_revision(article, actor, "create")
    audit.record("article.create", article, actor=actor, to_state=article.state())
    return article


def update_article(
    article: Article, data: ArticleData, actor: Any, expected_version: int
) -> Article:
    """Save an edit: a new revision, the old slug kept as a redirect."""
    if expected_version != article.version:
        raise StaleVersion(
            _l(
                "Ktoś inny zapisał ten artykuł w czasie Twojej edycji. Twoje zmiany są niżej – "
                "skopiuj je, otwórz artykuł ponownie i nanieś je na nowszą wersję."
            ),
            field="version",
        )
    slug = slugify(data.slug or data.title, 100)
    check_slug(slug, article)
    old_slug = article.slug
    _change_slug(article, slug)
    _apply(article, data)
    article.version += 1
    _add_revision(article, actor, "edit")
    changes = {"slug": [old_slug, slug]} if old_slug != slug else None
    audit.record("article.edit", article, actor=actor, data=changes)
    return article


def restore_revision(article: Article, revision: ArticleRevision, actor: Any) -> bool:
    """Bring back what *revision* held (as a new revision).

    Returns False when its address now belongs to another article; the
    current address is kept then.
    """
    saved = revision.data
    data = ArticleData(
        title=saved.get("title") or revision.title,
        lead=saved.get("lead") or "",
        body=saved.get("body") or "",
        slug=saved.get("slug") or article.slug,
        cover_alt=saved.get("cover_alt") or "",
        video_url=saved.get("video_url") or "",
        tags=list(saved.get("tags") or []),
        process_id=saved.get("process_id"),
        workshop_ids=list(saved.get("workshop_ids") or []),
        # Ideas hidden since then are simply no longer linked.
        idea_ids=[
            idea.id
            for idea in db.session.scalars(
                select(Idea).where(
                    Idea.id.in_(saved.get("idea_ids") or []),
                    Idea.status == IdeaStatus.PUBLISHED,
                )
            )
        ],
    )
    if saved.get("cover_key"):
        data.cover = StoredCover(saved["cover_key"], list(saved.get("cover_widths") or []))
    else:
        data.remove_cover = True
    slug_kept = True
    try:
        check_slug(slugify(data.slug, 100), article)
    except SlugTaken:
        data.slug = article.slug
        slug_kept = False
    _change_slug(article, slugify(data.slug, 100))
    _apply(article, data)
    article.version += 1
    _add_revision(article, actor, "restore")
    audit.record("article.restore", article, actor=actor, data={"revision": revision.number})
    return slug_kept


# Publishing ----------------------------------------------------------------


def publish_article(article: Article, actor: Any, when: datetime | None = None) -> str:
    """Publish now, or schedule for *when* (UTC). Returns the new state."""
    now = utcnow()
    before = article.state(now)
    if when is not None:
        if when <= now:
            raise PublishTimeInPast()
        article.published_at = when
    elif article.published_at is None or article.published_at > now:
        article.published_at = now
    # A republished article keeps the date it first appeared.
    article.status = ArticleStatus.PUBLISHED
    after = article.state(now)
    audit.record(
        "article.publish",
        article,
        actor=actor,
        from_state=before,
        to_state=after,
        data={"published_at": article.published_at.isoformat()},
    )
    # A consultation's followers hear of it now, or when a scheduled one
    # comes out (`follows announce`).
    follows.article_published(article, now)
    return after


def unpublish_article(article: Article, actor: Any) -> None:
    before = article.state()
    article.status = ArticleStatus.DRAFT
    audit.record("article.unpublish", article, actor=actor, from_state=before, to_state="draft")


# View counts ---------------------------------------------------------------


def is_bot(user_agent: str | None) -> bool:
    agent = (user_agent or "").strip().lower()
    return not agent or any(marker in agent for marker in BOT_MARKERS)


def reader_hash(article_id: int, address: str, user_agent: str, day: str) -> str:
    return keyed_hash(f"{address}\n{user_agent}\n{day}\n{article_id}", "article-view")


def _reading_hash(
    article_id: int, address: str, user_agent: str | None, now: datetime
) -> str | None:
    """The hash that counts this reader once a day; None for a bot."""
    if is_bot(user_agent):
        return None
    return reader_hash(article_id, address, user_agent or "", now.strftime("%Y-%m-%d"))


def already_counted(
    article_id: int, address: str, user_agent: str | None, now: datetime | None = None
) -> bool:
    """Whether this reading would not be counted (a bot, or the reader was
    counted today): a plain read, so repeat readers never wait for a write."""
    digest = _reading_hash(article_id, address, user_agent, now or utcnow())
    if digest is None:
        return True
    found = db.session.scalar(select(ArticleView.id).where(ArticleView.reader_hash == digest))
    return found is not None


def record_view(
    article_id: int, address: str, user_agent: str | None, now: datetime | None = None
) -> bool:
    """Count one reading, at most once per reader, article and day.

    The view row's unique hash decides: only when its insert succeeds is the
    counter raised, by one atomic UPDATE in the same transaction, so
    concurrent readers never lose a count and a reader never counts twice.
    Call it at the start of a transaction (SQLite then takes the write lock
    first and waits for it instead of failing an upgrade).
    """
    now = now or utcnow()
    digest = _reading_hash(article_id, address, user_agent, now)
    if digest is None or not _insert_view(article_id, digest, now):
        return False
    # Plain SQL on purpose: the counter must not touch ``updated_at`` (the
    # ORM's onupdate would), which means "edited" for feeds and the sitemap.
    db.session.execute(
        text("UPDATE articles SET views = views + 1 WHERE id = :id"), {"id": article_id}
    )
    return True


def _insert_view(article_id: int, digest: str, now: datetime) -> bool:
    """Insert the view row; False when this reader was already counted.

    PostgreSQL and SQLite skip a duplicate with ON CONFLICT DO NOTHING (no
    error, nothing to roll back: a second request with the same hash waits
    for the first to commit and then inserts nothing). Elsewhere the unique
    constraint's IntegrityError, inside a savepoint, says the same.
    """
    values = {"article_id": article_id, "reader_hash": digest, "created_at": now}
    return insert_once(ArticleView.__table__, values)


def insert_once(table: Any, values: dict[str, Any]) -> bool:
    """Insert a row keyed by its unique ``reader_hash``; False when a row
    with that hash exists (also one another request is inserting now).
    Video plays count with it too (app.videos.services)."""
    statement = (
        insert_for(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["reader_hash"])
        .returning(table.c.id)
    )
    # A row comes back only when it was really inserted.
    return db.session.execute(statement).first() is not None


def purge_article_views() -> int:
    """View rows older than two days: they have done their job."""
    cutoff = utcnow() - timedelta(days=2)
    result = db.session.execute(delete(ArticleView).where(ArticleView.created_at < cutoff))
    return result.rowcount or 0


def ideas_matching(query: str, limit: int = 10) -> list[Idea]:
    """Published ideas whose title holds every word of *query* (Polish
    letters optional), or whose number it is: for choosing related ideas
    by their titles."""
    query = (query or "").strip()
    if not query:
        return []
    published = Idea.status == IdeaStatus.PUBLISHED
    if query.isdigit() and len(query) < 10:
        found = db.session.scalar(select(Idea).where(published, Idea.id == int(query)))
        return [found] if found is not None else []
    words = [fold(word) for word in query.split()][:6]
    return list(
        db.session.scalars(
            select(Idea)
            .where(published, *[Idea.search_title.contains(w, autoescape=True) for w in words])
            .order_by(Idea.supports_count.desc(), Idea.id.desc())
            .limit(limit)
        )
    )
